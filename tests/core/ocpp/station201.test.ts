import { strict as assert } from "assert";
import { Station201 } from "../../../src/ocpp/station201";
import { FakeCabinet, MemoryStorage, ScriptedCsms, stationRig } from "./support";

const EPOCH = Date.parse("2026-03-02T08:00:00Z");

function setup(storage = new MemoryStorage(), csms = new ScriptedCsms("ocpp2.0.1"), cabinet = new FakeCabinet(), startAtMs = 0) {
  return stationRig("2.0.1", (options) => new Station201(options), storage, csms, cabinet, startAtMs);
}

describe("ocpp 2.0.1 station (scripted CSMS)", () => {
  it("boots, then reports one StatusNotification per EVSE", () => {
    const { csms, step, station } = setup();
    step();
    assert.equal(station.registration, "Accepted");
    assert.equal(csms.calls("BootNotification").length, 1);
    const statuses = csms.calls("StatusNotification");
    assert.equal(statuses.length, 12);
    assert.deepEqual(statuses.map((s) => s.evseId), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.ok(statuses.every((s) => s.connectorStatus === "Available" && s.connectorId === 1));
    assert.deepEqual(csms.connects[0].protocols, ["ocpp2.0.1"]);
    assert.equal(csms.connects[0].url, "ws://127.0.0.1:1/ocpp/CAB1");
  });

  it("Pending: sends nothing but BootNotification until Accepted, retrying after the interval", () => {
    const { csms, step, station, cabinet } = setup();
    csms.responders.BootNotification = () => ({ status: "Pending", currentTime: new Date(EPOCH).toISOString(), interval: 20 });
    step();
    cabinet.plugIn(3);
    step(5000, 3);
    assert.equal(station.registration, "Pending");
    assert.deepEqual(csms.received.map((f) => f[2]), ["BootNotification"]);
    csms.responders.BootNotification = () => ({ status: "Accepted", currentTime: new Date(EPOCH).toISOString(), interval: 30 });
    step(6000);
    assert.equal(station.registration, "Accepted");
    assert.equal(csms.calls("BootNotification").length, 2);
    assert.ok(csms.calls("StatusNotification").length >= 12);
  });

  it("sends a Heartbeat after the interval from BootNotification", () => {
    const { csms, step } = setup();
    csms.responders.BootNotification = () => ({ status: "Accepted", currentTime: new Date(EPOCH).toISOString(), interval: 10 });
    step();
    step(5000);
    assert.equal(csms.calls("Heartbeat").length, 0);
    step(5000);
    step(10_000);
    assert.equal(csms.calls("Heartbeat").length, 2);
  });

  it("remote start -> charge -> remote stop produces Started/Updated/Ended with seqNo and meter values", () => {
    const { csms, step, cabinet, station } = setup();
    step();
    const startId = csms.call("RequestStartTransaction", { evseId: 2, remoteStartId: 7, idToken: { idToken: "TAG1", type: "Central" } });
    csms.flush();
    step();
    assert.equal(csms.replies.get(startId)?.[2].status, "Accepted");
    cabinet.plugIn(2);
    step(1000);
    step(31_000);
    const txId = station.transactions[2];
    assert.ok(txId);
    const stopId = csms.call("RequestStopTransaction", { transactionId: txId });
    csms.flush();
    step();
    assert.equal(csms.replies.get(stopId)?.[2].status, "Accepted");
    const events = csms.calls("TransactionEvent");
    assert.deepEqual(events.map((e) => e.eventType), ["Started", "Updated", "Updated", "Ended"]);
    assert.deepEqual(events.map((e) => e.seqNo), [0, 1, 2, 3]);
    assert.equal(events[0].triggerReason, "RemoteStart");
    assert.equal(events[0].transactionInfo.remoteStartId, 7);
    assert.deepEqual(events[0].idToken, { idToken: "TAG1", type: "Central" });
    assert.equal(events[1].triggerReason, "CablePluggedIn");
    assert.equal(events[2].triggerReason, "MeterValuePeriodic");
    const measurands = events[2].meterValue[0].sampledValue.map((v: any) => v.measurand);
    assert.deepEqual(measurands, ["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC"]);
    assert.equal(events[3].triggerReason, "RemoteStop");
    assert.equal(events[3].transactionInfo.stoppedReason, "Remote");
    const e0 = events[0].meterValue[0].sampledValue[0].value;
    const e3 = events[3].meterValue[0].sampledValue[0].value;
    assert.ok(e3 > e0, `energy must grow: ${e0} -> ${e3}`);
    assert.ok(events.every((e) => e.transactionInfo.transactionId === txId && e.offline === undefined));
  });

  it("answers schema-invalid and unknown calls with the right CALLERROR", () => {
    const { csms, step } = setup();
    step();
    const cases: [string, string][] = [
      [JSON.stringify([2, "a1", "RequestStartTransaction", { remoteStartId: 1 }]), "OccurenceConstraintViolation"],
      [JSON.stringify([2, "a2", "RequestStartTransaction", { remoteStartId: "x", idToken: { idToken: "A", type: "Central" } }]), "TypeConstraintViolation"],
      [JSON.stringify([2, "a3", "Reset", { type: "Sometime" }]), "PropertyConstraintViolation"],
      [JSON.stringify([2, "a4", "Reset", { type: "Immediate", colour: "red" }]), "PropertyConstraintViolation"],
      [JSON.stringify([2, "a5", "RequestStopTransaction", { transactionId: "x".repeat(37) }]), "FormatViolation"],
      [JSON.stringify([2, "a6", "FlyToTheMoon", {}]), "NotImplemented"],
      [JSON.stringify([2, "a7", "UpdateFirmware", {}]), "NotSupported"],
      [JSON.stringify([2, "a8", "Reset", "nope"]), "FormatViolation"],
      [JSON.stringify([7, "a9", "Reset", {}]), "MessageTypeNotSupported"],
    ];
    for (const [text] of cases) csms.raw(text);
    csms.raw("this is not json");
    csms.flush();
    for (let i = 0; i < cases.length; i++) {
      const reply = csms.replies.get(`a${i + 1}`);
      assert.ok(reply, `no reply to ${cases[i][0]}`);
      assert.equal(reply![0], 4);
      assert.equal(reply![2], cases[i][1], `${cases[i][0]} -> ${reply![2]} ${reply![3]}`);
    }
  });

  it("offline: queues events with offline=true and delivers them in order after reconnect", () => {
    const { csms, step, cabinet, station } = setup();
    step();
    cabinet.authorizeLocally(5, "LOCAL");
    cabinet.plugIn(5);
    step(1000);
    csms.drop();
    step(1000);
    assert.equal(station.connection, "waiting");
    step(30_000, 3);
    cabinet.unplug(5);
    step(1000);
    const before = csms.calls("TransactionEvent").length;
    assert.ok(station.queuedMessages >= 4, `queued ${station.queuedMessages}`);
    csms.online = true;
    // Back-off has grown while offline: at most WaitMinimum x 2^RepeatTimes = 96 s (+ jitter 0).
    step(8000, 13);
    const events = csms.calls("TransactionEvent");
    assert.equal(station.queuedMessages, 0);
    assert.deepEqual(events.map((e) => e.seqNo), events.map((_e, i) => i));
    assert.equal(events[events.length - 1].eventType, "Ended");
    assert.ok(events.slice(before).every((e) => e.offline === true));
  });

  it("a restart while offline loses nothing: the new instance delivers the queue", () => {
    const storage = new MemoryStorage();
    const csms = new ScriptedCsms("ocpp2.0.1");
    const cabinet = new FakeCabinet();
    const a = setup(storage, csms, cabinet);
    a.step();
    cabinet.authorizeLocally(1, "LOCAL");
    cabinet.plugIn(1);
    a.step(1000);
    csms.drop();
    a.step(31_000, 2);
    a.station.stop();
    const b = setup(storage, csms, cabinet, a.clock.t + 5000);
    b.step(1000);
    cabinet.unplug(1);
    b.step(1000);
    csms.online = true;
    b.step(5000, 4);
    const events = csms.calls("TransactionEvent");
    assert.deepEqual(events.map((e) => e.eventType), ["Started", "Updated", "Updated", "Ended"]);
    assert.deepEqual(events.map((e) => e.seqNo), [0, 1, 2, 3]);
    assert.equal(new Set(events.map((e) => e.transactionInfo.transactionId)).size, 1);
    assert.equal(b.station.queuedMessages, 0);
  });
});

describe("ocpp 2.0.1 station: authorization, reservations, triggers", () => {
  it("authorize hook: asks the CSMS online, answers from the cache offline", () => {
    const { csms, step, station, cabinet } = setup();
    step();
    const answers: string[] = [];
    station.authorize(1, "CARD1", (s) => answers.push(s));
    csms.flush();
    station.authorize(2, "CARD2", (s) => answers.push(s));
    csms.responders.Authorize = () => ({ idTokenInfo: { status: "Blocked" } });
    csms.flush();
    assert.deepEqual(answers, ["Accepted", "Accepted"], "CARD1 from the CSMS, CARD2 answered before the responder changed");
    station.authorize(3, "CARD3", (s) => answers.push(s));
    csms.flush();
    assert.equal(answers[2], "Blocked");
    csms.drop();
    step(1000);
    station.authorize(4, "CARD1", (s) => answers.push(s));
    station.authorize(5, "CARD3", (s) => answers.push(s));
    station.authorize(6, "NEVER", (s) => answers.push(s));
    assert.deepEqual(answers.slice(3), ["Accepted", "Blocked", "Unknown"]);
    // The accepted token goes into the next transaction on that EVSE.
    cabinet.authorizeLocally(4, "CARD1");
    cabinet.plugIn(4);
    step(1000);
    csms.online = true;
    step(10_000, 2);
    const started = csms.calls("TransactionEvent").find((e) => e.eventType === "Started");
    assert.deepEqual(started.idToken, { idToken: "CARD1", type: "ISO14443" });
    assert.equal(started.offline, true);
  });

  it("a reservation expires with ReservationStatusUpdate and frees the EVSE", () => {
    const { csms, step } = setup();
    step();
    const id = csms.call("ReserveNow", { id: 3, evseId: 9, expiryDateTime: new Date(EPOCH + 60_000).toISOString(), idToken: { idToken: "R", type: "Central" } });
    csms.flush();
    step();
    assert.equal(csms.replies.get(id)![2].status, "Accepted");
    assert.equal(csms.calls("StatusNotification").filter((s) => s.evseId === 9).pop().connectorStatus, "Reserved");
    step(61_000);
    assert.deepEqual(csms.calls("ReservationStatusUpdate"), [{ reservationId: 3, reservationUpdateStatus: "Expired" }]);
    assert.equal(csms.calls("StatusNotification").filter((s) => s.evseId === 9).pop().connectorStatus, "Available");
  });

  it("TriggerMessage: TransactionEvent for an active transaction, MeterValues, BootNotification rejected once Accepted", () => {
    const { csms, step, cabinet } = setup();
    step();
    cabinet.authorizeLocally(2, "T");
    cabinet.plugIn(2);
    step(1000);
    const ids = [
      csms.call("TriggerMessage", { requestedMessage: "TransactionEvent", evse: { id: 2 } }),
      csms.call("TriggerMessage", { requestedMessage: "TransactionEvent", evse: { id: 3 } }),
      csms.call("TriggerMessage", { requestedMessage: "MeterValues", evse: { id: 2 } }),
      csms.call("TriggerMessage", { requestedMessage: "BootNotification" }),
    ];
    csms.flush();
    step();
    assert.deepEqual(ids.map((i) => csms.replies.get(i)![2].status), ["Accepted", "Rejected", "Accepted", "Rejected"]);
    assert.equal(csms.calls("TransactionEvent").pop().triggerReason, "Trigger");
    assert.equal(csms.calls("MeterValues")[0].evseId, 2);
  });

  it("ChangeAvailability during a transaction is Scheduled; Inoperative EVSE refuses remote start", () => {
    const { csms, step, cabinet } = setup();
    step();
    cabinet.authorizeLocally(1, "T");
    cabinet.plugIn(1);
    step(1000);
    const a = csms.call("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 1 } });
    const b = csms.call("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 5 } });
    const c = csms.call("RequestStartTransaction", { evseId: 5, remoteStartId: 1, idToken: { idToken: "X", type: "Central" } });
    csms.flush();
    assert.deepEqual([a, b, c].map((i) => csms.replies.get(i)![2].status), ["Scheduled", "Accepted", "Rejected"]);
  });

  it("a very long outage drops the oldest periodic samples first, never Started/Ended", () => {
    const { csms, step, cabinet, station } = setup();
    (station as any).maxQueuedMessages = 5;
    step();
    csms.drop();
    step(1000);
    cabinet.authorizeLocally(1, "T");
    cabinet.plugIn(1);
    step(30_000, 8);
    cabinet.unplug(1);
    step(1000);
    assert.equal(station.queuedMessages, 5);
    csms.online = true;
    step(8000, 14);
    const events = csms.calls("TransactionEvent");
    assert.equal(events[0].eventType, "Started");
    assert.equal(events[events.length - 1].eventType, "Ended");
    assert.ok(events.slice(1, -1).every((e) => e.triggerReason === "MeterValuePeriodic"));
    assert.ok(station.stats.droppedQueueMessages >= 4);
  });
});
