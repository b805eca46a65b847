/** Platform-free test doubles: storage, clock, fake cabinet (StationPort), scripted CSMS transport. */
import type { Clock } from "../../../hal/clock";
import type { Storage } from "../../../hal/storage";
export { DemoCabinet as FakeCabinet } from "../../../host-sim/ocpp/demo-cabinet";
import type { ConnectRequest, OcppTransport, TransportEvents } from "../../../src/ocpp/transport";
import type { OcppConfig } from "../../../src/ocpp/config";
import { ocppDefaults } from "../../../src/ocpp/config";
import type { StationOptions } from "../../../src/ocpp/station-core";
import { DemoCabinet } from "../../../host-sim/ocpp/demo-cabinet";

export class MemoryStorage implements Storage {
  readonly data = new Map<string, string>();
  get(key: string) { return this.data.get(key); }
  set(key: string, value: string) { this.data.set(key, value); }
  delete(key: string) { this.data.delete(key); }
  keys(prefix = "") { return [...this.data.keys()].filter((k) => k.startsWith(prefix)); }
}

export class ManualClock implements Clock {
  t = 0;
  nowMs() { return this.t; }
  advance(ms: number) { this.t += ms; }
}

/** UTC wall clock that follows a manual clock from a fixed epoch. */
export function wallFrom(clock: ManualClock, epochMs: number): Clock {
  return { nowMs: () => epochMs + clock.nowMs() };
}

export function testConfig(version: "2.0.1" | "1.6", extra: Partial<OcppConfig> = {}): OcppConfig {
  return { ...ocppDefaults, url: "ws://127.0.0.1:1/ocpp", version, stationId: "CAB1", heartbeatIntervalS: 60, meterSampleIntervalS: 30, ...extra };
}

type Responder = (payload: any, action: string) => object;

/**
 * An in-process CSMS behind a fake transport: answers station CALLs with scripted responders,
 * records every frame, can send CALLs and drop the connection. Events are delivered by flush().
 */
export class ScriptedCsms implements OcppTransport {
  readonly received: any[][] = [];
  readonly sentReplies: any[][] = [];
  responders: Record<string, Responder> = {};
  online = true;
  protocol: string | null = null;
  private events: TransportEvents | null = null;
  private readonly inbox: (() => void)[] = [];
  private ids = 0;
  connects: ConnectRequest[] = [];
  /** Replies to the CSMS' own CALLs, by id. */
  readonly replies = new Map<string, any[]>();

  constructor(private readonly defaultProtocol: string) {
    const now = () => new Date().toISOString();
    this.responders = {
      BootNotification: () => ({ status: "Accepted", currentTime: now(), interval: 60 }),
      Heartbeat: () => ({ currentTime: now() }),
      StatusNotification: () => ({}),
      TransactionEvent: () => ({}),
      MeterValues: () => ({}),
      Authorize: () => ({ idTokenInfo: { status: "Accepted" } }),
      ReportChargingProfiles: () => ({}),
      ReservationStatusUpdate: () => ({}),
      StartTransaction: () => ({ transactionId: 1000 + this.ids++, idTagInfo: { status: "Accepted" } }),
      StopTransaction: () => ({ idTagInfo: { status: "Accepted" } }),
    };
  }

  connect(request: ConnectRequest, events: TransportEvents): void {
    this.connects.push(request);
    this.events = events;
    this.inbox.push(() => {
      if (!this.online) { this.events = null; events.onClose("refused"); return; }
      events.onOpen(this.protocol ?? this.defaultProtocol);
    });
  }

  send(text: string): boolean {
    if (!this.events || !this.online) return false;
    const frame = JSON.parse(text);
    this.sentReplies.push(frame);
    if (frame[0] === 2) {
      this.received.push(frame);
      const r = this.responders[frame[2]];
      this.inbox.push(() => this.events?.onMessage(JSON.stringify(r ? [3, frame[1], r(frame[3], frame[2])] : [4, frame[1], "NotImplemented", "", {}])));
    } else {
      this.replies.set(frame[1], frame);
    }
    return true;
  }

  close(): void {
    const ev = this.events;
    this.events = null;
    if (ev) this.inbox.push(() => ev.onClose("closed"));
  }

  /** Drop the connection from the CSMS side (and refuse reconnects while offline). */
  drop(): void { this.online = false; this.close(); }

  /** Send a CALL to the station; returns its id. */
  call(action: string, payload: object): string {
    const id = `csms-${this.ids++}`;
    this.raw(JSON.stringify([2, id, action, payload]));
    return id;
  }

  raw(text: string): void {
    const ev = this.events;
    this.inbox.push(() => ev?.onMessage(text));
  }

  /** Deliver pending events until quiet. */
  flush(): void {
    for (let guard = 0; this.inbox.length > 0 && guard < 10_000; guard++) this.inbox.shift()!();
  }

  calls(action: string): any[] { return this.received.filter((f) => f[2] === action).map((f) => f[3]); }
}

const RIG_EPOCH_MS = Date.parse("2026-03-02T08:00:00Z");

interface RigStation {
  start(): void;
  tick(): void;
}

/**
 * A station of either version on a scripted CSMS, a fake cabinet and a manual clock.
 * step(ms, n) advances time and lets the station and the CSMS exchange until quiet.
 */
export function stationRig<S extends RigStation>(
  version: "2.0.1" | "1.6",
  make: (options: StationOptions) => S,
  storage = new MemoryStorage(),
  csms = new ScriptedCsms(version === "1.6" ? "ocpp1.6" : "ocpp2.0.1"),
  cabinet = new DemoCabinet(),
  startAtMs = 0,
) {
  const clock = new ManualClock();
  clock.t = startAtMs;
  const station = make({ config: testConfig(version), transport: csms, port: cabinet, storage, clock, wallClock: wallFrom(clock, RIG_EPOCH_MS), random: () => 0 });
  const step = (ms = 0, n = 1) => {
    for (let i = 0; i < n; i++) {
      clock.advance(ms);
      cabinet.run(ms);
      station.tick();
      csms.flush();
      station.tick();
      csms.flush();
    }
  };
  station.start();
  return { station, csms, cabinet, clock, storage, step };
}
