import { strict as assert } from "assert";
import { SessionBench } from "./bench";

describe("gun sessions: C.1 plug-in to charging", () => {
  it("walks IDLE -> EV_DETECTED -> READY -> ISLAND_READY -> CHARGING with the seed 003 events in order", () => {
    const asked: string[] = [];
    const b = new SessionBench([1, 2], { hooks: { requestAuthorization: (gunId, sessionId) => asked.push(`${gunId}:${sessionId}`) } });
    assert.equal(b.state(1), "IDLE");
    assert.deepEqual(b.cycle(1), []);

    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), ["SessionStarted", "AuthRequired"]);
    assert.equal(b.state(1), "EV_DETECTED");
    const sessionId = b.manager.view(1)?.session?.id;
    assert.ok(sessionId);
    assert.deepEqual(asked, [`1:${sessionId}`]);
    assert.deepEqual(b.manager.observation(1), { active: false, charging: false, requestKW: 0, evVoltageV: 400 });

    assert.deepEqual(b.manager.authorize(1, "RFID-42"), { ok: true });
    assert.deepEqual(b.cycle(1), ["Authorized"], "authorized, but the EV handshake is not done yet");
    assert.equal(b.state(1), "EV_DETECTED");

    b.setEv(1, { ready: true, requestCurrentA: 100, requestVoltageV: 800 });
    assert.deepEqual(b.cycle(1), ["TransactionStarted", "PrepareCharging"]);
    assert.equal(b.state(1), "READY");
    assert.deepEqual(b.manager.observation(1), { active: true, charging: false, requestKW: 80, evVoltageV: 800 });

    b.setPower(1, { islandReady: true });
    assert.deepEqual(b.cycle(1), []);
    assert.equal(b.state(1), "READY", "island up but not precharged: GC may not close");
    b.setPower(1, { precharged: true });
    b.cycle(1);
    assert.equal(b.state(1), "ISLAND_READY");
    assert.equal(b.manager.view(1)?.rampToZero, true);

    b.setPower(1, { gcClosed: true, currentAtZero: false });
    assert.deepEqual(b.cycle(1), ["ChargingStarted"]);
    const view = b.manager.view(1);
    assert.ok(view);
    assert.equal(view.state, "CHARGING");
    assert.equal(view.active, true);
    assert.equal(view.charging, true);
    assert.equal(view.rampToZero, false);
    assert.equal(view.shutdown, "none");
    assert.equal(view.session?.idToken, "RFID-42");
    assert.equal(view.session?.transactionStartedAtMs, 300);

    assert.deepEqual(b.events.filter((e) => e.gunId === 1).map((e) => e.type), [
      "SessionStarted", "AuthRequired", "Authorized", "TransactionStarted", "PrepareCharging", "ChargingStarted",
    ]);
    assert.ok(b.events.every((e) => e.sessionId === sessionId));
    assert.equal(b.state(2), "IDLE", "the other gun is untouched");
  });

  it("chains transitions in one cycle when the power path is already there", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.setEv(1, { plugged: true, ready: true, requestCurrentA: 50, requestVoltageV: 400 });
    b.setPower(1, { islandReady: true, precharged: true, gcClosed: true });
    assert.deepEqual(b.cycle(1), ["SessionStarted", "Authorized", "TransactionStarted", "PrepareCharging", "ChargingStarted"]);
    assert.equal(b.state(1), "CHARGING");
    assert.equal(b.manager.view(1)?.session?.idToken, "FREE");
  });

  it("reports requested power as EV request current x voltage, battery voltage before a request", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.setEv(1, { plugged: true, ready: true, requestCurrentA: 250, requestVoltageV: 0, batteryVoltageV: 600 });
    b.cycle();
    assert.deepEqual(b.manager.observation(1), { active: true, charging: false, requestKW: 150, evVoltageV: 600 });
    b.setEv(1, { requestCurrentA: Number.NaN });
    b.cycle();
    assert.equal(b.manager.observation(1).requestKW, 0, "a NaN request is no request");
  });

  it("keeps the transaction when the sequencer opens the GC for a re-partition", () => {
    const b = new SessionBench();
    b.toCharging(1);
    b.setPower(1, { gcClosed: false, currentAtZero: true, islandReady: false, precharged: false });
    assert.deepEqual(b.cycle(1), ["PrepareCharging"]);
    assert.equal(b.state(1), "READY");
    assert.equal(b.manager.view(1)?.active, true);
    b.setPower(1, { islandReady: true, precharged: true, gcClosed: true });
    assert.deepEqual(b.cycle(1), ["ChargingStarted"]);
    assert.equal(b.events.filter((e) => e.type === "TransactionStarted").length, 1);
  });

  it("tracks session energy as the meter delta since TransactionStarted", () => {
    const b = new SessionBench([1], { autoAuthorizeToken: "FREE" });
    b.gun(1).meterEnergyWh = 10_000;
    b.setEv(1, { plugged: true, ready: true, requestCurrentA: 10, requestVoltageV: 400 });
    b.cycle();
    b.gun(1).meterEnergyWh = 10_750;
    b.cycle();
    assert.equal(b.manager.view(1)?.session?.energyWh, 750);
    b.setEv(1, { plugged: false });
    b.gun(1).meterEnergyWh = 10_800;
    b.cycle();
    const finished = b.events.find((e) => e.type === "SessionFinished");
    assert.equal(finished?.energyWh, 800);
  });
});
