import { strict as assert } from "assert";
import { CabinetPlant } from "../../host-sim/plant/plant";
import { PowerModuleModel } from "../../host-sim/plant/power-module";
import { EvModel } from "../../host-sim/plant/ev";
import { defaultPlantParams } from "../../host-sim/plant/params";
import { Prng } from "../../host-sim/plant/prng";
import { defaultModuleRating } from "../../src/config";
import { chargeOnSlot, EV400, EV800, matrix, quietSim, ring } from "./helpers";

function stepUntil(sim: ReturnType<typeof quietSim>, done: () => boolean, maxMs: number): number {
  const start = sim.plant.nowMs;
  while (!done()) {
    if (sim.plant.nowMs - start > maxMs) throw new Error(`condition not reached within ${maxMs} ms`);
    sim.runner.step();
  }
  return sim.plant.nowMs - start;
}

describe("host-sim plant", () => {
  describe("contactors", () => {
    it("a GC operates in 13-20 ms, its aux follows, and it releases in <= 12 ms", () => {
      const sim = quietSim();
      const gc = sim.plant.contactor("GC_3");
      assert.equal(gc.mainClosed, false);
      sim.hal.contactors.command("GC_3", true);
      const operate = stepUntil(sim, () => gc.mainClosed, 100);
      assert.ok(operate >= 13 && operate <= 20, `operate ${operate} ms`);
      assert.equal(sim.hal.contactors.aux("GC_3").closed, false, "aux lags the main contacts");
      stepUntil(sim, () => sim.hal.contactors.aux("GC_3").closed, 10);
      sim.hal.contactors.command("GC_3", false);
      const release = stepUntil(sim, () => !gc.mainClosed, 100);
      assert.ok(release >= 10 && release <= 12, `release ${release} ms`);
    });

    it("an MC is normally closed: closed at rest, opens when commanded open (coil energized), closes on releaseAll", () => {
      const sim = quietSim();
      const mc = sim.plant.contactor("MC_5");
      assert.equal(mc.mainClosed, true);
      assert.equal(sim.hal.contactors.aux("MC_5").closed, true);
      assert.equal(sim.hal.contactors.commanded("MC_5"), true);
      sim.hal.contactors.command("MC_5", false);
      assert.equal(mc.coil, true);
      const t = stepUntil(sim, () => !mc.mainClosed, 100);
      assert.ok(t >= 13 && t <= 20);
      sim.hal.contactors.command("GC_5", true);
      sim.runner.runFor(30);
      sim.hal.contactors.releaseAll();
      sim.runner.runFor(30);
      assert.equal(mc.mainClosed, true);
      assert.equal(sim.plant.contactor("GC_5").mainClosed, false);
      assert.equal(sim.hal.contactors.commanded("MC_5"), true);
    });

    it("a welded contact stays closed with its aux closed; a stuck-open one never closes", () => {
      const sim = quietSim();
      sim.hal.contactors.command("MN_2_0", true);
      sim.runner.runFor(30);
      sim.plant.injectFault("mnWeld", "MN_2_0");
      sim.hal.contactors.command("MN_2_0", false);
      sim.runner.runFor(100);
      assert.equal(sim.plant.contactor("MN_2_0").mainClosed, true);
      assert.equal(sim.hal.contactors.aux("MN_2_0").closed, true);
      assert.equal(sim.hal.contactors.commanded("MN_2_0"), false);
      sim.plant.injectFault("contactorStuckOpen", "GC_2");
      sim.hal.contactors.command("GC_2", true);
      sim.runner.runFor(100);
      assert.equal(sim.plant.contactor("GC_2").mainClosed, false);
      assert.equal(sim.hal.contactors.aux("GC_2").closed, false);
    });

    it("flickering feedback toggles the aux reading while the main contacts stay put", () => {
      const sim = quietSim();
      sim.plant.injectFault("auxFlicker", "GC_4");
      const changes = new Set<number>();
      for (let i = 0; i < 2000; i++) {
        sim.runner.step();
        changes.add(sim.hal.contactors.aux("GC_4").changedAtMs);
      }
      assert.equal(sim.plant.contactor("GC_4").mainClosed, false);
      assert.ok(changes.size >= 4, `aux changed ${changes.size} times`);
    });

    it("counts operations and records the current through a contactor when it opens", () => {
      const sim = quietSim();
      chargeOnSlot(sim, 1, 40);
      sim.runner.runFor(3000);
      const before = sim.plant.contactor("MN_1_0").operations;
      const throughA = sim.plant.contactorCurrentA("MN_1_0");
      assert.ok(throughA > 30, `MN_1_0 carries ${throughA} A`);
      sim.hal.contactors.command("MN_1_0", false);
      sim.runner.runFor(30);
      const move = sim.plant.moves.filter((m) => m.id === "MN_1_0").pop()!;
      assert.equal(move.closed, false);
      assert.ok(move.currentA > 30, `recorded ${move.currentA} A`);
      assert.equal(sim.plant.contactor("MN_1_0").operations, before + 1);
    });
  });

  describe("bus regions and precharge", () => {
    it("derives regions from contact positions: a closed ring is one bus, open MCs cut islands", () => {
      const sim = quietSim();
      const slotRegion = (s: number) => sim.plant.regionOfNode[sim.plant.slotNode(s)];
      assert.equal(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(slotRegion)).size, 1);
      sim.hal.contactors.command("MC_3", false);
      sim.hal.contactors.command("MC_6", false);
      sim.runner.runFor(30);
      assert.equal(slotRegion(4), slotRegion(6));
      assert.notEqual(slotRegion(3), slotRegion(4));
      assert.equal(slotRegion(7), slotRegion(3), "the rest of the ring is still connected the other way round");
    });

    it("precharge: the island voltage rises at I/C without overshoot and settles at the setpoint", () => {
      const sim = quietSim();
      const { hal, plant, runner } = sim;
      hal.contactors.command("MC_12", false);
      hal.contactors.command("MC_1", false);
      hal.contactors.command("MN_1_0", true);
      hal.contactors.command("MN_1_1", true);
      runner.runFor(50);
      for (const k of [0, 1]) hal.modules.command(`M1_${k}`, { enabled: true, voltageV: 400, currentLimitA: 0.5 });
      const samples: number[] = [];
      for (let i = 0; i < 3000; i++) {
        runner.step();
        samples.push(plant.slotVoltageV(1));
      }
      for (let i = 1; i < samples.length; i++) assert.ok(samples[i] >= samples[i - 1] - 1e-9, `falls at ${i} ms`);
      assert.ok(Math.max(...samples) <= 400.01, `overshoot to ${Math.max(...samples)}`);
      assert.ok(Math.abs(samples[samples.length - 1] - 400) < 0.5);
      // Slope in the current-limited part: 1 A into the slot bus + two module output nodes.
      const capacitanceF = (plant.params.bus.busCapacitanceUF + 2 * plant.params.module.outputCapacitanceUF) * 1e-6;
      const start = plant.params.module.startupDelayMs + 100;
      const slopeVPerS = (samples[start + 100] - samples[start]) / 0.1;
      const expected = 1 / capacitanceF;
      assert.ok(Math.abs(slopeVPerS - expected) / expected < 0.05, `slope ${slopeVPerS} V/s, expected ${expected}`);
      assert.equal(plant.slotVoltageV(2), 0, "the neighbour island stays dead");
    });

    it("a region nothing feeds is discharged below 60 V within 1 s", () => {
      const sim = quietSim();
      const { hal, plant, runner } = sim;
      hal.contactors.command("MC_12", false);
      hal.contactors.command("MC_1", false);
      hal.contactors.command("MN_1_0", true);
      runner.runFor(50);
      hal.modules.command("M1_0", { enabled: true, voltageV: 800, currentLimitA: 10 });
      runner.runFor(3000);
      assert.ok(plant.slotVoltageV(1) > 799);
      hal.modules.command("M1_0", { enabled: false, voltageV: 0, currentLimitA: 0 });
      runner.runFor(1000);
      assert.ok(plant.slotVoltageV(1) < 60, `${plant.slotVoltageV(1)} V after 1 s`);
    });

    it("the matrix topology connects a module to a gun bus through its MX contactor", () => {
      const sim = quietSim(matrix());
      const { hal, plant, runner } = sim;
      hal.contactors.command("MX_1_2", true);
      runner.runFor(30);
      hal.modules.command("PM1", { enabled: true, voltageV: 500, currentLimitA: 5 });
      runner.runFor(3000);
      assert.ok(Math.abs(plant.nodeVoltageV[plant.gun(2).busNode] - 500) < 1);
      assert.equal(plant.nodeVoltageV[plant.gun(1).busNode], 0);
    });
  });

  describe("power modules", () => {
    const params = defaultPlantParams().module;
    const rating = defaultModuleRating();
    const running = () => {
      const m = new PowerModuleModel("M", 30, rating, params, 25);
      m.receive({ enabled: true, voltageV: 500, currentLimitA: 1000 }, 0);
      m.prepare(0, 1);
      m.prepare(params.startupDelayMs, 1);
      return m;
    };

    it("has a constant-power envelope over 200-1000 V with a current limit", () => {
      const m = running();
      assert.equal(m.running, true);
      assert.equal(m.availableCurrentA(200), 100, "current limit below 300 V");
      assert.ok(Math.abs(m.availableCurrentA(500) - 60) < 1e-9);
      assert.ok(Math.abs(m.availableCurrentA(1000) - 30) < 1e-9);
      m.receive({ enabled: true, voltageV: 500, currentLimitA: 20 }, 1);
      assert.equal(m.availableCurrentA(500), 20, "commanded limit");
    });

    it("starts only after its start-up delay and stops at once when disabled", () => {
      const m = new PowerModuleModel("M", 30, rating, params, 25);
      m.receive({ enabled: true, voltageV: 500, currentLimitA: 10 }, 0);
      m.prepare(0, 1);
      m.prepare(1, 1);
      assert.equal(m.running, false);
      m.prepare(params.startupDelayMs - 1, 1);
      assert.equal(m.running, false);
      m.prepare(params.startupDelayMs, 1);
      assert.equal(m.running, true);
      m.prepare(params.startupDelayMs + 1, 1);
      assert.equal(m.running, true);
      m.receive({ enabled: false, voltageV: 0, currentLimitA: 0 }, params.startupDelayMs + 2);
      m.prepare(params.startupDelayMs + 2, 1);
      assert.equal(m.running, false);
    });

    it("is less efficient at light load, and draws standby power when off", () => {
      const m = running();
      assert.ok(m.efficiencyAt(1500) < m.efficiencyAt(15000) - 0.05);
      assert.ok(m.efficiencyAt(15000) > 0.95);
      const off = new PowerModuleModel("M", 30, rating, params, 25);
      off.finish(0, 1000, 25);
      assert.equal(off.inputPowerW, params.standbyLossW);
    });

    it("derates linearly above derateStartTempC and trips at tripTempC with an overTemp alarm", () => {
      const m = running();
      m.tempC = (rating.derateStartTempC + rating.tripTempC) / 2;
      assert.ok(Math.abs(m.availableCurrentA(500) - 30) < 1e-9, "half power half way");
      assert.deepEqual(m.alarms(), ["derating"]);
      m.setFault("overTemp", true);
      let t = params.startupDelayMs;
      while (m.running && t < 60_000) {
        t += 100;
        m.prepare(t, 100);
        m.finish(500, 100, 25);
      }
      assert.equal(m.running, false);
      assert.ok(m.tempC >= rating.tripTempC);
      assert.ok(m.alarms().includes("overTemp"));
    });

    it("delivers 30 kW into an 800 V EV at full current limit, heats up and draws more from the grid than it gives", () => {
      const sim = quietSim();
      chargeOnSlot(sim, 1, 1000, EV800);
      sim.runner.runFor(10_000);
      const m = sim.plant.module("M1_0");
      const outW = m.outputCurrentA * m.outputVoltageV;
      assert.ok(Math.abs(outW - 30_000) < 300, `module output ${outW} W`);
      assert.ok(m.tempC > 26);
      assert.ok(sim.plant.gridPowerW > 2 * outW, "two modules plus losses");
      assert.ok(Math.abs(sim.plant.gun(1).currentA - 2 * m.outputCurrentA) < 1);
    });

    it("switches its output off after commsTimeoutMs without traffic", () => {
      const sim = quietSim();
      chargeOnSlot(sim, 1, 20);
      sim.runner.runFor(1000);
      sim.plant.injectFault("moduleCommsLoss", "M1_0");
      sim.runner.runFor(sim.plant.params.module.commsTimeoutMs - 1000);
      assert.equal(sim.plant.module("M1_0").running, true);
      sim.runner.runFor(2000);
      assert.equal(sim.plant.module("M1_0").running, false);
      assert.equal(sim.hal.modules.read("M1_0").online, false);
      assert.equal(sim.hal.modules.read("M1_1").online, true);
    });
  });

  describe("EVs", () => {
    const params = defaultPlantParams().ev;

    it("pack voltage rises with SOC, 800 V packs about twice 400 V packs", () => {
      const v = (spec: typeof EV400, soc: number) => new EvModel({ ...spec, socPct: soc, targetSocPct: 100 }, 0, params).openCircuitVoltageV();
      assert.ok(v(EV400, 10) < v(EV400, 50) && v(EV400, 50) < v(EV400, 90));
      assert.ok(v(EV400, 50) > 380 && v(EV400, 50) < 430, `400 V class at 50 %: ${v(EV400, 50)}`);
      assert.ok(v(EV800, 50) > 760 && v(EV800, 50) < 860, `800 V class at 50 %: ${v(EV800, 50)}`);
    });

    it("the BMS request tapers with SOC and ramps up after the handshake", () => {
      const want = (soc: number) => {
        const ev = new EvModel({ ...EV400, socPct: soc, targetSocPct: 100 }, 0, params);
        ev.prepare(params.handshakeMs);
        return ev.desiredCurrentA();
      };
      assert.ok(want(30) > want(70) && want(70) > want(90), `${want(30)} ${want(70)} ${want(90)}`);
      const ev = new EvModel(EV400, 0, params);
      ev.prepare(params.handshakeMs - 1);
      assert.equal(ev.ready, false);
      ev.prepare(params.handshakeMs);
      assert.equal(ev.ready, true);
      ev.prepare(params.handshakeMs + 1000);
      assert.ok(ev.requestCurrentA > 0 && ev.requestCurrentA <= params.requestRampAPerS * 1.2, `request ${ev.requestCurrentA} A after 1 s`);
    });

    it("charges to its target SOC, then requests stop and asks for 0 A", () => {
      const sim = quietSim();
      sim.plant.plug(1, { ...EV400, batteryKWh: 10, socPct: 78, targetSocPct: 80 });
      chargeOnSlot(sim, 1, 60);
      sim.plant.unplug(1);
      sim.plant.plug(1, { ...EV400, batteryKWh: 10, socPct: 78, targetSocPct: 80 });
      const ev = sim.plant.gun(1).ev!;
      sim.runner.runFor(3000);
      const target = sim.hal.ev.status(1).requestVoltageV;
      for (const k of [0, 1]) sim.hal.modules.command(`M1_${k}`, { enabled: true, voltageV: target, currentLimitA: 30 });
      let t = 0;
      while (!ev.stopRequested && t < 600_000) {
        sim.runner.runFor(1000);
        t += 1000;
      }
      assert.equal(ev.stopRequested, true);
      assert.ok(ev.socPct >= 80);
      assert.notEqual(ev.targetReachedAtMs, null);
      assert.equal(sim.hal.ev.status(1).requestCurrentA, 0);
      sim.plant.unplug(1);
      const rec = sim.plant.sessions[sim.plant.sessions.length - 1];
      assert.ok(rec.deliveredWh > 0 && rec.askedWh > 0);
    });
  });

  it("is deterministic for a seed and differs across seeds", () => {
    const run = (seed: number) => {
      const p = new CabinetPlant(ring(), { seed });
      p.setCoil("GC_1", true);
      let t = 0;
      while (!p.contactor("GC_1").mainClosed) {
        p.step(0.25);
        t++;
      }
      return t;
    };
    assert.equal(run(5), run(5));
    const seeds = [1, 2, 3, 4, 5, 6].map(run);
    assert.ok(new Set(seeds).size > 1, `operate times ${seeds}`);
    const a = new Prng(9);
    const b = new Prng(9);
    assert.deepEqual([a.next(), a.next(), a.next()], [b.next(), b.next(), b.next()]);
  });
});

