/**
 * Two flows of issue 5 through the whole controller:
 * - a gun limit that is not refreshed expires: that gun's budget is 0 in the first
 *   control cycle at or after the expiry and its current ramps to zero (seed 003
 *   energy-limit timeouts), while a gun whose limit is refreshed keeps charging;
 * - zero active guns (seed 000 §11.1): GCs and MNs open, modules off, and the ring
 *   MCs in the position `policy.idleRingMc` asks for, at boot and after the last
 *   session ended.
 */
import { strict as assert } from "assert";
import { EV400, flowRig, observerViolations, plugAndCharge, runUntilCurrent, type FlowRig } from "./harness";

describe("flow: stale gun limit through the controller (ring-12x2, guns 3 and 6)", function () {
  this.timeout(30_000);
  const VALID_MS = 3000;
  let rig: FlowRig;
  let setMs: number;
  let expiryMs: number;
  let refreshMs: number;

  before(() => {
    rig = flowRig({ watchGuns: [3, 6], watchContactors: ["GC_3"] });
    rig.runUntil(500);
    rig.cab.sim.plant.plug(6, EV400);
    plugAndCharge(rig, 3);
    runUntilCurrent(rig, 3, 100);
    runUntilCurrent(rig, 6, 100);
    rig.runUntil(rig.now() + 37); // not on a control-cycle boundary
    setMs = rig.now();
    assert.deepEqual(rig.cab.controller.setGunLimit(3, "ocpp", 40, VALID_MS), { ok: true });
    assert.deepEqual(rig.cab.controller.setGunLimit(6, "ocpp", 50, VALID_MS), { ok: true });
    expiryMs = setMs + VALID_MS;
    // Gun 6's source refreshes its limit every second; gun 3's falls silent.
    for (let t = setMs + 1000; t < expiryMs + 4000; t += 1000) {
      rig.runUntil(t);
      rig.cab.controller.setGunLimit(6, "ocpp", 50, VALID_MS);
    }
    rig.runUntil(expiryMs + 4000);
    refreshMs = rig.now();
    rig.cab.controller.setGunLimit(3, "ocpp", 40, VALID_MS);
    rig.runUntilTrue("gun 3 charging again", () => rig.cab.controller.sessions.view(3)?.state === "CHARGING", 8000);
    runUntilCurrent(rig, 3, 50);
  });

  it("applies the fresh limit to the plan within one control cycle", () => {
    const first = rig.plansFrom(setMs)[0];
    assert.ok(first.atMs - setMs <= rig.config.timing.controlPeriodMs);
    assert.equal(rig.gunPlan(first, 3)!.budgetKW, 40);
    assert.equal(rig.gunPlan(first, 6)!.budgetKW, 50);
  });

  it("the expired gun's budget is 0 in the first control cycle at or after the expiry, not before", () => {
    const before = rig.plans.filter((p) => p.atMs >= setMs + 200 && p.atMs < expiryMs);
    assert.ok(before.length >= 25);
    for (const p of before) assert.equal(rig.gunPlan(p, 3)?.budgetKW, 40, `gun 3 at ${p.atMs} ms (before expiry)`);
    const first = rig.plansFrom(expiryMs)[0];
    assert.ok(first.atMs - expiryMs < rig.config.timing.controlPeriodMs, `first plan ${first.atMs - expiryMs} ms after expiry`);
    for (const p of rig.plans.filter((x) => x.atMs >= first.atMs && x.atMs < refreshMs)) assert.equal(rig.gunPlan(p, 3)?.budgetKW ?? 0, 0, `gun 3 budget at ${p.atMs} ms`);
    const paused = rig.eventsOf(3).find((e) => e.type === "ChargingPausedEVSE");
    assert.ok(paused, "no ChargingPausedEVSE");
    assert.ok(paused.atMs >= expiryMs && paused.atMs - expiryMs < rig.config.timing.controlPeriodMs, `paused ${paused.atMs - expiryMs} ms after expiry`);
    assert.deepEqual(paused.pauseReasons, ["limitExpired"]);
  });

  it("the current ramps to zero (at the policy ramp) and the GC opens below the switching current; the transaction continues", () => {
    const samples = rig.samples.get(3)!.filter((s) => s.atMs >= expiryMs && s.atMs < refreshMs);
    const firstPlan = rig.plansFrom(expiryMs)[0].atMs;
    const startA = samples[0].offeredA;
    assert.ok(startA > 80, `offered ${startA} A at expiry`);
    const falling = samples.find((s) => s.offeredA < startA - 1)!;
    assert.ok(falling.atMs - firstPlan <= 2 * rig.config.timing.fastPeriodMs, `ramp started ${falling.atMs - firstPlan} ms after the plan`);
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i].offeredA <= samples[i - 1].offeredA + 1e-9, `offered current rose at ${samples[i].atMs} ms`);
    const zero = samples.find((s) => s.offeredA === 0)!;
    const rampMs = (startA / rig.config.policy.currentRampAPerS) * 1000;
    assert.ok(zero.atMs - firstPlan >= 0.8 * rampMs && zero.atMs - firstPlan <= rampMs + 300, `offered 0 A after ${zero.atMs - firstPlan} ms (ramp ${rampMs.toFixed(0)} ms)`);
    const gcOpen = rig.contactorCmds.find((c) => c.id === "GC_3" && !c.closed && c.atMs >= expiryMs);
    assert.ok(gcOpen, "GC_3 never opened");
    assert.ok(gcOpen.currentA < rig.config.policy.switchingCurrentA, `GC_3 opened carrying ${gcOpen.currentA.toFixed(2)} A`);
    const end = rig.cab.sim.plant.gun(3);
    assert.ok(samples[samples.length - 1].currentA < rig.config.policy.switchingCurrentA, `gun 3 still carries ${end.currentA} A`);
    assert.ok(!rig.eventsOf(3).some((e) => e.type === "TransactionFinished"), "the stale limit ended the transaction");
  });

  it("the refreshed gun keeps charging undisturbed at its limit", () => {
    // (Its source stops refreshing at refreshMs; that limit then expires too.)
    for (const p of rig.plans.filter((x) => x.atMs >= setMs + 200 && x.atMs < refreshMs)) assert.equal(rig.gunPlan(p, 6)?.budgetKW, 50, `gun 6 at ${p.atMs} ms`);
    const six = rig.samples.get(6)!.filter((s) => s.atMs >= setMs + 1000 && s.atMs < refreshMs);
    assert.ok(Math.min(...six.map((s) => s.currentA)) > 100, "gun 6 current dipped");
  });

  it("a refreshed limit resumes the gun (PrepareCharging, ChargingStarted)", () => {
    const after = rig.eventsOf(3).filter((e) => e.atMs >= refreshMs).map((e) => e.type);
    assert.deepEqual(after, ["PrepareCharging", "ChargingStarted"]);
    assert.equal(rig.cab.controller.plan()!.guns.find((g) => g.id === 3)!.budgetKW, 40);
  });

  it("keeps every DESIGN.md §5 invariant (independent observer)", () => {
    assert.deepEqual(observerViolations(rig), []);
  });
});

