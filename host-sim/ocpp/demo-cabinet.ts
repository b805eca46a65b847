/** Demo cabinet for OCPP: a StationPort without a plant behind it. */
import type { CabinetStopReason, EvseInfo, EvseSnapshot, StationLimits, StationPort } from "../../src/ocpp/port";

interface EvseState {
  plugged: boolean; authorized: boolean; energyFlowing: boolean; faulted: boolean; operative: boolean;
  energyWh: number; powerW: number; socPercent: number | null; lastStopReason: CabinetStopReason | null; idToken: string | null;
  requestKW: number; voltageV: number;
}

/**
 * A cabinet stand-in implementing StationPort: sessions start when authorized and plugged,
 * every EV asks for requestKW, power follows the OCPP limits (gun limit, site limit shared
 * equally). Platform-free; used by the OCPP tests and the stand-alone OCPP demo (cli.ts).
 */
export class DemoCabinet implements StationPort {
  readonly infos: EvseInfo[];
  readonly state: Record<number, EvseState> = {};
  readonly limitsLog: StationLimits[] = [];
  readonly availabilityLog: [number, boolean][] = [];
  readonly resets: string[] = [];
  refuseStart = false;

  constructor(count: number | EvseInfo[] = 12, maxPowerKW = 120) {
    this.infos = typeof count === "number"
      ? Array.from({ length: count }, (_, k) => ({ evseId: k + 1, maxPowerKW, nominalVoltageV: 400 }))
      : count;
    for (const { evseId: i } of this.infos) {
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
    let kw = Math.min(s.requestKW, this.infos.find((e) => e.evseId === evseId)!.maxPowerKW, gun ?? Infinity);
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
  /** Immediate reset ends every session at once (the real controller then reboots). */
  reset(kind: "Immediate" | "OnIdle") {
    this.resets.push(kind);
    if (kind === "Immediate") for (const id of Object.keys(this.state).map(Number)) if (this.state[id].authorized) this.stopSession(id, "Other");
    return true;
  }
  applyLimits(limits: StationLimits) { this.limitsLog.push(limits); for (const i of Object.keys(this.state).map(Number)) this.update(i); }
}

