/**
 * The ring's island geometry (which islands each active gun may take, their open MCs and
 * MC changes) is reused from the previous plan when its inputs are the same
 * (src/planner/ring.ts ringGeometryMatches). For each input of that geometry, a change must
 * make the planner build it afresh: each case compares the search made with the previous
 * plan's geometry against the search made with a geometry built now (objective, islands,
 * budgets, module counts, required MC positions), and the plan made from the previous plan
 * against the plan made from a plain copy of it (no share, so no geometry). Steady state
 * checks that the geometry is reused, so that the comparisons are not vacuous.
 */
import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { parseCabinetConfig, ringDocument, type CabinetConfig } from "../../../src/config";
import { plan } from "../../../src/planner";
import type { ContactorFault, Plan, PlanObservation } from "../../../src/planner";
import { buildContext } from "../../../src/planner/context";
import { previousShare } from "../../../src/planner/plan-share";
import { ringGeometryMatches, ringPlanSolver, type RingAllocation, type RingGeometry } from "../../../src/planner/ring";
import { ringCase, runs } from "./arbitrary";
import { assertSamePlan, copyPlan, failed, observe, ringConfig, fourGunsCharging, later } from "./fixtures";

function geometryOf(p: Plan, config: CabinetConfig): RingGeometry | null {
  const share = previousShare(p, config);
  return share === null ? null : share.ringGeometry;
}

/** What a ring search decides, as plain data. */
function summary(a: RingAllocation): unknown {
  return {
    objective: a.objective,
    totalKW: a.totalKW,
    required: [...a.requiredPositions.entries()],
    guns: a.guns.map((g) => ({
      id: g.active.config.id, islandSlots: g.islandSlots, budgetKW: g.budgetKW, capKW: g.capKW, moduleCount: g.moduleCount,
      maxCount: g.maxCount, powersDesc: g.powersDesc, candidates: g.candidates.map((c) => c.id), deadReason: g.deadReason,
      weldedPartner: g.weldedPartner,
    })),
  };
}

/**
 * The search with the stale geometry handed over (ringPlanSolver decides whether to use it)
 * equals the search on a geometry built now, with and without kept islands.
 */
function assertSameSearch(config: CabinetConfig, observed: PlanObservation, previous: Plan, stale: RingGeometry | null): void {
  const keep = new Map<number, readonly number[]>();
  for (const g of previous.guns) if (g.islandSlots.length > 0) keep.set(g.id, g.islandSlots);
  const ctx = buildContext(config, observed, previous);
  const withStale = ringPlanSolver(ctx, stale).solver;
  const fresh = ringPlanSolver(buildContext(config, observed, previous), null).solver;
  assert.deepStrictEqual(summary(withStale.search(null)), summary(fresh.search(null)));
  assert.deepStrictEqual(summary(withStale.search(keep)), summary(fresh.search(keep)));
}

const base = fourGunsCharging();

const policies: [string, CabinetConfig][] = [
  ["single-slot islands", ringConfig()],
  ["multi-slot islands", ringConfig({ multiSlotIslands: true, maxModulesPerGun: 6 })],
];

