import { strict as assert } from "assert";
import { Station201 } from "../../src/ocpp/station201";
import { WsTransport } from "../../host-sim/ocpp/ws-transport";
import { FakeCabinet, MemoryStorage, testConfig } from "../core/ocpp/support";
import { assertNoStrictFailures, bootStation, drive, endRun, SkewClock, TestCsms, until, type BootOptions } from "./csms-harness";

describe("ocpp 2.0.1 against a strict ocpp-rpc CSMS", function () {
  this.timeout(20_000);
  const failures: any[] = [];
  let csms: TestCsms;
  let stopDriving: () => void = () => {};
  let station: Station201 | null = null;

  async function boot(options: BootOptions = {}) {
    const run = await bootStation("2.0.1", (o) => new Station201(o), options);
    ({ csms, station, stopDriving } = run);
    return run;
  }

  afterEach(async () => {
    await endRun(stopDriving, station, csms, failures);
    station = null;
  });

  after(() => assertNoStrictFailures(failures));

  it("Accepted: boot, 12 StatusNotifications, heartbeats", async () => {
    const { clock } = await boot({ password: "a-sixteen-char-pw!" });
    await until("12 status notifications", () => csms.of("StatusNotification").length === 12);
    assert.equal(csms.of("BootNotification").length, 1);
    assert.deepEqual(csms.of("StatusNotification").map((s) => s.evseId).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    clock.skewMs += 61_000;
    await until("a heartbeat", () => csms.of("Heartbeat").length === 1);
    clock.skewMs += 61_000;
    await until("a second heartbeat", () => csms.of("Heartbeat").length === 2);
    assert.equal(csms.client.protocol, "ocpp2.0.1");
  });

  it("refuses nothing silently: a wrong password is rejected at the handshake", async () => {
    csms = new TestCsms({ protocol: "ocpp2.0.1", password: "the-right-password" });
    await csms.start();
    const clock = new SkewClock();
    station = new Station201({ config: testConfig("2.0.1", { url: csms.url, password: "the-wrong-password" }), transport: new WsTransport(), port: new FakeCabinet(), storage: new MemoryStorage(), clock, random: () => 0 });
    station.start();
    stopDriving = drive(() => station!.tick());
    await until("handshake rejection", () => csms.rejectedHandshakes.length > 0);
    await until("station waiting to reconnect", () => station!.connection === "waiting");
    assert.equal(csms.calls.length, 0);
  });

  for (const status of ["Pending", "Rejected"]) {
    it(`${status}: nothing but BootNotification until Accepted`, async () => {
      const { clock, cabinet } = await boot({ bootStatus: status });
      await until("first boot", () => csms.of("BootNotification").length === 1);
      cabinet.plugIn(1);
      clock.skewMs += 1500;
      await until("boot retry after the interval", () => csms.of("BootNotification").length === 2);
      assert.deepEqual([...new Set(csms.calls.map((c) => c.action))], ["BootNotification"]);
      if (status === "Pending") {
        // A triggered message is allowed while Pending.
        const r = await csms.client.call("TriggerMessage", { requestedMessage: "Heartbeat" });
        assert.equal(r.status, "Accepted");
        await until("triggered heartbeat", () => csms.of("Heartbeat").length === 1);
      }
      csms.boot = () => ({ status: "Accepted", interval: 60 });
      clock.skewMs += 1500;
      await until("12 status notifications after Accepted", () => csms.of("StatusNotification").length === 12);
      assert.equal(csms.of("StatusNotification").find((s) => s.evseId === 1).connectorStatus, "Occupied");
    });
  }

  it("remote start -> charge -> remote stop with meter values", async () => {
    const { clock, cabinet } = await boot();
    await until("registered", () => csms.of("StatusNotification").length === 12);
    const start = await csms.client.call("RequestStartTransaction", { evseId: 4, remoteStartId: 42, idToken: { idToken: "DRIVER1", type: "Central" } });
    assert.equal(start.status, "Accepted");
    await until("Started", () => csms.of("TransactionEvent").length === 1);
    cabinet.plugIn(4);
    await until("Occupied", () => csms.of("StatusNotification").some((s) => s.evseId === 4 && s.connectorStatus === "Occupied"));
    clock.skewMs += 31_000;
    await until("periodic meter values", () => csms.of("TransactionEvent").some((e) => e.triggerReason === "MeterValuePeriodic"));
    const txId = csms.of("TransactionEvent")[0].transactionInfo.transactionId;
    const stop = await csms.client.call("RequestStopTransaction", { transactionId: txId });
    assert.equal(stop.status, "Accepted");
    await until("Ended", () => csms.of("TransactionEvent").some((e) => e.eventType === "Ended"));
    const events = csms.of("TransactionEvent");
    assert.deepEqual(events.map((e) => e.seqNo), events.map((_e, i) => i));
    assert.equal(events[0].triggerReason, "RemoteStart");
    assert.equal(events[events.length - 1].transactionInfo.stoppedReason, "Remote");
    const periodic = events.find((e) => e.triggerReason === "MeterValuePeriodic");
    const byMeasurand = Object.fromEntries(periodic.meterValue[0].sampledValue.map((v: any) => [v.measurand, v.value]));
    assert.equal(byMeasurand["Power.Active.Import"], 100_000);
    assert.equal(byMeasurand["Voltage"], 400);
    assert.equal(byMeasurand["Current.Import"], 250);
    assert.ok(byMeasurand["Energy.Active.Import.Register"] > 4000);
    assert.ok(byMeasurand["SoC"] >= 20);
  });

  it("smart charging over the wire: station max, TxProfile, GetCompositeSchedule, GetChargingProfiles", async () => {
    const { cabinet } = await boot();
    await until("registered", () => csms.of("StatusNotification").length === 12);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const max = await csms.client.call("SetChargingProfile", { evseId: 0, chargingProfile: {
      id: 1, stackLevel: 0, chargingProfilePurpose: "ChargingStationMaxProfile", chargingProfileKind: "Absolute",
      chargingSchedule: [{ id: 1, startSchedule: now, chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 100_000 }] }],
    } });
    assert.equal(max.status, "Accepted");
    await until("site limit applied", () => cabinet.limits?.siteLimitKW === 100);
    const bad = await csms.client.call("SetChargingProfile", { evseId: 3, chargingProfile: {
      id: 2, stackLevel: 0, chargingProfilePurpose: "TxProfile", chargingProfileKind: "Relative",
      chargingSchedule: [{ id: 2, chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 50 }] }],
    } });
    assert.equal(bad.status, "Rejected", "TxProfile without a transaction");
    cabinet.plugIn(3);
    await csms.client.call("RequestStartTransaction", { evseId: 3, remoteStartId: 1, idToken: { idToken: "D", type: "Central" } });
    await until("Started", () => csms.of("TransactionEvent").some((e) => e.eventType === "Started"));
    const tx = await csms.client.call("SetChargingProfile", { evseId: 3, chargingProfile: {
      id: 2, stackLevel: 0, chargingProfilePurpose: "TxProfile", chargingProfileKind: "Relative",
      chargingSchedule: [{ id: 2, chargingRateUnit: "A", chargingSchedulePeriod: [{ startPeriod: 0, limit: 50 }] }],
    } });
    assert.equal(tx.status, "Accepted");
    await until("gun limit 20 kW (50 A x 400 V)", () => cabinet.limits?.gunLimitsKW[3] === 20);
    assert.equal(cabinet.state[3].powerW, 20_000);
    const comp = await csms.client.call("GetCompositeSchedule", { evseId: 3, duration: 600, chargingRateUnit: "W" });
    assert.equal(comp.status, "Accepted");
    assert.deepEqual(comp.schedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 20_000 }]);
    const comp0 = await csms.client.call("GetCompositeSchedule", { evseId: 0, duration: 600 });
    assert.deepEqual(comp0.schedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 100_000 }]);
    const get = await csms.client.call("GetChargingProfiles", { requestId: 9, chargingProfile: {} });
    assert.equal(get.status, "Accepted");
    await until("reports", () => csms.of("ReportChargingProfiles").length === 2);
    assert.deepEqual(csms.of("ReportChargingProfiles").map((r) => r.chargingProfile[0].id).sort(), [1, 2]);
    const clear = await csms.client.call("ClearChargingProfile", { chargingProfileId: 1 });
    assert.equal(clear.status, "Accepted");
    await until("site limit cleared", () => cabinet.limits?.siteLimitKW === null);
  });

  it("variables, availability, trigger, reservation, data transfer, unlock", async () => {
    const { cabinet } = await boot();
    await until("registered", () => csms.of("StatusNotification").length === 12);
    const get = await csms.client.call("GetVariables", { getVariableData: [
      { component: { name: "OCPPCommCtrlr" }, variable: { name: "HeartbeatInterval" } },
      { component: { name: "Nope" }, variable: { name: "X" } },
      { component: { name: "TxCtrlr" }, variable: { name: "Nope" } },
    ] });
    assert.deepEqual(get.getVariableResult.map((r: any) => r.attributeStatus), ["Accepted", "UnknownComponent", "UnknownVariable"]);
    assert.equal(get.getVariableResult[0].attributeValue, "60");
    const set = await csms.client.call("SetVariables", { setVariableData: [
      { component: { name: "SampledDataCtrlr" }, variable: { name: "TxUpdatedInterval" }, attributeValue: "15" },
      { component: { name: "OCPPCommCtrlr" }, variable: { name: "HeartbeatInterval" }, attributeValue: "soon" },
      { component: { name: "SmartChargingCtrlr" }, variable: { name: "RateUnit" }, attributeValue: "W" },
    ] });
    assert.deepEqual(set.setVariableResult.map((r: any) => r.attributeStatus), ["Accepted", "Rejected", "Rejected"]);
    const avail = await csms.client.call("ChangeAvailability", { operationalStatus: "Inoperative", evse: { id: 6 } });
    assert.equal(avail.status, "Accepted");
    await until("Unavailable", () => csms.of("StatusNotification").some((s) => s.evseId === 6 && s.connectorStatus === "Unavailable"));
    assert.deepEqual(cabinet.availabilityLog, [[6, false]]);
    const reserve = await csms.client.call("ReserveNow", { id: 5, evseId: 7, expiryDateTime: new Date(Date.now() + 3_600_000).toISOString(), idToken: { idToken: "R", type: "Central" } });
    assert.equal(reserve.status, "Accepted");
    await until("Reserved", () => csms.of("StatusNotification").some((s) => s.evseId === 7 && s.connectorStatus === "Reserved"));
    assert.equal((await csms.client.call("ReserveNow", { id: 6, evseId: 6, expiryDateTime: new Date(Date.now() + 3_600_000).toISOString(), idToken: { idToken: "R", type: "Central" } })).status, "Unavailable");
    assert.equal((await csms.client.call("CancelReservation", { reservationId: 5 })).status, "Accepted");
    assert.equal((await csms.client.call("CancelReservation", { reservationId: 5 })).status, "Rejected");
    assert.equal((await csms.client.call("DataTransfer", { vendorId: "com.example.other" })).status, "UnknownVendorId");
    assert.equal((await csms.client.call("TriggerMessage", { requestedMessage: "StatusNotification", evse: { id: 2, connectorId: 1 } })).status, "Accepted");
    assert.equal((await csms.client.call("TriggerMessage", { requestedMessage: "LogStatusNotification" })).status, "NotImplemented");
    assert.equal((await csms.client.call("UnlockConnector", { evseId: 99, connectorId: 1 })).status, "UnknownConnector");
    assert.equal((await csms.client.call("Reset", { type: "OnIdle" })).status, "Accepted");
    assert.deepEqual(cabinet.resets, ["OnIdle"]);
  });

  it("fault, reservation expiry and an immediate reset pass strict validation", async () => {
    const { cabinet, clock } = await boot();
    await until("registered", () => csms.of("StatusNotification").length === 12);
    await csms.client.call("RequestStartTransaction", { evseId: 2, remoteStartId: 5, idToken: { idToken: "D", type: "Central" } });
    cabinet.plugIn(2);
    cabinet.fault(3, true);
    await until("Faulted", () => csms.of("StatusNotification").some((s) => s.evseId === 3 && s.connectorStatus === "Faulted"));
    assert.equal((await csms.client.call("ReserveNow", { id: 8, evseId: 4, expiryDateTime: new Date(Date.now() + 1000).toISOString(), idToken: { idToken: "R", type: "Central" } })).status, "Accepted");
    clock.skewMs += 2000;
    await until("ReservationStatusUpdate", () => csms.of("ReservationStatusUpdate").length === 1);
    assert.equal((await csms.client.call("Reset", { type: "Immediate" })).status, "Accepted");
    await until("Ended by reset", () => csms.of("TransactionEvent").some((e) => e.eventType === "Ended"));
    const ended = csms.of("TransactionEvent").find((e) => e.eventType === "Ended");
    assert.equal(ended.triggerReason, "ResetCommand");
    assert.equal(ended.transactionInfo.stoppedReason, "ImmediateReset");
  });

  it("malformed and schema-invalid CSMS calls get the right CALLERROR and charging continues", async () => {
    const { cabinet } = await boot();
    await until("registered", () => csms.of("StatusNotification").length === 12);
    await csms.client.call("RequestStartTransaction", { evseId: 1, remoteStartId: 1, idToken: { idToken: "D", type: "Central" } });
    cabinet.plugIn(1);
    const cases: [string, any, string[]][] = [
      ["m1", [2, "m1", "SetChargingProfile", { evseId: 0 }], ["OccurenceConstraintViolation", "OccurrenceConstraintViolation"]],
      ["m2", [2, "m2", "GetCompositeSchedule", { evseId: "one", duration: 60 }], ["TypeConstraintViolation"]],
      ["m3", [2, "m3", "ChangeAvailability", { operationalStatus: "Sleepy" }], ["PropertyConstraintViolation"]],
      ["m4", [2, "m4", "Teleport", {}], ["NotImplemented"]],
      ["m5", [2, "m5", "Reset", [1, 2]], ["FormatViolation"]],
    ];
    for (const [, frame] of cases) csms.client.sendRaw(JSON.stringify(frame));
    csms.client.sendRaw("{not json");
    await until("five CALLERRORs", () => cases.every(([id]) => csms.inbound.some((m) => m.includes(`"${id}"`))));
    for (const [id, , codes] of cases) {
      const reply = JSON.parse(csms.inbound.find((m) => m.includes(`"${id}"`))!);
      assert.equal(reply[0], 4);
      assert.ok(codes.includes(reply[2]), `${id}: ${reply[2]}`);
    }
    assert.equal(cabinet.state[1].energyFlowing, true);
    assert.equal(station!.connection, "open");
  });

  it("offline mid-transaction: events queued, delivered in order after reconnect; restart while offline loses nothing", async () => {
    const storage = new MemoryStorage();
    const cabinet = new FakeCabinet();
    const first = await boot({ storage, cabinet });
    await until("registered", () => csms.of("StatusNotification").length === 12);
    await csms.client.call("RequestStartTransaction", { evseId: 8, remoteStartId: 3, idToken: { idToken: "D", type: "Central" } });
    cabinet.plugIn(8);
    await until("Updated", () => csms.of("TransactionEvent").length >= 2);
    await until("answers received", () => station!.queuedMessages === 0);
    // Take the CSMS away entirely: new connections are refused while it is down.
    const url = csms.url;
    stopDriving();
    station!.stop();
    await csms.close();
    failures.push(...csms.failures);
    const port = Number(new URL(url).port);
    const storageCopy = storage;
    // Restarted controller, still offline: it keeps sampling and ends the transaction.
    const clock = first.clock;
    station = new Station201({
      config: testConfig("2.0.1", { url, retryBackOffWaitMinimumS: 0, retryBackOffRandomRangeS: 0 }),
      transport: new WsTransport(), port: cabinet, storage: storageCopy, clock, random: () => 0,
    });
    station.start();
    stopDriving = drive(() => station!.tick());
    clock.skewMs += 31_000;
    await until("offline periodic sample queued", () => station!.queuedMessages >= 1);
    cabinet.unplug(8);
    await until("Ended queued", () => station!.queuedMessages >= 2);
    const queued = station.queuedMessages;
    // The CSMS comes back on the same port.
    csms = new TestCsms({ protocol: "ocpp2.0.1" });
    await csms.start().catch(() => {});
    (csms as any).httpServer.close();
    await new Promise<void>((resolve) => (csms as any).httpServer.listen(port, "127.0.0.1", resolve));
    await until("queue drained", () => station!.queuedMessages === 0, 10_000);
    const events = csms.of("TransactionEvent");
    assert.equal(events.length, queued);
    assert.ok(events.every((e) => e.offline === true), JSON.stringify(events.map((e) => [e.eventType, e.triggerReason, e.seqNo, e.offline])));
    assert.equal(events[events.length - 1].eventType, "Ended");
    const seq = events.map((e) => e.seqNo);
    assert.deepEqual(seq, [...seq].sort((a, b) => a - b));
    assert.equal(seq[0], 2, "continues after the two events delivered before the drop");
  });
});