describe("host-sim plant: CCS-like EV contactors (ev.contactorMode = afterPrecharge)", () => {
  it("the pack connects only after the inlet matches it, so a cable check with the GC closed is harmless", () => {
    const sim = quietSim(undefined, { ev: { contactorMode: "afterPrecharge" } });
    const { hal, plant, runner } = sim;
    plant.plug(1, EV400);
    hal.contactors.command("MC_12", false);
    hal.contactors.command("MC_1", false);
    hal.contactors.command("MN_1_0", true);
    runner.runFor(2100);
    const ev = plant.gun(1).ev!;
    assert.equal(ev.ready, true);
    assert.equal(ev.connected, false);
    assert.equal(hal.ev.status(1).requestCurrentA, 0, "no current demand before the EV's contactors close");
    hal.contactors.command("GC_1", true);
    runner.runFor(50);
    hal.modules.command("M1_0", { enabled: true, voltageV: 500, currentLimitA: 2 });
    runner.runFor(2500);
    assert.equal(ev.connected, false, "500 V cable check: the EV keeps its contactors open");
    // Modules only source current: stop the module so the discharge circuit takes the bus down, then precharge.
    hal.modules.command("M1_0", { enabled: false, voltageV: 0, currentLimitA: 0 });
    runner.runFor(1500);
    assert.ok(plant.slotVoltageV(1) < 60);
    hal.modules.command("M1_0", { enabled: true, voltageV: hal.ev.status(1).batteryVoltageV, currentLimitA: 2 });
    runner.runFor(plant.params.module.startupDelayMs + 1000);
    assert.equal(ev.connected, true, "precharged: the EV closes its contactors");
    hal.modules.command("M1_0", { enabled: true, voltageV: hal.ev.status(1).requestVoltageV, currentLimitA: 30 });
    runner.runFor(3000);
    assert.ok(plant.gun(1).currentA > 25);
    assert.deepEqual(sim.observer.violations, []);
    plant.evStop(1);
    hal.modules.command("M1_0", { enabled: true, voltageV: hal.ev.status(1).requestVoltageV, currentLimitA: 0 });
    runner.runFor(1000);
    assert.equal(ev.connected, false, "the EV opens its contactors after the stop at zero current");
  });
});
