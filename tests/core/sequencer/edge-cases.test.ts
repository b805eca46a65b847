/**
 * Seed 000 §11.1-§11.10 edge cases as scenarios on the default 12x2 ring, against
 * the fake plant, plus repartitioning (stop -> re-segment -> restart). Each
 * scenario also asserts the plant's own §5 monitor stayed clean.
 */
import { strict as assert } from "assert";
import { planFor, Rig } from "../support/rig";
import { ringConfig } from "../support/fake-plant";

function mcCommanded(rig: Rig, slot: number): boolean {
  return rig.plant.contactors.get(`MC_${slot}`)!.commanded;
}

function commanded(rig: Rig, id: string): boolean {
  return rig.plant.contactors.get(id)!.commanded;
}

/** Run and record the lowest current each watched gun saw. */
function watchMin(rig: Rig, guns: number[], ms: number): Map<number, number> {
  const min = new Map(guns.map((g) => [g, Infinity]));
  for (let t = 0; t < ms; t += rig.periodMs) {
    rig.tick();
    for (const g of guns) min.set(g, Math.min(min.get(g)!, rig.plant.gunCurrentA(g)));
  }
  return min;
}

describe("seed 000 §11 edge cases (ring 12x2)", () => {
  it("§11.1 zero guns: all GC and MN open, modules off, MCs per idleRingMc = closed (default)", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 2 }]);
    rig.plan = planFor(rig.plant.config, []);
    rig.until(() => rig.phase(2) === "idle", 3000, "idle");
    rig.run(200);
    for (const c of rig.plant.contactors.values()) {
      assert.equal(c.commanded, c.kind === "MC", `${c.id} commanded ${c.commanded}`);
      assert.equal(c.aux, c.kind === "MC");
    }
    assert.deepEqual(rig.plant.runningModules(), []);
    assert.deepEqual(rig.plant.violations, []);
  });

  it("§11.1 zero guns with idleRingMc = open: every MC opens, whatever the plan says", () => {
    const config = ringConfig({ policy: { idleRingMc: "open" } });
    const rig = new Rig({ config });
    rig.plan = { ...planFor(config, []), contactors: Object.fromEntries(config.slots.map((s) => [s.mc, "closed" as const])) };
    rig.run(200);
    for (const s of config.slots) assert.equal(mcCommanded(rig, s.id), false, `MC_${s.id}`);
    assert.deepEqual(rig.plant.runningModules(), []);
  });

  it("§11.2 one gun at low power: one MN closed, its slot isolated, current ramped to the limit", () => {
    const rig = new Rig();
    rig.plant.plug(5);
    rig.plan = planFor(rig.plant.config, [{ gunId: 5, modules: ["M5_0"], currentLimitA: 80 }]);
    let lastOffer = 0;
    let maxRise = 0;
    for (let t = 0; t < 2000; t += rig.periodMs) {
      rig.tick();
      const offer = rig.plant.evs.get(5)!.offeredA;
      maxRise = Math.max(maxRise, offer - lastOffer);
      lastOffer = offer;
    }
    assert.equal(commanded(rig, "MN_5_0"), true);
    assert.equal(commanded(rig, "MN_5_1"), false);
    assert.equal(mcCommanded(rig, 4), false);
    assert.equal(mcCommanded(rig, 5), false);
    for (const s of [1, 2, 3, 6, 7, 8, 9, 10, 11, 12]) assert.equal(mcCommanded(rig, s), true, `MC_${s}`);
    assert.equal(rig.plant.gunCurrentA(5), 80);
    assert.ok(maxRise <= (100 * rig.periodMs) / 1000 + 1e-9, `offer rose ${maxRise} A in one tick`);
    assert.deepEqual(rig.plant.violations, []);
  });

  it("§11.3 one gun at high power: both modules of the slot share the current", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 8, modules: ["M8_0", "M8_1"], currentLimitA: 150 }]);
    rig.run(2000);
    assert.equal(commanded(rig, "MN_8_0"), true);
    assert.equal(commanded(rig, "MN_8_1"), true);
    assert.equal(rig.plant.gunCurrentA(8), 150);
    assert.equal(rig.plant.modules.get("M8_0")!.cmd.currentLimitA, 75);
    assert.equal(rig.plant.modules.get("M8_1")!.currentA, 75);
  });

  it("§11.4 many guns, demand below capacity: six islands, neighbours included, charge at once", () => {
    const rig = new Rig();
    const guns = [1, 2, 3, 7, 8, 12].map((gunId) => ({ gunId, modules: [`M${gunId}_0`, `M${gunId}_1`], currentLimitA: 120 }));
    rig.startCharging(guns);
    rig.run(1500);
    for (const g of guns) assert.equal(rig.plant.gunCurrentA(g.gunId), 120, `gun ${g.gunId}`);
    assert.deepEqual(rig.plant.violations, []);
    assert.deepEqual(rig.plant.breaks, []);
  });

  it("§11.5 demand above capacity: a gun downgraded 2 -> 1 module is stopped, re-segmented and restarted; the others are undisturbed", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3, modules: ["M3_0", "M3_1"] }, { gunId: 4, modules: ["M4_0", "M4_1"] }, { gunId: 9, modules: ["M9_0"] }]);
    rig.run(1200);
    const before = rig.plant.gunCurrentA(4);
    rig.plan = planFor(rig.plant.config, [{ gunId: 3, modules: ["M3_0"] }, { gunId: 4, modules: ["M4_0", "M4_1"] }, { gunId: 9, modules: ["M9_0"] }], rig.plant.nowMs);
    const seqStart = rig.core.events.lastSeq;
    const min = watchMin(rig, [3, 4, 9], 2500);
    assert.equal(min.get(3), 0, "gun 3 was stopped");
    assert.ok(min.get(4)! >= before, "gun 4 kept its current");
    assert.ok(min.get(9)! >= 99, "gun 9 kept its current");
    assert.equal(rig.phase(3), "charging");
    assert.deepEqual(rig.seq.gunStatus(3).modules, ["M3_0"]);
    assert.equal(commanded(rig, "MN_3_1"), false);
    const events = rig.core.events.since(seqStart).map((e) => `${e.source} ${e.message}`);
    const gcOpen = events.findIndex((e) => /^GC_3 open/.test(e));
    const mnOpen = events.findIndex((e) => /^MN_3_1 open/.test(e));
    const gcClose = events.findIndex((e) => /^GC_3 close/.test(e));
    assert.ok(gcOpen >= 0 && mnOpen > gcOpen && gcClose > mnOpen, `order: ${events.join(" | ")}`);
    assert.deepEqual(rig.plant.breaks, []);
    assert.deepEqual(rig.plant.violations, []);
  });

  it("§11.6 module failure: the island restarts on its healthy module, the failed one stays off", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 6, modules: ["M6_0", "M6_1"], currentLimitA: 100 }]);
    rig.run(1000);
    rig.plant.failModule("M6_1");
    rig.run(100);
    assert.equal(rig.plant.modules.get("M6_1")!.cmd.enabled, false);
    rig.until(() => rig.phase(6) === "charging" && rig.plant.gunCurrentA(6) > 10, 2000, "restart on M6_0");
    assert.deepEqual(rig.seq.gunStatus(6).modules, ["M6_0"]);
    assert.equal(commanded(rig, "MN_6_1"), false);
    assert.ok(rig.sup.faults().some((f) => f.kind === "moduleAlarm" && f.location === "module M6_1"));
    assert.deepEqual(rig.plant.violations, []);
  });

  it("§11.7 gun cable over-current: GC opened in the tick (break under load counted and persisted), gun faulted, its modules reusable", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3, currentLimitA: 150 }, { gunId: 5 }]);
    rig.run(1500);
    rig.plant.gunCurrentOverride.set(3, 230);
    rig.plant.advance(10);
    rig.sup.tick();
    assert.equal(commanded(rig, "GC_3"), false);
    assert.equal(rig.plant.modules.get("M3_0")!.cmd.enabled, false);
    assert.equal(rig.core.health.counters("GC_3").breaksUnderLoad, 1);
    assert.match(rig.plant.storage.get("cc/GC_3") ?? "", /^\d+,1$/);
    rig.seq.step(rig.plan);
    rig.plant.gunCurrentOverride.delete(3);
    rig.run(300);
    assert.equal(rig.phase(3), "faulted");
    assert.ok(rig.plant.gunCurrentA(5) > 50, "gun 5 keeps charging");
    // Freed modules go back to the pool: gun 4 may now use slot 3 and M3_0.
    rig.plant.plug(4);
    rig.plan = planFor(rig.plant.config, [{ gunId: 3 }, { gunId: 5 }, { gunId: 4, slots: [3, 4], modules: ["M3_0", "M4_0"] }], rig.plant.nowMs);
    rig.until(() => rig.phase(4) === "charging" && rig.plant.gunCurrentA(4) > 10, 3000, "gun 4 on [3,4]");
    assert.equal(commanded(rig, "GC_3"), false);
    assert.deepEqual(rig.plant.violations, []);
  });

  it("§11.8 insulation fault in one island: that island off (GC and MNs open), the others charge; cleared by unplug", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 5, modules: ["M5_0", "M5_1"] }, { gunId: 6 }, { gunId: 11 }]);
    rig.run(800);
    rig.plant.insulationOhm.set(5, 40_000);
    const min = watchMin(rig, [6, 11], 400);
    assert.equal(commanded(rig, "GC_5"), false);
    assert.equal(commanded(rig, "MN_5_0"), false);
    assert.equal(commanded(rig, "MN_5_1"), false);
    assert.equal(rig.phase(5), "faulted");
    assert.ok(min.get(6)! > 50 && min.get(11)! > 50);
    const fault = rig.sup.faults().find((f) => f.kind === "insulation")!;
    assert.deepEqual(fault.scope.slots, [5]);
    rig.plant.insulationOhm.set(5, Infinity);
    rig.run(100);
    assert.ok(rig.sup.faults().some((f) => f.kind === "insulation"), "stays latched until unplug");
    rig.plant.unplug(5);
    rig.run(50);
    assert.ok(!rig.sup.faults().some((f) => f.kind === "insulation"));
    rig.plant.plug(5);
    rig.until(() => rig.phase(5) === "charging", 3000, "gun 5 charging again");
    assert.deepEqual(rig.plant.violations, []);
  });

  it("§11.9 MC weld: never a boundary again, the islands it would bridge stay off, a plan around it charges", () => {
    const rig = new Rig();
    rig.plant.weld("MC_4");
    rig.plant.plug(4);
    rig.plant.plug(5);
    rig.plan = planFor(rig.plant.config, [{ gunId: 4 }, { gunId: 5 }]);
    rig.run(600);
    assert.equal(rig.core.health.fault("MC_4"), "welded");
    assert.ok(rig.sup.faults().some((f) => f.kind === "contactorWelded" && f.location === "MC_4"));
    assert.deepEqual(rig.plant.runningModules(), [], "no island bridged by MC_4 is energized");
    assert.match(rig.seq.gunStatus(4).reason ?? "", /MC_4 is welded/);
    // The planner (seeing contactorFaults) routes around it: one island over slots 4 and 5.
    rig.plan = planFor(rig.plant.config, [{ gunId: 4, slots: [4, 5], modules: ["M4_0", "M5_0"] }], rig.plant.nowMs);
    rig.until(() => rig.phase(4) === "charging" && rig.plant.gunCurrentA(4) > 10, 3000, "gun 4 on [4,5]");
    assert.deepEqual(rig.plant.violations, []);
  });

  it("§11.10 EV unplug mid-charge: limit to zero at once, GC open, gun idle, its modules reused", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 10, modules: ["M10_0", "M10_1"] }]);
    rig.run(1000);
    rig.plant.unplug(10);
    rig.tick();
    assert.equal(rig.plant.evs.get(10)!.offeredA, 0);
    rig.until(() => rig.phase(10) === "idle", 200, "idle");
    assert.equal(commanded(rig, "GC_10"), false);
    assert.deepEqual(rig.plant.runningModules(), []);
    rig.plant.plug(11);
    rig.plan = planFor(rig.plant.config, [{ gunId: 11, slots: [10, 11], modules: ["M10_0", "M10_1", "M11_0"] }], rig.plant.nowMs);
    rig.until(() => rig.phase(11) === "charging", 3000, "gun 11 reuses slot 10's modules");
    assert.deepEqual(rig.plant.breaks, []);
    assert.deepEqual(rig.plant.violations, []);
  });

  it("repartition: a charging island grows from [3] to [3,4] as stop -> re-segment -> restart, MC_3 switching at zero current", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }, { gunId: 8 }]);
    rig.run(1000);
    rig.plan = { ...planFor(rig.plant.config, [{ gunId: 3, slots: [3, 4], modules: ["M3_0", "M4_0"] }, { gunId: 8 }], rig.plant.nowMs), repartition: [3] };
    let mc3ClosedAtA = -1;
    for (let t = 0; t < 3000 && mc3ClosedAtA < 0; t += rig.periodMs) {
      rig.tick();
      if (commanded(rig, "MC_3") && mc3ClosedAtA < 0) mc3ClosedAtA = rig.plant.gunCurrentA(3);
    }
    assert.equal(mc3ClosedAtA, 0);
    rig.until(() => rig.phase(3) === "charging" && rig.plant.gunCurrentA(3) > 10, 3000, "restart on [3,4]");
    assert.deepEqual(rig.seq.gunStatus(3).islandSlots, [3, 4]);
    assert.ok(rig.plant.gunCurrentA(8) >= 99);
    assert.deepEqual(rig.plant.breaks, []);
    assert.deepEqual(rig.plant.violations, []);
  });
});
