/**
 * The state machine of one gun. Driven only by GunInput facts and queued
 * commands; it never commands hardware. Transitions chain within one step
 * (a READY gun whose island is already precharged and GC closed reaches
 * CHARGING in one cycle), bounded so a bad input can never loop.
 */
import type { EvStatus } from "../../hal/ev-link";
import type {
  EvsePauseReason,
  FaultSeverity,
  GunInput,
  GunSessionView,
  GunState,
  ReservationInfo,
  SessionEvent,
  SessionEventType,
  SessionHooks,
  SessionInfo,
  StopReason,
} from "./types";

// Seed 000 §5.1: only READY, ISLAND_READY and CHARGING take part in allocation (plus
// PAUSED_EVSE waiting for power): see isActive().
const MAX_TRANSITIONS_PER_STEP = 12;

/** No pause reason: returned, never stored (a stored list always has a reason in it). */
const NO_PAUSE: readonly EvsePauseReason[] = Object.freeze([]);

/** Same reasons in the same order (what comparing their join() told, without the strings). */
function sameReasons(a: readonly EvsePauseReason[], b: readonly EvsePauseReason[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What a gun session needs from its manager. */
export interface GunSessionEnv {
  hooks: SessionHooks;
  autoAuthorizeToken: string | null;
  emit(event: SessionEvent): void;
  newSessionId(gunId: number, nowMs: number): string;
  warn(message: string): void;
}

interface Authorization {
  idToken: string;
  reservationId: string | null;
}

function finiteOrZero(value: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** The EV's voltage for power and precharge: its request, else its battery voltage. */
export function evVoltageOf(ev: EvStatus): number {
  const requested = finiteOrZero(ev.requestVoltageV);
  return requested > 0 ? requested : Math.max(0, finiteOrZero(ev.batteryVoltageV));
}

/** EV request current x voltage, kW (never negative, never NaN). */
export function evRequestKW(ev: EvStatus): number {
  return (Math.max(0, finiteOrZero(ev.requestCurrentA)) * evVoltageOf(ev)) / 1000;
}

export function defaultReservationAccepts(reservation: ReservationInfo, idToken: string): boolean {
  return reservation.idToken === null || reservation.idToken === idToken;
}

export class GunSession {
  state: GunState = "IDLE";
  enabled = true;
  reservation: ReservationInfo | null = null;
  preAuthorization: (Authorization & { expiresAtMs: number }) | null = null;
  evsePauseCommanded = false;
  /** Queued commands, applied at the next step. */
  pendingAuthorization: Authorization | null = null;
  pendingRemoteStop = false;
  pendingWithdraw = false;

  private authorization: Authorization | null = null;
  private session: SessionInfo | null = null;
  private transactionActive = false;
  private chargingStartedOnce = false;
  private energyStartWh: number | null = null;
  private pauseReasons: readonly EvsePauseReason[] = [];
  private activeLastCycle = false;
  private gcClosed = false;
  private faultSeverity: FaultSeverity | null = null;
  private ev: EvStatus | null = null;
  private nowMs = 0;

  constructor(readonly gunId: number, private readonly env: GunSessionEnv) {}

  get hasSession(): boolean {
    return this.session !== null;
  }

  get isAuthorized(): boolean {
    return this.authorization !== null;
  }

  /** Charging has begun in this session (authorization can no longer be withdrawn, seed 003). */
  get hasCharged(): boolean {
    return this.chargingStartedOnce;
  }

  /** Queue a gun-level event from a command (published at the next step). */
  gunEvent(type: SessionEventType, extra: Partial<SessionEvent>, queue: SessionEvent[]): void {
    queue.push({ type, gunId: this.gunId, sessionId: this.session?.id ?? null, atMs: this.nowMs, ...extra });
  }

  step(nowMs: number, input: GunInput): void {
    this.nowMs = nowMs;
    this.ev = input.ev;
    this.gcClosed = input.power.gcClosed === true;
    this.expireReservationAndPreAuthorization();
    this.trackEnergy(input.meterEnergyWh);

    if (input.power.faulted && this.state !== "FAULT") this.enterFault(input.power.faultSeverity ?? "error", input.power.faultDetail ?? "fault reported by the power path");

    for (let i = 0; i < MAX_TRANSITIONS_PER_STEP; i++) {
      if (!this.transition(input)) break;
    }
    this.activeLastCycle = this.isActive();
  }

  view(): GunSessionView {
    const ev = this.ev;
    const active = this.isActive();
    const emergency = this.state === "FAULT" && this.faultSeverity === "emergency";
    const rampToZero = this.state !== "CHARGING";
    return {
      gunId: this.gunId,
      state: this.state,
      enabled: this.enabled,
      active,
      charging: this.gcClosed,
      requestKW: active && ev ? evRequestKW(ev) : 0,
      evVoltageV: ev ? evVoltageOf(ev) : 0,
      rampToZero,
      shutdown: emergency ? "emergency" : rampToZero && this.gcClosed ? "ramp" : "none",
      pauseReasons: [...this.pauseReasons],
      reservation: this.reservation ? { ...this.reservation } : null,
      authorized: this.authorization !== null,
      session: this.session ? { ...this.session } : null,
    };
  }

  /** The planner's part of view() (SessionManager.observation), without copying the rest: the same values. */
  observation(): { active: boolean; charging: boolean; requestKW: number; evVoltageV: number } {
    const ev = this.ev;
    const active = this.isActive();
    return { active, charging: this.gcClosed, requestKW: active && ev ? evRequestKW(ev) : 0, evVoltageV: ev ? evVoltageOf(ev) : 0 };
  }

  /** observation() written into `out` (no allocation per cycle): the same values. */
  observeInto(out: { active: boolean; charging: boolean; requestKW: number; evVoltageV: number }): void {
    const ev = this.ev;
    const active = this.isActive();
    out.active = active;
    out.charging = this.gcClosed;
    out.requestKW = active && ev ? evRequestKW(ev) : 0;
    out.evVoltageV = ev ? evVoltageOf(ev) : 0;
  }

  /** view().session?.energyWh ?? 0 without copying the view (the telemetry snapshot's energy). */
  get sessionEnergyWh(): number {
    return this.session?.energyWh ?? 0;
  }

  private isActive(): boolean {
    // The allocating states, compared inline (twice per gun per cycle; includes() is a call in XS).
    const state = this.state;
    if (state === "READY" || state === "ISLAND_READY" || state === "CHARGING") return true;
    // Waiting for power only: stay a candidate, or power would never be granted again.
    return this.state === "PAUSED_EVSE" && this.pauseReasons.length === 1 && this.pauseReasons[0] === "noPower";
  }

  private transition(input: GunInput): boolean {
    const ev = input.ev;
    const power = input.power;
    switch (this.state) {
      case "DISABLED":
        if (this.enabled) return this.goto("IDLE", "Enabled");
        return false;

      case "IDLE":
        if (!this.enabled) return this.goto("DISABLED", "Disabled");
        if (ev.plugged) return this.startSession();
        return false;

      case "EV_DETECTED":
        return this.waitingForAuthorization(input);

      case "READY":
      case "ISLAND_READY":
      case "CHARGING":
      case "PAUSED_EV":
      case "PAUSED_EVSE": {
        const stop = this.stopCondition(ev);
        if (stop !== null) return this.beginStop(stop);
        return this.inTransaction(input);
      }

      case "RAMP_DOWN":
        if (power.currentAtZero && !power.gcClosed) {
          this.finishTransaction();
          if (!ev.plugged) return this.finishSession();
          this.state = "FINISHED";
          return true;
        }
        return false;

      case "FINISHED":
        if (!ev.plugged) return this.finishSession();
        return false;

      case "FAULT":
        if (this.transactionActive && power.currentAtZero && !power.gcClosed) {
          this.finishTransaction();
          return true;
        }
        if (this.transactionActive) return false;
        if (this.session !== null && !ev.plugged) return this.finishSession("FAULT");
        if (!power.faulted) {
          this.faultSeverity = null;
          this.state = this.session !== null ? "FINISHED" : "IDLE";
          return true;
        }
        return false;
    }
  }

  private waitingForAuthorization(input: GunInput): boolean {
    const ev = input.ev;
    if (!ev.plugged) return this.endBeforeTransaction("evDisconnected", true);
    if (this.pendingRemoteStop) return this.endBeforeTransaction("remoteStop", false);
    if (!this.enabled) return this.endBeforeTransaction("disabled", false);
    if (ev.stopRequested) return this.endBeforeTransaction("evStop", false);
    if (this.pendingWithdraw) {
      this.pendingWithdraw = false;
      this.pendingAuthorization = null;
      if (this.authorization !== null) {
        this.authorization = null;
        this.requireAuthorization();
        return true;
      }
    }
    if (this.pendingAuthorization !== null && this.authorization === null) {
      this.acceptAuthorization(this.pendingAuthorization);
      this.pendingAuthorization = null;
      return true;
    }
    if (this.authorization !== null && ev.ready) {
      this.startTransaction(input.meterEnergyWh);
      return this.enterPrepareCharging();
    }
    return false;
  }

  private inTransaction(input: GunInput): boolean {
    const ev = input.ev;
    const power = input.power;
    if (this.state === "PAUSED_EV") {
      if (!ev.paused) return this.enterPrepareCharging();
      return false;
    }
    if (this.state === "PAUSED_EVSE") {
      const reasons = this.evsePauseReasons(input);
      if (reasons.length === 0) return this.enterPrepareCharging();
      if (!sameReasons(reasons, this.pauseReasons)) {
        this.pauseReasons = reasons;
        this.emit("ChargingPausedEVSE", { pauseReasons: [...reasons] });
      }
      return false;
    }
    // READY, ISLAND_READY, CHARGING
    if (ev.paused) {
      this.pauseReasons = [];
      return this.goto("PAUSED_EV", "ChargingPausedEV");
    }
    const reasons = this.evsePauseReasons(input);
    if (reasons.length > 0) {
      this.pauseReasons = reasons;
      return this.goto("PAUSED_EVSE", "ChargingPausedEVSE", { pauseReasons: [...reasons] });
    }
    switch (this.state) {
      case "READY":
        if ((power.islandReady && power.precharged) || power.gcClosed) {
          this.state = "ISLAND_READY";
          return true;
        }
        return false;
      case "ISLAND_READY":
        if (power.gcClosed) {
          this.chargingStartedOnce = true;
          return this.goto("CHARGING", "ChargingStarted");
        }
        if (!power.islandReady) {
          this.state = "READY";
          return true;
        }
        return false;
      default:
        // CHARGING: the sequencer opened the GC (re-partition, seed 000 §12.2): the transaction continues.
        if (!power.gcClosed) return this.enterPrepareCharging();
        return false;
    }
  }

  /** The EVSE's pause reasons now; NO_PAUSE (shared, never stored) when there are none, as most cycles. */
  private evsePauseReasons(input: GunInput): readonly EvsePauseReason[] {
    // Only a plan made while this gun was active can say "no power for it".
    const granted = input.grantedKW;
    const noPower = this.activeLastCycle && granted !== null && !(granted > 0) && evRequestKW(input.ev) > 0;
    if (!this.evsePauseCommanded && !input.limitExpired && !noPower) return NO_PAUSE;
    const reasons: EvsePauseReason[] = [];
    if (this.evsePauseCommanded) reasons.push("commanded");
    if (input.limitExpired) reasons.push("limitExpired");
    if (noPower) reasons.push("noPower");
    return reasons;
  }

  private stopCondition(ev: EvStatus): StopReason | null {
    if (!ev.plugged) return "evDisconnected";
    if (this.pendingRemoteStop) return "remoteStop";
    if (ev.stopRequested) return "evStop";
    if (!this.enabled) return "disabled";
    if (this.pendingWithdraw && !this.chargingStartedOnce) return "deauthorized";
    return null;
  }

  private startSession(): boolean {
    const id = this.env.newSessionId(this.gunId, this.nowMs);
    this.session = {
      id, gunId: this.gunId, startedAtMs: this.nowMs, idToken: null, reservationId: null,
      transactionStartedAtMs: null, transactionEndedAtMs: null, endedAtMs: null,
      energyWh: 0, stopReason: null, faultSeverity: null, faultDetail: null,
    };
    this.authorization = null;
    this.chargingStartedOnce = false;
    this.evsePauseCommanded = false;
    this.pauseReasons = [];
    this.goto("EV_DETECTED", "SessionStarted");
    const auto = this.env.autoAuthorizeToken;
    if (this.preAuthorization !== null) {
      const { idToken, reservationId } = this.preAuthorization;
      this.preAuthorization = null;
      this.acceptAuthorization({ idToken, reservationId });
    } else if (auto !== null && (this.reservation === null || this.reservationAccepts(this.reservation, auto))) {
      this.acceptAuthorization({ idToken: auto, reservationId: null });
    } else {
      this.requireAuthorization();
    }
    return true;
  }

  private requireAuthorization(): void {
    this.emit("AuthRequired", {});
    const session = this.session;
    if (session === null) return;
    try {
      this.env.hooks.requestAuthorization?.(this.gunId, session.id);
    } catch (error) {
      this.env.warn(`sessions: gun ${this.gunId}: requestAuthorization hook threw ${String(error)}`);
    }
  }

  private acceptAuthorization(auth: Authorization): void {
    this.authorization = auth;
    let reservationId = auth.reservationId;
    if (this.reservation !== null) {
      // The reservation is used up by the session it was held for (seed 003 ReservationEnd).
      reservationId = this.reservation.reservationId;
      this.reservation = null;
      this.emit("ReservationEnd", { reservationId });
    }
    if (this.session) {
      this.session.idToken = auth.idToken;
      this.session.reservationId = reservationId;
    }
    this.emit("Authorized", { idToken: auth.idToken });
  }

  reservationAccepts(reservation: ReservationInfo, idToken: string): boolean {
    try {
      return (this.env.hooks.reservationAccepts ?? defaultReservationAccepts)(reservation, idToken);
    } catch (error) {
      this.env.warn(`sessions: gun ${this.gunId}: reservationAccepts hook threw ${String(error)}; refusing`);
      return false;
    }
  }

  private startTransaction(meterEnergyWh: number | undefined): void {
    this.transactionActive = true;
    this.energyStartWh = typeof meterEnergyWh === "number" && Number.isFinite(meterEnergyWh) ? meterEnergyWh : null;
    if (this.session) this.session.transactionStartedAtMs = this.nowMs;
    this.emit("TransactionStarted", { idToken: this.authorization?.idToken ?? "" });
  }

  private enterPrepareCharging(): boolean {
    this.pauseReasons = [];
    return this.goto("READY", "PrepareCharging");
  }

  private beginStop(reason: StopReason): boolean {
    this.consumeStopCommands();
    if (this.session && this.session.stopReason === null) this.session.stopReason = reason;
    this.pauseReasons = [];
    return this.goto("RAMP_DOWN", "StoppingCharging", { reason: this.session?.stopReason ?? reason });
  }

  /** A session that ends before its transaction began: no transaction events (seed 003). */
  private endBeforeTransaction(reason: StopReason, unplugged: boolean): boolean {
    this.consumeStopCommands();
    if (this.session && this.session.stopReason === null) this.session.stopReason = reason;
    if (unplugged) return this.finishSession();
    this.state = "FINISHED";
    return true;
  }

  private enterFault(severity: FaultSeverity, detail: string): void {
    const wasStopping = this.state === "RAMP_DOWN";
    this.faultSeverity = severity;
    this.pauseReasons = [];
    this.state = "FAULT";
    const session = this.session;
    if (session === null) return;
    if (session.stopReason === null) session.stopReason = "fault";
    session.faultSeverity = severity;
    session.faultDetail = detail;
    this.consumeStopCommands();
    if (this.transactionActive && !wasStopping) this.emit("StoppingCharging", { reason: "fault", detail });
  }

  private finishTransaction(): void {
    const session = this.session;
    const reason = session?.stopReason ?? "fault";
    this.transactionActive = false;
    if (session) session.transactionEndedAtMs = this.nowMs;
    this.emit("ChargingFinished", { reason });
    this.emit("TransactionFinished", { reason, energyWh: session?.energyWh ?? 0 });
  }

  private finishSession(stayIn: "IDLE" | "FAULT" = "IDLE"): boolean {
    const session = this.session;
    const reason = session?.stopReason ?? "evDisconnected";
    if (session) {
      if (session.stopReason === null) session.stopReason = reason;
      session.endedAtMs = this.nowMs;
    }
    this.emit("SessionFinished", { reason, energyWh: session?.energyWh ?? 0 });
    this.session = null;
    this.authorization = null;
    this.pendingAuthorization = null;
    this.consumeStopCommands();
    this.evsePauseCommanded = false;
    this.chargingStartedOnce = false;
    this.energyStartWh = null;
    this.state = stayIn;
    return true;
  }

  private consumeStopCommands(): void {
    this.pendingRemoteStop = false;
    this.pendingWithdraw = false;
  }

  private trackEnergy(meterEnergyWh: number | undefined): void {
    if (!this.transactionActive || this.session === null) return;
    if (typeof meterEnergyWh !== "number" || !Number.isFinite(meterEnergyWh)) return;
    if (this.energyStartWh === null) this.energyStartWh = meterEnergyWh;
    this.session.energyWh = Math.max(0, meterEnergyWh - this.energyStartWh);
  }

  private expireReservationAndPreAuthorization(): void {
    const reservation = this.reservation;
    if (reservation !== null && reservation.expiresAtMs !== null && this.nowMs >= reservation.expiresAtMs) {
      this.reservation = null;
      this.emit("ReservationEnd", { reservationId: reservation.reservationId });
    }
    if (this.preAuthorization !== null && this.nowMs >= this.preAuthorization.expiresAtMs) {
      this.env.warn(`sessions: gun ${this.gunId}: remote start for ${this.preAuthorization.idToken} expired before plug-in`);
      this.preAuthorization = null;
    }
  }

  private goto(state: GunState, event: SessionEventType, extra: Partial<SessionEvent> = {}): boolean {
    this.state = state;
    this.emit(event, extra);
    return true;
  }

  private emit(type: SessionEventType, extra: Partial<SessionEvent>): void {
    this.env.emit({ type, gunId: this.gunId, sessionId: this.session?.id ?? null, atMs: this.nowMs, ...extra });
  }
}
