/**
 * The §5 step check, one invariant at a time: each test builds a state by hand,
 * shows a step that breaks the invariant being refused (naming it), and the
 * safe counterpart being allowed, so every check is seen to fail and to pass.
 */
import { strict as assert } from "assert";
import { indexCabinet } from "../../../src/config";
import { buildPowerGraph, checkState, checkStep, type SafetyView } from "../../../src/sequencer";
import { ringConfig } from "../support/fake-plant";

const config = ringConfig({}, 6);
const index = indexCabinet(config);
const graph = buildPowerGraph(index);

interface World {
  closed: Set<string>;
  energized: Set<string>;
  owner: Map<string, number>;
  islands: Map<number, number[]>;
  gunA: Map<number, number>;
  moduleA: Map<string, number>;
  islandV: Map<number, number>;
  evV: Map<number, number>;
  unhealthy: Set<string>;
  limitA: Map<number, number>;
  ceilingA: Map<number, number>;
  rampStepA: number;
}

/** Idle 6-slot ring: every MC closed, nothing else. */
function world(): World {
  return {
    closed: new Set(config.slots.map((s) => s.mc)),
    energized: new Set(), owner: new Map(), islands: new Map(), gunA: new Map(), moduleA: new Map(),
    islandV: new Map(), evV: new Map(), unhealthy: new Set(), limitA: new Map(), ceilingA: new Map(), rampStepA: 1,
  };
}

function view(w: World): SafetyView {
  return {
    graph, switchingCurrentA: 1, prechargeToleranceV: 20,
    possiblyClosed: (id) => w.closed.has(id),
    moduleEnergized: (m) => w.energized.has(m),
    moduleHealthy: (m) => !w.unhealthy.has(m),
    moduleOwner: (m) => w.owner.get(m) ?? null,
    islandNodes: (g) => (w.islands.has(g) ? w.islands.get(g)!.map((s) => graph.slotNode.get(s)!) : null),
    gunCurrentA: (g) => w.gunA.get(g) ?? 0,
    moduleCurrentA: (m) => w.moduleA.get(m) ?? 0,
    islandVoltageV: (g) => w.islandV.get(g) ?? 0,
    evBatteryVoltageV: (g) => w.evV.get(g) ?? 0,
    currentCeilingA: (g) => w.ceilingA.get(g) ?? 0,
    currentLimitA: (g) => w.limitA.get(g) ?? 0,
    maxRampStepA: () => w.rampStepA,
  };
}

/** Gun 3 alone on island [3] with M3_0: boundaries MC_2, MC_3 open, MN_3_0 closed. */
function island3(w: World): World {
  w.closed.delete("MC_2");
  w.closed.delete("MC_3");
  w.closed.add("MN_3_0");
  w.owner.set("M3_0", 3);
  w.islands.set(3, [3]);
  return w;
}

