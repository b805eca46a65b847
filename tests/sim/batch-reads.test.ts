/**
 * The process image read in batches (Sensors.readGuns / readSlotBuses, EvLink.readStatuses,
 * ContactorBank.readAux, ModuleBus.readingsVersion) must give the controller exactly what
 * the id-by-id reads give: the same readings, the same sensor-noise draws in the same order,
 * and module replies that are never stale. Two cabinets with the same seed and scenario run
 * side by side, one with the host HAL's batch reads and one with them hidden; every tick's
 * readings and the whole run report must match.
 */
import { strict as assert } from "assert";
import { builtinDocument, parseCabinetConfig } from "../../src/config";
import type { TickReadings } from "../../src/sequencer/sequencer";
import { createSimCabinet, type SimCabinet } from "../../host-sim/sim-cabinet";
import { buildRunReport } from "../../host-sim/run-report";
import { createSimulation, type Simulation } from "../../host-sim/scenario/simulation";
import type { GunMeasurement } from "../../hal/sensors";
import type { EvStatus } from "../../hal/ev-link";
import type { Scenario } from "../../host-sim/scenario/types";

const EV400 = { batteryKWh: 77, socPct: 30, targetSocPct: 80, maxPowerKW: 135, packVoltageV: 400 };
const EV800 = { batteryKWh: 84, socPct: 20, targetSocPct: 80, maxPowerKW: 230, packVoltageV: 800 };

/** Sessions on four guns, a module that stops answering, a flickering aux contact and a weld: every kind of input moves. */
const SCENARIO: Scenario = {
  name: "batch reads",
  config: "ring-12x2",
  durationS: 40,
  seed: 4242,
  stepMs: 10,
  events: [
    { type: "plug", atS: 0.5, gun: 2, ev: EV400 },
    { type: "plug", atS: 1.2, gun: 3, ev: EV800 },
    { type: "plug", atS: 2.7, gun: 7, ev: EV400 },
    { type: "plug", atS: 3.1, gun: 10, ev: EV800 },
    { type: "fault", atS: 12, kind: "moduleCommsLoss", target: "M3_0", clearAtS: 22 },
    { type: "fault", atS: 15, kind: "auxFlicker", target: "MC_9", clearAtS: 18 },
    { type: "fault", atS: 26, kind: "gcWeld", target: "GC_7" },
    { type: "stop", atS: 27, gun: 7 },
  ],
};

function cabinet(): SimCabinet {
  const config = parseCabinetConfig(builtinDocument("ring-12x2"));
  return createSimCabinet({ config, seed: SCENARIO.seed, scenario: SCENARIO, stepMs: 10 });
}

/** Hides every batch read of a host HAL, so the controller reads id by id (as on a board without them). */
function hideBatchReads(c: SimCabinet): void {
  const hal = c.sim.hal;
  for (const [part, name] of [[hal.sensors, "readGuns"], [hal.sensors, "readSlotBuses"], [hal.ev, "readStatuses"], [hal.contactors, "readAux"]] as const) {
    assert.equal(typeof (part as unknown as Record<string, unknown>)[name], "function", `the host HAL has ${name}`);
    Object.defineProperty(part, name, { value: undefined });
  }
  Object.defineProperty(hal.modules, "readingsVersion", { get: () => undefined, set: () => {} });
}

function image(c: SimCabinet): unknown {
  const r: TickReadings = c.controller.safety.sequencer.tickReadings;
  return { guns: [...r.guns], ev: [...r.ev], modules: [...r.modules], slotBusV: [...r.slotBusV] };
}

