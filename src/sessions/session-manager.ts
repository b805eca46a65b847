import type { Log } from "../../hal/log";
import type { CabinetConfig } from "../config/types";
import type { GunObservation } from "../planner/types";
import { GunSession, type GunSessionEnv } from "./gun-session";
import type {
  CommandResult,
  GunInput,
  GunSessionView,
  GunState,
  SessionEvent,
  SessionListener,
  SessionManagerOptions,
} from "./types";

/** The part of a GunObservation the sessions own; the main loop adds the rest. */
export type SessionObservation = Pick<GunObservation, "active" | "charging" | "requestKW" | "evVoltageV">;

/** The telemetry snapshot's part of a gun's session (SessionManager.briefInto). */
export interface SessionBrief {
  state: GunState;
  requestKW: number;
  energyWh: number;
  /** Scratch for the observation the brief is taken from. */
  observation: SessionObservation;
}

/** A fresh brief record to refill (SessionManager.briefInto). */
export function newSessionBrief(): SessionBrief {
  return { state: "IDLE", requestKW: 0, energyWh: 0, observation: { active: false, charging: false, requestKW: 0, evVoltageV: 0 } };
}

/** The events of a cycle without any (frozen: shared by every such cycle). */
const NO_EVENTS: readonly SessionEvent[] = Object.freeze([]);

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/**
 * All gun sessions of the cabinet. Commands are validated at once (a refused
 * command returns an error naming the field and value) and take effect at the
 * next update(); events are published to subscribers in the order they occur,
 * gun by gun, at the end of update().
 */
export class SessionManager {
  private readonly guns = new Map<number, GunSession>();
  /** The sessions in gunIds order (the order of `guns`): update() and observationAt() go by position. */
  private readonly ordered: GunSession[] = [];
  private readonly listeners: SessionListener[] = [];
  private readonly log: Log | undefined;
  private readonly preAuthorizationTimeoutMs: number;
  /** Events produced since the last publish (commands queue gun-level events here too). */
  private queue: SessionEvent[] = [];
  private lastNowMs = 0;
  private sessionCounter = 0;

  constructor(private readonly options: SessionManagerOptions) {
    this.log = options.log;
    this.preAuthorizationTimeoutMs = options.preAuthorizationTimeoutMs ?? 60_000;
    const env: GunSessionEnv = {
      hooks: options.hooks ?? {},
      autoAuthorizeToken: options.autoAuthorizeToken ?? null,
      emit: (event) => this.queue.push(event),
      newSessionId: (gunId, nowMs) => this.newSessionId(gunId, nowMs),
      warn: (message) => this.write("warn", message),
    };
    for (const id of options.gunIds) this.guns.set(id, new GunSession(id, env));
    for (const gun of this.guns.values()) this.ordered.push(gun);
  }

  static fromConfig(config: CabinetConfig, options: Omit<SessionManagerOptions, "gunIds"> = {}): SessionManager {
    return new SessionManager({ ...options, gunIds: config.guns.map((g) => g.id) });
  }

