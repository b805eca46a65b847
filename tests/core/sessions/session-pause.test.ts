import { strict as assert } from "assert";
import { SessionBench } from "./bench";

describe("gun sessions: pauses", () => {
  it("paused by the EV: leaves allocation, resumes through PrepareCharging", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.setEv(1, { paused: true });
    assert.deepEqual(b.cycle(1), ["ChargingPausedEV"]);
    let view = b.manager.view(1);
    assert.equal(view?.state, "PAUSED_EV");
    assert.equal(view?.active, false);
    assert.equal(view?.rampToZero, true);
    b.rampedDown(1);
    b.cycle(1);
    assert.equal(b.state(1), "PAUSED_EV", "the GC opening does not end a paused session");
    b.setEv(1, { paused: false });
    assert.deepEqual(b.cycle(1), ["PrepareCharging"]);
    view = b.manager.view(1);
    assert.equal(view?.state, "READY");
    assert.equal(view?.active, true);
    b.setPower(1, { islandReady: true, precharged: true, gcClosed: true });
    assert.deepEqual(b.cycle(1), ["ChargingStarted"]);
  });

  it("paused by the EVSE when no power is available (C.4), still a candidate for allocation", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.gun(1).grantedKW = 0; // all modules of its slot failed
    assert.deepEqual(b.cycle(1), ["ChargingPausedEVSE"]);
    const paused = b.events[b.events.length - 1];
    assert.deepEqual(paused.pauseReasons, ["noPower"]);
    const view = b.manager.view(1);
    assert.equal(view?.state, "PAUSED_EVSE");
    assert.equal(view?.active, true, "it waits for power: the planner must keep considering it");
    assert.equal(view?.requestKW, 80);
    assert.equal(view?.rampToZero, true);
    assert.deepEqual(b.cycle(1), [], "same reasons: no repeated event");
    b.gun(1).grantedKW = 30;
    assert.deepEqual(b.cycle(1), ["PrepareCharging", "ChargingStarted"]);
    // Island still up and GC still closed: back to CHARGING in the same cycle.
    assert.equal(b.state(1), "CHARGING");
  });

  it("does not take the stale budget of a plan made before the gun was active as 'no power'", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.gun(1).grantedKW = 0; // the previous plan did not know this gun
    b.setEv(1, { plugged: true, ready: true, requestCurrentA: 100, requestVoltageV: 500 });
    b.cycle(1);
    assert.equal(b.state(1), "READY");
    // Next cycle the plan was made with the gun active: 0 kW now means no power.
    assert.deepEqual(b.cycle(1), ["ChargingPausedEVSE"]);
  });

  it("an EV asking for 0 A is not paused for lack of power", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.setEv(1, { plugged: true, ready: true, requestCurrentA: 0, requestVoltageV: 500 });
    b.gun(1).grantedKW = 0;
    b.cycle(1);
    b.cycle(1);
    assert.equal(b.state(1), "READY");
  });

  it("a stale limit pauses the gun out of allocation; the event repeats when the reasons change", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.gun(1).limitExpired = true;
    assert.deepEqual(b.cycle(1), ["ChargingPausedEVSE"]);
    assert.deepEqual(b.events[b.events.length - 1].pauseReasons, ["limitExpired"]);
    assert.equal(b.manager.view(1)?.active, false);
    b.manager.pauseCharging(1);
    assert.deepEqual(b.cycle(1), ["ChargingPausedEVSE"]);
    assert.deepEqual(b.events[b.events.length - 1].pauseReasons, ["commanded", "limitExpired"]);
    b.gun(1).limitExpired = false;
    b.cycle(1);
    assert.deepEqual(b.manager.view(1)?.pauseReasons, ["commanded"]);
    assert.deepEqual(b.manager.resumeCharging(1), { ok: true });
    assert.deepEqual(b.cycle(1).slice(0, 1), ["PrepareCharging"]);
  });

  it("stops a paused session on unplug with reason evDisconnected", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.setEv(1, { paused: true });
    b.cycle(1);
    b.setEv(1, { plugged: false });
    assert.deepEqual(b.cycle(1), ["StoppingCharging"]);
    b.rampedDown(1);
    assert.deepEqual(b.cycle(1), ["ChargingFinished", "TransactionFinished", "SessionFinished"]);
  });
});
