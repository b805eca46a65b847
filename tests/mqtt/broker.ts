// Real brokers for the MQTT tests (DESIGN.md §7): Debian's mosquitto on a loopback
// port when installed, aedes in-process always. Both can be stopped and restarted
// on the same port to exercise reconnection.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { Aedes } from "aedes";
import { connect, type MqttClient as NpmMqttClient } from "mqtt";

export type BrokerKind = "mosquitto" | "aedes";

export interface TestBroker {
  kind: BrokerKind;
  port: number;
  url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export function mosquittoPath(): string | null {
  for (const p of ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto"]) {
    if (fs.existsSync(p)) return p;
  }
  return null;
}

/** Brokers to run the suite against; MQTT_TEST_BROKERS=aedes (or mosquitto) narrows it. */
export function brokerKinds(): BrokerKind[] {
  const wanted = (process.env.MQTT_TEST_BROKERS ?? "mosquitto,aedes").split(",");
  const kinds: BrokerKind[] = [];
  if (wanted.includes("mosquitto") && mosquittoPath()) kinds.push("mosquitto");
  if (wanted.includes("aedes")) kinds.push("aedes");
  return kinds;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`broker on port ${port} did not come up`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startBroker(kind: BrokerKind): Promise<TestBroker> {
  const port = await freePort();
  return kind === "mosquitto" ? startMosquitto(port) : startAedes(port);
}

async function startMosquitto(port: number): Promise<TestBroker> {
  const exe = mosquittoPath();
  if (!exe) throw new Error("mosquitto is not installed");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mosq-"));
  const conf = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n`);
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn(exe, ["-c", conf], { stdio: "ignore" });
    await waitForPort(port);
  };
  const halt = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once("exit", () => resolve());
      c.kill("SIGTERM");
    });
  };
  await launch();
  return {
    kind: "mosquitto",
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}

async function startAedes(port: number): Promise<TestBroker> {
  let broker: Aedes | null = null;
  let server: net.Server | null = null;
  const sockets = new Set<net.Socket>();
  const launch = async () => {
    broker = await Aedes.createBroker();
    const b = broker;
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      b.handle(socket);
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(port, "127.0.0.1", () => resolve()));
  };
  const halt = async () => {
    const b = broker;
    const s = server;
    broker = null;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    if (b) await new Promise<void>((resolve) => b.close(() => resolve()));
  };
  await launch();
  return { kind: "aedes", port, url: `mqtt://127.0.0.1:${port}`, stop: halt, restart: async () => { await halt(); await launch(); } };
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface SeenMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A test client subscribed to `filter` that records every message it sees. */
export async function observeBroker(url: string, filter: string): Promise<{ client: NpmMqttClient; seen: SeenMessage[] }> {
  const client = connect(url, { clientId: `obs-${Math.random().toString(16).slice(2, 10)}`, reconnectPeriod: 0 });
  const seen: SeenMessage[] = [];
  client.on("message", (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => client.subscribe(filter, { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    client.once("error", reject);
  });
  return { client, seen };
}
