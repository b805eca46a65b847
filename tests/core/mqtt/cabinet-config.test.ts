import { strict as assert } from "assert";
import { builtinDocument, formatIssue, validateCabinetConfig } from "../../../src/config/index";

function ring(extra: Record<string, unknown>): Record<string, unknown> {
  return { ...JSON.parse(JSON.stringify(builtinDocument("ring-12x2"))), ...extra };
}

describe("the mqtt block of the cabinet config", () => {
  it("is optional: without it the config has no mqtt", () => {
    const r = validateCabinetConfig(ring({}));
    assert.ok(r.ok);
    if (r.ok) assert.equal(r.config.mqtt, undefined);
  });

  it("is validated by validateMqttConfig and resolved with defaults, frozen with the rest", () => {
    const r = validateCabinetConfig(ring({ mqtt: { brokerUrl: "mqtt://10.0.0.5", clientId: "cab-7", gunMap: [{ device: "D2", topicGunId: 1, gunId: 12 }] } }));
    assert.ok(r.ok, r.ok ? "" : r.issues.map(formatIssue).join("\n"));
    if (!r.ok) return;
    const m = r.config.mqtt!;
    assert.equal(m.brokerHost, "10.0.0.5");
    assert.equal(m.brokerPort, 1883);
    assert.equal(m.cabinetId, "cab-7");
    assert.equal(m.demandTimeoutMs, 5000);
    assert.equal(m.qos, 1);
    assert.deepEqual(m.gunMap, [{ device: "D2", topicGunId: 1, gunId: 12 }]);
    assert.ok(Object.isFrozen(m) && Object.isFrozen(m.gunMap));
  });

  it("names every problem by path, with the cabinet's guns, together with the other problems of the document", () => {
    const r = validateCabinetConfig(ring({
      modulePowerKW: -1,
      mqtt: { brokerUrl: "http://x", qos: 3, gunMap: [{ device: "D1", topicGunId: 1, gunId: 13 }], colour: "red" },
    }));
    assert.ok(!r.ok);
    if (r.ok) return;
    const text = r.issues.map(formatIssue).join("\n");
    assert.match(text, /^modulePowerKW: must be > 0, got -1$/m);
    assert.match(text, /^mqtt\.brokerUrl: must look like mqtt:\/\/host:port .*got "http:\/\/x"$/m);
    assert.match(text, /^mqtt\.qos: must be 0, 1 or 2, got 3$/m);
    assert.match(text, /^mqtt\.gunMap\[0\]\.gunId: no gun 13 in this cabinet \(guns 1, 2, .*12\)$/m);
    assert.match(text, /^mqtt\.colour: unknown field$/m);
  });

  it("rejects a block that is not an object", () => {
    const r = validateCabinetConfig(ring({ mqtt: "mqtt://127.0.0.1" }));
    assert.ok(!r.ok);
    if (!r.ok) assert.deepEqual(r.issues.map(formatIssue), ['mqtt: must be an object, got "mqtt://127.0.0.1"']);
  });
});
