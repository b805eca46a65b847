/**
 * Property tests: random plan changes (valid or not: overlapping islands, too much
 * current, unplugged EVs), random contactor feedback delays, welded and stuck-open
 * contactors, spurious current readings and module faults, on a 6-slot ring. After
 * every 10 ms tick the fake plant's own physical §5 monitor must be clean, every
 * break under load must be an emergency opening, and every close command the plant
 * received must have passed the sequencer's step check in that tick.
 *
 * Each invariant has its own test, and each is shown to be able to fail: the same
 * cases run against deliberately broken variants (a naive sequencer that applies
 * the plan at once, and the real sequencer with its step check removed) must be
 * caught by the very same oracle.
 */
import { strict as assert } from "assert";
import "../support/xs-timers";
import fc from "fast-check";
import type { CabinetConfig } from "../../../src/config";
import type { Plan } from "../../../src/planner/types";
import { checkStep, type SafetyView, type Step, type Violation } from "../../../src/sequencer";
import { inXs } from "../support/env";
import { ringConfig } from "../support/fake-plant";
import { naiveStep } from "../support/naive-sequencer";
import { planFor, Rig, type GunSpec } from "../support/rig";

const SLOTS = 6;
const config: CabinetConfig = ringConfig({}, SLOTS);
const contactorIds = [...config.slots.flatMap((s) => [s.mc, ...s.modules.map((m) => m.mn)]), ...config.guns.map((g) => g.gc)];
const moduleIds = config.slots.flatMap((s) => s.modules.map((m) => m.id));

interface GunPick { gunId: number; extend: -1 | 0 | 1; mask: number; currentLimitA: number }
interface EvPick { plugged: boolean; batteryV: number; headroomV: number; requestA: number; maxA: number }
interface Case {
  evs: EvPick[];
  plans: { afterMs: number; guns: GunPick[] }[];
  closeDelays: number[];
  openDelays: number[];
  contactorFaults: { idx: number; kind: "weld" | "stuckOpen"; atMs: number }[];
  spikes: { gunId: number; atMs: number; durMs: number; currentA: number }[];
  moduleFaults: { idx: number; atMs: number }[];
  unplugs: { gunId: number; atMs: number }[];
}

const gunArb = fc.record({
  gunId: fc.integer({ min: 1, max: SLOTS }),
  extend: fc.constantFrom<-1 | 0 | 1>(-1, 0, 0, 1),
  mask: fc.integer({ min: 1, max: 15 }),
  currentLimitA: fc.integer({ min: 5, max: 260 }),
});
const caseArb: fc.Arbitrary<Case> = fc.record({
  evs: fc.array(fc.record({
    plugged: fc.boolean(), batteryV: fc.integer({ min: 200, max: 800 }), headroomV: fc.integer({ min: 20, max: 200 }),
    requestA: fc.integer({ min: 10, max: 250 }), maxA: fc.integer({ min: 50, max: 250 }),
  }), { minLength: SLOTS, maxLength: SLOTS }),
  plans: fc.array(fc.record({ afterMs: fc.integer({ min: 60, max: 700 }), guns: fc.array(gunArb, { maxLength: 4 }) }), { minLength: 1, maxLength: 4 }),
  closeDelays: fc.array(fc.integer({ min: 2, max: 60 }), { minLength: contactorIds.length, maxLength: contactorIds.length }),
  openDelays: fc.array(fc.integer({ min: 2, max: 40 }), { minLength: contactorIds.length, maxLength: contactorIds.length }),
  contactorFaults: fc.array(fc.record({ idx: fc.integer({ min: 0, max: contactorIds.length - 1 }), kind: fc.constantFrom<"weld" | "stuckOpen">("weld", "stuckOpen"), atMs: fc.integer({ min: 0, max: 2000 }) }), { maxLength: 2 }),
  spikes: fc.array(fc.record({ gunId: fc.integer({ min: 1, max: SLOTS }), atMs: fc.integer({ min: 0, max: 2500 }), durMs: fc.integer({ min: 10, max: 120 }), currentA: fc.integer({ min: 0, max: 300 }) }), { maxLength: 2 }),
  moduleFaults: fc.array(fc.record({ idx: fc.integer({ min: 0, max: moduleIds.length - 1 }), atMs: fc.integer({ min: 0, max: 2000 }) }), { maxLength: 1 }),
  unplugs: fc.array(fc.record({ gunId: fc.integer({ min: 1, max: SLOTS }), atMs: fc.integer({ min: 0, max: 2500 }) }), { maxLength: 1 }),
});