function assertIdle(rig: FlowRig, mcClosed: boolean, when: string): void {
  const plant = rig.cab.sim.plant;
  for (const slot of rig.config.slots) {
    assert.equal(plant.contactor(slot.mc).auxClosed, mcClosed, `${slot.mc} ${when}`);
    for (const m of slot.modules) assert.equal(plant.module(m.id).running, false, `${m.id} running ${when}`);
  }
  for (const [id, c] of plant.contactors) if (!id.startsWith("MC_")) assert.equal(c.auxClosed, false, `${id} closed ${when}`);
  assert.deepEqual(rig.cab.controller.safety.sequencer.energizedGuns(), []);
}

for (const idleRingMc of ["closed", "open"] as const) {
  describe(`flow §11.1: zero active guns with policy.idleRingMc = "${idleRingMc}" (ring-12x2)`, function () {
    this.timeout(30_000);
    const closed = idleRingMc === "closed";
    let rig: FlowRig;
    let bootIdle: () => void;
    let stopMs: number;

    before(() => {
      rig = flowRig({ policy: { idleRingMc }, watchGuns: [5] });
      rig.runUntil(1000);
      bootIdle = () => assertIdle(rig, closed, "at boot");
      bootIdle();
      plugAndCharge(rig, 5);
      runUntilCurrent(rig, 5, 50);
      stopMs = rig.now();
      rig.cab.sim.plant.unplug(5);
      rig.runUntilTrue("island released", () => rig.cab.controller.safety.sequencer.energizedGuns().length === 0, 3000);
      rig.runUntil(rig.now() + 3000);
    });

    it(closed ? "at boot: every MC stays closed (one ring), every GC and MN open, modules off" : "at boot: every MC is opened within one control cycle, every GC and MN open, modules off", () => {
      const bootCmds = rig.contactorCmds.filter((c) => c.atMs < 1000);
      if (closed) assert.deepEqual(bootCmds.map((c) => c.id), []);
      else {
        assert.deepEqual(bootCmds.map((c) => c.id).sort(), rig.config.slots.map((s) => s.mc).sort());
        for (const c of bootCmds) assert.ok(!c.closed && c.atMs <= rig.config.timing.controlPeriodMs + rig.config.timing.fastPeriodMs, `${c.id} at ${c.atMs} ms`);
      }
    });

    it("while charging, the island's boundary MCs are open whatever the idle policy", () => {
      assert.equal(rig.contactorCmds.filter((c) => (c.id === "MC_4" || c.id === "MC_5") && c.closed && c.atMs < stopMs).length, 0);
      if (closed) assert.ok(rig.contactorCmds.some((c) => c.id === "MC_4" && !c.closed && c.atMs < stopMs));
    });

    it(`after the last session: GC and MNs open, modules off, every MC ${idleRingMc} again`, () => {
      assertIdle(rig, closed, "after the last session");
      const mcCloses = rig.contactorCmds.filter((c) => c.atMs >= stopMs && c.id.startsWith("MC_") && c.closed);
      assert.deepEqual(mcCloses.map((c) => c.id).sort(), closed ? ["MC_4", "MC_5"] : []);
      // An MC closes only once the released bus has discharged: the contacts never met across
      // more than the precharge tolerance (regression: they used to close onto ~270 V).
      for (const move of rig.cab.sim.plant.moves.filter((m) => m.atMs >= stopMs && m.closed && m.id.startsWith("MC_"))) {
        assert.ok(move.deltaV <= rig.config.policy.prechargeToleranceV, `${move.id} closed across ${move.deltaV.toFixed(1)} V`);
      }
    });

    it("keeps every DESIGN.md §5 invariant (independent observer)", () => {
      assert.deepEqual(observerViolations(rig), []);
    });
  });
}
