import { strict as assert } from "assert";
import { builtinDocument, parseCabinetConfig } from "../../src/config/index";
import { parseStartArgs, resolveMqtt } from "../../host-sim/cli/start";

describe("npm start -- --mqtt", () => {
  it("parses --mqtt and --log-file, and rejects a broker URL that is not mqtt://host:port", () => {
    const args = parseStartArgs(["--mqtt", "mqtt://127.0.0.1:1883", "--log-file", "/tmp/x.log"]);
    assert.ok(typeof args !== "string");
    if (typeof args === "string") return;
    assert.equal(args.mqtt, "mqtt://127.0.0.1:1883");
    assert.equal(args.logFile, "/tmp/x.log");
    const plain = parseStartArgs([]);
    assert.ok(typeof plain !== "string" && plain.mqtt === null);
    assert.match(String(parseStartArgs(["--mqtt", "http://127.0.0.1:1883"])), /^--mqtt: must look like mqtt:\/\/host:port.*got http:\/\/127\.0\.0\.1:1883$/);
    assert.match(String(parseStartArgs(["--mqtt"])), /--mqtt: needs a value/);
  });

  it("uses the config's mqtt block, with --mqtt replacing only its broker", () => {
    const plain = parseCabinetConfig(builtinDocument("ring-12x2"));
    assert.equal(resolveMqtt(plain, null), null, "no block, no flag: no MQTT");
    const fromUrl = resolveMqtt(plain, "mqtt://127.0.0.1:1999");
    assert.ok(fromUrl !== null && typeof fromUrl !== "string");
    if (fromUrl === null || typeof fromUrl === "string") return;
    assert.equal(fromUrl.brokerPort, 1999);
    assert.equal(fromUrl.demandTimeoutMs, 5000);

    const withBlock = parseCabinetConfig({
      ...builtinDocument("ring-12x2")!,
      mqtt: { brokerUrl: "mqtt://10.1.1.1", clientId: "cab-9", demandTimeoutMs: 2000, gunMap: [{ device: "D2", topicGunId: 1, gunId: 5 }] },
    });
    const blockOnly = resolveMqtt(withBlock, null);
    assert.ok(blockOnly !== null && typeof blockOnly !== "string" && blockOnly.brokerHost === "10.1.1.1");
    const overridden = resolveMqtt(withBlock, "mqtt://127.0.0.1:1883");
    assert.ok(overridden !== null && typeof overridden !== "string");
    if (overridden === null || typeof overridden === "string") return;
    assert.equal(overridden.brokerHost, "127.0.0.1");
    assert.equal(overridden.clientId, "cab-9");
    assert.equal(overridden.demandTimeoutMs, 2000);
    assert.deepEqual(overridden.gunMap, [{ device: "D2", topicGunId: 1, gunId: 5 }]);
  });
});
