/**
 * What a plan hands on to the next besides its records (src/planner/plan-share.ts): the
 * on-state by module index, the shared limit's name, the printed limit values of the
 * reasons (reason.ts), the scratch lists buildPlan fills, an idle gun's all-zero plan, and
 * the observation read by position when it lists guns and modules in config order. Each
 * case changes exactly what the memo is keyed on and checks the plan against one built
 * without the memo (a copy of the previous plan carries no share, and an observation out
 * of config order is read through Maps), so a missing invalidation fails here.
 */
import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { plan } from "../../../src/planner";
import type { CabinetConfig } from "../../../src/config";
import type { GunObservation, ModuleObservation, Plan, PlanObservation } from "../../../src/planner";
import { buildContext } from "../../../src/planner/context";
import { ringLayout, ringSolver } from "../../../src/planner/ring";
import { ReasonMemo, reasonFor } from "../../../src/planner/reason";
import { ringCase, runs } from "./arbitrary";
import { assertSamePlan, copyPlan, observe, ringConfig } from "./fixtures";

const config = ringConfig();

/** Every gun and module of the config listed, in config order (as the controller observes). */
function fullObservation(c: CabinetConfig, o: PlanObservation): PlanObservation {
  const guns: GunObservation[] = c.guns.map((g) => {
    let seen: GunObservation | undefined;
    for (const x of o.guns) if (x.id === g.id) seen = x;
    return seen ?? { id: g.id, active: false, charging: false, requestKW: 0, evVoltageV: 0, measuredVoltageV: 0, priority: 0, externalLimitKW: null };
  });
  const ids = c.topology === "ring" ? c.slots.flatMap((s) => s.modules.map((m) => m.id)) : (c.matrix?.modules ?? []).map((m) => m.id);
  const modules: ModuleObservation[] = ids.map((id) => {
    let seen: ModuleObservation | undefined;
    for (const x of o.modules) if (x.id === id) seen = x;
    // Unlisted modules are taken as healthy, 25 °C, 0 h (PlanObservation.modules).
    return seen ?? { id, healthy: true, tempC: 25, operatingHours: 0 };
  });
  return { ...o, guns, modules };
}

const reversed = (o: PlanObservation): PlanObservation => ({ ...o, guns: o.guns.slice().reverse(), modules: o.modules.slice().reverse() });

