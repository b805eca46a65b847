/** Test rig for the session state machine: per-gun EV and power-path facts, 100 ms control cycles. */
import type { EvStatus } from "../../../hal/ev-link";
import type { LogLevel } from "../../../hal/log";
import { SessionManager, type GunInput, type PowerPathReport, type SessionEvent, type SessionManagerOptions } from "../../../src/sessions";

export function evStatus(over: Partial<EvStatus> = {}): EvStatus {
  return {
    plugged: false, ready: false, requestCurrentA: 0, requestVoltageV: 0, maxVoltageV: 920, maxCurrentA: 500,
    batteryVoltageV: 400, socPct: 40, stopRequested: false, paused: false, ...over,
  };
}

export function powerPath(over: Partial<PowerPathReport> = {}): PowerPathReport {
  return { islandReady: false, precharged: false, gcClosed: false, currentAtZero: true, faulted: false, ...over };
}

export interface GunFacts {
  ev: EvStatus;
  power: PowerPathReport;
  grantedKW: number | null;
  limitExpired: boolean;
  meterEnergyWh?: number;
}

export class SessionBench {
  readonly manager: SessionManager;
  readonly events: SessionEvent[] = [];
  readonly logs: string[] = [];
  readonly facts = new Map<number, GunFacts>();
  nowMs = 0;

  constructor(gunIds: number[] = [1, 2], options: Partial<SessionManagerOptions> = {}) {
    this.manager = new SessionManager({
      gunIds,
      log: { write: (level: LogLevel, message: string) => this.logs.push(`${level}: ${message}`) },
      ...options,
    });
    this.manager.subscribe((e) => this.events.push(e));
    for (const id of gunIds) this.facts.set(id, { ev: evStatus(), power: powerPath(), grantedKW: null, limitExpired: false });
  }

  gun(id: number): GunFacts {
    const facts = this.facts.get(id);
    if (!facts) throw new Error(`no gun ${id} in bench`);
    return facts;
  }

  setEv(id: number, over: Partial<EvStatus>): void {
    const g = this.gun(id);
    g.ev = { ...g.ev, ...over };
  }

  setPower(id: number, over: Partial<PowerPathReport>): void {
    const g = this.gun(id);
    g.power = { ...g.power, ...over };
  }

  /** One control cycle; returns the event types of this cycle for the given gun (all guns if omitted). */
  cycle(gunId?: number): string[] {
    const inputs: GunInput[] = [...this.facts].map(([id, f]) => ({ gunId: id, ...f }));
    const events = this.manager.update(this.nowMs, inputs);
    this.nowMs += 100;
    return events.filter((e) => gunId === undefined || e.gunId === gunId).map((e) => e.type);
  }

  state(id: number): string {
    return this.manager.view(id)?.state ?? "?";
  }

  /** Drive gun `id` from IDLE to CHARGING (the C.1 flow) with a 100 A @ 800 V request. */
  toCharging(id: number, token = "TOKEN-1"): void {
    this.setEv(id, { plugged: true });
    this.cycle();
    this.manager.authorize(id, token);
    this.setEv(id, { ready: true, requestCurrentA: 100, requestVoltageV: 800 });
    this.cycle();
    this.gun(id).grantedKW = 80;
    this.setPower(id, { islandReady: true, precharged: true });
    this.cycle();
    this.setPower(id, { gcClosed: true, currentAtZero: false });
    this.cycle();
  }

  /** The sequencer finished the ramp-down: current at zero, GC open, island released. */
  rampedDown(id: number): void {
    this.setPower(id, { gcClosed: false, currentAtZero: true, islandReady: false, precharged: false });
  }
}