/** Turn picks into a Plan: islands of 1-2 slots, 1-4 modules from the island's slots; overlaps kept. */
function planOf(picks: GunPick[], nowMs: number): Plan {
  const seen = new Set<number>();
  const specs: GunSpec[] = [];
  for (const p of picks) {
    if (seen.has(p.gunId)) continue;
    seen.add(p.gunId);
    const slot = config.slots.find((s) => s.id === p.gunId)!;
    const slots = p.extend === -1 ? [slot.ccw, slot.id] : p.extend === 1 ? [slot.id, slot.cw] : [slot.id];
    const pool = slots.flatMap((s) => config.slots.find((x) => x.id === s)!.modules.map((m) => m.id));
    const modules = pool.filter((_, i) => (p.mask >> i) & 1);
    specs.push({ gunId: p.gunId, slots, modules: modules.length ? modules : [pool[0]], currentLimitA: p.currentLimitA });
  }
  return planFor(config, specs, nowMs);
}

export interface Outcome {
  /** Violations found, by invariant number. */
  byInvariant: Map<number, string[]>;
  /** Coverage: most guns charging at once, High faults seen, steps refused by the check. */
  maxCharging: number;
  highFaults: number;
  refused: number;
}

type Variant = "real" | "naive" | "noCheck";

/** Simulate one case; returns what the oracles saw. */
function simulate(c: Case, variant: Variant): Outcome {
  const byInvariant = new Map<number, string[]>();
  const note = (inv: number, msg: string) => {
    const list = byInvariant.get(inv) ?? [];
    if (list.length < 3) list.push(msg);
    byInvariant.set(inv, list);
  };
  const approved = new Set<string>();
  const check = variant === "noCheck"
    ? () => null
    : (view: SafetyView, step: Step): Violation | null => {
      const v = checkStep(view, step);
      if (!v && step.kind === "contactor") approved.add(`${step.id}:${step.closed}`);
      return v;
    };
  const delayOf = (id: string, closing: boolean) => {
    const i = contactorIds.indexOf(id);
    return closing ? c.closeDelays[i] : c.openDelays[i];
  };
  const rig = new Rig({ config, delayMs: delayOf, check });
  const plant = rig.plant;
  c.evs.forEach((e, i) => {
    if (e.plugged) plant.plug(i + 1, { batteryV: e.batteryV, maxV: e.batteryV + e.headroomV, requestCurrentA: e.requestA, maxCurrentA: e.maxA });
  });
  // Record close commands reaching the plant, to match them with approved steps.
  const bankCommand = plant.bank.command;
  const closesThisTick: string[] = [];
  plant.bank.command = (id: string, closed: boolean) => {
    if (closed && !plant.contactors.get(id)!.commanded) closesThisTick.push(`${id}:true`);
    bankCommand(id, closed);
  };
  const highFaultTimes = new Set<number>();
  let maxCharging = 0;
  let planIndex = -1;
  let nextPlanAt = 0;
  const total = c.plans.reduce((t, p) => t + p.afterMs, 0) + 900;
  for (let t = 0; t < total; t += rig.periodMs) {
    if (planIndex + 1 < c.plans.length && t >= nextPlanAt) {
      planIndex += 1;
      rig.plan = planOf(c.plans[planIndex].guns, t);
      nextPlanAt = t + c.plans[planIndex].afterMs;
    }
    for (const f of c.contactorFaults) {
      if (f.atMs === t || (f.atMs > t - rig.periodMs && f.atMs < t)) {
        const pc = plant.contactors.get(contactorIds[f.idx])!;
        if (f.kind === "weld") pc.welded = true;
        else pc.stuckOpen = true;
      }
    }
    for (const s of c.spikes) {
      if (t >= s.atMs && t < s.atMs + s.durMs) plant.gunCurrentOverride.set(s.gunId, s.currentA);
      else if (t >= s.atMs + s.durMs && t < s.atMs + s.durMs + rig.periodMs) plant.gunCurrentOverride.delete(s.gunId);
    }
    for (const m of c.moduleFaults) if (t >= m.atMs && plant.modules.get(moduleIds[m.idx])!.faultyAtMs === null) plant.failModule(moduleIds[m.idx]);
    for (const u of c.unplugs) if (t >= u.atMs && plant.evs.get(u.gunId)!.plugged) plant.unplug(u.gunId);

    approved.clear();
    closesThisTick.length = 0;
    plant.advance(rig.periodMs);
    if (variant === "naive") {
      naiveStep(plant, rig.plan);
    } else {
      rig.core.supervisor.tick();
      rig.core.sequencer.step(rig.plan);
      for (const f of rig.core.faults.list()) if (f.severity === "high" && f.raisedAtMs === plant.nowMs) highFaultTimes.add(f.raisedAtMs);
      maxCharging = Math.max(maxCharging, config.guns.filter((g) => plant.gunCurrentA(g.id) > 5).length);
      // Every close command emitted in this tick passed the §5 step check.
      if (variant === "real") for (const k of closesThisTick) if (!approved.has(k)) note(3, `close ${k} at ${plant.nowMs} ms was not checked`);
    }
    plant.settle();
  }
  plant.advance(100);
  plant.settle();
  for (const v of plant.violations) note(v.invariant, `${v.atMs} ms: ${v.message}`);
  // §5.3: a break under load only as an emergency opening (a High fault raised when it was commanded).
  for (const b of plant.breaks) {
    const delay = Math.max(c.openDelays[contactorIds.indexOf(b.id)] ?? 0, c.closeDelays[contactorIds.indexOf(b.id)] ?? 0);
    let emergency = false;
    for (const ft of highFaultTimes) if (ft <= b.atMs && b.atMs - ft <= delay + rig.periodMs) emergency = true;
    if (!emergency) note(3, `${b.id} switched ${b.currentA.toFixed(0)} A at ${b.atMs} ms outside an emergency`);
  }
  const refused = variant === "naive" ? 0 : rig.core.events.since(0).filter((e) => e.kind === "refused").length;
  return { byInvariant, maxCharging, highFaults: highFaultTimes.size, refused };
}