describe("batch reads of the process image (host HAL)", function () {
  this.timeout(60_000);

  it("give every tick the same readings, noise draws and verdicts as the id-by-id reads", () => {
    const batch = cabinet();
    const oneByOne = cabinet();
    hideBatchReads(oneByOne);
    try {
      let compared = 0;
      for (let atMs = 10; atMs <= SCENARIO.durationS * 1000; atMs += 10) {
        batch.sim.runner.runUntil(atMs);
        oneByOne.sim.runner.runUntil(atMs);
        // Every tick for the first seconds (order of draws), then every 370 ms (a module
        // refresh lands at a different tick each time) to keep the test fast.
        if (atMs > 4000 && atMs % 370 !== 0) continue;
        assert.deepEqual(image(batch), image(oneByOne), `readings at ${atMs} ms`);
        compared++;
      }
      assert.ok(compared > 400);
      const a = buildRunReport(batch, "run", 0);
      const b = buildRunReport(oneByOne, "run", 0);
      assert.deepEqual(a, b);
      // The run really moved every kind of input.
      assert.ok(a.energyKWh > 0, "energy delivered");
      const faults = batch.controller.safety.faults.list().map((f) => f.kind);
      assert.ok(faults.length > 0, "the injected faults were seen");
      assert.deepEqual(batch.controller.safety.health.faults(), oneByOne.controller.safety.health.faults());
      assert.ok(Object.keys(batch.controller.safety.health.faults()).length > 0, "a contactor verdict was latched");
    } finally {
      batch.controller.close();
      oneByOne.controller.close();
    }
  });

  it("each host batch read equals the id-by-id reads, unknown ids included, with the same noise cursor after", () => {
    const config = parseCabinetConfig(builtinDocument("ring-12x2"));
    const sims: Simulation[] = [createSimulation({ config, seed: 99, stepMs: 10 }), createSimulation({ config, seed: 99, stepMs: 10 })];
    for (const sim of sims) {
      sim.plant.plug(4, EV400);
      sim.plant.plug(9, EV800);
      sim.hal.contactors.command("MC_4", false);
      sim.hal.contactors.command("MN_4_0", true);
      sim.runner.runFor(3000);
    }
    const [a, b] = sims;
    const guns = [...config.guns.map((g) => g.id), 99, 4];
    const slots = [...config.slots.map((sl) => sl.id), 99, 4];
    const contactors = [...a.hal.contactors.ids, "NOPE", "MN_4_0"];
    for (let round = 0; round < 3; round++) {
      const gunsA: (GunMeasurement | null)[] = guns.map(() => null);
      a.hal.sensors.readGuns!(guns, gunsA);
      assert.deepEqual(gunsA, guns.map((id) => b.hal.sensors.gun(id)), `guns, round ${round}`);
      const statusA: (EvStatus | null)[] = guns.map(() => null);
      a.hal.ev.readStatuses!(guns, statusA);
      assert.deepEqual(statusA, guns.map((id) => b.hal.ev.status(id)), `EV statuses, round ${round}`);
      const busA = new Float64Array(slots.length).fill(-1);
      a.hal.sensors.readSlotBuses!(slots, busA);
      assert.deepEqual([...busA], slots.map((id) => b.hal.sensors.slotBus(id).voltageV), `slot buses, round ${round}`);
      const auxA = new Uint8Array(contactors.length).fill(7);
      a.hal.contactors.readAux!(contactors, auxA);
      assert.deepEqual([...auxA], contactors.map((id) => (b.hal.contactors.aux(id).closed ? 1 : 0)), `aux, round ${round}`);
      assert.ok(auxA.includes(1) && auxA.includes(0));
      // The same cursor after: the next draw is the same on both.
      assert.equal(a.hal.sensors.slotBus(3).voltageV, b.hal.sensors.slotBus(3).voltageV);
      for (const sim of sims) sim.runner.runFor(250);
    }
  });

  it("gun() readings are new objects a caller may keep; readGuns refills one record per gun", () => {
    const sim = createSimulation({ config: parseCabinetConfig(builtinDocument("ring-12x2")), seed: 5, stepMs: 10 });
    const kept = sim.hal.sensors.gun(2);
    const copy = { ...kept };
    const into: (GunMeasurement | null)[] = [null, null];
    sim.hal.sensors.readGuns!([2, 3], into);
    const record = into[0];
    sim.runner.runFor(100);
    assert.notEqual(sim.hal.sensors.gun(2), kept);
    assert.deepEqual(kept, copy, "a kept gun() reading never changes");
    sim.hal.sensors.readGuns!([2, 3], into);
    assert.equal(into[0], record, "the same record, refilled");
  });

  it("readStatuses refills one record per position (a register); a kept controller EV status never changes with it", () => {
    const config = parseCabinetConfig(builtinDocument("ring-12x2"));
    const c = createSimCabinet({ config, seed: SCENARIO.seed, scenario: SCENARIO, stepMs: 10 });
    try {
      c.sim.runner.runUntil(5000);
      const into: (EvStatus | null)[] = [null, null];
      c.sim.hal.ev.readStatuses!([2, 5], into);
      const record = into[0];
      assert.ok(record !== null && record.plugged && !Object.isFrozen(record), "a plugged gun: a link-owned record");
      assert.equal(into[1]?.plugged, false, "an empty gun: nothing plugged");
      c.sim.runner.runFor(100);
      c.sim.hal.ev.readStatuses!([2, 5], into);
      assert.equal(into[0], record, "the same record, refilled");
      // What the control tick hands the sessions: a copy, untouched by later refills.
      const seq = c.controller.safety.sequencer;
      const kept = seq.evReading(2)!;
      const snapshot = { ...kept };
      c.sim.runner.runFor(2000);
      assert.deepEqual(kept, snapshot, "a kept status never changes");
      assert.notDeepEqual(seq.evReading(2), snapshot, "the EV moved on: a new status");
    } finally {
      c.controller.close();
    }
  });
});