for (const [policyName, config] of policies) {
  describe(`ring geometry reuse (${policyName})`, () => {
    it("steady state reuses the previous plan's geometry, and the plan is the one built without it", () => {
      const first = plan(config, base, null);
      const second = plan(config, later(base), first);
      const third = plan(config, later(base, 200), second);
      const geometry = geometryOf(second, config);
      assert.ok(geometry !== null, "no geometry kept");
      assert.ok(ringGeometryMatches(geometry, buildContext(config, later(base, 200), second)));
      assert.equal(geometryOf(third, config), geometry, "geometry not reused in steady state");
      assertSamePlan(third, plan(config, later(base, 200), copyPlan(second)));
      assertSameSearch(config, later(base, 200), second, geometry);
    });

    const changes: [string, (o: PlanObservation) => PlanObservation][] = [
      ["a gun stops", (o) => ({ ...o, guns: o.guns.filter((g) => g.id !== 6) })],
      ["a gun starts", (o) => ({ ...o, guns: [...o.guns, { ...o.guns[0], id: 11, requestKW: 40, charging: false }] })],
      ["another gun is active instead (same count)", (o) => ({ ...o, guns: o.guns.map((g) => (g.id === 6 ? { ...g, id: 7 } : g)) })],
      ["a gun is listed but inactive", (o) => ({ ...o, guns: o.guns.map((g) => (g.id === 3 ? { ...g, active: false } : g)) })],
      ["a module fails", (o) => ({ ...o, modules: failed("M1_0", "M2_0", "M2_1") })],
      ["the grid limit drops to zero", (o) => ({ ...o, gridLimitKW: 0 })],
      ["a request drops to zero", (o) => ({ ...o, guns: o.guns.map((g) => (g.id === 9 ? { ...g, requestKW: 0 } : g)) })],
      ["an MC is welded", (o) => ({ ...o, contactorFaults: { MC_2: "welded" } })],
      ["an MC is stuck open", (o) => ({ ...o, contactorFaults: { MC_4: "stuckOpen" } })],
      ["an MN is welded", (o) => ({ ...o, contactorFaults: { MN_4_0: "welded" } })],
      ["a GC feedback fault", (o) => ({ ...o, contactorFaults: { GC_3: "feedbackFault" } })],
      ["an idle gun's GC is welded", (o) => ({ ...o, contactorFaults: { GC_12: "welded" } })],
    ];
    for (const [name, change] of changes) {
      it(`${name}: the search and the plan equal those built without the previous geometry, and so does the next`, () => {
        const first = plan(config, base, null);
        const steady = plan(config, later(base), first);
        const changed = later(change(base), 200);
        assertSameSearch(config, changed, steady, geometryOf(steady, config));
        const second = plan(config, changed, steady);
        assertSamePlan(second, plan(config, changed, copyPlan(steady)));
        // Back to the first observation: nothing of the changed cycle may stick.
        const back = later(base, 300);
        assertSameSearch(config, back, second, geometryOf(second, config));
        assertSamePlan(plan(config, back, second), plan(config, back, copyPlan(second)));
      });
    }

    it("a contactor fault: no geometry is kept, and none is taken from a plan made with one", () => {
      const first = plan(config, base, null);
      const steady = plan(config, later(base), first);
      const faulted = { ...later(base, 200), contactorFaults: { MN_12_0: "stuckOpen" as ContactorFault } };
      assert.equal(ringGeometryMatches(geometryOf(steady, config)!, buildContext(config, faulted, steady)), false);
      assert.equal(geometryOf(plan(config, faulted, steady), config), null);
    });

    for (const mc of ["MC_1", "MC_5", "MC_9", "MC_12"]) {
      it(`the previous position of ${mc} changes: the geometry is built again (MC changes are counted against it)`, () => {
        const first = plan(config, base, null);
        const steady = plan(config, later(base), first);
        const stale = geometryOf(steady, config)!;
        // The previous plan's record, with one MC the other way (as a plan from elsewhere could be).
        const flipped: Plan = Object.assign(steady, {
          contactors: { ...steady.contactors, [mc]: steady.contactors[mc] === "open" ? "closed" : "open" },
        });
        const next = later(base, 200);
        assert.equal(ringGeometryMatches(stale, buildContext(config, next, flipped)), false);
        assertSameSearch(config, next, flipped, stale);
        assertSamePlan(plan(config, next, flipped), plan(config, next, copyPlan(flipped)));
      });
    }

    it("an MC without a previous position rests closed, as a closed one: the geometry still matches", () => {
      const first = plan(config, base, null);
      const steady = plan(config, later(base), first);
      const closed = Object.keys(steady.contactors).find((id) => id.startsWith("MC_") && steady.contactors[id] === "closed")!;
      const contactors = { ...steady.contactors };
      delete contactors[closed];
      const without: Plan = Object.assign(steady, { contactors });
      const next = later(base, 200);
      assert.ok(ringGeometryMatches(geometryOf(without, config)!, buildContext(config, next, without)));
      assertSamePlan(plan(config, next, without), plan(config, next, copyPlan(without)));
    });
  });
}