const RUNS = inXs ? 12 : 100;
const SEED = 4242;
const cases = fc.sample(caseArb, { numRuns: RUNS, seed: SEED });

/**
 * Targeted cases added to the mutation runs so that the "can fail" tests do not
 * depend on what a small sample happens to contain: two neighbours starting
 * together from a closed ring with slow boundary MCs and fast MNs; a welded
 * boundary MC; an island planned over another's slot.
 */
function targeted(): Case[] {
  const base = fc.sample(caseArb, { numRuns: 1, seed: 11 })[0];
  const quiet = { ...base, contactorFaults: [], spikes: [], moduleFaults: [], unplugs: [],
    evs: base.evs.map((e, i) => ({ ...e, plugged: true, batteryV: 300 + 50 * i, headroomV: 100, maxA: 200, requestA: 150 })) };
  const slowMc = contactorIds.map((id) => (id.startsWith("MC") ? 2 : 2));
  const slowOpen = contactorIds.map((id) => (id.startsWith("MC") ? 40 : 2));
  const mc1 = contactorIds.indexOf("MC_1");
  return [
    { ...quiet, closeDelays: slowMc, openDelays: slowOpen, plans: [{ afterMs: 800, guns: [{ gunId: 1, extend: 0, mask: 1, currentLimitA: 100 }, { gunId: 2, extend: 0, mask: 1, currentLimitA: 100 }] }] },
    { ...quiet, closeDelays: slowMc, openDelays: slowOpen, contactorFaults: [{ idx: mc1, kind: "weld", atMs: 0 }],
      plans: [{ afterMs: 600, guns: [{ gunId: 1, extend: 0, mask: 1, currentLimitA: 100 }] }] },
    { ...quiet, closeDelays: slowMc, openDelays: slowOpen, plans: [{ afterMs: 600, guns: [{ gunId: 1, extend: 1, mask: 1, currentLimitA: 100 }, { gunId: 2, extend: 0, mask: 1, currentLimitA: 100 }] }] },
  ];
}

