import { strict as assert } from "assert";
import { SessionBench } from "./bench";

describe("gun sessions: authorization and reservation hooks", () => {
  it("a remote start before plug-in authorizes the next session (no AuthRequired)", () => {
    const asked: number[] = [];
    const b = new SessionBench([1], { hooks: { requestAuthorization: (gunId) => asked.push(gunId) } });
    b.cycle();
    assert.deepEqual(b.manager.remoteStart(1, "APP-7"), { ok: true });
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), ["SessionStarted", "Authorized"]);
    assert.deepEqual(asked, []);
    assert.equal(b.manager.view(1)?.session?.idToken, "APP-7");
  });

  it("a remote start expires if nobody plugs in within the timeout", () => {
    const b = new SessionBench([1], { preAuthorizationTimeoutMs: 1000 });
    b.cycle(); // t = 0
    b.manager.remoteStart(1, "APP-7");
    for (let i = 0; i < 10; i++) b.cycle(); // t = 100 .. 1000
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), ["SessionStarted", "AuthRequired"]);
    assert.ok(b.logs.some((l) => /remote start for APP-7 expired before plug-in/.test(l)));
  });

  it("withdrawing authorization before charging began ends the transaction as deauthorized", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.setEv(1, { plugged: true, ready: true, requestCurrentA: 10, requestVoltageV: 400 });
    b.cycle(1);
    assert.equal(b.state(1), "READY");
    assert.deepEqual(b.manager.withdrawAuthorization(1), { ok: true });
    // No GC was ever closed and no current flows: the stop completes in the same cycle.
    assert.deepEqual(b.cycle(1), ["StoppingCharging", "ChargingFinished", "TransactionFinished"]);
    assert.deepEqual(b.events.slice(-3).map((e) => e.reason), ["deauthorized", "deauthorized", "deauthorized"]);
    assert.equal(b.state(1), "FINISHED");
  });

  it("withdrawing authorization while waiting asks for authorization again; refused once charging began", () => {
    const b = new SessionBench();
    b.setEv(1, { plugged: true });
    b.cycle(1);
    b.manager.authorize(1, "T1");
    b.cycle(1);
    assert.deepEqual(b.manager.withdrawAuthorization(1), { ok: true });
    assert.deepEqual(b.cycle(1), ["AuthRequired"]);
    assert.equal(b.manager.view(1)?.authorized, false);
    b.setEv(1, { plugged: false });
    b.cycle(1);
    b.toCharging(1);
    assert.deepEqual(b.manager.withdrawAuthorization(1), { ok: false, error: "gun 1: charging has begun; use remoteStop" });
  });

  it("refuses bad or unexpected authorization commands with a clear error", () => {
    const b = new SessionBench();
    assert.deepEqual(b.manager.authorize(7, "T"), { ok: false, error: "gunId: no gun 7 in this cabinet" });
    assert.deepEqual(b.manager.authorize(1, ""), { ok: false, error: 'idToken must be a non-empty string, got ""' });
    assert.deepEqual(b.manager.authorize(1, 42 as unknown as string), { ok: false, error: "idToken must be a non-empty string, got 42" });
    b.toCharging(1);
    assert.deepEqual(b.manager.authorize(1, "T2"), { ok: false, error: "gun 1: no authorization expected in state CHARGING (already authorized)" });
    assert.deepEqual(b.manager.withdrawAuthorization(2), { ok: false, error: "gun 2 has no authorization to withdraw" });
  });

  it("a reservation holds the gun for its token, is used up by that session, and is announced", () => {
    const b = new SessionBench();
    b.cycle();
    assert.deepEqual(b.manager.reserve(1, "R-1", "VIP", null), { ok: true });
    assert.deepEqual(b.cycle(1), ["ReservationStart"]);
    assert.deepEqual(b.manager.view(1)?.reservation, { reservationId: "R-1", idToken: "VIP", expiresAtMs: null });
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), ["SessionStarted", "AuthRequired"]);
    assert.deepEqual(b.manager.authorize(1, "SOMEONE"), { ok: false, error: "gun 1 is reserved (reservation R-1) for another token" });
    assert.deepEqual(b.manager.authorize(1, "VIP"), { ok: true });
    assert.deepEqual(b.cycle(1), ["ReservationEnd", "Authorized"]);
    const view = b.manager.view(1);
    assert.equal(view?.reservation, null);
    assert.equal(view?.session?.reservationId, "R-1");
    assert.equal(b.events.find((e) => e.type === "ReservationEnd")?.reservationId, "R-1");
  });

  it("a reservation expires, can be cancelled, and is refused on an occupied gun", () => {
    const b = new SessionBench();
    b.cycle(); // t = 0
    b.manager.reserve(1, "R-1", null, 250);
    assert.deepEqual(b.cycle(1), ["ReservationStart"]); // t = 100
    assert.deepEqual(b.cycle(1), []); // t = 200
    assert.deepEqual(b.cycle(1), ["ReservationEnd"]); // t = 300 >= 250
    b.manager.reserve(1, "R-2");
    assert.deepEqual(b.manager.cancelReservation(1, "R-9"), { ok: false, error: 'gun 1: reservationId "R-9" does not match "R-2"' });
    assert.deepEqual(b.manager.cancelReservation(1, "R-2"), { ok: true });
    assert.deepEqual(b.cycle(1), ["ReservationStart", "ReservationEnd"]);
    assert.deepEqual(b.manager.cancelReservation(1), { ok: false, error: "gun 1 has no reservation" });
    b.toCharging(2);
    assert.deepEqual(b.manager.reserve(2, "R-3"), { ok: false, error: "gun 2 is occupied (state CHARGING)" });
    assert.deepEqual(b.manager.reserve(1, ""), { ok: false, error: 'reservationId must be a non-empty string, got ""' });
  });

  it("uses the reservation hook when one is plugged in (OCPP group tokens)", () => {
    const b = new SessionBench([1], { hooks: { reservationAccepts: (r, token) => token.startsWith(`${r.idToken}-`) } });
    b.cycle();
    b.manager.reserve(1, "R-1", "FLEET");
    assert.equal(b.manager.remoteStart(1, "OTHER").ok, false);
    assert.deepEqual(b.manager.remoteStart(1, "FLEET-12"), { ok: true });
    b.setEv(1, { plugged: true });
    b.cycle(1);
    assert.equal(b.manager.view(1)?.session?.idToken, "FLEET-12");
    assert.equal(b.manager.view(1)?.session?.reservationId, "R-1");
  });

  it("free vend does not bypass a reservation for another token", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.cycle();
    b.manager.reserve(1, "R-1", "VIP");
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), ["ReservationStart", "SessionStarted", "AuthRequired"]);
  });
});