describe("ring geometry reuse: config", () => {
  it("another config object (other MC ids) never takes the geometry of the first", () => {
    const config = ringConfig();
    const doc = ringDocument({ slots: 12, modulesPerSlot: 2, modulePowerKW: 30, gridPowerLimitKW: 360, chargerId: "TEST" });
    for (const slot of doc.slots ?? []) slot.mc = `X${slot.mc}`;
    const other = parseCabinetConfig(doc);
    // Steady state, so that only the config differs from what the geometry was built for.
    const steady = plan(config, later(base), plan(config, base, null));
    const stale = geometryOf(steady, config)!;
    assert.ok(ringGeometryMatches(stale, buildContext(config, later(base, 200), steady)));
    const ctx = buildContext(other, later(base, 200), steady);
    assert.equal(ringGeometryMatches(stale, ctx), false);
    const withStale = ringPlanSolver(ctx, stale).solver.search(null);
    assert.ok(withStale.requiredPositions.has("XMC_1") || withStale.requiredPositions.has("XMC_2"));
    assert.deepStrictEqual(summary(withStale), summary(ringPlanSolver(buildContext(other, later(base, 200), steady), null).solver.search(null)));
  });

  it("another policy (multi-slot islands) never takes the geometry of single-slot islands", () => {
    const single = ringConfig({ maxModulesPerGun: 6 });
    const multi = ringConfig({ maxModulesPerGun: 6, multiSlotIslands: true });
    const obs = observe([{ id: 1, requestKW: 150 }, { id: 7, requestKW: 150 }], { nowMs: 0 });
    const steady = plan(single, later(obs), plan(single, obs, null));
    const stale = geometryOf(steady, single)!;
    assert.ok(ringGeometryMatches(stale, buildContext(single, later(obs, 200), steady)));
    const ctx = buildContext(multi, later(obs, 200), steady);
    assert.equal(ringGeometryMatches(stale, ctx), false);
    const withStale = ringPlanSolver(ctx, stale).solver.search(null);
    assert.ok(withStale.guns.some((g) => g.islandSlots.length > 1), "multi-slot islands expected");
    assert.deepStrictEqual(summary(withStale), summary(ringPlanSolver(buildContext(multi, later(obs, 200), steady), null).solver.search(null)));
  });
});

describe("ring geometry reuse: property", () => {
  it("a chain of plans equals each plan made from a copy of its previous plan (no geometry), whatever changes", () => {
    const step = fc.record({
      gun: fc.nat(),
      toggle: fc.boolean(),
      scale: fc.double({ min: 0, max: 1.5, noNaN: true }),
      module: fc.nat(),
      tempC: fc.integer({ min: 20, max: 90 }),
      healthy: fc.boolean(),
      fault: fc.oneof(
        { weight: 6, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.constant("clear" as const) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom("MC", "MN", "GC"), fc.nat(), fc.constantFrom<ContactorFault>("welded", "stuckOpen", "feedbackFault")) },
      ),
      gridKW: fc.option(fc.integer({ min: 0, max: 700 }), { freq: 5 }),
    });
    fc.assert(
      fc.property(ringCase(12), fc.array(step, { minLength: 1, maxLength: 6 }), (c, steps) => {
        const config = c.config;
        let chained = plan(config, c.observed, null);
        let observed = c.observed;
        for (const s of steps) {
          const guns = observed.guns.map((g, i) =>
            i === s.gun % Math.max(1, observed.guns.length) ? { ...g, active: s.toggle ? !g.active : g.active, requestKW: g.requestKW * s.scale, charging: g.active } : g,
          );
          const modules = observed.modules.map((m, i) => (i === s.module % Math.max(1, observed.modules.length) ? { ...m, tempC: s.tempC, healthy: s.healthy } : m));
          let contactorFaults = observed.contactorFaults ?? {};
          if (s.fault === "clear") contactorFaults = {};
          else if (s.fault !== null) {
            const [kind, at, f] = s.fault;
            const slot = config.slots[at % config.slots.length];
            const id = kind === "MC" ? slot.mc : kind === "MN" ? slot.modules[0].mn : `GC_${slot.id}`;
            contactorFaults = { ...contactorFaults, [id]: f };
          }
          observed = { ...observed, nowMs: observed.nowMs + 100, guns, modules, contactorFaults, gridLimitKW: s.gridKW ?? observed.gridLimitKW };
          assertSameSearch(config, observed, chained, geometryOf(chained, config));
          const fresh = plan(config, observed, copyPlan(chained));
          chained = plan(config, observed, chained);
          assert.equal(JSON.stringify(chained), JSON.stringify(fresh));
        }
      }),
      { numRuns: runs(200) },
    );
  });
});