describe("plan memo: what a plan hands on to the next, and reading observations by position", () => {
  it("the shared limit's name follows the grid limit from plan to plan", () => {
    const guns = [{ id: 1, requestKW: 60, charging: true }, { id: 4, requestKW: 60, charging: true }];
    const first = plan(config, observe(guns, { gridLimitKW: 50, nowMs: 0 }), null);
    assert.match(first.guns[0].reason ?? "", /shared grid limit 50 kW/);
    const second = plan(config, observe(guns, { gridLimitKW: 70, nowMs: 100 }), first);
    assert.match(second.guns[0].reason ?? "", /shared grid limit 70 kW/);
    const third = plan(config, observe(guns, { gridLimitKW: 70, siteKW: 40, nowMs: 200 }), second);
    assert.match(third.guns[0].reason ?? "", /shared site limit 40 kW/);
    assertSamePlan(third, plan(config, observe(guns, { gridLimitKW: 70, siteKW: 40, nowMs: 200 }), copyPlan(second)));
  });

  it("a reason's printed rating and external limit follow their values from plan to plan", () => {
    // 200 A at 300 V = 60 kW, then at 310 V = 62 kW: the rating limits the gun.
    const at = (evVoltageV: number, limitKW: number | null, nowMs: number) => observe([{ id: 2, requestKW: 500, evVoltageV, limitKW, charging: true }], { nowMs });
    const ratingA = config.guns[1].maxCurrentA;
    const first = plan(config, at(300, null, 0), null);
    assert.equal(first.guns[1].reason?.split(";")[0], `gun rating ${Math.round(ratingA * 300 / 100) / 10} kW`);
    const second = plan(config, at(310, null, 100), first);
    assert.equal(second.guns[1].reason?.split(";")[0], `gun rating ${Math.round(ratingA * 310 / 100) / 10} kW`);
    const third = plan(config, at(310, 20, 200), second);
    assert.equal(third.guns[1].reason?.split(";")[0], "external limit 20 kW");
    const fourth = plan(config, at(310, 25, 300), third);
    assert.equal(fourth.guns[1].reason?.split(";")[0], "external limit 25 kW");
    assertSamePlan(fourth, plan(config, at(310, 25, 300), copyPlan(third)));
  });

  it("each part of a reason follows its own input from plan to plan (the composed reason is kept only for the same parts)", () => {
    // Gun 2 asks 500 kW at 300 V (rating 60 kW), gun 5 asks 50 kW: the reason's parts are the
    // rating (a), the module limit (b), derating (c) and the shared limit (d).
    const hot = (tempC: number) => [{ id: "M2_0", healthy: true, tempC, operatingHours: 0 }, { id: "M2_1", healthy: true, tempC, operatingHours: 0 }];
    const steps: { evVoltageV: number; modules: ModuleObservation[]; gridLimitKW: number; maxModules?: number }[] = [
      { evVoltageV: 300, modules: [], gridLimitKW: 360 },
      { evVoltageV: 300, modules: [], gridLimitKW: 360 }, // the same parts
      { evVoltageV: 310, modules: [], gridLimitKW: 360 }, // a
      { evVoltageV: 310, modules: hot(80), gridLimitKW: 360 }, // b, c: derated modules cannot carry the rating
      { evVoltageV: 310, modules: [...hot(80).slice(0, 1), { id: "M2_1", healthy: false, tempC: 25, operatingHours: 0 }], gridLimitKW: 360 }, // b
      { evVoltageV: 310, modules: hot(80), gridLimitKW: 25 }, // d
      { evVoltageV: 310, modules: hot(80), gridLimitKW: 20 }, // d (another name)
      { evVoltageV: 310, modules: hot(25), gridLimitKW: 20 }, // c gone
      { evVoltageV: 310, modules: hot(25), gridLimitKW: 360 }, // d gone
    ];
    let previous: Plan | null = null;
    const seen = new Set<string | null>();
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      const observed = observe([{ id: 2, requestKW: 500, evVoltageV: s.evVoltageV, charging: true }, { id: 5, requestKW: 50, charging: true }], { nowMs: i * 100, modules: s.modules, gridLimitKW: s.gridLimitKW });
      const next = plan(config, observed, previous);
      if (previous !== null) assertSamePlan(next, plan(config, observed, copyPlan(previous)));
      seen.add(next.guns[1].reason);
      previous = next;
    }
    // Every part took part at least once (otherwise this test would check less than it says).
    const all = [...seen].join(" | ");
    for (const part of ["gun rating 60 kW", "gun rating 62 kW", "usable module", "derated", "shared grid limit 25 kW", "shared grid limit 20 kW"]) assert.ok(all.includes(part), `${part} in ${all}`);
  });

  it("a reason memo handed to another policy prints that policy's module limit", () => {
    const memo = new ReasonMemo();
    const observed = observe([{ id: 1, requestKW: 500, evVoltageV: 800 }], { nowMs: 0 });
    for (const max of [2, 1]) {
      const c = ringConfig({ maxModulesPerGun: max });
      const ctx = buildContext(c, observed, null);
      const a = ringSolver(ctx, ringLayout(ctx)).search(null).guns[0];
      assert.equal(reasonFor(ctx, a, a.budgetKW, memo), reasonFor(ctx, a, a.budgetKW, null));
      assert.match(reasonFor(ctx, a, a.budgetKW, memo) ?? "", new RegExp(`policy max ${max} module`));
    }
  });

  it("the scratch lists never end up in a plan: a later plan of the chain changes nothing of an earlier one", () => {
    const a = observe([{ id: 1, requestKW: 50, charging: true }, { id: 5, requestKW: 50, charging: true }], { nowMs: 0 });
    const b = observe([{ id: 1, requestKW: 50, charging: true }, { id: 7, requestKW: 50, charging: true }], { nowMs: 100 });
    const c = observe([{ id: 3, requestKW: 80, charging: true }], { nowMs: 200 });
    const first = plan(config, a, null);
    const second = plan(config, b, first);
    const kept = copyPlan(second);
    plan(config, c, second);
    assertSamePlan(second, kept);
    // A plan made from `second` with `c` again: compared with second's own positions, not
    // with whatever the scratch list holds now.
    assertSamePlan(plan(config, c, second), plan(config, c, kept));
  });

  it("a gun that stops gets an all-zero plan; an idle gun keeps the previous one only when it is exactly that", () => {
    const charging = observe([{ id: 1, requestKW: 50, charging: true }, { id: 2, requestKW: 40, charging: true }], { nowMs: 0 });
    const first = plan(config, charging, null);
    assert.ok(first.guns[1].setpointKW > 0);
    const stopped = plan(config, observe([{ id: 1, requestKW: 50, charging: true }], { nowMs: 100 }), first);
    assert.deepStrictEqual(stopped.guns[1], {
      id: 2, clampedRequestKW: 0, budgetKW: 0, setpointKW: 0, modules: [], islandSlots: [], voltageSetpointV: 0, currentLimitA: 0, reason: null,
    });
    assert.equal(stopped.guns[5], first.guns[5], "an idle gun's plan is handed on");
    // A previous idle plan with a -0 is not the all-zero plan (+0): not handed on.
    const odd = copyPlan(first);
    odd.guns[5] = { ...odd.guns[5], budgetKW: -0 };
    const next = plan(config, observe([{ id: 1, requestKW: 50, charging: true }], { nowMs: 100 }), odd);
    assert.ok(Object.is(next.guns[5].budgetKW, 0));
  });

  it("property: an observation in config order plans as the same observation out of order, along a chain", () => {
    fc.assert(
      fc.property(ringCase(12), fc.array(fc.double({ min: 0, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 3 }), (c, scales) => {
        let ordered = fullObservation(c.config, c.observed);
        let byPosition: Plan = plan(c.config, ordered, null);
        let byMap: Plan = plan(c.config, reversed(ordered), null);
        assertSamePlan(byPosition, byMap);
        for (const scale of scales) {
          ordered = { ...ordered, nowMs: ordered.nowMs + 100, guns: ordered.guns.map((g) => ({ ...g, requestKW: g.requestKW * scale })) };
          byPosition = plan(c.config, ordered, byPosition);
          byMap = plan(c.config, reversed(ordered), byMap);
          assertSamePlan(byPosition, byMap);
        }
      }),
      { numRuns: runs(100) },
    );
  });

  it("a duplicate id in the observation: the last entry wins, in order or not", () => {
    const full = fullObservation(config, observe([{ id: 1, requestKW: 50 }], { nowMs: 0 }));
    // One entry more than the config has modules: read through the Map, M1_0 failed.
    const withDuplicate = { ...full, modules: [...full.modules, { id: "M1_0", healthy: false, tempC: 25, operatingHours: 0 }] };
    const p = plan(config, withDuplicate, null);
    assert.ok(!p.modulesOn.includes("M1_0"));
    const gunTwice = { ...full, guns: [...full.guns, { ...full.guns[0], active: false }] };
    assert.equal(plan(config, gunTwice, null).guns[0].setpointKW, 0);
  });

  it("property: the ring search's positions by slot id are its requiredPositions Map (built on first read)", () => {
    fc.assert(
      fc.property(ringCase(12), (c) => {
        const ctx = buildContext(c.config, c.observed, null);
        const a = ringSolver(ctx, ringLayout(ctx)).search(null);
        const bySlotId = a.requiredBySlotId ?? [];
        const map = a.requiredPositions;
        assert.equal(a.requiredPositions, map, "built once");
        for (const slot of c.config.slots) assert.equal(bySlotId[slot.id], map.get(slot.mc), `slot ${slot.id}`);
        let listed = 0;
        for (const p of bySlotId) if (p !== undefined) listed++;
        assert.equal(listed, map.size);
      }),
      { numRuns: runs(150) },
    );
  });
});