describe("gun sessions: disable and enable", () => {
  it("a disabled gun starts no session; enabling it starts one for an EV already plugged", () => {
    const b = new SessionBench();
    assert.deepEqual(b.manager.disable(1), { ok: true });
    assert.deepEqual(b.cycle(1), ["Disabled"]);
    assert.equal(b.state(1), "DISABLED");
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), []);
    assert.deepEqual(b.manager.authorize(1, "T"), { ok: false, error: "gun 1 is disabled" });
    assert.deepEqual(b.manager.reserve(1, "R"), { ok: false, error: "gun 1 is disabled" });
    assert.deepEqual(b.manager.enable(1), { ok: true });
    assert.deepEqual(b.cycle(1), ["Enabled", "SessionStarted", "AuthRequired"]);
  });

  it("disabling a gun mid-charge stops the session cleanly (reason disabled), then the gun is DISABLED", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.events.length = 0;
    b.manager.disable(1);
    assert.deepEqual(b.cycle(1), ["StoppingCharging"]);
    assert.equal(b.events[0].reason, "disabled");
    b.rampedDown(1);
    assert.deepEqual(b.cycle(1), ["ChargingFinished", "TransactionFinished"]);
    assert.equal(b.state(1), "FINISHED");
    b.setEv(1, { plugged: false });
    assert.deepEqual(b.cycle(1), ["SessionFinished", "Disabled"]);
    assert.equal(b.state(1), "DISABLED");
    assert.equal(b.manager.view(1)?.active, false);
  });

  it("disabling a gun drops a pending remote start", () => {
    const b = new SessionBench();
    b.cycle();
    b.manager.remoteStart(1, "APP");
    b.manager.disable(1);
    b.manager.enable(1);
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), ["SessionStarted", "AuthRequired"]);
  });
});