describe("§5 step check (src/sequencer/invariants.ts)", () => {
  it("§5.2: energizing a module is refused while a boundary MC may still be closed, allowed once open", () => {
    const w = island3(world());
    w.closed.add("MC_3"); // commanded open but the aux has not confirmed yet
    const refused = checkStep(view(w), { kind: "module", id: "M3_0", enabled: true });
    assert.equal(refused?.invariant, 2);
    w.closed.delete("MC_3");
    assert.equal(checkStep(view(w), { kind: "module", id: "M3_0", enabled: true }), null);
  });

  it("§5.2: closing an MC between two energized islands is refused", () => {
    const w = island3(world());
    w.energized.add("M3_0");
    w.closed.delete("MC_4");
    w.closed.add("MN_4_0");
    w.owner.set("M4_0", 4);
    w.islands.set(4, [4]);
    w.energized.add("M4_0");
    assert.deepEqual(checkState(view(w)), []);
    const v = checkStep(view(w), { kind: "contactor", id: "MC_3", closed: true });
    assert.equal(v?.invariant, 2);
    assert.match(v!.message, /bridged/);
  });

  it("§5.1: a second GC closing on one connected bus is refused", () => {
    const w = world();
    w.closed.add("GC_1");
    w.evV.set(2, 0);
    w.islands.set(2, [2]);
    const v = checkStep(view(w), { kind: "contactor", id: "GC_2", closed: true });
    assert.equal(v?.invariant, 1);
    w.closed.delete("MC_1"); // slot 1 cut off from slot 2: now GC_2 is alone on its bus
    w.closed.delete("MC_6");
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_2", closed: true }), null);
  });

  it("§5.3: a contactor carrying more than the switching current may not switch, except an emergency opening", () => {
    const w = island3(world());
    w.energized.add("M3_0");
    w.closed.add("GC_3");
    w.gunA.set(3, 80);
    w.moduleA.set("M3_0", 80);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_3", closed: false })?.invariant, 3);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "MN_3_0", closed: false })?.invariant, 3);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_3", closed: false, emergency: true }), null);
    w.gunA.set(3, 0.5);
    w.moduleA.set("M3_0", 0.5);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_3", closed: false }), null);
  });

  it("§5.3: an unknown (non-finite) current reading blocks switching", () => {
    const w = island3(world());
    w.closed.add("GC_3");
    w.gunA.set(3, Infinity);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_3", closed: false })?.invariant, 3);
  });

  it("§5.3: an MC does not close across a charged bus segment (a released island still discharging)", () => {
    const w = island3(world()); // gun 3's island released: modules off, MC_2 / MC_3 still open
    const busV = new Map<number, number>([[graph.slotNode.get(3)!, 270]]);
    const v: SafetyView = { ...view(w), busVoltageV: (node) => busV.get(node) ?? 0 };
    const refused = checkStep(v, { kind: "contactor", id: "MC_2", closed: true });
    assert.equal(refused?.invariant, 3);
    assert.match(refused!.message, /MC_2 would close between bus segments more than 20 V apart/);
    assert.equal(checkStep(v, { kind: "contactor", id: "MC_3", closed: true })?.invariant, 3);
    busV.set(graph.slotNode.get(3)!, 15); // discharged below the precharge tolerance
    assert.equal(checkStep(v, { kind: "contactor", id: "MC_2", closed: true }), null);
    // An unknown reading counts as different (refused); a view without bus voltages skips the check.
    busV.set(graph.slotNode.get(3)!, NaN);
    assert.equal(checkStep(v, { kind: "contactor", id: "MC_2", closed: true })?.invariant, 3);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "MC_2", closed: true }), null);
  });

  it("§5.4: a GC closes only when the island is within ±20 V of the EV battery", () => {
    const w = island3(world());
    w.energized.add("M3_0");
    w.evV.set(3, 400);
    w.islandV.set(3, 370);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_3", closed: true })?.invariant, 4);
    w.islandV.set(3, 385);
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_3", closed: true }), null);
    w.islands.delete(3); // no island of its own: refused whatever the voltage
    assert.equal(checkStep(view(w), { kind: "contactor", id: "GC_3", closed: true })?.invariant, 4);
  });

  it("§5.5: only healthy modules assigned to an island are energized", () => {
    const w = island3(world());
    assert.equal(checkStep(view(w), { kind: "module", id: "M3_1", enabled: true })?.invariant, 5);
    w.unhealthy.add("M3_0");
    assert.equal(checkStep(view(w), { kind: "module", id: "M3_0", enabled: true })?.invariant, 5);
    assert.equal(checkStep(view(w), { kind: "module", id: "M3_0", enabled: false }), null);
  });

  it("§5.5: no module of another (or no) island may hang on an island being energized", () => {
    const w = island3(world());
    w.closed.add("MN_3_1"); // commanded open, aux still closed (or welded)
    const v = checkStep(view(w), { kind: "module", id: "M3_0", enabled: true });
    assert.equal(v?.invariant, 5);
    assert.match(v!.message, /M3_1/);
    w.closed.delete("MN_3_1");
    assert.equal(checkStep(view(w), { kind: "module", id: "M3_0", enabled: true }), null);
  });

  it("§5.6: a current limit above the ceiling or rising faster than the ramp is refused; lowering always passes", () => {
    const w = island3(world());
    w.ceilingA.set(3, 100);
    w.limitA.set(3, 50);
    w.rampStepA = 5;
    assert.equal(checkStep(view(w), { kind: "currentLimit", gunId: 3, currentA: 60 })?.invariant, 6);
    assert.equal(checkStep(view(w), { kind: "currentLimit", gunId: 3, currentA: 55 }), null);
    w.limitA.set(3, 98);
    assert.equal(checkStep(view(w), { kind: "currentLimit", gunId: 3, currentA: 101 })?.invariant, 6);
    w.ceilingA.set(3, 10);
    assert.equal(checkStep(view(w), { kind: "currentLimit", gunId: 3, currentA: 0 }), null);
    assert.equal(checkStep(view(w), { kind: "currentLimit", gunId: 3, currentA: NaN })?.invariant, 6);
  });

  it("§5.9: a welded boundary MC (reported closed) keeps the island it would bridge off", () => {
    const w = island3(world());
    w.closed.add("MC_2"); // welded: possiblyClosed stays true whatever was commanded
    const v = checkStep(view(w), { kind: "module", id: "M3_0", enabled: true });
    assert.equal(v?.invariant, 2);
    assert.match(v!.message, /reaches slot \d outside it/);
  });

  it("a violation that already exists does not block unrelated steps elsewhere", () => {
    const w = island3(world());
    w.energized.add("M3_0");
    w.closed.add("MC_3"); // island 3 bridged to slot 4 (a weld the supervisor handles)
    assert.equal(checkState(view(w))[0]?.invariant, 2);
    // Opening an MN far away is still allowed.
    assert.equal(checkStep(view(w), { kind: "contactor", id: "MN_6_0", closed: false }), null);
  });
});
