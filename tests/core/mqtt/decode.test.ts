import { strict as assert } from "assert";
import { decodePayload } from "../../../src/mqtt/payload";
import { parseInboundTopic, outboundTopics, inboundSubscription } from "../../../src/mqtt/topics";
import { reconnectDelayMs } from "../../../src/mqtt/backoff";
import { mapGun } from "../../../src/mqtt/gun-map";
import { ascii } from "./fakes";

const limits = { maxPayloadBytes: 64, maxDemandKW: 500 };
const reasonOf = (v: object) => ("reason" in v ? (v as { reason: string }).reason : "accepted");

describe("mqtt topics", () => {
  it("parses vesec/<gun>/<type>/<device>", () => {
    assert.deepEqual(parseInboundTopic("vesec/3/demand/D2", "vesec"), { topicGunId: 3, messageType: "demand", device: "D2" });
    assert.deepEqual(parseInboundTopic("site/a/vesec/12/soc/D1", "site/a/vesec"), { topicGunId: 12, messageType: "soc", device: "D1" });
  });
  it("rejects wrong shapes, gun ids and message types with distinct reasons", () => {
    assert.equal(reasonOf(parseInboundTopic("other/3/demand/D2", "vesec")), "topic");
    assert.equal(reasonOf(parseInboundTopic("vesec/3/demand", "vesec")), "topic");
    assert.equal(reasonOf(parseInboundTopic("vesec/3/demand/D2/x", "vesec")), "topic");
    assert.equal(reasonOf(parseInboundTopic("vesec/03/demand/D2", "vesec")), "topic");
    assert.equal(reasonOf(parseInboundTopic("vesec/0/demand/D2", "vesec")), "topic");
    assert.equal(reasonOf(parseInboundTopic("vesec/x/demand/D2", "vesec")), "topic");
    assert.equal(reasonOf(parseInboundTopic("vesec/3/Demand/D2", "vesec")), "unknownType");
    assert.equal(reasonOf(parseInboundTopic("vesec/3/temperature/D2", "vesec")), "unknownType");
  });
  it("keeps outbound topics out of the inbound subscription", () => {
    const t = outboundTopics("vesec", "cab1");
    assert.equal(inboundSubscription("vesec"), "vesec/+/+/+");
    for (const topic of [t.connection, t.cabinet, t.gun(3), t.faults, t.interfaceStats, t.sessionEvents]) {
      assert.ok(topic.startsWith("vesec/cabinet/cab1/"));
      assert.notEqual(topic.split("/").length, 4, topic);
    }
  });
});

describe("mqtt payload decoders", () => {
  it("accepts plain numbers and the one-field JSON form", () => {
    assert.deepEqual(decodePayload("demand", ascii("60"), limits), { messageType: "demand", demandKW: 60 });
    assert.deepEqual(decodePayload("demand", ascii(" 75.5\n"), limits), { messageType: "demand", demandKW: 75.5 });
    assert.deepEqual(decodePayload("demand", ascii('{"demandKW": 0}'), limits), { messageType: "demand", demandKW: 0 });
    assert.deepEqual(decodePayload("soc", ascii("57.25"), limits), { messageType: "soc", socPct: 57.25 });
    assert.deepEqual(decodePayload("soc", ascii('{"soc":100}'), limits), { messageType: "soc", socPct: 100 });
    assert.deepEqual(decodePayload("status", ascii("charging"), limits), { messageType: "status", vehicleStatus: "charging" });
    assert.deepEqual(decodePayload("status", ascii('{"status":"fault"}'), limits), { messageType: "status", vehicleStatus: "fault" });
  });
  it("rejects out-of-range values", () => {
    assert.equal(reasonOf(decodePayload("demand", ascii("-1"), limits)), "outOfRange");
    assert.equal(reasonOf(decodePayload("demand", ascii("500.5"), limits)), "outOfRange");
    assert.equal(reasonOf(decodePayload("soc", ascii("101"), limits)), "outOfRange");
    assert.equal(reasonOf(decodePayload("status", ascii("flying"), limits)), "outOfRange");
  });
  it("rejects malformed payloads", () => {
    for (const p of ["", "1e3", "0x10", "NaN", "Infinity", "12kW", "1,5", "{", '{"demandKW":"60"}', '{"demandKW":60,"x":1}', '{"kw":60}', "[60]", "01"]) {
      const r = decodePayload("demand", ascii(p), limits);
      assert.ok("reason" in r, `accepted ${JSON.stringify(p)}`);
    }
    assert.equal(reasonOf(decodePayload("demand", ascii("{"), limits)), "payloadFormat");
    assert.equal(reasonOf(decodePayload("demand", ascii(""), limits)), "payloadSize");
    assert.equal(reasonOf(decodePayload("demand", ascii("1".repeat(65)), limits)), "payloadSize");
    assert.equal(reasonOf(decodePayload("demand", new Uint8Array([0x36, 0x30, 0xff]), limits)), "payloadEncoding");
    assert.equal(reasonOf(decodePayload("demand", new Uint8Array([0x36, 0x00]), limits)), "payloadEncoding");
  });
});

describe("mqtt gun mapping and backoff", () => {
  it("maps (device, topic gun) to a cabinet gun", () => {
    const mapping = { devices: ["D1", "D2"], entries: [{ device: "D1", topicGunId: 1, gunId: 4 }, { device: "D2", topicGunId: 1, gunId: 5 }], gunIds: [1, 2, 3, 4, 5, 6] };
    assert.equal(mapGun(mapping, "D1", 1), 4);
    assert.equal(mapGun(mapping, "D2", 1), 5);
    assert.equal(mapGun(mapping, "D2", 2), null);
    assert.equal(mapGun({ ...mapping, entries: null }, "D2", 6), 6);
    assert.equal(mapGun({ ...mapping, entries: null }, "D2", 7), null);
  });
  it("doubles the reconnect delay up to the cap", () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 100].map((f) => reconnectDelayMs(f, 1000, 30000)), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
});
