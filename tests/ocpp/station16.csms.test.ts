import { strict as assert } from "assert";
import { Station16 } from "../../src/ocpp/station16";
import { assertNoStrictFailures, bootStation, endRun, TestCsms, until, type BootOptions } from "./csms-harness";

describe("ocpp 1.6J against a strict ocpp-rpc CSMS", function () {
  this.timeout(20_000);
  const failures: any[] = [];
  let csms: TestCsms;
  let stopDriving: () => void = () => {};
  let station: Station16 | null = null;

  async function boot(options: BootOptions = {}) {
    const run = await bootStation("1.6", (o) => new Station16(o), options);
    ({ csms, station, stopDriving } = run);
    return run;
  }

  const connectorStatuses = () => csms.of("StatusNotification").filter((s) => s.connectorId > 0);

  afterEach(async () => {
    await endRun(stopDriving, station, csms, failures);
    station = null;
  });

  after(() => assertNoStrictFailures(failures));

  it("Accepted: boot (basic auth), 12 connector StatusNotifications, heartbeats", async () => {
    const { clock } = await boot({ password: "sixteen-chars-pw" });
    await until("12 connector statuses", () => connectorStatuses().length === 12);
    assert.equal(csms.of("BootNotification").length, 1);
    assert.equal(csms.client.protocol, "ocpp1.6");
    clock.skewMs += 61_000;
    await until("heartbeat", () => csms.of("Heartbeat").length === 1);
  });

  for (const status of ["Pending", "Rejected"]) {
    it(`${status}: nothing but BootNotification until Accepted`, async () => {
      const { clock } = await boot({ bootStatus: status });
      await until("first boot", () => csms.of("BootNotification").length === 1);
      clock.skewMs += 1500;
      await until("boot retry", () => csms.of("BootNotification").length === 2);
      assert.deepEqual([...new Set(csms.calls.map((c) => c.action))], ["BootNotification"]);
      csms.boot = () => ({ status: "Accepted", interval: 60 });
      clock.skewMs += 1500;
      await until("statuses after Accepted", () => connectorStatuses().length === 12);
    });
  }

  it("remote start -> charge -> remote stop with StartTransaction, MeterValues, StopTransaction", async () => {
    const { clock, cabinet } = await boot();
    await until("registered", () => connectorStatuses().length === 12);
    assert.equal((await csms.client.call("RemoteStartTransaction", { connectorId: 5, idTag: "DRIVER5" })).status, "Accepted");
    cabinet.plugIn(5);
    await until("StartTransaction", () => csms.of("StartTransaction").length === 1);
    await until("Charging", () => connectorStatuses().some((s) => s.connectorId === 5 && s.status === "Charging"));
    clock.skewMs += 31_000;
    await until("MeterValues", () => csms.of("MeterValues").length === 1);
    const txId = station!.transactions[5]!;
    assert.equal((await csms.client.call("RemoteStopTransaction", { transactionId: txId })).status, "Accepted");
    await until("StopTransaction", () => csms.of("StopTransaction").length === 1);
    const mv = csms.of("MeterValues")[0];
    assert.equal(mv.transactionId, txId);
    const byMeasurand = Object.fromEntries(mv.meterValue[0].sampledValue.map((v: any) => [v.measurand, Number(v.value)]));
    assert.equal(byMeasurand["Power.Active.Import"], 100_000);
    assert.equal(byMeasurand["Current.Import"], 250);
    const stop = csms.of("StopTransaction")[0];
    assert.equal(stop.transactionId, txId);
    assert.equal(stop.reason, "Remote");
    assert.ok(stop.meterStop > csms.of("StartTransaction")[0].meterStart);
    await until("Finishing", () => connectorStatuses().some((s) => s.connectorId === 5 && s.status === "Finishing"));
  });

  it("smart charging, configuration, trigger, reservation over the wire", async () => {
    const { cabinet } = await boot();
    await until("registered", () => connectorStatuses().length === 12);
    const r = await csms.client.call("SetChargingProfile", { connectorId: 0, csChargingProfiles: {
      chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: "ChargePointMaxProfile", chargingProfileKind: "Recurring", recurrencyKind: "Daily",
      chargingSchedule: { startSchedule: "2026-01-01T00:00:00Z", chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 90_000 }] },
    } });
    assert.equal(r.status, "Accepted");
    await until("site limit", () => cabinet.limits?.siteLimitKW === 90);
    const comp = await csms.client.call("GetCompositeSchedule", { connectorId: 0, duration: 60, chargingRateUnit: "W" });
    assert.equal(comp.status, "Accepted");
    assert.deepEqual(comp.chargingSchedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 90_000 }]);
    const cfg = await csms.client.call("GetConfiguration", {});
    assert.ok(cfg.configurationKey.some((k: any) => k.key === "MeterValueSampleInterval"));
    assert.equal((await csms.client.call("ChangeConfiguration", { key: "HeartbeatInterval", value: "120" })).status, "Accepted");
    assert.equal((await csms.client.call("TriggerMessage", { requestedMessage: "StatusNotification", connectorId: 2 })).status, "Accepted");
    assert.equal((await csms.client.call("ReserveNow", { connectorId: 9, expiryDate: new Date(Date.now() + 60_000).toISOString(), idTag: "R", reservationId: 4 })).status, "Accepted");
    await until("Reserved", () => connectorStatuses().some((s) => s.connectorId === 9 && s.status === "Reserved"));
    assert.equal((await csms.client.call("CancelReservation", { reservationId: 4 })).status, "Accepted");
    assert.equal((await csms.client.call("DataTransfer", { vendorId: "someone.else" })).status, "UnknownVendorId");
    assert.equal((await csms.client.call("ChangeAvailability", { connectorId: 10, type: "Inoperative" })).status, "Accepted");
    await until("Unavailable", () => connectorStatuses().some((s) => s.connectorId === 10 && s.status === "Unavailable"));
  });

  it("fault status, hard reset and local authorization pass strict validation", async () => {
    const { cabinet } = await boot();
    await until("registered", () => connectorStatuses().length === 12);
    cabinet.fault(6, true);
    await until("Faulted", () => connectorStatuses().some((s) => s.connectorId === 6 && s.status === "Faulted" && s.errorCode === "OtherError"));
    const status = await new Promise<string>((resolve) => station!.authorize(7, "CARD7", resolve));
    assert.equal(status, "Accepted");
    assert.deepEqual(csms.of("Authorize"), [{ idTag: "CARD7" }]);
    cabinet.authorizeLocally(7, "CARD7");
    cabinet.plugIn(7);
    await until("StartTransaction", () => csms.of("StartTransaction").length === 1);
    assert.equal(csms.of("StartTransaction")[0].idTag, "CARD7");
    await until("transaction id known", () => station!.transactions[7] !== undefined);
    assert.equal((await csms.client.call("Reset", { type: "Hard" })).status, "Accepted");
    await until("StopTransaction", () => csms.of("StopTransaction").length === 1);
    assert.equal(csms.of("StopTransaction")[0].reason, "HardReset");
  });

  it("schema-invalid calls get CALLERRORs (1.6 spellings accepted both ways)", async () => {
    await boot();
    await until("registered", () => connectorStatuses().length === 12);
    csms.client.sendRaw(JSON.stringify([2, "b1", "RemoteStartTransaction", { connectorId: 1 }]));
    csms.client.sendRaw(JSON.stringify([2, "b2", "Reset", { type: "Gentle" }]));
    csms.client.sendRaw(JSON.stringify([2, "b3", "Warp", {}]));
    await until("replies", () => ["b1", "b2", "b3"].every((id) => csms.inbound.some((m) => m.includes(`"${id}"`))));
    const code = (id: string) => JSON.parse(csms.inbound.find((m) => m.includes(`"${id}"`))!)[2];
    assert.ok(["OccurrenceConstraintViolation", "OccurenceConstraintViolation"].includes(code("b1")));
    assert.equal(code("b2"), "PropertyConstraintViolation");
    assert.equal(code("b3"), "NotImplemented");
  });

  it("CSMS dropped mid-transaction: MeterValues and StopTransaction arrive in order after reconnect", async () => {
    const { clock, cabinet } = await boot();
    await until("registered", () => connectorStatuses().length === 12);
    await csms.client.call("RemoteStartTransaction", { connectorId: 1, idTag: "D1" });
    cabinet.plugIn(1);
    await until("StartTransaction", () => csms.of("StartTransaction").length === 1);
    const txId = (await new Promise<number>((resolve) => { const t = setInterval(() => { const id = station!.transactions[1]; if (id) { clearInterval(t); resolve(id); } }, 5); }));
    // Refuse the station while it is offline: the auth callback rejects every handshake.
    const down = { on: true };
    const realBoot = csms.boot;
    (csms as any).server.auth((_a: any, reject: any) => { if (down.on) reject(503, "down"); });
    csms.dropAll();
    await until("station offline", () => station!.connection !== "open");
    clock.skewMs += 31_000;
    await until("meter value queued", () => station!.queuedMessages >= 1);
    cabinet.unplug(1);
    await until("stop queued", () => station!.queuedMessages >= 2);
    const before = csms.calls.length;
    (csms as any).server.auth((accept: any) => accept({}, "ocpp1.6"));
    down.on = false;
    void realBoot;
    await until("queue drained", () => station!.queuedMessages === 0, 10_000);
    const after = csms.calls.slice(before).filter((c) => c.action === "MeterValues" || c.action === "StopTransaction");
    assert.deepEqual(after.map((c) => c.action), ["MeterValues", "StopTransaction"]);
    assert.ok(after.every((c) => c.params.transactionId === txId));
    assert.equal(csms.of("BootNotification").length, 1, "no second boot after a reconnect");
  });
});
