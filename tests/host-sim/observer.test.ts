import { strict as assert } from "assert";
import { validateScenario } from "../../host-sim/scenario/validate";
import { createSimulation } from "../../host-sim/scenario/simulation";
import { NaiveController } from "./fixtures/naive-controller";
import { chargeOnSlot, EV400, quietSim } from "./helpers";
import type { Simulation } from "../../host-sim/scenario/simulation";

function kinds(sim: Simulation): string[] {
  return sim.observer.violations.map((v) => `${v.invariant}:${v.kind}`);
}

/** Slot s as its own island with its modules' MNs closed (no EV). */
function isolate(sim: Simulation, slot: number): void {
  const ccw = slot === 1 ? 12 : slot - 1;
  sim.hal.contactors.command(`MC_${ccw}`, false);
  sim.hal.contactors.command(`MC_${slot}`, false);
  sim.hal.contactors.command(`MN_${slot}_0`, true);
  sim.runner.runFor(30);
}

describe("host-sim invariant observer (DESIGN.md §5)", () => {
  it("reports nothing for careful switching, precharge and charging", () => {
    const sim = quietSim();
    chargeOnSlot(sim, 1, 40);
    chargeOnSlot(sim, 4, 40);
    sim.runner.runFor(5000);
    assert.deepEqual(kinds(sim), []);
  });

  it("invariant 1: two closed GCs in one electrically connected region", () => {
    const sim = quietSim();
    const { hal, plant, runner } = sim;
    hal.contactors.command("MC_12", false);
    hal.contactors.command("MC_2", false);
    plant.plug(1, EV400);
    plant.plug(2, EV400);
    runner.runFor(2100);
    hal.contactors.command("GC_1", true);
    runner.runFor(30);
    assert.equal(sim.observer.of(1).length, 0, "one GC is fine");
    hal.contactors.command("GC_2", true);
    runner.runFor(30);
    const v = sim.observer.of(1);
    assert.equal(v.length, 1);
    assert.match(v[0].details, /guns 1, 2/);
  });

  it("invariant 2: closing an MC between two islands that both have energized modules", () => {
    const sim = quietSim();
    const { hal, runner } = sim;
    isolate(sim, 1);
    isolate(sim, 2);
    hal.modules.command("M1_0", { enabled: true, voltageV: 400, currentLimitA: 5 });
    hal.modules.command("M2_0", { enabled: true, voltageV: 400, currentLimitA: 5 });
    runner.runFor(3000);
    assert.equal(sim.observer.of(2).length, 0);
    hal.contactors.command("MC_1", true);
    runner.runFor(30);
    assert.equal(sim.observer.of(2).length, 1);
    assert.equal(sim.observer.of(2)[0].subject, "MC_1");
  });

  it("invariant 3: closing an MC across a voltage difference, and opening an MN under load", () => {
    const sim = quietSim();
    const { hal, runner } = sim;
    isolate(sim, 1);
    isolate(sim, 2);
    hal.modules.command("M1_0", { enabled: true, voltageV: 400, currentLimitA: 5 });
    runner.runFor(3000);
    hal.contactors.command("MC_1", true);
    runner.runFor(30);
    assert.deepEqual(kinds(sim), ["3:closedAcrossVoltage"]);

    const load = quietSim();
    // A latent fault elsewhere (an unexercised weld, an old module failure) excuses nothing.
    load.plant.injectFault("mcWeld", "MC_9");
    load.plant.injectFault("moduleFail", "M7_0");
    chargeOnSlot(load, 1, 40);
    load.runner.runFor(3000);
    load.hal.contactors.command("MN_1_0", false);
    load.runner.runFor(30);
    assert.deepEqual(kinds(load), ["3:breakUnderLoad"]);
    assert.equal(load.observer.breaks.length, 1);
    assert.equal(load.observer.breaks[0].emergency, false);
    assert.ok(load.observer.breaks[0].currentA > 30);
  });

  it("invariant 3: an emergency opening under load is counted as a break, not a violation", () => {
    const sim = quietSim();
    chargeOnSlot(sim, 1, 40);
    sim.runner.runFor(3000);
    sim.plant.injectFault("estop", null);
    // Release every coil without first stopping the modules: the GC and MNs break their current.
    sim.hal.contactors.releaseAll();
    sim.runner.runFor(30);
    for (const k of [0, 1]) sim.hal.modules.command(`M1_${k}`, { enabled: false, voltageV: 0, currentLimitA: 0 });
    sim.runner.runFor(100);
    assert.deepEqual(kinds(sim), []);
    assert.ok(sim.observer.breaks.some((b) => b.emergency && b.currentA > 30), JSON.stringify(sim.observer.breaks));
    assert.ok(sim.observer.makes.every((m) => m.emergency), "MCs closing on release are emergency makes");
  });

  it("invariant 4: a GC closed onto an EV without precharge", () => {
    const sim = quietSim();
    isolate(sim, 3);
    sim.plant.plug(3, EV400);
    sim.runner.runFor(2100);
    sim.hal.contactors.command("GC_3", true);
    sim.runner.runFor(30);
    const v = sim.observer.of(4);
    assert.equal(v.length, 1);
    assert.match(v[0].details, /\|bus - EV\| = 3\d\d/);
  });

  it("invariant 5: a module energized in a region without an EV, past the grace time", () => {
    const sim = quietSim();
    isolate(sim, 5);
    sim.hal.modules.command("M5_0", { enabled: true, voltageV: 400, currentLimitA: 5 });
    sim.runner.runFor(sim.observer.params.noEvGraceMs);
    assert.equal(sim.observer.of(5).length, 0, "within the grace time");
    sim.runner.runFor(sim.plant.params.module.startupDelayMs + 100);
    assert.deepEqual(kinds(sim), ["5:moduleEnergizedWithoutEv"]);
  });

  it("invariant 5: an unhealthy (silent) module that keeps feeding its island", () => {
    const sim = quietSim(undefined, { module: { commsTimeoutMs: 120_000 } });
    chargeOnSlot(sim, 1, 20);
    sim.runner.runFor(1000);
    sim.plant.injectFault("moduleCommsLoss", "M1_0");
    sim.runner.runFor(sim.observer.params.deadlines.commsLossMs + 100);
    assert.ok(kinds(sim).includes("5:unhealthyModuleEnergized"), kinds(sim).join());
    assert.ok(kinds(sim).includes("8:faultNotSafeInTime"));
  });

  it("invariant 6: gun current above the EV's request", () => {
    const low = { ...EV400, maxPowerKW: 20 };
    const ok = quietSim();
    chargeOnSlot(ok, 1, 20, low);
    ok.runner.runFor(5000);
    assert.equal(ok.observer.of(6).length, 0, `${ok.plant.gun(1).currentA} A`);
    const bad = quietSim();
    chargeOnSlot(bad, 1, 60, low);
    bad.runner.runFor(5000);
    const v = bad.observer.of(6);
    assert.equal(v.length, 1);
    assert.match(v[0].details, /gun 1 carries/);
  });

  it("invariant 6: an over-current that stops is ended, also while another gun's is still open", () => {
    // Guards the observer's "nothing pending" shortcut: a gun whose over-current clears must still be
    // looked up and its violation ended, whatever the other guns do.
    const low = { ...EV400, maxPowerKW: 20 };
    const sim = quietSim();
    chargeOnSlot(sim, 1, 60, low);
    chargeOnSlot(sim, 4, 60, low);
    sim.runner.runFor(5000);
    assert.deepEqual(sim.observer.of(6).map((v) => [v.subject, v.endedAtMs]), [["gun 1", undefined], ["gun 4", undefined]]);
    for (const k of [0, 1]) sim.hal.modules.command(`M4_${k}`, { enabled: true, voltageV: sim.hal.ev.status(4).requestVoltageV, currentLimitA: 1 });
    sim.runner.runFor(3000);
    const [gun1, gun4] = sim.observer.of(6);
    assert.equal(gun1.endedAtMs, undefined, "gun 1 still carries too much");
    assert.ok(gun4.endedAtMs !== undefined && gun4.endedAtMs > gun4.atMs, `gun 4 ended: ${JSON.stringify(gun4)}`);
    assert.equal(sim.observer.of(6).length, 2);
  });

  it("invariant 8: an IMD fault must reach its safe state within the emergency deadline", () => {
    const slow = quietSim();
    chargeOnSlot(slow, 1, 40);
    slow.runner.runFor(2000);
    slow.plant.injectFault("imd", 1);
    slow.runner.runFor(500);
    assert.deepEqual(kinds(slow), ["8:faultNotSafeInTime"]);
    assert.equal(slow.observer.reactions[0].met, false);

    const fast = quietSim();
    chargeOnSlot(fast, 1, 40);
    fast.runner.runFor(2000);
    fast.plant.injectFault("imd", 1);
    fast.runner.step();
    for (const k of [0, 1]) fast.hal.modules.command(`M1_${k}`, { enabled: false, voltageV: 0, currentLimitA: 0 });
    fast.hal.contactors.command("GC_1", false);
    fast.runner.runFor(500);
    assert.deepEqual(kinds(fast), []);
    const r = fast.observer.reactions[0];
    assert.equal(r.met, true);
    assert.ok(r.reactionMs !== null && r.reactionMs <= 20, `reaction ${r.reactionMs} ms`);
  });

  it("invariant 9: a welded MC used as an island boundary while the island is energized", () => {
    const sim = quietSim();
    sim.plant.injectFault("mcWeld", "MC_1");
    isolate(sim, 1);
    sim.plant.plug(1, EV400);
    sim.hal.modules.command("M1_0", { enabled: true, voltageV: 400, currentLimitA: 5 });
    sim.runner.runFor(sim.plant.params.module.startupDelayMs + sim.observer.params.deadlines.errorMs + 500);
    assert.ok(kinds(sim).includes("9:weldedContactorRelied"), kinds(sim).join());
  });

  it("measures the reaction to a welded GC from the moment the controller relies on it", () => {
    const sim = quietSim();
    chargeOnSlot(sim, 1, 40);
    sim.runner.runFor(2000);
    sim.plant.injectFault("gcWeld", "GC_1");
    sim.runner.runFor(100);
    assert.equal(sim.observer.reactions[0].startAtMs, null, "latent while the GC is meant to be closed");
    sim.hal.contactors.command("GC_1", false);
    sim.runner.runFor(200);
    const start = sim.observer.reactions[0].startAtMs;
    assert.ok(start !== null);
    for (const k of [0, 1]) sim.hal.modules.command(`M1_${k}`, { enabled: false, voltageV: 0, currentLimitA: 0 });
    sim.runner.runFor(100);
    const r = sim.observer.reactions[0];
    assert.equal(r.met, true);
    assert.ok(r.reactionMs !== null && r.reactionMs >= 180 && r.reactionMs <= 220, `reaction ${r.reactionMs} ms`);
  });

  it("a sane controller runs a short scenario with faults and no violations", function () {
    this.timeout(30_000);
    const result = validateScenario({
      config: "ring-12x2", durationS: 90, seed: 3,
      events: [
        { type: "plug", atS: 1, gun: 1, ev: EV400 },
        { type: "plug", atS: 2, gun: 6, ev: { batteryKWh: 84, socPct: 20, targetSocPct: 80, maxPowerKW: 230, packVoltageV: 800 } },
        { type: "plug", atS: 3, gun: 11, ev: { batteryKWh: 42, socPct: 15, targetSocPct: 75, maxPowerKW: 50, packVoltageV: 360 } },
        { type: "fault", atS: 20, kind: "moduleFail", target: "M6_1", clearAtS: 60 },
        { type: "gridLimit", atS: 30, kW: 120 },
        { type: "stop", atS: 40, gun: 1 },
        { type: "unplug", atS: 50, gun: 1 },
        { type: "fault", atS: 60, kind: "imd", target: 11, clearAtS: 70 },
        { type: "stop", atS: 75, gun: 6, by: "ev" },
      ],
    });
    assert.ok(result.ok);
    if (!result.ok) return;
    let ctl!: NaiveController;
    const sim = createSimulation({
      config: result.config, seed: 3, scenario: result.scenario, stepMs: 1,
      commands: { setGridLimit: (kW) => ctl.setGridLimit(kW), setExternalLimit: () => {}, setPriority: () => {}, stopSession: (g) => ctl.stopSession(g) },
    });
    ctl = new NaiveController(result.config, sim.hal);
    sim.runner.every(10, () => ctl.fast());
    sim.runner.every(100, () => ctl.control());
    sim.runner.runUntil(90_000);
    assert.deepEqual(sim.observer.violations, []);
    assert.ok(sim.observer.reactions.length === 2 && sim.observer.reactions.every((r) => r.met === true), JSON.stringify(sim.observer.reactions));
    assert.ok(sim.plant.gun(6).meterEnergyWh > 100, "gun 6 charged");
    assert.equal(sim.plant.sessions.length, 1);
  });
});
