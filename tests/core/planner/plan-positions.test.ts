/**
 * The previous plan's contactor positions read by record index (PlanContext.previousAt,
 * from the plan's share) instead of by id from its `contactors` record: in the ring
 * geometry's reuse check, the phase-2 GC changes and an idle MC's kept position. Each case
 * checks the plan against the plan made from a copy of the previous plan (no share: read
 * by id), so a wrong record index or a missing guard fails here.
 */
import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { parseCabinetConfig, ringDocument, type CabinetConfig } from "../../../src/config";
import { plan, type Plan, type PlanObservation } from "../../../src/planner";
import { buildContext } from "../../../src/planner/context";
import { ringPlanSolver } from "../../../src/planner/ring";
import { runs } from "./arbitrary";
import { assertSamePlan, copyPlan, observe, ringConfig } from "./fixtures";

/**
 * A ring whose slots and guns are listed in reverse (slot 6, 5, ..., 1): the ring order
 * (1 after 6, clockwise) is not the config order, nor is the record order of the MCs.
 */
function reversedRing(multiSlotIslands: boolean): CabinetConfig {
  const doc = ringDocument({ slots: 6, modulesPerSlot: 2, modulePowerKW: 30, gridPowerLimitKW: 360, chargerId: "REV" });
  doc.slots = (doc.slots ?? []).slice().reverse();
  doc.guns = doc.guns.slice().reverse();
  doc.policy = { maxModulesPerGun: 4, multiSlotIslands };
  return parseCabinetConfig(doc);
}

/** The ring search's objective (its contactor changes count the GCs against the previous plan). */
function objectiveOf(config: CabinetConfig, observed: PlanObservation, previous: Plan): unknown {
  return ringPlanSolver(buildContext(config, observed, previous), null).solver.search(null).objective;
}

describe("plan: previous contactor positions by record index", () => {
  it("the context's positions by record index are the previous plan's record, id by id", () => {
    for (const config of [ringConfig(), reversedRing(true)]) {
      const first = plan(config, observe([{ id: 1, requestKW: 50, charging: true }, { id: 4, requestKW: 70, charging: true }], { nowMs: 0 }), null);
      const ctx = buildContext(config, observe([{ id: 2, requestKW: 40 }], { nowMs: 100 }), first);
      const at = ctx.previousAt;
      assert.ok(at !== null, "read from the share");
      const ids = Object.keys(first.contactors);
      assert.equal(at.length, ids.length);
      for (let i = 0; i < ids.length; i++) assert.equal(at[i], first.contactors[ids[i]], ids[i]);
      // Without a share (a copy): by id only.
      assert.equal(buildContext(config, observe([], { nowMs: 100 }), copyPlan(first)).previousAt, null);
    }
  });

  it("a plan whose contactors record was replaced is read from that record, not from its share", () => {
    const config = ringConfig();
    const guns = [{ id: 1, requestKW: 50, charging: true }, { id: 4, requestKW: 70, charging: true }];
    const first = plan(config, observe(guns, { nowMs: 0 }), null);
    assert.equal(first.contactors.MC_8, "closed", "idle MC rests closed");
    // Someone hands in the plan with another record (MC_8 open, GC_4 open): same share.
    const edited = first as Plan & { contactors: Plan["contactors"] };
    edited.contactors = { ...first.contactors, MC_8: "open", GC_4: "open" };
    const next = observe(guns, { nowMs: 100 });
    const fromEdited = plan(config, next, edited);
    assert.equal(fromEdited.contactors.MC_8, "open", "an idle MC keeps its previous position");
    assertSamePlan(fromEdited, plan(config, next, copyPlan(edited)));
  });

  it("after a contactor fault (no positions kept) the positions are read by id", () => {
    const config = ringConfig();
    const guns = [{ id: 2, requestKW: 50, charging: true }];
    const faulted = plan(config, observe(guns, { nowMs: 0, faults: { MC_5: "welded" } }), null);
    const ctx = buildContext(config, observe(guns, { nowMs: 100 }), faulted);
    assert.equal(ctx.previousAt, null);
    assertSamePlan(plan(config, observe(guns, { nowMs: 100 }), faulted), plan(config, observe(guns, { nowMs: 100 }), copyPlan(faulted)));
  });

  it("property: along random chains on a ring listed out of ring order, every plan is the plan made from a copy", () => {
    const step = fc.record({
      active: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      requestKW: fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 6, maxLength: 6 }),
      failed: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 3 }),
      mcFault: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 5 }),
    });
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { minLength: 2, maxLength: 8 }), (multi, steps) => {
        const config = reversedRing(multi);
        let previous: Plan | null = null;
        let nowMs = 0;
        for (const s of steps) {
          const guns = [];
          for (let id = 1; id <= 6; id++) if (s.active[id - 1]) guns.push({ id, requestKW: s.requestKW[id - 1], charging: previous !== null });
          const observed: PlanObservation = observe(guns, {
            nowMs,
            modules: s.failed === null ? [] : [{ id: `M${s.failed}_0`, healthy: false, tempC: 25, operatingHours: 0 }],
            faults: s.mcFault === null ? {} : { [`MC_${s.mcFault}`]: "stuckOpen" },
          });
          const next = plan(config, observed, previous);
          if (previous !== null) {
            assertSamePlan(next, plan(config, observed, copyPlan(previous)));
            assert.deepStrictEqual(objectiveOf(config, observed, previous), objectiveOf(config, observed, copyPlan(previous)));
          }
          previous = next;
          nowMs += 100;
        }
      }),
      { numRuns: runs(150) },
    );
  });
});
