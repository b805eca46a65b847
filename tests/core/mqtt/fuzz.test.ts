import { strict as assert } from "assert";
import "./xs-timer-shim";
import fc from "fast-check";
import { MqttService } from "../../../src/mqtt/service";
import { validateMqttConfig } from "../../../src/mqtt/config";
import { FakeClient, FakeClock, FakeSource, RecordingLog, RecordingSink } from "./fakes";

const levels = fc.oneof(
  fc.constantFrom("vesec", "1", "2", "6", "7", "0", "01", "demand", "soc", "status", "Demand", "x", "D1", "D2", "D3", "D4", ""),
  fc.string({ maxLength: 6 }),
);
const topic = fc.oneof(
  fc.tuple(fc.constantFrom("1", "3", "6", "9", "abc", "0"), fc.constantFrom("demand", "soc", "status", "temp"), fc.constantFrom("D1", "D2", "D3", "D9"))
    .map(([g, t, d]) => `vesec/${g}/${t}/${d}`),
  fc.array(levels, { minLength: 1, maxLength: 6 }).map((ls) => ls.join("/")),
);
// JSON documents built from keys that are not Object.prototype members: on a device
// Object.prototype is frozen and fast-check's own object building would fail on a key
// like "valueOf" (our decoder only ever sees the parsed text, which is safe either way).
const safeKey = fc.string({ maxLength: 12 }).filter((k) => !(k in Object.prototype));
const jsonText = fc
  .dictionary(safeKey, fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null)), { maxKeys: 6 })
  .map((o) => JSON.stringify(o));
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.oneof(
    fc.double().map(String),
    fc.integer({ min: -50, max: 2000 }).map(String),
    fc.constantFrom("charging", "ready", "fault", "boom", "", " 12 ", "{}", '{"demandKW":80}', '{"soc":50}', '{"status":"ready"}', "null", "1e2"),
    jsonText,
  ).map((s) => {
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i) & 0xff;
    return bytes;
  }),
);

describe("mqtt fuzzing (fast-check)", () => {
  it("never throws; every message is accepted or counted as rejected with a logged reason; accepted values are in range", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(topic, payload), { maxLength: 25 }), (messages) => {
        const r = validateMqttConfig({ brokerUrl: "mqtt://127.0.0.1", maxDemandKW: 500 });
        if (!r.ok) throw new Error("config");
        const client = new FakeClient();
        const log = new RecordingLog();
        const sink = new RecordingSink();
        const service = new MqttService({ config: r.config, gunIds: [1, 2, 3, 4, 5, 6], client, sink, source: new FakeSource(), clock: new FakeClock(), log });
        service.start();
        client.events!.onConnect();
        for (const [t, p] of messages) client.deliver(t, p);
        const stats = service.stats();
        assert.equal(stats.accepted + stats.rejectedTotal, messages.length);
        assert.equal(stats.rejections.internal, 0);
        assert.equal(log.matching(/^mqtt: rejected \(\w+\): ./).length, stats.rejectedTotal);
        assert.equal(sink.updates.length, stats.accepted);
        for (const u of sink.updates) {
          assert.ok(u.gunId >= 1 && u.gunId <= 6);
          if (u.demandKW !== null) assert.ok(u.demandKW >= 0 && u.demandKW <= 500);
          if (u.socPct !== null) assert.ok(u.socPct >= 0 && u.socPct <= 100);
        }
      }),
      { numRuns: 150 },
    );
  });
});
