/**
 * Seed 000 appendix C.3 end to end: the site EMS lowers the grid limit while four
 * guns charge, then raises it again. The new limit is in the plan of the next
 * control cycle; the measured power follows (at once when lowered, at the
 * policy current ramp when raised).
 */
import { strict as assert } from "assert";
import { EV400, flowRig, observerViolations, runUntilCurrent, type FlowRig } from "./harness";

const GUNS = [1, 4, 7, 10];
const LOW_KW = 150;
const HIGH_KW = 360;

function measuredKW(rig: FlowRig): number {
  let kW = 0;
  for (const g of GUNS) {
    const m = rig.cab.sim.hal.sensors.gun(g);
    kW += (m.voltageV * m.currentA) / 1000;
  }
  return kW;
}

const sumBudgetsKW = (plan: { guns: { budgetKW: number }[] }) => plan.guns.reduce((s, g) => s + g.budgetKW, 0);

describe("flow C.3: grid limit change with 4 guns charging (ring-12x2)", function () {
  this.timeout(30_000);
  let rig: FlowRig;
  let lowAtMs: number;
  let highAtMs: number;
  const power: { atMs: number; kW: number }[] = [];

  before(() => {
    rig = flowRig({ watchGuns: GUNS });
    rig.runUntil(500);
    for (const g of GUNS) rig.cab.sim.plant.plug(g, EV400);
    rig.runUntilTrue("all charging", () => GUNS.every((g) => rig.cab.controller.sessions.view(g)?.state === "CHARGING"), 15_000);
    for (const g of GUNS) runUntilCurrent(rig, g, 140);
    rig.cab.sim.runner.onStep((atMs) => power.push({ atMs, kW: measuredKW(rig) }));
    rig.runUntil(rig.now() + 333); // between two control cycles
    lowAtMs = rig.now();
    assert.deepEqual(rig.cab.controller.setGridLimit(LOW_KW), { ok: true });
    rig.runUntil(lowAtMs + 3000);
    highAtMs = rig.now();
    assert.deepEqual(rig.cab.controller.setGridLimit(HIGH_KW), { ok: true });
    rig.runUntil(highAtMs + 4000);
  });

  it("serves all four guns at 60 kW each before the change (240 kW < 360 kW)", () => {
    const before = rig.plans.filter((p) => p.atMs < lowAtMs).pop()!;
    assert.equal(Math.round(sumBudgetsKW(before.plan)), 240);
    const kW = power.find((p) => p.atMs >= lowAtMs - 1)!.kW;
    assert.ok(Math.abs(kW - 240) < 8, `measured ${kW.toFixed(1)} kW`);
  });

  it("a lowered limit is in the plan of the next control cycle", () => {
    const next = rig.plansFrom(lowAtMs)[0];
    assert.ok(next.atMs - lowAtMs <= rig.config.timing.controlPeriodMs, `first plan ${next.atMs - lowAtMs} ms after the change`);
    assert.ok(sumBudgetsKW(next.plan) <= LOW_KW + 1e-6, `budgets ${sumBudgetsKW(next.plan).toFixed(1)} kW > ${LOW_KW} kW`);
    assert.ok(next.plan.capacityKW <= LOW_KW + 1e-6);
    // Shared equally (equal priorities): 37.5 kW each, still two modules per gun (no re-segmentation).
    for (const g of GUNS) {
      const gp = rig.gunPlan(next, g)!;
      assert.ok(Math.abs(gp.budgetKW - LOW_KW / GUNS.length) < 0.01, `gun ${g} budget ${gp.budgetKW}`);
      assert.match(gp.reason ?? "", /grid/);
    }
    // Every later plan keeps it.
    for (const p of rig.plans.filter((x) => x.atMs >= next.atMs && x.atMs < highAtMs)) assert.ok(sumBudgetsKW(p.plan) <= LOW_KW + 1e-6);
  });

  it("the offered currents drop in the fast tick after that plan, and the measured power follows within 0.5 s", () => {
    const next = rig.plansFrom(lowAtMs)[0];
    for (const g of GUNS) {
      const gp = rig.gunPlan(next, g)!;
      const s = rig.samples.get(g)!.find((x) => x.atMs >= next.atMs + rig.config.timing.fastPeriodMs)!;
      assert.ok(s.offeredA <= gp.currentLimitA + 1e-6, `gun ${g} offered ${s.offeredA.toFixed(1)} A > planned ${gp.currentLimitA.toFixed(1)} A`);
    }
    const settled = power.find((p) => p.atMs > lowAtMs && p.kW <= LOW_KW * 1.02);
    assert.ok(settled, "measured power never came down to the limit");
    assert.ok(settled.atMs - lowAtMs <= 500, `measured power at the limit ${settled.atMs - lowAtMs} ms after the change`);
    for (const p of power.filter((x) => x.atMs >= settled.atMs && x.atMs < highAtMs)) assert.ok(p.kW <= LOW_KW * 1.02, `${p.kW.toFixed(1)} kW at ${p.atMs} ms`);
    // No contactor moved: lowering power needs no switching.
    assert.deepEqual(rig.contactorCmds.filter((c) => c.atMs >= lowAtMs && c.atMs < highAtMs).map((c) => c.id), []);
  });

  it("a raised limit is in the next plan; the power ramps back at the policy rate", () => {
    const next = rig.plansFrom(highAtMs)[0];
    assert.ok(next.atMs - highAtMs <= rig.config.timing.controlPeriodMs);
    assert.equal(Math.round(sumBudgetsKW(next.plan)), 240);
    // The current comes back at currentRampAPerS, not in one step.
    const rampAPerS = rig.config.policy.currentRampAPerS;
    for (const g of GUNS) {
      const samples = rig.samples.get(g)!.filter((s) => s.atMs >= highAtMs);
      const startA = samples[0].offeredA;
      for (const s of samples) {
        const allowed = startA + (rampAPerS * (s.atMs - highAtMs + rig.config.timing.fastPeriodMs)) / 1000 + 1e-6;
        assert.ok(s.offeredA <= allowed, `gun ${g}: ${s.offeredA.toFixed(1)} A at ${s.atMs - highAtMs} ms (ramp allows ${allowed.toFixed(1)} A)`);
      }
    }
    const back = power.find((p) => p.atMs > highAtMs && p.kW >= 0.97 * 240);
    assert.ok(back, "measured power never returned to 240 kW");
    const rampMs = ((146 - 94) / rampAPerS) * 1000;
    assert.ok(back.atMs - highAtMs >= 0.5 * rampMs, `back at 240 kW after ${back.atMs - highAtMs} ms: faster than the ramp`);
    assert.ok(back.atMs - highAtMs <= rampMs + 1500, `back at 240 kW only after ${back.atMs - highAtMs} ms`);
  });

  it("keeps every DESIGN.md §5 invariant (independent observer)", () => {
    assert.deepEqual(observerViolations(rig), []);
  });
});
