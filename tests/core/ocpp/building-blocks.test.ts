import { strict as assert } from "assert";
import { AuthCache } from "../../../src/ocpp/auth-cache";
import { reconnectDelayMs } from "../../../src/ocpp/backoff";
import { validateOcppConfig } from "../../../src/ocpp/config";
import { DeviceModel } from "../../../src/ocpp/device-model";
import { errorCodeFor, errorKindOf, parseFrame } from "../../../src/ocpp/framing";
import { RpcEndpoint, type CallOutcome } from "../../../src/ocpp/rpc";
import { TxQueue } from "../../../src/ocpp/tx-queue";
import { MemoryStorage, testConfig } from "./support";

describe("ocpp building blocks", () => {
  describe("config block", () => {
    it("accepts a minimal block and fills defaults", () => {
      const r = validateOcppConfig({ url: "ws://csms:9000/ocpp", version: "2.0.1", stationId: "CAB-1" });
      assert.ok(r.ok);
      if (r.ok) {
        assert.equal(r.config.callTimeoutMs, 30_000);
        assert.equal(r.config.password, null);
      }
    });
    it("names path and value of every problem", () => {
      const r = validateOcppConfig({ url: "http://x", version: "2.0", stationId: "a b", password: "short", callTimeoutMs: -1, colour: "red" });
      assert.equal(r.ok, false);
      const text = r.ok ? "" : r.issues.map((i) => `${i.path}: ${i.message}`).join("\n");
      for (const pattern of [/ocpp\.url: .*"http:\/\/x"/, /ocpp\.version: .*"2\.0"/, /ocpp\.stationId: .*"a b"/, /ocpp\.password: .*5 chars/, /ocpp\.callTimeoutMs: .*-1/, /ocpp\.colour: unknown field/]) {
        assert.match(text, pattern);
      }
      assert.equal(validateOcppConfig(null).ok, false);
    });
  });

  describe("reconnect back-off", () => {
    const s = { waitMinimumS: 3, randomRangeS: 10, repeatTimes: 3 };
    it("doubles the minimum RepeatTimes times and adds the random part", () => {
      assert.deepEqual([1, 2, 3, 4, 5, 9].map((n) => reconnectDelayMs(n, s, () => 0)), [3000, 6000, 12_000, 24_000, 24_000, 24_000]);
      assert.equal(reconnectDelayMs(1, s, () => 0.5), 8000);
      assert.equal(reconnectDelayMs(1, s, () => 7), 13_000, "random source clamped to [0,1]");
    });
  });

  describe("framing and error codes", () => {
    it("spells error codes per version and reads both spellings", () => {
      assert.equal(errorCodeFor("OccurrenceConstraintViolation", "2.0.1"), "OccurenceConstraintViolation");
      assert.equal(errorCodeFor("OccurrenceConstraintViolation", "1.6"), "OccurrenceConstraintViolation");
      assert.equal(errorCodeFor("FormatViolation", "1.6"), "FormationViolation");
      assert.equal(errorKindOf("OccurenceConstraintViolation"), "OccurrenceConstraintViolation");
      assert.equal(errorKindOf("FormationViolation"), "FormatViolation");
      assert.equal(errorKindOf("Bogus"), null);
    });
    it("parses frames and flags bad ones", () => {
      assert.deepEqual(parseFrame('[2,"1","Heartbeat",{}]'), { ok: true, frame: { type: 2, id: "1", action: "Heartbeat", payload: {} } });
      const bad = parseFrame('[2,7,"Heartbeat",{}]');
      assert.equal(bad.ok, false);
      const longId = parseFrame(JSON.stringify([3, "x".repeat(37), {}]));
      assert.equal(longId.ok, false);
    });
  });

  describe("rpc", () => {
    function endpoint(sent: string[]) {
      return new RpcEndpoint({ version: "2.0.1", send: (t) => { sent.push(t); return true; }, handler: () => ({ payload: {} }), callTimeoutMs: 1000, idPrefix: "p." });
    }
    it("keeps one CALL in flight, times out on tick, matches results by id", () => {
      const sent: string[] = [];
      const rpc = endpoint(sent);
      const outcomes: CallOutcome[] = [];
      rpc.call("A", {}, 0, (o) => outcomes.push(o));
      rpc.call("B", {}, 0, (o) => outcomes.push(o));
      assert.equal(sent.length, 1);
      rpc.receive('[3,"wrong",{}]', 10);
      assert.equal(outcomes.length, 0);
      rpc.tick(999);
      assert.equal(outcomes.length, 0);
      rpc.tick(1000);
      assert.deepEqual(outcomes, [{ ok: false, reason: "timeout" }]);
      assert.equal(sent.length, 2);
      const id = JSON.parse(sent[1])[1];
      rpc.receive(JSON.stringify([4, id, "GenericError", "nope", {}]), 1100);
      assert.deepEqual(outcomes[1], { ok: false, reason: "error", code: "GenericError", description: "nope" });
    });
    it("fails pending calls in order on disconnect", () => {
      const rpc = endpoint([]);
      const order: string[] = [];
      rpc.call("A", {}, 0, () => order.push("A"));
      rpc.call("B", {}, 0, () => order.push("B"));
      rpc.disconnected();
      assert.deepEqual(order, ["A", "B"]);
    });
  });

  describe("persistent queue", () => {
    it("keeps order across instances and survives a corrupt entry", () => {
      const storage = new MemoryStorage();
      const q = new TxQueue(storage);
      for (let i = 0; i < 12; i++) q.push("TransactionEvent", { seqNo: i });
      const again = new TxQueue(storage);
      again.push("TransactionEvent", { seqNo: 12 });
      assert.deepEqual(again.all().map((e) => e.payload.seqNo), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      storage.set(storage.keys("ocpp/txq/").sort()[0], "{broken");
      assert.equal(again.head()!.payload.seqNo, 1);
      again.remove(again.head()!.seq);
      assert.equal(new TxQueue(storage).head()!.payload.seqNo, 2);
    });
  });

  describe("authorization cache", () => {
    it("expires entries and persists", () => {
      const storage = new MemoryStorage();
      const c = new AuthCache(storage);
      c.store("A", "Accepted", 0, 100);
      c.store("B", "Blocked", 0, 0);
      assert.equal(new AuthCache(storage).lookup("A", 50_000), "Accepted");
      assert.equal(c.lookup("A", 100_000), "Expired");
      assert.equal(c.lookup("B", 1e12), "Blocked");
      assert.equal(c.lookup("C", 0), null);
      c.clear();
      assert.equal(new AuthCache(storage).size, 0);
    });
  });

  describe("device model", () => {
    it("validates writes, keeps read-only values, persists across restarts", () => {
      const storage = new MemoryStorage();
      const m = new DeviceModel(testConfig("2.0.1"), storage);
      assert.equal(m.set("OCPPCommCtrlr", "HeartbeatInterval", undefined, "120"), "Accepted");
      assert.equal(m.set("OCPPCommCtrlr", "HeartbeatInterval", undefined, "0"), "Rejected");
      assert.equal(m.set("TxCtrlr", "TxStartPoint", undefined, "PowerPathClosed"), "Accepted");
      assert.equal(m.set("TxCtrlr", "TxStartPoint", undefined, "Whenever"), "Rejected");
      assert.equal(m.set("SmartChargingCtrlr", "PeriodsPerSchedule", undefined, "99"), "Rejected");
      assert.equal(m.set("Nope", "X", undefined, "1"), "UnknownComponent");
      assert.equal(m.get("SecurityCtrlr", "BasicAuthPassword").status, "Rejected", "write-only");
      const again = new DeviceModel(testConfig("2.0.1"), storage);
      assert.equal(again.get("OCPPCommCtrlr", "HeartbeatInterval").value, "120");
      assert.equal(again.get("TxCtrlr", "TxStartPoint").value, "PowerPathClosed");
      assert.equal(again.change16("TransactionMessageAttempts", "5"), "Accepted");
      assert.equal(again.get("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent").value, "5");
    });
  });
});
