import { strict as assert } from "assert";
import { SessionBench } from "./bench";

function sessionEvents(b: SessionBench, gunId = 1): { type: string; reason?: string }[] {
  return b.events.filter((e) => e.gunId === gunId).map((e) => (e.reason ? { type: e.type, reason: e.reason } : { type: e.type }));
}

describe("gun sessions: C.2 clean session end with a reason", () => {
  it("EV unplug mid-charge (§11.10): RAMP_DOWN, wait for zero current and open GC, then IDLE", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.events.length = 0;
    b.setEv(1, { plugged: false, ready: false, requestCurrentA: 0 });
    assert.deepEqual(b.cycle(1), ["StoppingCharging"]);
    let view = b.manager.view(1);
    assert.ok(view);
    assert.equal(view.state, "RAMP_DOWN");
    assert.equal(view.active, false, "no longer allocated: its modules go back to the pool");
    assert.equal(view.charging, true, "GC still closed: the planner must treat it as charging");
    assert.equal(view.rampToZero, true);
    assert.equal(view.shutdown, "ramp");
    assert.equal(view.requestKW, 0);

    // Current still flowing: the GC must stay closed (DESIGN.md §5.3) and the session waits.
    b.setPower(1, { currentAtZero: false, gcClosed: true });
    assert.deepEqual(b.cycle(1), []);
    b.setPower(1, { currentAtZero: true, gcClosed: true });
    assert.deepEqual(b.cycle(1), [], "current at zero but GC not yet open");
    b.rampedDown(1);
    assert.deepEqual(b.cycle(1), ["ChargingFinished", "TransactionFinished", "SessionFinished"]);
    view = b.manager.view(1);
    assert.equal(view?.state, "IDLE");
    assert.equal(view?.session, null);
    assert.deepEqual(sessionEvents(b), [
      { type: "StoppingCharging", reason: "evDisconnected" },
      { type: "ChargingFinished", reason: "evDisconnected" },
      { type: "TransactionFinished", reason: "evDisconnected" },
      { type: "SessionFinished", reason: "evDisconnected" },
    ]);
  });

  it("EV stop request: transaction ends, session ends when the EV is unplugged, no restart while plugged", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.events.length = 0;
    b.setEv(1, { stopRequested: true, requestCurrentA: 0 });
    assert.deepEqual(b.cycle(1), ["StoppingCharging"]);
    b.rampedDown(1);
    assert.deepEqual(b.cycle(1), ["ChargingFinished", "TransactionFinished"]);
    assert.equal(b.state(1), "FINISHED");
    assert.equal(b.manager.view(1)?.session?.stopReason, "evStop");
    assert.ok(b.manager.view(1)?.session?.transactionEndedAtMs !== null);
    // Still plugged, even if the EV clears its stop flag: no new session on the same plug-in.
    b.setEv(1, { stopRequested: false });
    assert.deepEqual(b.cycle(1), []);
    assert.equal(b.state(1), "FINISHED");
    b.setEv(1, { plugged: false });
    assert.deepEqual(b.cycle(1), ["SessionFinished"]);
    assert.equal(b.state(1), "IDLE");
    assert.deepEqual(sessionEvents(b).map((e) => e.reason), ["evStop", "evStop", "evStop", "evStop"]);
  });

  it("remote stop: ends with reason remoteStop; refused without a session", () => {
    const b = new SessionBench();
    assert.deepEqual(b.manager.remoteStop(1), { ok: false, error: "gun 1 has no session to stop" });
    b.toCharging(1);
    b.events.length = 0;
    assert.deepEqual(b.manager.remoteStop(1), { ok: true });
    assert.equal(b.state(1), "CHARGING", "commands take effect at the next control cycle");
    assert.deepEqual(b.cycle(1), ["StoppingCharging"]);
    assert.deepEqual(b.manager.remoteStop(1), { ok: true }, "stopping twice is harmless");
    b.rampedDown(1);
    b.cycle(1);
    b.setEv(1, { plugged: false });
    b.cycle(1);
    assert.deepEqual(sessionEvents(b), [
      { type: "StoppingCharging", reason: "remoteStop" },
      { type: "ChargingFinished", reason: "remoteStop" },
      { type: "TransactionFinished", reason: "remoteStop" },
      { type: "SessionFinished", reason: "remoteStop" },
    ]);
  });

  it("fault: FAULT at once, transaction ends once current is zero and GC open, gun unavailable until cleared", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.events.length = 0;
    b.setPower(1, { faulted: true, faultSeverity: "error", faultDetail: "IMD 80 kOhm on island 1" });
    assert.deepEqual(b.cycle(1), ["StoppingCharging"]);
    let view = b.manager.view(1);
    assert.ok(view);
    assert.equal(view.state, "FAULT");
    assert.equal(view.active, false);
    assert.equal(view.shutdown, "ramp");
    assert.equal(view.session?.faultDetail, "IMD 80 kOhm on island 1");
    assert.equal(b.events[0].detail, "IMD 80 kOhm on island 1");
    b.rampedDown(1);
    assert.deepEqual(b.cycle(1), ["ChargingFinished", "TransactionFinished"]);
    assert.equal(b.state(1), "FAULT");
    assert.deepEqual(b.manager.authorize(1, "X"), { ok: false, error: "gun 1 is faulted" });
    // Unplug while the fault persists: the session ends, the gun stays FAULT.
    b.setEv(1, { plugged: false });
    assert.deepEqual(b.cycle(1), ["SessionFinished"]);
    assert.equal(b.state(1), "FAULT");
    // Plugging in again while faulted starts nothing.
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), []);
    b.setPower(1, { faulted: false, faultSeverity: undefined, faultDetail: undefined });
    b.setEv(1, { plugged: false });
    b.cycle(1);
    view = b.manager.view(1);
    assert.equal(view?.state, "IDLE");
    assert.deepEqual(sessionEvents(b).map((e) => e.reason), ["fault", "fault", "fault", "fault"]);
  });

  it("an emergency fault asks for an immediate shutdown, not a ramp", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.setPower(1, { faulted: true, faultSeverity: "emergency", faultDetail: "over-voltage 1120 V" });
    b.cycle(1);
    const view = b.manager.view(1);
    assert.equal(view?.shutdown, "emergency");
    assert.equal(view?.session?.faultSeverity, "emergency");
  });

  it("a fault cleared while the EV is still plugged leaves the session FINISHED until unplug", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.setPower(1, { faulted: true });
    b.cycle(1);
    b.rampedDown(1);
    b.setPower(1, { faulted: false });
    b.cycle(1);
    assert.equal(b.state(1), "FINISHED");
    b.setEv(1, { plugged: false });
    assert.deepEqual(b.cycle(1), ["SessionFinished"]);
    assert.equal(b.state(1), "IDLE");
  });

  it("a fault in an idle gun makes it unavailable, and it recovers to IDLE", () => {
    const b = new SessionBench();
    b.setPower(1, { faulted: true, faultSeverity: "error", faultDetail: "GC_1 welded" });
    assert.deepEqual(b.cycle(1), []);
    assert.equal(b.state(1), "FAULT");
    b.setPower(1, { faulted: false });
    b.cycle(1);
    assert.equal(b.state(1), "IDLE");
  });

  it("unplug before the transaction ends the session without transaction events", () => {
    const b = new SessionBench();
    b.setEv(1, { plugged: true });
    b.cycle(1);
    b.setEv(1, { plugged: false });
    assert.deepEqual(b.cycle(1), ["SessionFinished"]);
    assert.deepEqual(sessionEvents(b), [{ type: "SessionStarted" }, { type: "AuthRequired" }, { type: "SessionFinished", reason: "evDisconnected" }]);
  });

  it("a fault during ramp-down keeps the first reason and does not repeat StoppingCharging", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.events.length = 0;
    b.manager.remoteStop(1);
    b.cycle(1);
    b.setPower(1, { faulted: true, faultDetail: "GC_1 feedback" });
    assert.deepEqual(b.cycle(1), []);
    b.rampedDown(1);
    assert.deepEqual(b.cycle(1), ["ChargingFinished", "TransactionFinished"]);
    assert.deepEqual(sessionEvents(b).map((e) => e.reason), ["remoteStop", "remoteStop", "remoteStop"]);
    assert.equal(b.manager.view(1)?.session?.faultDetail, "GC_1 feedback");
  });
});