  /** Receive every session event; returns the unsubscribe function. */
  subscribe(listener: SessionListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * One control cycle: step every gun from its inputs (seed 000 §10 step 3),
   * then publish the events. Returns the events of this cycle, in order.
   * A gun without an input this cycle keeps its state (and is logged).
   */
  update(nowMs: number, inputs: readonly GunInput[]): readonly SessionEvent[] {
    this.lastNowMs = nowMs;
    if (this.inGunOrder(inputs)) {
      // One input per gun in gun order (the controller's every cycle): no Map to build.
      const ordered = this.ordered;
      for (let i = 0; i < ordered.length; i++) this.stepGun(ordered[i], nowMs, inputs[i]);
      return this.publish();
    }
    const byGun = new Map<number, GunInput>();
    for (const input of inputs) {
      if (!this.guns.has(input?.gunId)) {
        this.write("error", `sessions: input for unknown gunId ${JSON.stringify(input?.gunId)} ignored`);
        continue;
      }
      byGun.set(input.gunId, input);
    }
    for (const [gunId, gun] of this.guns) {
      const input = byGun.get(gunId);
      if (!input) {
        this.write("error", `sessions: no input for gun ${gunId} this cycle; state kept (${gun.state})`);
        continue;
      }
      this.stepGun(gun, nowMs, input);
    }
    return this.publish();
  }

  /** Exactly one input per gun, in gun order: what the Map path would pair up anyway. */
  private inGunOrder(inputs: readonly GunInput[]): boolean {
    const ordered = this.ordered;
    if (inputs.length !== ordered.length) return false;
    for (let i = 0; i < ordered.length; i++) {
      const input = inputs[i];
      if (input === null || typeof input !== "object" || input.gunId !== ordered[i].gunId) return false;
    }
    return true;
  }

  private stepGun(gun: GunSession, nowMs: number, input: GunInput): void {
    try {
      gun.step(nowMs, input);
    } catch (error) {
      // Malformed input (e.g. a missing ev object) must not stop the other guns.
      this.write("error", `sessions: gun ${gun.gunId} step failed: ${describe(error)}; state kept (${gun.state})`);
    }
  }

  view(gunId: number): GunSessionView | null {
    return this.guns.get(gunId)?.view() ?? null;
  }

  views(): GunSessionView[] {
    return [...this.guns.values()].map((g) => g.view());
  }

  /** active / charging / requestKW / evVoltageV for the planner's GunObservation. */
  observation(gunId: number): SessionObservation {
    const gun = this.guns.get(gunId);
    return gun ? gun.observation() : { active: false, charging: false, requestKW: 0, evVoltageV: 0 };
  }

  /** observation(gunId) for the gun at `position` in gunIds order, when it is that gun (the controller's case). */
  observationAt(position: number, gunId: number): SessionObservation {
    const gun = this.ordered[position];
    return gun !== undefined && gun.gunId === gunId ? gun.observation() : this.observation(gunId);
  }

  /**
   * What the telemetry snapshot shows of a gun's session, written into `out` without
   * building a view: view(gunId)'s state (IDLE for an unknown gun), requestKW and
   * session energy (0 without a session).
   */
  briefInto(position: number, gunId: number, out: SessionBrief): void {
    const at = this.ordered[position];
    const gun = at !== undefined && at.gunId === gunId ? at : this.guns.get(gunId);
    if (gun === undefined) {
      out.state = "IDLE";
      out.requestKW = 0;
      out.energyWh = 0;
      return;
    }
    gun.observeInto(out.observation);
    out.state = gun.state;
    out.requestKW = out.observation.requestKW;
    out.energyWh = gun.sessionEnergyWh;
  }

  // ---- commands (OCPP, MQTT, local HMI) --------------------------------------------------

  /**
   * Authorize a session on a gun. Before plug-in this is a remote start: it is
   * held for preAuthorizationTimeoutMs and used by the next plug-in.
   */
  authorize(gunId: number, idToken: string): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    if (!isNonEmptyString(idToken)) return { ok: false, error: `idToken must be a non-empty string, got ${JSON.stringify(idToken)}` };
    if (!gun.enabled || gun.state === "DISABLED") return { ok: false, error: `gun ${gunId} is disabled` };
    if (gun.state === "FAULT") return { ok: false, error: `gun ${gunId} is faulted` };
    if (gun.reservation !== null && !gun.reservationAccepts(gun.reservation, idToken)) {
      return { ok: false, error: `gun ${gunId} is reserved (reservation ${gun.reservation.reservationId}) for another token` };
    }
    if (!gun.hasSession && gun.state === "IDLE") {
      gun.preAuthorization = { idToken, reservationId: gun.reservation?.reservationId ?? null, expiresAtMs: this.lastNowMs + this.preAuthorizationTimeoutMs };
      return { ok: true };
    }
    if (gun.state === "EV_DETECTED" && !gun.isAuthorized && gun.pendingAuthorization === null) {
      gun.pendingAuthorization = { idToken, reservationId: null };
      return { ok: true };
    }
    return { ok: false, error: `gun ${gunId}: no authorization expected in state ${gun.state}${gun.isAuthorized ? " (already authorized)" : ""}` };
  }

  /** OCPP RemoteStartTransaction: the same as authorize(). */
  remoteStart(gunId: number, idToken: string): CommandResult {
    return this.authorize(gunId, idToken);
  }

