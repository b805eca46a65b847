/**
 * The contactor record, modules-on list and on-since record a plan hands on from the
 * previous plan (src/planner/plan-share.ts) must be exactly the ones a plan built without
 * that previous plan's share would hold, whatever input changed. Each case compares the
 * plan made from the previous plan itself with the plan made from a plain copy of it (a
 * copy carries no share), and checks that sharing does happen when nothing changed, so
 * that the comparisons are not vacuous.
 */
import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { parseCabinetConfig, ringDocument } from "../../../src/config";
import { plan } from "../../../src/planner";
import type { Plan, PlanObservation } from "../../../src/planner";
import { ringCase, runs } from "./arbitrary";
import { assertSamePlan, copyPlan, failed, matrixConfig, observe, ringConfig, fourGunsCharging, later } from "./fixtures";

const config = ringConfig();
const base = fourGunsCharging();

describe("plan share: records handed on from the previous plan", () => {
  it("steady state hands on the previous records, equal to the ones built afresh", () => {
    const first = plan(config, base, null);
    const second = plan(config, later(base), first);
    assert.ok(first.modulesOn.length > 0);
    assert.equal(second.contactors, first.contactors, "contactor record not shared in steady state");
    assert.equal(second.moduleOnSinceMs, first.moduleOnSinceMs, "on-since record not shared in steady state");
    assert.equal(second.modulesOn, first.modulesOn);
    assertSamePlan(second, plan(config, later(base), copyPlan(first)));
  });

  const changes: [string, (o: PlanObservation) => PlanObservation][] = [
    ["a gun stops (its GC and MNs open)", (o) => ({ ...o, guns: o.guns.filter((g) => g.id !== 6) })],
    ["a gun starts", (o) => ({ ...o, guns: [...o.guns, { ...o.guns[0], id: 11, requestKW: 40, charging: false }] })],
    ["a module fails", (o) => ({ ...o, modules: failed("M1_0") })],
    ["a request needs one more module", (o) => ({ ...o, guns: o.guns.map((g) => (g.id === 6 ? { ...g, requestKW: 55 } : g)) })],
    ["the grid limit drops to zero", (o) => ({ ...o, gridLimitKW: 0 })],
    ["an MC is welded", (o) => ({ ...o, contactorFaults: { MC_2: "welded" } })],
    ["an MN is stuck open", (o) => ({ ...o, contactorFaults: { MN_1_0: "stuckOpen" } })],
    ["a GC feedback fault", (o) => ({ ...o, contactorFaults: { GC_3: "feedbackFault" } })],
    // The islands stay as they are: only the record's GC_12 (closed, as welded) differs.
    ["an idle gun's GC is welded", (o) => ({ ...o, contactorFaults: { GC_12: "welded" } })],
  ];
  for (const [name, change] of changes) {
    it(`${name}: the plan equals the one built without the share, and so does the next`, () => {
      const first = plan(config, base, null);
      const steady = plan(config, later(base), first);
      const changed = later(change(base), 200);
      const second = plan(config, changed, steady);
      assertSamePlan(second, plan(config, changed, copyPlan(steady)));
      // Back to the first observation: nothing of the changed cycle may stick.
      const back = later(base, 300);
      const third = plan(config, back, second);
      assertSamePlan(third, plan(config, back, copyPlan(second)));
    });
  }

  it("a change of config (same positions, other contactor ids) builds its own record", () => {
    const doc = ringDocument({ slots: 12, modulesPerSlot: 2, modulePowerKW: 30, gridPowerLimitKW: 360, chargerId: "OTHER" });
    for (const slot of doc.slots ?? []) slot.mc = `X${slot.mc}`;
    const other = parseCabinetConfig(doc);
    const first = plan(config, base, null);
    const second = plan(other, later(base), first);
    assert.ok("XMC_1" in second.contactors && !("MC_1" in second.contactors));
    assertSamePlan(second, plan(other, later(base), copyPlan(first)));
  });

  it("the matrix shares its records too, and drops them when an assignment changes", () => {
    const matrix = matrixConfig();
    const obs = observe([{ id: 1, requestKW: 80 }, { id: 2, requestKW: 120 }], { nowMs: 0 });
    const first = plan(matrix, obs, null);
    const second = plan(matrix, later(obs), first);
    assert.equal(second.contactors, first.contactors);
    const changed = later({ ...obs, guns: obs.guns.map((g) => (g.id === 1 ? { ...g, requestKW: 200 } : g)) }, 200);
    const third = plan(matrix, changed, second);
    assertSamePlan(third, plan(matrix, changed, copyPlan(second)));
  });

  it("the modules-on list is compared: a module swapped at the same instant (same on-since times)", () => {
    const first = plan(config, base, null);
    assert.ok(first.modulesOn.includes("M6_0") && !first.modulesOn.includes("M6_1"));
    // Replanned at the same instant: M6_1 replaces M6_0, switched on at the same time.
    const swapped = { ...base, modules: failed("M6_0") };
    const second = plan(config, swapped, first);
    assert.ok(second.modulesOn.includes("M6_1") && !second.modulesOn.includes("M6_0"));
    assertSamePlan(second, plan(config, swapped, copyPlan(first)));
  });

  it("on-since times are compared: a changed time in the previous plan is not lost", () => {
    const first = plan(config, base, null);
    const id = first.modulesOn[0];
    // A new record (the shared one keeps its old times): the previous plan's input changed.
    first.moduleOnSinceMs = { ...first.moduleOnSinceMs, [id]: 12_345 };
    const second = plan(config, later(base), first);
    assert.equal(second.moduleOnSinceMs[id], 12_345);
    assertSamePlan(second, plan(config, later(base), copyPlan(first)));
  });

  it("on-since times are compared as Object.is does: -0 is not 0", () => {
    const first = plan(config, { ...base, nowMs: 0 }, null);
    const id = first.modulesOn[0];
    assert.ok(Object.is(first.moduleOnSinceMs[id], 0));
    first.moduleOnSinceMs = { ...first.moduleOnSinceMs, [id]: -0 };
    const second = plan(config, later({ ...base, nowMs: 0 }), first);
    assert.ok(Object.is(second.moduleOnSinceMs[id], -0), "the -0 of the previous plan was replaced by the shared 0");
  });

  it("property: a chain of plans equals the chain rebuilt from copies, whatever changes between cycles", () => {
    fc.assert(
      fc.property(ringCase(12), fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.double({ min: 0, max: 1.5, noNaN: true })), { minLength: 1, maxLength: 4 }), (c, steps) => {
        let shared = plan(c.config, c.observed, null);
        let observed = c.observed;
        for (const [pick, toggle, scale] of steps) {
          const guns = observed.guns.map((g, i) =>
            i === pick % Math.max(1, observed.guns.length) ? { ...g, active: toggle ? !g.active : g.active, requestKW: g.requestKW * scale } : g,
          );
          observed = { ...observed, nowMs: observed.nowMs + 100, guns };
          const fresh = plan(c.config, observed, copyPlan(shared));
          shared = plan(c.config, observed, shared);
          assert.equal(JSON.stringify(shared), JSON.stringify(fresh));
        }
      }),
      { numRuns: runs(150) },
    );
  });
});
