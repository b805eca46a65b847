/**
 * A real, schema-validating CSMS for tests: ocpp-rpc in strict mode on 127.0.0.1 with the
 * subprotocol enforced (ocpp-rpc accepts a client without one unless told not to), counting
 * every strict-validation failure. Plus a ticking driver for a station under test.
 */
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
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
