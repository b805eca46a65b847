import { strict as assert } from "assert";
import { MqttService } from "../../../src/mqtt/service";
import { validateMqttConfig, type MqttConfigDocument } from "../../../src/mqtt/config";
import { FakeClient, FakeClock, FakeSource, RecordingLog, RecordingSink } from "./fakes";

function setup(extra: Partial<MqttConfigDocument> = {}) {
  const r = validateMqttConfig({ brokerUrl: "mqtt://127.0.0.1:1883", clientId: "cab1", publishIntervalMs: 1000, demandTimeoutMs: 3000, reconnectMinMs: 500, reconnectMaxMs: 4000, ...extra });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const client = new FakeClient();
  const clock = new FakeClock();
  const log = new RecordingLog();
  const sink = new RecordingSink();
  const source = new FakeSource();
  const service = new MqttService({ config: r.config, gunIds: [1, 2, 3, 4, 5, 6], client, sink, source, clock, log });
  return { service, client, clock, log, sink, source };
}

describe("mqtt service", () => {
  it("connects with an offline last will, subscribes with QoS 1 and announces online (retained)", () => {
    const { service, client } = setup();
    service.start();
    assert.equal(client.connects.length, 1);
    assert.deepEqual(client.connects[0].will, { topic: "vesec/cabinet/cab1/status/connection", payload: "offline", qos: 1, retain: true });
    client.events!.onConnect();
    assert.deepEqual(client.subscriptions, [{ filter: "vesec/+/+/+", qos: 1 }]);
    assert.deepEqual(client.on("vesec/cabinet/cab1/status/connection"), [{ topic: "vesec/cabinet/cab1/status/connection", payload: "online", qos: 1, retain: true }]);
    assert.equal(service.state, "connected");
  });

  it("delivers mapped demand, SOC and status to the sink", () => {
    const { service, client, sink } = setup({ gunMap: [{ device: "D2", topicGunId: 1, gunId: 5 }] });
    service.start();
    client.events!.onConnect();
    client.deliver("vesec/1/demand/D2", "60");
    client.deliver("vesec/1/soc/D2", "42.5");
    client.deliver("vesec/1/status/D2", "charging");
    const last = sink.latest(5)!;
    assert.equal(last.demandKW, 60);
    assert.equal(last.demandValid, true);
    assert.equal(last.socPct, 42.5);
    assert.equal(last.vehicleStatus, "charging");
    assert.equal(last.device, "D2");
    assert.equal(sink.latest(1), undefined, "topic gun 1 must not reach cabinet gun 1 when mapped elsewhere");
    client.deliver("vesec/1/demand/D1", "60");
    assert.equal(service.stats().rejections.unknownGun, 1);
  });

  it("rejects a retained (replayed) demand", () => {
    const { service, client, sink } = setup();
    service.start();
    client.events!.onConnect();
    client.deliver("vesec/2/demand/D1", "150", true);
    assert.equal(sink.updates.length, 0);
    assert.equal(service.stats().rejections.retained, 1);
  });

  it("times a silent demand source out and tells the sink", () => {
    const { service, client, sink, clock } = setup();
    service.start();
    client.events!.onConnect();
    client.deliver("vesec/3/demand/D1", "120");
    clock.ms += 2999;
    service.tick();
    assert.equal(sink.latest(3)!.demandKW, 120);
    clock.ms += 1;
    service.tick();
    assert.equal(sink.latest(3)!.demandKW, null);
    assert.equal(sink.latest(3)!.demandValid, false);
    const n = sink.updates.length;
    clock.ms += 10000;
    service.tick();
    assert.equal(sink.updates.length, n, "expiry is reported once");
  });

  it("demand still expires while the broker is unreachable", () => {
    const { service, client, sink, clock } = setup();
    service.start();
    client.events!.onConnect();
    client.deliver("vesec/6/demand/D1", "30");
    client.events!.onClose("socket reset");
    clock.ms += 3000;
    service.tick();
    assert.equal(sink.latest(6)!.demandValid, false);
  });

  it("a fresh message keeps the demand alive", () => {
    const { service, client, sink, clock } = setup();
    service.start();
    client.events!.onConnect();
    for (let i = 0; i < 5; i++) {
      client.deliver("vesec/2/demand/D3", String(50 + i));
      clock.ms += 2000;
      service.tick();
    }
    assert.equal(sink.latest(2)!.demandKW, 54);
  });

  it("publishes telemetry with the documented schema every interval, retained gun status", () => {
    const { service, client, clock } = setup();
    service.start();
    client.events!.onConnect();
    client.deliver("vesec/1/demand/D1", "70");
    service.tick();
    const cabinet = client.on("vesec/cabinet/cab1/telemetry/cabinet");
    assert.equal(cabinet.length, 1);
    assert.equal(cabinet[0].retain, false);
    const body = JSON.parse(cabinet[0].payload);
    assert.equal(body.schema, "vesec.cabinet.telemetry/1");
    assert.equal(body.cabinetId, "cab1");
    assert.deepEqual(body.totals, { powerKW: 60, budgetKW: 80, capacityKW: 480, gridLimitKW: 400, modulesOn: 2, modulesTotal: 3, faultsActive: 1 });
    assert.deepEqual(body.guns[0], {
      gunId: 1, state: "CHARGING", socPct: 42, voltageV: 400, currentA: 150, powerKW: 60, budgetKW: 80,
      modules: ["M1_0", "M1_1"], island: [1, 2], mqttDemandKW: 70, vehicleStatus: null,
    });
    assert.deepEqual(body.contactors[2], { id: "MC_2", position: "open", fault: "welded" });
    assert.equal(body.faults[0].code, "ContactorWelded");
    const gun1 = client.on("vesec/cabinet/cab1/gun/1/status");
    assert.equal(gun1.length, 1);
    assert.equal(gun1[0].retain, true);
    assert.equal(client.on("vesec/cabinet/cab1/status/faults")[0].retain, true);
    clock.ms += 999;
    service.tick();
    assert.equal(client.on("vesec/cabinet/cab1/telemetry/cabinet").length, 1);
    clock.ms += 1;
    service.tick();
    assert.equal(client.on("vesec/cabinet/cab1/telemetry/cabinet").length, 2);
    assert.equal(client.on("vesec/cabinet/cab1/status/faults").length, 1, "unchanged faults are not republished");
  });

  it("publishes each session event once, in order", () => {
    const { service, client, source } = setup();
    service.start();
    client.events!.onConnect();
    source.events.push({ seq: 1, gunId: 1, event: "SessionStarted", atMs: 1000 }, { seq: 2, gunId: 1, event: "ChargingStarted", atMs: 1100 });
    service.tick();
    service.tick();
    source.events.push({ seq: 3, gunId: 1, event: "SessionFinished", atMs: 9000, detail: "EV stop" });
    service.tick();
    const events = client.on("vesec/cabinet/cab1/event/session").map((p) => JSON.parse(p.payload));
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
    assert.equal(events[2].detail, "EV stop");
    assert.equal(events[0].schema, "vesec.cabinet.event/1");
  });

  it("reconnects with doubling backoff and resets it after success", () => {
    const { service, client, clock } = setup();
    service.start();
    client.events!.onClose("refused");
    assert.equal(service.state, "waiting");
    clock.ms += 499;
    service.tick();
    assert.equal(client.connects.length, 1);
    clock.ms += 1;
    service.tick();
    assert.equal(client.connects.length, 2);
    client.events!.onClose("refused");
    clock.ms += 999;
    service.tick();
    assert.equal(client.connects.length, 2, "second retry waits 1000 ms");
    clock.ms += 1;
    service.tick();
    assert.equal(client.connects.length, 3);
    client.events!.onConnect();
    assert.equal(service.stats().failures, 0);
    client.events!.onClose("socket reset");
    clock.ms += 500;
    service.tick();
    assert.equal(client.connects.length, 4, "backoff starts again from the minimum");
  });

  it("ignores events of an abandoned attempt and does not publish while disconnected", () => {
    const { service, client, clock } = setup();
    service.start();
    const stale = client.events!;
    stale.onClose("refused");
    clock.ms += 500;
    service.tick();
    stale.onConnect();
    assert.equal(service.state, "connecting");
    clock.ms += 5000;
    const before = client.published.length;
    service.tick();
    assert.equal(client.published.length, before);
  });

  it("stop publishes a retained offline status and ends the client", () => {
    const { service, client } = setup();
    service.start();
    client.events!.onConnect();
    service.stop();
    const status = client.on("vesec/cabinet/cab1/status/connection");
    assert.deepEqual(status.map((p) => [p.payload, p.retain]), [["online", true], ["offline", true]]);
    assert.equal(client.ended, 1);
    assert.equal(service.state, "stopped");
  });

  it("survives a throwing sink and source", () => {
    const { service, client, log } = setup();
    const s = service as unknown as { options: { sink: unknown; source: unknown } };
    s.options.sink = { updateGunInput() { throw new Error("boom"); } };
    s.options.source = { snapshot() { throw new Error("bang"); }, sessionEventsSince() { throw new Error("bang"); } };
    service.start();
    client.events!.onConnect();
    client.deliver("vesec/1/demand/D1", "10");
    service.tick();
    assert.ok(log.matching(/demand sink threw/).length === 1);
    assert.ok(log.matching(/telemetry source threw/).length === 1);
  });
});
