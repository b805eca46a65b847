import { strict as assert } from "assert";
import { Station16 } from "../../../src/ocpp/station16";
import { FakeCabinet, MemoryStorage, ScriptedCsms, stationRig } from "./support";

function setup(storage = new MemoryStorage(), csms = new ScriptedCsms("ocpp1.6"), cabinet = new FakeCabinet(), startAtMs = 0) {
  return stationRig("1.6", (options) => new Station16(options), storage, csms, cabinet, startAtMs);
}

describe("ocpp 1.6J charge point (scripted CSMS)", () => {
  it("boots and reports connector 0 plus one StatusNotification per connector", () => {
    const { csms, step } = setup();
    step();
    assert.deepEqual(csms.calls("BootNotification"), [{ chargePointVendor: "OpenCabinet", chargePointModel: "DC-Cabinet" }]);
    const ids = csms.calls("StatusNotification").map((s) => s.connectorId);
    assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("remote start -> Preparing/Charging -> StartTransaction, MeterValues, remote stop -> StopTransaction", () => {
    const { csms, step, cabinet, station } = setup();
    step();
    csms.call("RemoteStartTransaction", { connectorId: 3, idTag: "TAG3" });
    csms.flush();
    step();
    cabinet.plugIn(3);
    step(1000);
    const txId = station.transactions[3];
    assert.equal(typeof txId, "number");
    step(31_000);
    csms.call("RemoteStopTransaction", { transactionId: txId });
    csms.flush();
    step();
    const start = csms.calls("StartTransaction")[0];
    assert.equal(start.connectorId, 3);
    assert.equal(start.idTag, "TAG3");
    assert.ok(start.meterStart >= 3000 && start.meterStart < 3100, String(start.meterStart));
    const mv = csms.calls("MeterValues");
    assert.equal(mv.length, 1);
    assert.equal(mv[0].transactionId, txId);
    const stop = csms.calls("StopTransaction")[0];
    assert.equal(stop.transactionId, txId);
    assert.equal(stop.reason, "Remote");
    assert.ok(stop.meterStop > start.meterStart);
    const statuses3 = csms.calls("StatusNotification").filter((s) => s.connectorId === 3).map((s) => s.status);
    assert.deepEqual(statuses3, ["Available", "Preparing", "Charging", "Finishing"]);
  });

  it("offline + restart: Start/MeterValues/Stop delivered in order with the CSMS transactionId filled in", () => {
    const storage = new MemoryStorage();
    const csms = new ScriptedCsms("ocpp1.6");
    const cabinet = new FakeCabinet();
    const a = setup(storage, csms, cabinet);
    a.step();
    csms.drop();
    a.step(1000);
    cabinet.authorizeLocally(2, "LOCAL");
    cabinet.plugIn(2);
    a.step(31_000, 2);
    a.station.stop();
    const b = setup(storage, csms, cabinet, a.clock.t + 5000);
    b.step(31_000);
    cabinet.unplug(2);
    b.step(1000);
    assert.equal(b.station.queuedMessages, 4);
    csms.online = true;
    b.step(5000, 4);
    const tx = csms.received.filter((f) => ["StartTransaction", "MeterValues", "StopTransaction"].includes(f[2]));
    assert.deepEqual(tx.map((f) => f[2]), ["StartTransaction", "MeterValues", "MeterValues", "StopTransaction"]);
    const ids = tx.slice(1).map((f) => f[3].transactionId);
    assert.ok(ids.every((id) => id === ids[0] && typeof id === "number" && id >= 1000), JSON.stringify(ids));
    assert.equal(tx[3][3].reason, "EVDisconnected");
    assert.equal(b.station.queuedMessages, 0);
  });

  it("retries a refused transaction message TransactionMessageAttempts times, RetryInterval x attempt apart", () => {
    const { csms, step, cabinet, station } = setup();
    step();
    let refusals = 0;
    csms.responders.StartTransaction = () => { refusals++; throw new Error("unused"); };
    // A CALLERROR answer: replace the responder machinery for this action.
    (csms as any).responders.StartTransaction = undefined;
    cabinet.authorizeLocally(1, "T");
    cabinet.plugIn(1);
    step();
    assert.equal(csms.calls("StartTransaction").length, 1);
    step(59_000);
    assert.equal(csms.calls("StartTransaction").length, 1, "waits the retry interval (60 s)");
    step(2000);
    assert.equal(csms.calls("StartTransaction").length, 2);
    step(119_000);
    assert.equal(csms.calls("StartTransaction").length, 2, "second retry waits 2 x 60 s");
    step(2000);
    assert.equal(csms.calls("StartTransaction").length, 3);
    step(200_000);
    assert.equal(csms.calls("StartTransaction").length, 3, "gives up after 3 attempts");
    assert.equal(station.stats.droppedQueueMessages >= 1, true);
    assert.equal(refusals, 0);
  });

  it("smart charging 1.6: ChargePointMaxProfile -> site limit; same stackLevel replaces; composite", () => {
    const { csms, step, cabinet } = setup();
    step();
    const profile = (id: number, limit: number, purpose = "ChargePointMaxProfile") => ({
      chargingProfileId: id, stackLevel: 1, chargingProfilePurpose: purpose, chargingProfileKind: "Absolute",
      chargingSchedule: { chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
    });
    const a = csms.call("SetChargingProfile", { connectorId: 0, csChargingProfiles: profile(1, 100_000) });
    csms.flush(); step();
    assert.equal(csms.replies.get(a)![2].status, "Accepted");
    assert.equal(cabinet.limits?.siteLimitKW, 100);
    const b = csms.call("SetChargingProfile", { connectorId: 0, csChargingProfiles: profile(2, 80_000) });
    csms.flush(); step();
    assert.equal(csms.replies.get(b)![2].status, "Accepted");
    assert.equal(cabinet.limits?.siteLimitKW, 80);
    const c = csms.call("SetChargingProfile", { connectorId: 1, csChargingProfiles: profile(3, 1000) });
    csms.flush();
    assert.equal(csms.replies.get(c)![2].status, "Rejected", "ChargePointMaxProfile on a connector");
    const d = csms.call("GetCompositeSchedule", { connectorId: 1, duration: 300, chargingRateUnit: "A" });
    csms.flush();
    assert.deepEqual(csms.replies.get(d)![2].chargingSchedule.chargingSchedulePeriod, [{ startPeriod: 0, limit: 200 }]);
    const e = csms.call("ClearChargingProfile", { chargingProfilePurpose: "ChargePointMaxProfile" });
    csms.flush(); step();
    assert.equal(csms.replies.get(e)![2].status, "Accepted");
    assert.equal(cabinet.limits?.siteLimitKW, null);
  });

  it("GetConfiguration / ChangeConfiguration", () => {
    const { csms, step } = setup();
    step();
    const g = csms.call("GetConfiguration", { key: ["HeartbeatInterval", "NoSuchKey"] });
    const c1 = csms.call("ChangeConfiguration", { key: "MeterValueSampleInterval", value: "10" });
    const c2 = csms.call("ChangeConfiguration", { key: "HeartbeatInterval", value: "-5" });
    const c3 = csms.call("ChangeConfiguration", { key: "Frobnicate", value: "1" });
    const c4 = csms.call("ChangeConfiguration", { key: "ChargeProfileMaxStackLevel", value: "3" });
    csms.flush();
    assert.deepEqual(csms.replies.get(g)![2], { configurationKey: [{ key: "HeartbeatInterval", readonly: false, value: "60" }], unknownKey: ["NoSuchKey"] });
    assert.deepEqual([c1, c2, c3, c4].map((id) => csms.replies.get(id)![2].status), ["Accepted", "Rejected", "NotSupported", "Rejected"]);
  });

  it("schema-invalid calls get 1.6 error spellings", () => {
    const { csms, step } = setup();
    step();
    csms.raw(JSON.stringify([2, "x1", "RemoteStartTransaction", {}]));
    csms.raw(JSON.stringify([2, "x2", "RemoteStopTransaction", { transactionId: "7" }]));
    csms.raw(JSON.stringify([2, "x3", "ChangeConfiguration", { key: "k".repeat(51), value: "1" }]));
    csms.raw(JSON.stringify([2, "x4", "GetDiagnostics", {}]));
    csms.flush();
    assert.deepEqual(["x1", "x2", "x3", "x4"].map((id) => csms.replies.get(id)![2]),
      ["OccurrenceConstraintViolation", "TypeConstraintViolation", "FormationViolation", "NotSupported"]);
  });
});
