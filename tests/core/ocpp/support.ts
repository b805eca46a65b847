/** Platform-free test doubles: storage, clock, fake cabinet (StationPort), scripted CSMS transport. */
import type { Clock } from "../../../hal/clock";
import type { Storage } from "../../../hal/storage";
import type { CabinetStopReason, EvseInfo, EvseSnapshot, StationLimits, StationPort } from "../../../src/ocpp/port";
import type { ConnectRequest, OcppTransport, TransportEvents } from "../../../src/ocpp/transport";
import type { OcppConfig } from "../../../src/ocpp/config";
import { ocppDefaults } from "../../../src/ocpp/config";

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

interface EvseState {
  plugged: boolean; authorized: boolean; energyFlowing: boolean; faulted: boolean; operative: boolean;
  energyWh: number; powerW: number; socPercent: number | null; lastStopReason: CabinetStopReason | null; idToken: string | null;
  requestKW: number; voltageV: number;
}

/** A cabinet stand-in: sessions start when authorized and plugged, power follows the OCPP limits. */
export class FakeCabinet implements StationPort {
  readonly infos: EvseInfo[];
  readonly state: Record<number, EvseState> = {};
  readonly limitsLog: StationLimits[] = [];
  readonly availabilityLog: [number, boolean][] = [];
  readonly resets: string[] = [];
  refuseStart = false;

  constructor(count = 12, maxPowerKW = 120) {
    this.infos = [];
    for (let i = 1; i <= count; i++) {
      this.infos.push({ evseId: i, maxPowerKW, nominalVoltageV: 400 });
      this.state[i] = { plugged: false, authorized: false, energyFlowing: false, faulted: false, operative: true, energyWh: 1000 * i, powerW: 0, socPercent: null, lastStopReason: null, idToken: null, requestKW: 100, voltageV: 0 };
    }
  }

  get limits(): StationLimits | null { return this.limitsLog[this.limitsLog.length - 1] ?? null; }

  evses() { return this.infos; }

  snapshot(evseId: number): EvseSnapshot {
    const s = this.state[evseId];
    return {
      plugged: s.plugged, authorized: s.authorized, energyFlowing: s.energyFlowing, suspendedByEv: false, faulted: s.faulted,
      operative: s.operative, lastStopReason: s.lastStopReason,
      meter: { energyWh: s.energyWh, powerW: s.powerW, currentA: s.voltageV > 0 ? s.powerW / s.voltageV : 0, voltageV: s.voltageV, socPercent: s.socPercent },
    };
  }

  private update(evseId: number): void {
    const s = this.state[evseId];
    s.energyFlowing = s.plugged && s.authorized && !s.faulted;
    s.voltageV = s.energyFlowing ? 400 : 0;
    if (!s.energyFlowing) { s.powerW = 0; return; }
    const gun = this.limits?.gunLimitsKW[evseId] ?? null;
    let kw = Math.min(s.requestKW, this.infos[evseId - 1].maxPowerKW, gun ?? Infinity);
    const site = this.limits?.siteLimitKW ?? null;
    if (site !== null) {
      const active = Object.values(this.state).filter((x) => x.energyFlowing).length;
      kw = Math.min(kw, site / active);
    }
    s.powerW = kw * 1000;
    if (s.socPercent === null) s.socPercent = 20;
  }

  plugIn(evseId: number) { const s = this.state[evseId]; s.plugged = true; s.lastStopReason = null; this.update(evseId); }
  unplug(evseId: number) {
    const s = this.state[evseId];
    s.plugged = false;
    if (s.authorized) { s.authorized = false; s.lastStopReason = "EVDisconnected"; }
    this.update(evseId);
  }
  /** A local authorization after the station said Accepted. */
  authorizeLocally(evseId: number, idToken: string) { const s = this.state[evseId]; s.authorized = true; s.idToken = idToken; s.lastStopReason = null; this.update(evseId); }
  stopLocally(evseId: number) { const s = this.state[evseId]; s.authorized = false; s.lastStopReason = "Local"; this.update(evseId); }
  fault(evseId: number, on: boolean) { this.state[evseId].faulted = on; this.update(evseId); }

  /** Integrates energy over dt and re-applies limits. */
  run(dtMs: number) {
    for (const i of Object.keys(this.state).map(Number)) {
      this.update(i);
      const s = this.state[i];
      s.energyWh += (s.powerW * dtMs) / 3_600_000;
      if (s.socPercent !== null && s.energyFlowing) s.socPercent = Math.min(100, s.socPercent + dtMs / 60_000);
    }
  }

  totalPowerKW(): number { return Object.values(this.state).reduce((sum, s) => sum + s.powerW, 0) / 1000; }

  startSession(evseId: number, idToken: string): boolean {
    if (this.refuseStart) return false;
    const s = this.state[evseId];
    s.authorized = true; s.idToken = idToken; s.lastStopReason = null;
    this.update(evseId);
    return true;
  }
  stopSession(evseId: number, reason: CabinetStopReason): boolean {
    const s = this.state[evseId];
    if (!s.authorized) return false;
    s.authorized = false; s.lastStopReason = reason;
    this.update(evseId);
    return true;
  }
  setAvailability(evseId: number, operative: boolean) { this.availabilityLog.push([evseId, operative]); }
  unlock(evseId: number) { return this.state[evseId].plugged ? "Unlocked" as const : "UnlockFailed" as const; }
  reset(kind: "Immediate" | "OnIdle") { this.resets.push(kind); return true; }
  applyLimits(limits: StationLimits) { this.limitsLog.push(limits); for (const i of Object.keys(this.state).map(Number)) this.update(i); }
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
