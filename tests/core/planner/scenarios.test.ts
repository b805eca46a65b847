import { strict as assert } from "assert";
import { plan, type Plan } from "../../../src/planner";
import { failed, matrixConfig, observe, ringConfig } from "./fixtures";

const gunOf = (p: Plan, id: number) => p.guns.find((g) => g.id === id)!;
const openMcs = (p: Plan) => Object.keys(p.contactors).filter((k) => k.startsWith("MC_") && p.contactors[k] === "open").sort();
const closedOf = (p: Plan, prefix: string) => Object.keys(p.contactors).filter((k) => k.startsWith(prefix) && p.contactors[k] === "closed").sort();
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} != ${b}`);

describe("planner: seed 000 §11 edge cases (ring 12 x 2 x 30 kW, 360 kW grid)", () => {
  const config = ringConfig();

  it("§11.1 zero guns: every GC and MN open, MCs as policy.idleRingMc", () => {
    const p = plan(config, observe([]), null);
    assert.deepEqual(closedOf(p, "GC_"), []);
    assert.deepEqual(closedOf(p, "MN_"), []);
    assert.equal(closedOf(p, "MC_").length, 12);
    assert.equal(p.totalKW, 0);
    const open = plan(ringConfig({ idleRingMc: "open" }), observe([]), p);
    assert.equal(openMcs(open).length, 12);
  });

  it("§11.2 one gun at low power: one module (M_i_0), its slot isolated as a one-slot island", () => {
    const p = plan(config, observe([{ id: 4, requestKW: 20 }]), null);
    const g = gunOf(p, 4);
    assert.equal(g.budgetKW, 20);
    assert.deepEqual(g.modules, ["M4_0"]);
    assert.deepEqual(g.islandSlots, [4]);
    assert.deepEqual(openMcs(p), ["MC_3", "MC_4"]);
    assert.deepEqual(closedOf(p, "MN_"), ["MN_4_0"]);
    assert.deepEqual(closedOf(p, "GC_"), ["GC_4"]);
    assert.equal(g.reason, null);
  });

  it("§11.3 one gun at high power: both modules, limited by 2 x module power with a reason", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 50 }]), null);
    assert.deepEqual(gunOf(p, 1).modules, ["M1_0", "M1_1"]);
    assert.deepEqual(openMcs(p), ["MC_1", "MC_12"]);
    const big = plan(config, observe([{ id: 1, requestKW: 100 }]), null);
    assert.equal(gunOf(big, 1).budgetKW, 60);
    assert.match(gunOf(big, 1).reason!, /policy max 2 modules/);
  });

  it("§11.4 many guns, demand below capacity: everyone served, 1 or 2 modules by the 0.8 threshold", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 20 }, { id: 2, requestKW: 30 }, { id: 7, requestKW: 45 }, { id: 9, requestKW: 24 }]), null);
    assert.deepEqual([1, 2, 7, 9].map((id) => gunOf(p, id).budgetKW), [20, 30, 45, 24]);
    assert.deepEqual([1, 2, 7, 9].map((id) => gunOf(p, id).modules.length), [1, 2, 2, 1]);
    assert.equal(p.modulesOn.length, 6);
    assert.ok(p.guns.every((g) => g.reason === null));
  });

  it("§11.5 many guns, demand above capacity: fair weighted shares, fewer modules, reasons name the limit", () => {
    const guns = [1, 2, 3, 4, 5, 6].map((id) => ({ id, requestKW: 60, priority: id === 6 ? 1 : 0 }));
    const p = plan(config, observe(guns, { gridLimitKW: 140 }), null);
    // weights 1,1,1,1,1,2 -> 20 kW each, 40 kW for the priority gun
    for (const id of [1, 2, 3, 4, 5]) close(gunOf(p, id).budgetKW, 20);
    close(gunOf(p, 6).budgetKW, 40);
    close(p.totalKW, 140);
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((id) => gunOf(p, id).modules.length), [1, 1, 1, 1, 1, 2]);
    assert.match(gunOf(p, 1).reason!, /grid limit 140 kW/);
  });

  it("§11.6 module failure: the failed module stays off, the gun drops to what its slot still has", () => {
    const p = plan(config, observe([{ id: 3, requestKW: 60 }], { modules: failed("M3_0") }), null);
    const g = gunOf(p, 3);
    assert.deepEqual(g.modules, ["M3_1"]);
    assert.equal(g.budgetKW, 30);
    assert.equal(p.contactors.MN_3_0, "open");
    assert.match(g.reason!, /1 usable module in its slot/);
    const none = plan(config, observe([{ id: 3, requestKW: 60 }], { modules: failed("M3_0", "M3_1") }), p);
    assert.equal(gunOf(none, 3).budgetKW, 0);
    assert.equal(none.contactors.GC_3, "open");
    assert.match(gunOf(none, 3).reason!, /no usable module/);
  });

  it("§11.9 welded MC: never a boundary; the two guns it joins share one island, one gun served", () => {
    const p = plan(config, observe([{ id: 3, requestKW: 40 }, { id: 4, requestKW: 40 }], { faults: { MC_3: "welded" } }), null);
    assert.equal(p.contactors.MC_3, "closed");
    assert.equal(gunOf(p, 3).budgetKW, 40);
    assert.deepEqual(gunOf(p, 3).islandSlots, [3, 4]);
    assert.equal(gunOf(p, 4).budgetKW, 0);
    assert.match(gunOf(p, 4).reason!, /MC_3 welded: one island with gun 3/);
    assert.deepEqual(closedOf(p, "GC_"), ["GC_3"]);
    // A welded MC towards a gun whose own GC is welded: neither can be served with the other.
    const r = plan(config, observe([{ id: 3, requestKW: 40 }, { id: 4, requestKW: 40 }], { faults: { MC_3: "welded", GC_3: "welded", GC_4: "welded" } }), null);
    assert.equal(r.totalKW, 0);
    assert.match(gunOf(r, 3).reason!, /no island can be isolated/);
    // Next to an idle slot, the island just takes that slot in (its modules stay off).
    const q = plan(config, observe([{ id: 3, requestKW: 40 }], { faults: { MC_3: "welded" } }), null);
    assert.deepEqual(gunOf(q, 3).islandSlots, [3, 4]);
    assert.deepEqual(gunOf(q, 3).modules, ["M3_0", "M3_1"]);
    assert.deepEqual(openMcs(q), ["MC_2", "MC_4"]);
  });

  it("welded MN: that module's island is never energized", () => {
    const p = plan(config, observe([{ id: 5, requestKW: 40 }], { faults: { MN_5_1: "welded" } }), null);
    assert.equal(gunOf(p, 5).budgetKW, 0);
    assert.match(gunOf(p, 5).reason!, /MN_5_1 welded/);
    assert.equal(p.modulesOn.length, 0);
  });

  it("a site external limit below the grid limit caps the total", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 60 }, { id: 2, requestKW: 60 }], { siteKW: 50 }), null);
    close(p.totalKW, 50);
    assert.match(gunOf(p, 1).reason!, /site limit 50 kW/);
  });

  it("a per-gun external limit and the rating at the EV voltage clamp the request", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 60, limitKW: 25 }, { id: 2, requestKW: 60, evVoltageV: 200 }]), null);
    assert.equal(gunOf(p, 1).budgetKW, 25);
    assert.match(gunOf(p, 1).reason!, /external limit 25 kW/);
    assert.equal(gunOf(p, 2).budgetKW, 40); // 200 A x 200 V
    assert.match(gunOf(p, 2).reason!, /gun rating 40 kW/);
  });
});

describe("planner: multi-slot islands (seed 000 §12.2)", () => {
  const config = ringConfig({ maxModulesPerGun: 6, multiSlotIslands: true });

  it("a gun asking for more than a slot holds gets as many modules as policy allows", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 200, evVoltageV: 1000 }]), null);
    const g = gunOf(p, 1);
    assert.equal(g.modules.length, 6);
    assert.equal(g.budgetKW, 180);
    assert.match(g.reason!, /policy max 6 modules/);
    assert.ok(g.islandSlots.length >= 3);
  });

  it("neighbours split the idle slots between them, never absorbing each other's slot", () => {
    const ring4 = ringConfig({ maxModulesPerGun: 6, multiSlotIslands: true }, 4);
    const p = plan(ring4, observe([{ id: 1, requestKW: 120 }, { id: 3, requestKW: 120 }]), null);
    assert.equal(gunOf(p, 1).budgetKW, 120);
    assert.equal(gunOf(p, 3).budgetKW, 120);
    assert.ok(!gunOf(p, 1).islandSlots.includes(3));
    assert.ok(!gunOf(p, 3).islandSlots.includes(1));
    assert.equal(gunOf(p, 1).islandSlots.length + gunOf(p, 3).islandSlots.length, 4);
  });
});

describe("planner: stability", () => {
  const config = ringConfig();

  it("hysteresis: a small dip below the threshold keeps the second module", () => {
    const a = plan(config, observe([{ id: 1, requestKW: 30 }], { nowMs: 0 }), null);
    assert.equal(gunOf(a, 1).modules.length, 2);
    const b = plan(config, observe([{ id: 1, requestKW: 23 }], { nowMs: 60_000 }), a);
    assert.equal(gunOf(b, 1).modules.length, 2, "23 kW is inside the 24 - 3 kW hysteresis band");
    assert.equal(gunOf(b, 1).setpointKW, 23, "the power step-down is not delayed");
    const c = plan(config, observe([{ id: 1, requestKW: 20 }], { nowMs: 120_000 }), b);
    assert.equal(gunOf(c, 1).modules.length, 1);
  });

  it("hold time: a module switched on less than moduleHoldS ago stays on", () => {
    const a = plan(config, observe([{ id: 1, requestKW: 30 }], { nowMs: 0 }), null);
    const b = plan(config, observe([{ id: 1, requestKW: 10 }], { nowMs: 5_000 }), a);
    assert.equal(gunOf(b, 1).modules.length, 2);
    assert.equal(gunOf(b, 1).setpointKW, 10);
    assert.equal(b.moduleOnSinceMs.M1_1, 0);
    const c = plan(config, observe([{ id: 1, requestKW: 10 }], { nowMs: 31_000 }), b);
    assert.equal(gunOf(c, 1).modules.length, 1);
  });

  it("a failed module is dropped at once, hold time or not", () => {
    const a = plan(config, observe([{ id: 1, requestKW: 50 }], { nowMs: 0 }), null);
    const b = plan(config, observe([{ id: 1, requestKW: 50 }], { nowMs: 1_000, modules: failed("M1_0") }), a);
    assert.deepEqual(gunOf(b, 1).modules, ["M1_1"]);
  });

  it("current limit ramps up by the configured step and steps down at once", () => {
    const a = plan(config, observe([{ id: 1, requestKW: 40 }], { nowMs: 0 }), null);
    assert.equal(gunOf(a, 1).currentLimitA, 10); // 100 A/s over one 100 ms control period
    const b = plan(config, observe([{ id: 1, requestKW: 40 }], { nowMs: 200 }), a);
    assert.equal(gunOf(b, 1).currentLimitA, 30);
    const c = plan(config, observe([{ id: 1, requestKW: 40 }], { nowMs: 10_000 }), b);
    assert.equal(gunOf(c, 1).currentLimitA, 50); // 40 kW / 800 V
    const d = plan(config, observe([{ id: 1, requestKW: 40 }], { nowMs: 10_100, gridLimitKW: 8 }), c);
    assert.equal(gunOf(d, 1).currentLimitA, 10); // 8 kW / 800 V, not ramped down
  });

  it("mid-session re-partitioning only when the gain exceeds repartitionMinGainKW, and marked", () => {
    const ring4 = ringConfig({ maxModulesPerGun: 6, multiSlotIslands: true }, 4);
    const a = plan(ring4, observe([{ id: 1, requestKW: 120 }, { id: 3, requestKW: 120 }], { nowMs: 0 }), null);
    const island = gunOf(a, 1).islandSlots;
    assert.equal(island.length, 2);
    // Gun 3 leaves; gun 1 is charging and asks 10 kW more than its island gives: stay.
    const small = plan(ring4, observe([{ id: 1, requestKW: 130, charging: true, evVoltageV: 1000 }], { nowMs: 1_000 }), a);
    assert.deepEqual(gunOf(small, 1).islandSlots, island);
    assert.deepEqual(small.repartition, []);
    assert.match(gunOf(small, 1).reason!, /usable modules? in its island/);
    // It asks 60 kW more: worth a sequenced stop / re-segment / restart.
    const big = plan(ring4, observe([{ id: 1, requestKW: 180, charging: true, evVoltageV: 1000 }], { nowMs: 2_000 }), a);
    assert.equal(gunOf(big, 1).budgetKW, 180);
    assert.deepEqual(big.repartition, [1]);
  });

  it("a charging gun whose island is no longer possible is moved and marked", () => {
    const ring4 = ringConfig({ maxModulesPerGun: 6, multiSlotIslands: true }, 4);
    const a = plan(ring4, observe([{ id: 1, requestKW: 180, evVoltageV: 1000 }], { nowMs: 0 }), null);
    assert.ok(gunOf(a, 1).islandSlots.includes(3));
    const b = plan(ring4, observe([{ id: 1, requestKW: 180, charging: true, evVoltageV: 1000 }, { id: 3, requestKW: 30 }], { nowMs: 1_000 }), a);
    assert.ok(!gunOf(b, 1).islandSlots.includes(3));
    assert.deepEqual(b.repartition, [1]);
  });
});

describe("planner: seed 001 matrix (9 x 40 kW modules, 6 guns, 240 kW per gun)", () => {
  // Seed 001 sizes by ceil(demand / module power): thresholds 1.0, 2.0, ...
  const config = matrixConfig({ moduleCountThresholds: [1, 2] });

  it("scenario 1: gun 1 at 240 kW gets six modules, three stay available (off)", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 240 }], { gridLimitKW: 1000 }), null);
    assert.equal(gunOf(p, 1).modules.length, 6);
    assert.equal(gunOf(p, 1).budgetKW, 240);
    assert.equal(p.modulesOn.length, 6);
    assert.equal(closedOf(p, "MX_").length, 6);
  });

  it("scenario 2: six guns at 40 kW get one module each", () => {
    const p = plan(config, observe([1, 2, 3, 4, 5, 6].map((id) => ({ id, requestKW: 40 })), { gridLimitKW: 1000 }), null);
    assert.ok(p.guns.every((g) => g.modules.length === 1 && g.budgetKW === 40));
    assert.equal(p.modulesOn.length, 6);
  });

  it("scenario 3: 160 / 120 / 80 kW get 4 / 3 / 2 modules, all nine in use, none on two guns", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 160 }, { id: 3, requestKW: 120 }, { id: 5, requestKW: 80 }], { gridLimitKW: 1000 }), null);
    assert.deepEqual([1, 3, 5].map((id) => gunOf(p, id).modules.length), [4, 3, 2]);
    assert.equal(new Set(p.modulesOn).size, 9);
    for (const m of p.modulesOn) assert.equal(closedOf(p, `MX_${m.slice(2)}_`).length, 1);
  });

  it("short pool: does not under-serve a big request while modules are free", () => {
    // Seed 001's greedy gives gun 1 its 5 modules first; we share the 9 to serve 360 kW in total.
    const p = plan(config, observe([{ id: 1, requestKW: 200 }, { id: 2, requestKW: 100 }, { id: 3, requestKW: 100 }], { gridLimitKW: 1000 }), null);
    close(p.totalKW, 360);
    assert.ok(p.guns.every((g) => g.modules.length <= 6));
  });

  it("stability: a gun keeps its modules within the hold time, then drops to the fewest", () => {
    const a = plan(config, observe([{ id: 1, requestKW: 200 }], { gridLimitKW: 1000, nowMs: 0 }), null);
    assert.equal(gunOf(a, 1).modules.length, 5);
    const b = plan(config, observe([{ id: 1, requestKW: 70 }], { gridLimitKW: 1000, nowMs: 5_000 }), a);
    assert.equal(gunOf(b, 1).modules.length, 5, "held");
    assert.equal(gunOf(b, 1).setpointKW, 70, "power steps down at once");
    const c = plan(config, observe([{ id: 1, requestKW: 70 }], { gridLimitKW: 1000, nowMs: 40_000 }), b);
    assert.deepEqual(gunOf(c, 1).modules, gunOf(a, 1).modules.slice(0, 2), "keeps two of its own modules");
  });

  it("a failed module is never assigned", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 240 }, { id: 2, requestKW: 240 }], { gridLimitKW: 1000, modules: failed("PM1", "PM2") }), null);
    assert.ok(!p.modulesOn.includes("PM1") && !p.modulesOn.includes("PM2"));
    close(p.totalKW, 280);
  });
});