/**
 * Counterexamples earlier, longer runs (400 cases, other seeds) found; kept as regressions:
 * - an MN welded while its island ran, then the island re-formed over its slot before the
 *   weld was confirmed (fixed: no foreign module may hang on an energized island, §5.5);
 * - an MC commanded closed by the idle policy and re-opened 10 ms later, then welded
 *   (fixed: no idle flip while a gun is planned; a reversed close counts as closed for a
 *   feedback timeout).
 */
const REGRESSIONS: { name: string; input: Case }[] = [
  { name: "MN welded under a re-forming island", input: JSON.parse('{"evs":[{"plugged":true,"batteryV":679,"headroomV":25,"requestA":198,"maxA":167},{"plugged":true,"batteryV":622,"headroomV":198,"requestA":163,"maxA":54},{"plugged":false,"batteryV":204,"headroomV":23,"requestA":17,"maxA":53},{"plugged":false,"batteryV":566,"headroomV":139,"requestA":125,"maxA":248},{"plugged":false,"batteryV":208,"headroomV":27,"requestA":84,"maxA":51},{"plugged":true,"batteryV":621,"headroomV":22,"requestA":17,"maxA":54}],"plans":[{"afterMs":578,"guns":[{"gunId":6,"extend":0,"mask":1,"currentLimitA":7},{"gunId":6,"extend":0,"mask":14,"currentLimitA":95},{"gunId":3,"extend":1,"mask":7,"currentLimitA":75}]},{"afterMs":597,"guns":[]},{"afterMs":635,"guns":[{"gunId":6,"extend":1,"mask":10,"currentLimitA":120},{"gunId":4,"extend":-1,"mask":2,"currentLimitA":92}]},{"afterMs":569,"guns":[{"gunId":1,"extend":-1,"mask":5,"currentLimitA":175},{"gunId":3,"extend":0,"mask":14,"currentLimitA":129}]}],"closeDelays":[57,12,57,56,57,3,55,2,10,56,56,57,4,7,7,2,59,20,5,40,58,60,2,50],"openDelays":[40,37,37,6,32,5,2,2,6,37,39,4,40,5,7,14,3,8,4,7,35,37,39,5],"contactorFaults":[{"idx":2,"kind":"weld","atMs":1821}],"spikes":[{"gunId":4,"atMs":1962,"durMs":15,"currentA":151},{"gunId":6,"atMs":1983,"durMs":110,"currentA":89}],"moduleFaults":[],"unplugs":[]}') },
  { name: "idle-policy flip of a welding MC", input: JSON.parse('{"evs":[{"plugged":true,"batteryV":783,"headroomV":198,"requestA":13,"maxA":192},{"plugged":false,"batteryV":202,"headroomV":193,"requestA":110,"maxA":174},{"plugged":true,"batteryV":567,"headroomV":27,"requestA":118,"maxA":52},{"plugged":true,"batteryV":794,"headroomV":197,"requestA":223,"maxA":125},{"plugged":true,"batteryV":313,"headroomV":180,"requestA":209,"maxA":245},{"plugged":true,"batteryV":792,"headroomV":140,"requestA":244,"maxA":202}],"plans":[{"afterMs":485,"guns":[{"gunId":4,"extend":-1,"mask":4,"currentLimitA":147},{"gunId":3,"extend":0,"mask":3,"currentLimitA":21},{"gunId":6,"extend":0,"mask":9,"currentLimitA":187}]},{"afterMs":646,"guns":[{"gunId":6,"extend":0,"mask":9,"currentLimitA":156},{"gunId":1,"extend":0,"mask":13,"currentLimitA":108},{"gunId":3,"extend":-1,"mask":12,"currentLimitA":225}]},{"afterMs":666,"guns":[{"gunId":1,"extend":1,"mask":3,"currentLimitA":29},{"gunId":5,"extend":-1,"mask":13,"currentLimitA":51}]},{"afterMs":674,"guns":[{"gunId":4,"extend":1,"mask":14,"currentLimitA":201}]}],"closeDelays":[60,3,46,44,7,6,23,8,37,10,13,28,46,17,59,9,58,6,3,58,21,12,17,3],"openDelays":[15,6,6,21,5,18,4,34,17,9,10,25,40,6,16,25,3,6,19,26,3,4,18,8],"contactorFaults":[{"idx":2,"kind":"stuckOpen","atMs":758},{"idx":12,"kind":"weld","atMs":179}],"spikes":[],"moduleFaults":[],"unplugs":[]}') },
];

