/**
 * A real, schema-validating CSMS for tests: ocpp-rpc in strict mode on 127.0.0.1 with the
 * subprotocol enforced (ocpp-rpc accepts a client without one unless told not to), counting
 * every strict-validation failure. Plus a ticking driver for a station under test.
 */
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import { strict as assert } from "assert";
import type { StationOptions } from "../../src/ocpp/station-core";
import { WsTransport } from "../../host-sim/ocpp/ws-transport";
import { FakeCabinet, MemoryStorage, testConfig } from "../core/ocpp/support";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { RPCServer } = require("ocpp-rpc");

export interface CallRecord { action: string; params: any; at: number }

export interface CsmsOptions {
  protocol: "ocpp2.0.1" | "ocpp1.6";
  password?: string;
  tls?: { key: string; cert: string };
  /** Response to BootNotification; default Accepted, interval 60. */
  boot?: () => { status: string; interval: number };
}

export class TestCsms {
  readonly calls: CallRecord[] = [];
  readonly failures: any[] = [];
  readonly inbound: string[] = [];
  readonly rejectedHandshakes: string[] = [];
  clients: any[] = [];
  boot: () => { status: string; interval: number };
  /** Answer overrides by action. */
  handlers: Record<string, (params: any) => any> = {};
  private server: any;
  private httpServer!: http.Server | https.Server;
  url = "";
  private nextTx = 100;

  constructor(private readonly options: CsmsOptions) {
    this.boot = options.boot ?? (() => ({ status: "Accepted", interval: 60 }));
  }

  async start(): Promise<void> {
    this.server = new RPCServer({ protocols: [this.options.protocol], strictMode: true, callTimeoutMs: 5000 });
    this.server.auth((accept: any, reject: any, handshake: any) => {
      if (!handshake.protocols.has(this.options.protocol)) {
        this.rejectedHandshakes.push(`no subprotocol ${this.options.protocol} in ${[...handshake.protocols].join(",")}`);
        reject(400, "subprotocol required");
        return;
      }
      if (this.options.password !== undefined && handshake.password?.toString() !== this.options.password) {
        this.rejectedHandshakes.push("bad password");
        reject(401, "bad password");
        return;
      }
      accept({ identity: handshake.identity }, this.options.protocol);
    });
    this.server.on("client", (client: any) => this.attach(client));
    this.httpServer = this.options.tls ? https.createServer({ key: this.options.tls.key, cert: this.options.tls.cert }) : http.createServer();
    this.httpServer.on("upgrade", this.server.handleUpgrade);
    await new Promise<void>((resolve) => this.httpServer.listen(0, "127.0.0.1", resolve));
    const port = (this.httpServer.address() as AddressInfo).port;
    this.url = `${this.options.tls ? "wss" : "ws"}://127.0.0.1:${port}/ocpp`;
  }

  private attach(client: any): void {
    this.clients.push(client);
    client.on("strictValidationFailure", (e: any) => this.failures.push(e));
    client.on("message", ({ message, outbound }: { message: string; outbound: boolean }) => { if (!outbound) this.inbound.push(message); });
    const now = () => new Date().toISOString();
    client.handle(({ method, params }: { method: string; params: any }) => {
      this.calls.push({ action: method, params, at: Date.now() });
      const custom = this.handlers[method];
      if (custom) return custom(params);
      switch (method) {
        case "BootNotification": return { ...this.boot(), currentTime: now() };
        case "Heartbeat": return { currentTime: now() };
        case "Authorize": return this.options.protocol === "ocpp1.6" ? { idTagInfo: { status: "Accepted" } } : { idTokenInfo: { status: "Accepted" } };
        case "StartTransaction": return { transactionId: this.nextTx++, idTagInfo: { status: "Accepted" } };
        case "StopTransaction": return { idTagInfo: { status: "Accepted" } };
        case "TransactionEvent": return {};
        default: return {};
      }
    });
  }

  get client(): any { return this.clients[this.clients.length - 1]; }

  of(action: string): any[] { return this.calls.filter((c) => c.action === action).map((c) => c.params); }

  /** Drops the station's connection from the server side. */
  dropAll(): void { for (const c of this.clients) c.close({ code: 1001, force: true }).catch(() => {}); }

  async close(): Promise<void> {
    await this.server.close({ force: true, awaitPending: false }).catch(() => {});
    await new Promise<void>((resolve) => { this.httpServer.close(() => resolve()); (this.httpServer as any).closeAllConnections?.(); });
  }
}

/** Real time plus a manual skew, so tests can jump over heartbeat intervals. */
export class SkewClock {
  skewMs = 0;
  nowMs(): number { return Date.now() + this.skewMs; }
}

export async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Ticks a station every few ms until stopped. */
export function drive(tick: () => void, periodMs = 5): () => void {
  const timer = setInterval(tick, periodMs);
  return () => clearInterval(timer);
}

/** A station of either OCPP version, as the suites drive it. */
export interface DrivenStation {
  start(): void;
  stop(): void;
  tick(): void;
  readonly stats: { readonly problems: readonly string[] };
}

export interface BootOptions {
  bootStatus?: string;
  storage?: MemoryStorage;
  cabinet?: FakeCabinet;
  password?: string;
}

/**
 * A strict CSMS, started, and a station of `version` booting on it over a real WebSocket
 * (basic auth when a password is given; the CSMS answers BootNotification with
 * `bootStatus` when given), ticked with its fake cabinet every few ms.
 */
export async function bootStation<S extends DrivenStation>(version: "1.6" | "2.0.1", make: (options: StationOptions) => S, options: BootOptions = {}) {
  const csms = new TestCsms({
    protocol: version === "1.6" ? "ocpp1.6" : "ocpp2.0.1",
    ...(options.password ? { password: options.password } : {}),
    ...(options.bootStatus ? { boot: () => ({ status: options.bootStatus!, interval: 1 }) } : {}),
  });
  await csms.start();
  const clock = new SkewClock();
  const cabinet = options.cabinet ?? new FakeCabinet();
  const station = make({
    config: testConfig(version, { url: csms.url, password: options.password ?? null, retryBackOffWaitMinimumS: 0, retryBackOffRandomRangeS: 0 }),
    transport: new WsTransport(), port: cabinet, storage: options.storage ?? new MemoryStorage(), clock, random: () => 0,
  });
  station.start();
  let last = clock.nowMs();
  const stopDriving = drive(() => { const now = clock.nowMs(); cabinet.run(now - last); last = now; station.tick(); });
  return { csms, station, clock, cabinet, stopDriving };
}

/**
 * After each test: stop ticking, check the CSMS answered no station call with CALLERROR,
 * stop the station, keep the CSMS's strict-validation failures for `assertNoStrictFailures`.
 */
export async function endRun(stopDriving: () => void, station: DrivenStation | null, csms: TestCsms, failures: unknown[]): Promise<void> {
  stopDriving();
  if (station) assert.deepEqual(station.stats.problems.filter((p) => /CALLERROR/.test(p)), [], "the CSMS answered a station call with CALLERROR");
  station?.stop();
  failures.push(...csms.failures);
  await csms.close();
}

export function assertNoStrictFailures(failures: any[]): void {
  assert.equal(failures.length, 0, `strict validation failures across the suite: ${JSON.stringify(failures.map((f) => f.error?.message ?? f))}`);
}
