import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { Station201 } from "../../src/ocpp/station201";
import { WsTransport } from "../../host-sim/ocpp/ws-transport";
import { FakeCabinet, MemoryStorage, testConfig } from "../core/ocpp/support";
import { drive, SkewClock, TestCsms, until } from "./csms-harness";

const fixtures = path.join(__dirname, "fixtures");

describe("ocpp security profiles against ocpp-rpc", function () {
  this.timeout(10_000);
  let csms: TestCsms | null = null;
  let stop: () => void = () => {};
  let station: Station201 | null = null;

  afterEach(async () => {
    stop();
    station?.stop();
    await csms?.close();
    assert.equal(csms?.failures.length ?? 0, 0);
  });

  it("profile 2: TLS (wss://, server verified against its CA) with basic auth", async () => {
    const cert = fs.readFileSync(path.join(fixtures, "csms-cert.pem"), "utf8");
    const key = fs.readFileSync(path.join(fixtures, "csms-key.pem"), "utf8");
    csms = new TestCsms({ protocol: "ocpp2.0.1", password: "profile-two-password", tls: { key, cert } });
    await csms.start();
    assert.ok(csms.url.startsWith("wss://"));
    station = new Station201({
      config: testConfig("2.0.1", { url: csms.url, password: "profile-two-password" }),
      transport: new WsTransport({ ca: cert }), port: new FakeCabinet(2), storage: new MemoryStorage(), clock: new SkewClock(), random: () => 0,
    });
    station.start();
    stop = drive(() => station!.tick());
    await until("registered over TLS", () => csms!.of("StatusNotification").length === 2);
    assert.equal(station.model.get("SecurityCtrlr", "SecurityProfile").value, "2");
  });

  it("profile 2: an untrusted server certificate is refused", async () => {
    const cert = fs.readFileSync(path.join(fixtures, "csms-cert.pem"), "utf8");
    const key = fs.readFileSync(path.join(fixtures, "csms-key.pem"), "utf8");
    csms = new TestCsms({ protocol: "ocpp2.0.1", tls: { key, cert } });
    await csms.start();
    station = new Station201({
      config: testConfig("2.0.1", { url: csms.url }), transport: new WsTransport(), port: new FakeCabinet(2), storage: new MemoryStorage(), clock: new SkewClock(), random: () => 0,
    });
    station.start();
    stop = drive(() => station!.tick());
    await until("connection attempt failed", () => station!.connection === "waiting" && station!.reconnectAtMs > 0);
    assert.equal(csms.calls.length, 0);
  });

  it("a CSMS that does not select our subprotocol is not talked to", async () => {
    // A plain ws server that accepts any client and picks no subprotocol.
    const { WebSocketServer } = await import("ws");
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => false });
    const received: string[] = [];
    wss.on("connection", (s) => s.on("message", (m) => received.push(m.toString())));
    await new Promise((r) => wss.once("listening", r));
    const port = (wss.address() as { port: number }).port;
    station = new Station201({ config: testConfig("2.0.1", { url: `ws://127.0.0.1:${port}/ocpp` }), transport: new WsTransport(), port: new FakeCabinet(2), storage: new MemoryStorage(), clock: new SkewClock(), random: () => 0 });
    station.start();
    stop = drive(() => station!.tick());
    try {
      // Either the ws client refuses the handshake or the station closes: never an OCPP frame.
      await until("refusal noted", () => /subprotocol/i.test(station!.stats.lastCloseReason) || station!.stats.problems.some((p) => /subprotocol/.test(p)));
      assert.equal(station.stats.connects, 0);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(received, []);
    } finally {
      stop();
      station.stop();
      station = null;
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});
