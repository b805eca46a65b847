import { strict as assert } from "assert";
import { mqttConfigFromUrl, parseBrokerUrl, validateMqttConfig } from "../../../src/mqtt/config";

describe("mqtt config block", () => {
  it("fills every default from just a broker URL", () => {
    const r = mqttConfigFromUrl("mqtt://127.0.0.1:1884");
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.config.brokerHost, "127.0.0.1");
    assert.equal(r.config.brokerPort, 1884);
    assert.equal(r.config.topicPrefix, "vesec");
    assert.equal(r.config.demandQos, 1);
    assert.deepEqual(r.config.devices, ["D1", "D2", "D3"]);
    assert.equal(r.config.gunMap, null);
    assert.equal(r.config.cabinetId, r.config.clientId);
  });

  it("defaults the port to 1883", () => {
    assert.deepEqual(parseBrokerUrl("mqtt://broker.local"), { host: "broker.local", port: 1883 });
  });

  it("names path and value for every bad field", () => {
    const r = validateMqttConfig(
      {
        brokerUrl: "http://x", qos: 3, topicPrefix: "ve/+/x", publishIntervalMs: -1, devices: ["D1", "D1"],
        gunMap: [{ device: "D9", topicGunId: 1, gunId: 1 }, { device: "D1", topicGunId: 2, gunId: 7 }], colour: "red",
      },
      { gunIds: [1, 2, 3, 4, 5, 6] },
    );
    assert.equal(r.ok, false);
    if (r.ok) return;
    const text = r.issues.map((i) => `${i.path}: ${i.message}`).join("\n");
    assert.match(text, /mqtt\.brokerUrl: .*"http:\/\/x"/);
    assert.match(text, /mqtt\.qos: must be 0, 1 or 2, got 3/);
    assert.match(text, /mqtt\.topicPrefix: .*"ve\/\+\/x"/);
    assert.match(text, /mqtt\.publishIntervalMs: .*got -1/);
    assert.match(text, /mqtt\.devices\[1\]: duplicate device "D1"/);
    assert.match(text, /mqtt\.gunMap\[0\]\.device: .*got "D9"/);
    assert.match(text, /mqtt\.gunMap\[1\]\.gunId: no gun 7 in this cabinet/);
    assert.match(text, /mqtt\.colour: unknown field/);
  });

  it("rejects duplicate (device, topic gun) pairs and accepts a full mapping", () => {
    const bad = validateMqttConfig({ brokerUrl: "mqtt://h", gunMap: [{ device: "D1", topicGunId: 1, gunId: 1 }, { device: "D1", topicGunId: 1, gunId: 2 }] });
    assert.equal(bad.ok, false);
    const good = validateMqttConfig({ brokerUrl: "mqtt://h", gunMap: [{ device: "D1", topicGunId: 1, gunId: 4 }, { device: "D2", topicGunId: 1, gunId: 5 }] });
    assert.ok(good.ok);
    if (good.ok) assert.deepEqual(good.config.gunMap, [{ device: "D1", topicGunId: 1, gunId: 4 }, { device: "D2", topicGunId: 1, gunId: 5 }]);
  });

  it("rejects reconnectMaxMs below reconnectMinMs and a non-object block", () => {
    assert.equal(validateMqttConfig({ brokerUrl: "mqtt://h", reconnectMinMs: 5000, reconnectMaxMs: 1000 }).ok, false);
    const r = validateMqttConfig("mqtt://h");
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.issues[0].message, /must be an object/);
  });
});