  /** Seed 003: authorization can be withdrawn only until charging has begun. */
  withdrawAuthorization(gunId: number): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    if (gun.preAuthorization !== null) {
      gun.preAuthorization = null;
      return { ok: true };
    }
    if (!gun.hasSession || !(gun.isAuthorized || gun.pendingAuthorization !== null)) return { ok: false, error: `gun ${gunId} has no authorization to withdraw` };
    if (gun.hasCharged) return { ok: false, error: `gun ${gunId}: charging has begun; use remoteStop` };
    if (!["EV_DETECTED", "READY", "ISLAND_READY", "PAUSED_EVSE", "PAUSED_EV"].includes(gun.state)) return { ok: false, error: `gun ${gunId}: nothing to withdraw in state ${gun.state}` };
    gun.pendingWithdraw = true;
    return { ok: true };
  }

  /** OCPP RemoteStopTransaction / operator stop: ramp down, end the transaction with reason remoteStop. */
  remoteStop(gunId: number): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    if (!gun.hasSession) return { ok: false, error: `gun ${gunId} has no session to stop` };
    if (gun.state === "RAMP_DOWN" || gun.state === "FINISHED" || gun.state === "FAULT") return { ok: true }; // already stopping or stopped
    gun.pendingRemoteStop = true;
    return { ok: true };
  }

  /** EVSE-side pause (ChargingPausedEVSE, reason "commanded") until resumeCharging(). */
  pauseCharging(gunId: number): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    if (!gun.hasSession) return { ok: false, error: `gun ${gunId} has no session to pause` };
    gun.evsePauseCommanded = true;
    return { ok: true };
  }

  resumeCharging(gunId: number): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    gun.evsePauseCommanded = false;
    return { ok: true };
  }

  /** Take a gun out of service. A running session is stopped first (reason "disabled"). */
  disable(gunId: number): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    gun.enabled = false;
    gun.preAuthorization = null;
    return { ok: true };
  }

  enable(gunId: number): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    gun.enabled = true;
    return { ok: true };
  }

  /** Reserve an idle gun (OCPP ReserveNow). expiresAtMs in clock ms, null = until cancelled. */
  reserve(gunId: number, reservationId: string, idToken: string | null = null, expiresAtMs: number | null = null): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    if (!isNonEmptyString(reservationId)) return { ok: false, error: `reservationId must be a non-empty string, got ${JSON.stringify(reservationId)}` };
    if (idToken !== null && !isNonEmptyString(idToken)) return { ok: false, error: `idToken must be a non-empty string or null, got ${JSON.stringify(idToken)}` };
    if (expiresAtMs !== null && !(typeof expiresAtMs === "number" && Number.isFinite(expiresAtMs))) return { ok: false, error: `expiresAtMs must be a finite number or null, got ${String(expiresAtMs)}` };
    if (!gun.enabled || gun.state === "DISABLED") return { ok: false, error: `gun ${gunId} is disabled` };
    if (gun.state === "FAULT") return { ok: false, error: `gun ${gunId} is faulted` };
    if (gun.hasSession) return { ok: false, error: `gun ${gunId} is occupied (state ${gun.state})` };
    if (gun.reservation !== null && gun.reservation.reservationId !== reservationId) return { ok: false, error: `gun ${gunId} is already reserved (reservation ${gun.reservation.reservationId})` };
    gun.reservation = { reservationId, idToken, expiresAtMs };
    gun.gunEvent("ReservationStart", { reservationId }, this.queue);
    return { ok: true };
  }

  cancelReservation(gunId: number, reservationId?: string): CommandResult {
    const gun = this.guns.get(gunId);
    if (!gun) return this.unknownGun(gunId);
    const reservation = gun.reservation;
    if (reservation === null) return { ok: false, error: `gun ${gunId} has no reservation` };
    if (reservationId !== undefined && reservation.reservationId !== reservationId) {
      return { ok: false, error: `gun ${gunId}: reservationId ${JSON.stringify(reservationId)} does not match ${JSON.stringify(reservation.reservationId)}` };
    }
    gun.reservation = null;
    gun.gunEvent("ReservationEnd", { reservationId: reservation.reservationId }, this.queue);
    return { ok: true };
  }

  // ---- internals ---------------------------------------------------------------------------

  private publish(): readonly SessionEvent[] {
    const events = this.queue;
    // No event (most cycles): the empty queue stays and the shared empty list is returned.
    if (events.length === 0) return NO_EVENTS;
    this.queue = [];
    for (const event of events) {
      for (const listener of [...this.listeners]) {
        try {
          listener(event);
        } catch (error) {
          this.write("error", `sessions: a ${event.type} subscriber threw ${describe(error)} (contained)`);
        }
      }
    }
    return events;
  }

  private newSessionId(gunId: number, nowMs: number): string {
    this.sessionCounter += 1;
    const hook = this.options.hooks?.newSessionId;
    if (hook) {
      try {
        const id = hook(gunId, nowMs);
        if (isNonEmptyString(id)) return id;
        this.write("warn", `sessions: newSessionId hook returned ${JSON.stringify(id)}; using the default id`);
      } catch (error) {
        this.write("warn", `sessions: newSessionId hook threw ${describe(error)}; using the default id`);
      }
    }
    return `${gunId}-${nowMs}-${this.sessionCounter}`;
  }

  private unknownGun(gunId: number): CommandResult {
    return { ok: false, error: `gunId: no gun ${JSON.stringify(gunId)} in this cabinet` };
  }

  private write(level: "debug" | "info" | "warn" | "error", message: string): void {
    try {
      this.log?.write(level, message);
    } catch {
      // A broken log must not stop the control cycle.
    }
  }
}
