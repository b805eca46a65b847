import { strict as assert } from "assert";
import { SessionBench } from "./bench";

/** The less travelled transitions of the table in docs/sessions.md. */
describe("gun sessions: remaining transitions", () => {
  it("ISLAND_READY -> READY when the island is lost before the GC closes", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.setEv(1, { plugged: true, ready: true, requestCurrentA: 10, requestVoltageV: 400 });
    b.setPower(1, { islandReady: true, precharged: true });
    b.cycle(1);
    assert.equal(b.state(1), "ISLAND_READY");
    b.setPower(1, { islandReady: false, precharged: false });
    assert.deepEqual(b.cycle(1), []);
    assert.equal(b.state(1), "READY");
  });

  it("EV_DETECTED -> FINISHED on remote stop, EV stop or disable before the transaction (no transaction events)", () => {
    for (const [stop, reason] of [["remote", "remoteStop"], ["ev", "evStop"], ["disable", "disabled"]] as const) {
      const b = new SessionBench([1]);
      b.setEv(1, { plugged: true });
      b.cycle(1);
      if (stop === "remote") assert.deepEqual(b.manager.remoteStop(1), { ok: true });
      if (stop === "ev") b.setEv(1, { stopRequested: true });
      if (stop === "disable") b.manager.disable(1);
      assert.deepEqual(b.cycle(1), [], reason);
      assert.equal(b.state(1), "FINISHED", reason);
      assert.equal(b.manager.view(1)?.session?.stopReason, reason);
      b.setEv(1, { plugged: false, stopRequested: false });
      const last = b.cycle(1);
      assert.deepEqual(last, stop === "disable" ? ["SessionFinished", "Disabled"] : ["SessionFinished"], reason);
      assert.equal(b.events.find((e) => e.type === "SessionFinished")?.reason, reason);
      assert.equal(b.events.some((e) => e.type === "TransactionFinished" || e.type === "StoppingCharging"), false);
    }
  });

  it("PAUSED_EV and PAUSED_EVSE -> RAMP_DOWN on remote stop", () => {
    for (const pause of ["ev", "evse"] as const) {
      const b = new SessionBench();
      b.toCharging(1);
      if (pause === "ev") b.setEv(1, { paused: true });
      else b.manager.pauseCharging(1);
      b.cycle(1);
      assert.equal(b.state(1), pause === "ev" ? "PAUSED_EV" : "PAUSED_EVSE");
      b.manager.remoteStop(1);
      assert.deepEqual(b.cycle(1), ["StoppingCharging"]);
      assert.equal(b.state(1), "RAMP_DOWN");
      assert.deepEqual(b.manager.view(1)?.pauseReasons, []);
    }
  });

  it("a fault while waiting for authorization ends the session with reason fault after unplug", () => {
    const b = new SessionBench([1]);
    b.setEv(1, { plugged: true });
    b.cycle(1);
    b.setPower(1, { faulted: true, faultDetail: "IMD self-test failed" });
    assert.deepEqual(b.cycle(1), [], "no transaction yet: nothing to stop");
    assert.equal(b.state(1), "FAULT");
    b.setPower(1, { faulted: false });
    b.cycle(1);
    assert.equal(b.state(1), "FINISHED");
    b.setEv(1, { plugged: false });
    assert.deepEqual(b.cycle(1), ["SessionFinished"]);
    assert.equal(b.events[b.events.length - 1].reason, "fault");
  });

  it("a disabled gun that faults returns to DISABLED when the fault clears", () => {
    const b = new SessionBench([1]);
    b.manager.disable(1);
    b.cycle(1);
    b.setPower(1, { faulted: true });
    b.cycle(1);
    assert.equal(b.state(1), "FAULT");
    b.setPower(1, { faulted: false });
    b.cycle(1);
    assert.equal(b.state(1), "DISABLED");
  });
});
