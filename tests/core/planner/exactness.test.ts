import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { plan } from "../../../src/planner";
import { buildContext } from "../../../src/planner/context";
import { ringLayout, ringSearch } from "../../../src/planner/ring";
import { bruteForceServedKW, ringCase, runs } from "./arbitrary";

describe("planner exactness (island choice)", () => {
  it("served power equals a brute force over all MC open/closed patterns, with a previous plan in play", () => {
    fc.assert(
      fc.property(ringCase(12), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (c, flip) => {
        const before = { ...c.observed, guns: c.observed.guns.map((g, i) => ({ ...g, active: flip[i] ? !g.active : g.active })) };
        const previous = plan(c.config, before, null);
        const p = plan(c.config, { ...c.observed, nowMs: c.observed.nowMs + 60_000 }, previous);
        const optimum = bruteForceServedKW(c.config, c.observed);
        assert.ok(Math.abs(p.totalKW - optimum) < 1e-4, `planner ${p.totalKW} vs brute force ${optimum}`);
      }),
      { numRuns: runs(100) },
    );
  });

  it("the fast two-phase search scores like the exhaustive one on all four objectives", () => {
    fc.assert(
      fc.property(ringCase(12), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.double({ min: 0.3, max: 1.7, noNaN: true }), (c, flip, scale) => {
        const before = {
          ...c.observed,
          guns: c.observed.guns.map((g, i) => ({ ...g, active: flip[i] ? !g.active : g.active, requestKW: g.requestKW * scale })),
        };
        const previous = plan(c.config, before, null);
        const ctx = buildContext(c.config, c.observed, previous);
        const layout = ringLayout(ctx);
        const fast = ringSearch(ctx, layout, null, "fast").objective;
        const full = ringSearch(ctx, layout, null, "exhaustive").objective;
        assert.ok(Math.abs(fast.totalKW - full.totalKW) < 1e-6, `served ${fast.totalKW} vs ${full.totalKW}`);
        assert.equal(fast.fairness.length, full.fairness.length);
        fast.fairness.forEach((x, i) => assert.ok(Math.abs(x - full.fairness[i]) < 1e-6, `fairness ${fast.fairness} vs ${full.fairness}`));
        assert.equal(fast.modules, full.modules, "modules on");
        assert.equal(fast.contactorChanges, full.contactorChanges, "contactor changes");
      }),
      { numRuns: runs(200) },
    );
  });
});
