import { strict as assert } from "assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import fc from "fast-check";
import type { MqttClient as NpmMqttClient } from "mqtt";
import { startHostMqtt, type HostMqtt } from "../../host-sim/mqtt/host-mqtt";
import { brokerKinds, observeBroker, startBroker, waitFor, type SeenMessage, type TestBroker } from "./broker";

const MOSQUITTO_PUB = ["/usr/bin/mosquitto_pub", "/usr/local/bin/mosquitto_pub"].find((p) => fs.existsSync(p)) ?? null;
import { FakeSource, RecordingLog, RecordingSink } from "../core/mqtt/fakes";

type Seen = SeenMessage;

const observer = observeBroker;

async function closeClient(client: NpmMqttClient): Promise<void> {
  await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
}

for (const kind of brokerKinds()) {
  describe(`mqtt against a real broker (${kind})`, function () {
    this.timeout(15000);
    let broker: TestBroker;
    let host: HostMqtt | null = null;
    const observers: NpmMqttClient[] = [];
    let sink: RecordingSink;
    let source: FakeSource;
    let log: RecordingLog;

    beforeEach(async () => {
      broker = await startBroker(kind);
      sink = new RecordingSink();
      source = new FakeSource();
      log = new RecordingLog();
      host = startHostMqtt({
        block: {
          brokerUrl: broker.url, clientId: `cab-${kind}`, publishIntervalMs: 200, reconnectMinMs: 100, reconnectMaxMs: 400,
          keepAliveS: 5, connectTimeoutMs: 2000, gunMap: [{ device: "D2", topicGunId: 1, gunId: 4 }, { device: "D1", topicGunId: 1, gunId: 1 }],
        },
        gunIds: [1, 2, 3, 4, 5, 6], sink, source, log, tickMs: 20,
      });
      const h = host;
      await waitFor("service connected", () => h.service.state === "connected");
    });

    afterEach(async () => {
      host?.stop();
      host = null;
      for (const c of observers.splice(0)) await closeClient(c);
      await broker.stop();
    });

    async function watch(filter: string) {
      const o = await observer(broker.url, filter);
      observers.push(o.client);
      return o;
    }

    it("demand on vesec/<gun>/demand/<device> reaches the DemandSink as the mapped gun; bad ones are counted", async () => {
      const { client } = await watch("unused/#");
      client.publish("vesec/1/demand/D2", "80", { qos: 1 });
      client.publish("vesec/1/soc/D2", '{"soc":33}', { qos: 1 });
      client.publish("vesec/1/demand/D3", "80", { qos: 1 });
      client.publish("vesec/1/demand/D1", "-5", { qos: 1 });
      const h = host!;
      await waitFor("demand for gun 4", () => sink.latest(4)?.socPct === 33);
      assert.equal(sink.latest(4)!.demandKW, 80);
      assert.equal(sink.latest(1), undefined);
      await waitFor("two rejections", () => h.service.stats().rejectedTotal === 2);
      assert.equal(h.service.stats().rejections.unknownGun, 1);
      assert.equal(h.service.stats().rejections.outOfRange, 1);
      assert.equal(log.matching(/rejected/).length, 2);
    });

    it("telemetry arrives with the documented schema; gun status and online are retained", async () => {
      const { seen } = await watch("vesec/cabinet/#");
      await waitFor("cabinet telemetry", () => seen.some((m) => m.topic.endsWith("/telemetry/cabinet")));
      const body = JSON.parse(seen.find((m) => m.topic === `vesec/cabinet/cab-${kind}/telemetry/cabinet`)!.payload);
      assert.equal(body.schema, "vesec.cabinet.telemetry/1");
      assert.deepEqual(Object.keys(body).sort(), ["cabinetId", "contactors", "faults", "guns", "modules", "schema", "totals", "tsMs"]);
      assert.deepEqual(Object.keys(body.guns[0]).sort(), ["budgetKW", "currentA", "gunId", "island", "modules", "mqttDemandKW", "powerKW", "socPct", "state", "vehicleStatus", "voltageV"]);
      // A late subscriber gets the retained status topics.
      const late = await watch(`vesec/cabinet/cab-${kind}/+/+/status`);
      await waitFor("retained gun status", () => late.seen.some((m) => m.retain && m.topic.endsWith("/gun/1/status")));
      const late2 = await watch(`vesec/cabinet/cab-${kind}/status/connection`);
      await waitFor("retained online", () => late2.seen.some((m) => m.retain && m.payload === "online"));
    });

    it("the broker publishes the last will 'offline' when the connection dies, then the service comes back online", async () => {
      const { seen } = await watch(`vesec/cabinet/cab-${kind}/status/connection`);
      await waitFor("online", () => seen.some((m) => m.payload === "online"));
      seen.length = 0;
      host!.client.dropConnection();
      await waitFor("last will", () => seen.some((m) => m.payload === "offline"));
      await waitFor("online again", () => seen.some((m, i) => m.payload === "online" && i > seen.findIndex((x) => x.payload === "offline")));
      assert.equal(host!.service.stats().connects, 2);
    });

    it("a retained demand left on the broker is not applied after a reconnect", async () => {
      const { client } = await watch("unused/#");
      await new Promise<void>((resolve) => client.publish("vesec/1/demand/D1", "200", { qos: 1, retain: true }, () => resolve()));
      const h = host!;
      await waitFor("live delivery", () => h.service.stats().accepted === 1);
      h.client.dropConnection();
      await waitFor("replayed retained demand rejected", () => h.service.stats().rejections.retained === 1);
      assert.equal(h.service.stats().accepted, 1);
    });

    it("fuzzed topics and payloads through the broker: nothing crashes, every message is accepted or counted", async () => {
      const { client } = await watch("unused/#");
      const level = fc.oneof(fc.constantFrom("1", "4", "7", "x", "demand", "soc", "status", "bogus", "D1", "D2", "D3", ""), fc.stringMatching(/^[A-Za-z0-9_-]{0,5}$/));
      const topic = fc.oneof(
        fc.tuple(fc.constantFrom("1", "2", "9"), fc.constantFrom("demand", "soc", "status", "temp"), fc.constantFrom("D1", "D2", "D4")).map(([g, t, d]) => `vesec/${g}/${t}/${d}`),
        fc.array(level, { minLength: 1, maxLength: 3 }).map((ls) => `vesec/${ls.join("/")}`),
      ).filter((t) => t.split("/").length === 4);
      const payload = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom("60", "101", "-1", "charging", "{}", '{"soc":5}').map((s) => Buffer.from(s)));
      const messages = fc.sample(fc.tuple(topic, payload), { numRuns: 120, seed: 42 });
      for (const [t, p] of messages) client.publish(t, Buffer.from(p), { qos: 1 });
      const h = host!;
      await waitFor("every message handled", () => h.service.stats().accepted + h.service.stats().rejectedTotal === messages.length);
      const stats = h.service.stats();
      assert.equal(stats.rejections.internal, 0);
      assert.ok(stats.rejectedTotal > 0 && stats.accepted > 0, JSON.stringify(stats));
      assert.equal(log.matching(/^mqtt: rejected \(\w+\): /).length, stats.rejectedTotal);
      assert.equal(h.service.state, "connected");
    });

    it("the README's mosquitto_pub line changes a gun's demand", async function () {
      if (!MOSQUITTO_PUB) this.skip();
      // Asynchronous: with aedes the broker lives in this process and must keep running.
      await new Promise<void>((resolve, reject) => {
        execFile(MOSQUITTO_PUB!, ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1", "-t", "vesec/1/demand/D1", "-m", "60"], { timeout: 5000 }, (error) => (error ? reject(error) : resolve()));
      });
      await waitFor("demand 60 on gun 1", () => sink.latest(1)?.demandKW === 60);
    });

    it("reconnects after a broker restart and resubscribes", async () => {
      const h = host!;
      await broker.restart();
      await waitFor("reconnected", () => h.service.stats().connects >= 2 && h.service.state === "connected", 8000);
      const { client } = await watch("unused/#");
      client.publish("vesec/1/demand/D1", "45", { qos: 1 });
      await waitFor("demand after restart", () => sink.latest(1)?.demandKW === 45);
      assert.match(log.matching(/closed/).join("\n"), /retry in \d+ ms/);
    });
  });
}
