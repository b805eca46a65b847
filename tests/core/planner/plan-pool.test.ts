/**
 * The working objects a plan chain reuses from plan to plan (src/planner/plan-share.ts
 * PlanScratch / ContextPool: the context's active guns and module candidates, buildPlan's
 * per-module lists, the ring's flat option lists) must never show: every plan equals the
 * plan made from a plain copy of its previous plan (a copy carries no share, so that plan
 * starts from new objects), whatever the chains interleave, and a plan handed out never
 * changes afterwards, also when two plans are made from the same previous plan.
 */
import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { plan } from "../../../src/planner";
import type { CabinetConfig } from "../../../src/config";
import type { Plan, PlanObservation } from "../../../src/planner";
import { ringCase, runs } from "./arbitrary";
import { assertSamePlan, copyPlan, failed, matrixConfig, observe, ringConfig, fourGunsCharging, later } from "./fixtures";

/** A plan handed out, and its JSON when it was made: it must stay that. */
interface Handed {
  plan: Plan;
  json: string;
}

function planChecked(config: CabinetConfig, observed: PlanObservation, previous: Plan | null, handed: Handed[]): Plan {
  const fresh = plan(config, observed, previous === null ? null : copyPlan(previous));
  const p = plan(config, observed, previous);
  assertSamePlan(p, fresh);
  handed.push({ plan: p, json: JSON.stringify(p) });
  return p;
}

function assertUnchanged(handed: Handed[]): void {
  for (const h of handed) assert.equal(JSON.stringify(h.plan), h.json, "a plan handed out changed afterwards");
}

const ring = ringConfig();
const smallRing = ringConfig({}, 6, 3, 200);
const matrix = matrixConfig();

const ringBase = fourGunsCharging();
const smallBase = observe(
  [
    { id: 1, requestKW: 70, charging: true },
    { id: 4, requestKW: 35, charging: true },
  ],
  { nowMs: 1000, gridLimitKW: 200 },
);
const matrixBase = observe(
  [
    { id: 1, requestKW: 90, charging: true },
    { id: 2, requestKW: 40, charging: true },
    { id: 5, requestKW: 120, charging: true },
  ],
  { nowMs: 1000 },
);

describe("plan pool: working objects reused along a plan chain", () => {
  it("a module that fails leaves no candidate behind (the pooled list is cleared)", () => {
    const handed: Handed[] = [];
    const first = planChecked(ring, ringBase, null, handed);
    const steady = planChecked(ring, later(ringBase), first, handed);
    assert.ok(steady.guns[0].modules.includes("M1_0"), "gun 1 uses M1_0 before it fails");
    const broken = planChecked(ring, later({ ...ringBase, modules: failed("M1_0", "M1_1") }, 200), steady, handed);
    assert.deepEqual(broken.guns[0].modules, [], "a failed module is still used");
    assertUnchanged(handed);
  });

  it("a gun that goes idle leaves no active entry behind (the pooled list is cleared)", () => {
    const handed: Handed[] = [];
    const first = planChecked(ring, ringBase, null, handed);
    const fewer = { ...ringBase, guns: ringBase.guns.map((g) => (g.id === 9 ? { ...g, active: false } : g)) };
    const next = planChecked(ring, later(fewer), first, handed);
    assert.equal(next.guns.find((g) => g.id === 9)!.setpointKW, 0);
    planChecked(ring, later(fewer, 200), next, handed);
    assertUnchanged(handed);
  });

  it("three chains of three configs interleaved give the plans each would get afresh", () => {
    const handed: Handed[] = [];
    const chains: { config: CabinetConfig; observed: PlanObservation; last: Plan | null }[] = [
      { config: ring, observed: ringBase, last: null },
      { config: smallRing, observed: smallBase, last: null },
      { config: matrix, observed: matrixBase, last: null },
    ];
    for (let step = 0; step < 12; step++) {
      for (const chain of chains) {
        // Requests up and down, one gun on and off, a module failing for a while.
        const guns = chain.observed.guns.map((g, i) => ({
          ...g,
          requestKW: g.requestKW * (step % 3 === 0 ? 1.4 : 0.8),
          active: i === step % chain.observed.guns.length ? step % 4 !== 1 : g.active,
        }));
        const modules = step % 5 === 2 ? failed(chain.config.topology === "ring" ? "M1_0" : chain.config.matrix!.modules[0].id) : [];
        chain.observed = { ...chain.observed, nowMs: chain.observed.nowMs + 100, guns, modules };
        chain.last = planChecked(chain.config, chain.observed, chain.last, handed);
      }
    }
    assertUnchanged(handed);
  });

  it("two plans from the same previous plan: each equals the plan made afresh, and neither changes the other", () => {
    const handed: Handed[] = [];
    const first = planChecked(ring, ringBase, null, handed);
    const steady = planChecked(ring, later(ringBase), first, handed);
    const up = later({ ...ringBase, guns: ringBase.guns.map((g) => ({ ...g, requestKW: g.requestKW + 30 })) }, 200);
    const down = later({ ...ringBase, guns: ringBase.guns.map((g) => ({ ...g, requestKW: g.requestKW / 2 })), modules: failed("M3_1") }, 200);
    const a = planChecked(ring, up, steady, handed);
    const b = planChecked(ring, down, steady, handed);
    planChecked(ring, later(up, 300), a, handed);
    planChecked(ring, later(down, 300), b, handed);
    assertUnchanged(handed);
  });

  it("property: random cabinets planned in interleaved chains equal their plans made afresh; plans handed out never change", () => {
    fc.assert(
      fc.property(ringCase(12), ringCase(8), fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.double({ min: 0, max: 1.5, noNaN: true })), { minLength: 1, maxLength: 5 }), (c1, c2, steps) => {
        const handed: Handed[] = [];
        const chains = [
          { config: c1.config, observed: c1.observed, last: null as Plan | null },
          { config: c2.config, observed: c2.observed, last: null as Plan | null },
        ];
        for (const chain of chains) chain.last = planChecked(chain.config, chain.observed, null, handed);
        for (const [pick, toggle, scale] of steps) {
          for (const chain of chains) {
            const o = chain.observed;
            const guns = o.guns.map((g, i) =>
              i === pick % Math.max(1, o.guns.length) ? { ...g, active: toggle ? !g.active : g.active, requestKW: g.requestKW * scale } : g,
            );
            // A module's health flips with the toggle (usable candidates come and go).
            const modules = o.modules.map((m, i) => (i === pick % Math.max(1, o.modules.length) && toggle ? { ...m, healthy: !m.healthy } : m));
            chain.observed = { ...o, nowMs: o.nowMs + 100, guns, modules };
            chain.last = planChecked(chain.config, chain.observed, chain.last, handed);
          }
        }
        assertUnchanged(handed);
      }),
      { numRuns: runs(100) },
    );
  });
});