const INVARIANTS: { n: number; name: string }[] = [
  { n: 1, name: "at most one closed GC per connected bus" },
  { n: 2, name: "islands never bridged while energized" },
  { n: 3, name: "no switching above the switching current except emergency openings; every close step checked" },
  { n: 4, name: "GC closes only after precharge" },
  { n: 5, name: "a faulty module is never switched on" },
  { n: 6, name: "the EV is never offered more than cable and EV allow" },
  { n: 9, name: "no energized bus held together by a welded contactor" },
];

describe("sequencer properties: DESIGN.md §5 under random plans, delays, welds and spikes (6-slot ring)", () => {
  const real: Outcome[] = [];
  before(() => {
    for (const c of cases) real.push(simulate(c, "real"));
  });
  for (const r of REGRESSIONS) {
    it(`regression: ${r.name} keeps §5.1-§5.9`, () => {
      const found = [...simulate(r.input, "real").byInvariant].filter(([, list]) => list.length > 0);
      assert.deepEqual(found, []);
    });
  }
  it("the random cases exercise charging, several islands at once, emergencies and refused steps", () => {
    assert.ok(real.filter((o) => o.maxCharging >= 1).length >= RUNS / 2, "fewer than half the cases ever charged");
    assert.ok(real.some((o) => o.maxCharging >= 2), "never two islands charging at once");
    if (!inXs) {
      assert.ok(real.some((o) => o.highFaults > 0), "no emergency in any case");
      assert.ok(real.some((o) => o.refused > 0), "the step check never refused anything");
    }
  });
  for (const inv of INVARIANTS) {
    it(`§5.${inv.n} holds: ${inv.name} (${RUNS} random cases, seed ${SEED})`, () => {
      const bad = real.map((o, i) => ({ i, found: o.byInvariant.get(inv.n) })).filter((x) => x.found && x.found.length);
      assert.deepEqual(bad.slice(0, 1).map((x) => ({ case: x.i, violations: x.found, input: JSON.stringify(cases[x.i]) })), []);
    });
  }

  describe("the oracles can fail", () => {
    const naive: Outcome[] = [];
    before(() => {
      for (const c of [...targeted(), ...cases]) naive.push(simulate(c, "naive"));
    });
    for (const inv of INVARIANTS) {
      if (inv.n === 5) continue; // see the targeted test below
      it(`§5.${inv.n} oracle catches a naive sequencer that applies the plan at once`, () => {
        const caught = naive.filter((o) => (o.byInvariant.get(inv.n) ?? []).length > 0).length;
        assert.ok(caught > 0, `no case broke §5.${inv.n} with the naive sequencer`);
      });
    }
    it("§5.5 oracle catches a naive sequencer switching a faulty module on", () => {
      const c = fc.sample(caseArb, { numRuns: 1, seed: 7 })[0];
      const one: Case = { ...c, evs: c.evs.map((e) => ({ ...e, plugged: true })), plans: [{ afterMs: 300, guns: [] }, { afterMs: 300, guns: [{ gunId: 1, extend: 0, mask: 1, currentLimitA: 50 }] }],
        contactorFaults: [], spikes: [], unplugs: [], moduleFaults: [{ idx: 0, atMs: 100 }] };
      assert.ok((simulate(one, "naive").byInvariant.get(5) ?? []).length > 0);
      assert.deepEqual(simulate(one, "real").byInvariant.get(5) ?? [], []);
    });
    it("§5.2 oracle catches the real sequencer with its step check removed (it relies on the check for aux feedback)", () => {
      const broken = targeted().map((c) => simulate(c, "noCheck"));
      const caught = broken.filter((o) => [1, 2, 9].some((n) => (o.byInvariant.get(n) ?? []).length > 0)).length;
      assert.ok(caught > 0, "removing the step check went unnoticed");
    });
  });
});
