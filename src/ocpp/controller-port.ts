/**
 * StationPort over the real CabinetController: the OCPP station reads session state,
 * faults and meters from the controller and commands it through the SessionManager and
 * the LimitTracker. Platform-free (runs in the simulator and on the device).
 *
 * Wiring (the hooks must exist before the controller, the station after the port):
 *   const auth = new OcppAuthorizationHooks();
 *   const controller = new CabinetController({ config, hal, hooks: auth, autoAuthorizeToken: null });
 *   const port = new ControllerPort({ controller, clock: hal.clock, authorizationHooks: auth, ... });
 *   const station = new Station201({ port, ... });
 *   port.setAuthorizer((gun, token, done) => station.authorize(gun, token, done));
 */
import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";
import type { CabinetController } from "../controller/cabinet-controller";
import type { CabinetSnapshot, GunView } from "../controller/snapshot";
import type { SessionHooks, StopReason } from "../sessions/types";
import { evsesFromCabinet } from "./cabinet-evses";
import type { CabinetStopReason, EvseInfo, EvseSnapshot, StationLimits, StationPort } from "./port";

/**
 * Validity of every limit the station pushes into the controller. The station re-pushes its
 * limits at least every LIMIT_REFRESH_MS (1 s), so while it ticks they never go stale; if the
 * OCPP layer dies they expire within this time: the site limit falls back to the configured
 * default (siteLimits.externalLimitKW) and a per-gun OCPP limit makes that gun ramp to zero
 * (LimitTracker semantics: a stale per-gun limit is never trusted).
 */
export const OCPP_LIMIT_VALIDITY_MS = 5000;

/** The source name of OCPP per-gun limits in the controller's LimitTracker. */
export const OCPP_LIMIT_SOURCE = "ocpp";

/**
 * A simulated card (localIdToken) that was not accepted (e.g. the station was not online yet)
 * is presented again after this long while its session still waits.
 */
export const LOCAL_TOKEN_RETRY_MS = 30_000;

/** Asks the CSMS (or the local cache) whether idToken may charge on the EVSE. */
export type Authorizer = (evseId: number, idToken: string, done: (status: string) => void) => void;

/**
 * SessionHooks for the controller that forward "this session needs authorization" to the
 * port once it exists (requests before that are kept and replayed).
 */
export class OcppAuthorizationHooks implements SessionHooks {
  private target: ((gunId: number, sessionId: string) => void) | null = null;
  private readonly early: [number, string][] = [];

  requestAuthorization(gunId: number, sessionId: string): void {
    if (this.target) this.target(gunId, sessionId);
    else this.early.push([gunId, sessionId]);
  }

  bind(target: (gunId: number, sessionId: string) => void): void {
    this.target = target;
    for (const [gunId, sessionId] of this.early.splice(0)) target(gunId, sessionId);
  }
}

export interface ControllerPortOptions {
  controller: CabinetController;
  /** The controller's clock (caches the electrical snapshot per instant). */
  clock: Clock;
  /** The hooks object given to the controller; the port answers its authorization requests. */
  authorizationHooks?: OcppAuthorizationHooks;
  /** DC meter energy register per gun (HAL sensors). Without it the port counts session energy. */
  meterEnergyWh?: (gunId: number) => number | null;
  /**
   * The token a driver presents at the gun when an EV plugs in without authorization (RFID in
   * the simulator); null or absent = the session waits for a RequestStart/RemoteStart.
   */
  localIdToken?: (gunId: number) => string | null;
  /** Reset requested by the CSMS (the device reboots; the simulator logs it). false = refuse. */
  onReset?: (kind: "Immediate" | "OnIdle") => boolean;
  limitValidityMs?: number;
  /** Default LOCAL_TOKEN_RETRY_MS. */
  localTokenRetryMs?: number;
  log?: Log;
}

const STOP_REASONS: Record<StopReason, CabinetStopReason> = {
  evDisconnected: "EVDisconnected",
  evStop: "StoppedByEV",
  remoteStop: "Remote",
  fault: "Other",
  deauthorized: "DeAuthorized",
  disabled: "Other",
};

export class ControllerPort implements StationPort {
  private readonly controller: CabinetController;
  private readonly options: ControllerPortOptions;
  private readonly infos: EvseInfo[];
  private readonly validityMs: number;
  private authorizer: Authorizer | null = null;
  private cached: { atMs: number; byGun: Map<number, GunView> } | null = null;
  /** Why each gun's last session ended (kept until the next session starts). */
  private readonly lastEnded = new Map<number, CabinetStopReason>();
  /** Energy of finished sessions, when no meter register is available. */
  private readonly countedWh = new Map<number, number>();
  /** OCPP availability: station-wide and per gun; applied to the sessions when idle. */
  private stationInoperative = false;
  private readonly gunInoperative = new Set<number>();
  /** Guns waiting for an authorization, with the session that asked. */
  private readonly awaiting = new Map<number, string>();
  /** When to present the local card again, per waiting gun. */
  private readonly localRetryAtMs = new Map<number, number>();
  /** Last limits pushed (diagnostics, tests). */
  lastLimits: StationLimits | null = null;
  readonly limitErrors: string[] = [];

  constructor(options: ControllerPortOptions) {
    this.options = options;
    this.controller = options.controller;
    this.validityMs = options.limitValidityMs ?? OCPP_LIMIT_VALIDITY_MS;
    this.infos = evsesFromCabinet(options.controller.config);
    options.authorizationHooks?.bind((gunId, sessionId) => this.authorizationRequested(gunId, sessionId));
    this.controller.subscribe((event) => {
      if (event.type === "SessionStarted") this.lastEnded.delete(event.gunId);
      if (event.type === "Authorized") {
        this.awaiting.delete(event.gunId);
        this.localRetryAtMs.delete(event.gunId);
      }
      if (event.type === "SessionFinished") {
        this.awaiting.delete(event.gunId);
        this.localRetryAtMs.delete(event.gunId);
        if (event.reason) this.lastEnded.set(event.gunId, this.stopReasonOf(event.gunId, event.reason));
        this.countedWh.set(event.gunId, (this.countedWh.get(event.gunId) ?? 0) + (event.energyWh ?? 0));
        this.applyAvailability(event.gunId);
      }
    });
  }

  /** The station's Authorize (Station201/Station16.authorize). */
  setAuthorizer(authorizer: Authorizer | null): void {
    this.authorizer = authorizer;
  }

  /**
   * A driver presents a token at a gun (RFID, HMI, dashboard): the station asks the CSMS and
   * an Accepted answer authorizes the waiting session. false = nothing waits on that gun.
   */
  presentToken(gunId: number, idToken: string): boolean {
    return this.present(gunId, idToken, false);
  }

  private present(gunId: number, idToken: string, localCard: boolean): boolean {
    const sessionId = this.awaiting.get(gunId);
    if (sessionId === undefined || !this.authorizer) return false;
    this.authorizer(gunId, idToken, (status) => {
      if (status !== "Accepted") {
        this.write("info", `ocpp: token ${idToken} on gun ${gunId}: ${status}`);
        if (localCard && this.awaiting.get(gunId) === sessionId) this.localRetryAtMs.set(gunId, this.options.clock.nowMs() + (this.options.localTokenRetryMs ?? LOCAL_TOKEN_RETRY_MS));
        return;
      }
      // The answer may come after the EV left: only the session that asked is authorized.
      if (this.controller.sessions.view(gunId)?.session?.id !== sessionId) return;
      const r = this.controller.sessions.authorize(gunId, idToken);
      if (!r.ok) this.write("warn", `ocpp: authorize gun ${gunId}: ${r.error}`);
      else this.awaiting.delete(gunId);
    });
    return true;
  }

  /** Guns whose session waits for authorization. */
  get waitingForAuthorization(): number[] {
    return [...this.awaiting.keys()];
  }

  private authorizationRequested(gunId: number, sessionId: string): void {
    this.awaiting.set(gunId, sessionId);
    this.localRetryAtMs.delete(gunId);
    const token = this.options.localIdToken?.(gunId) ?? null;
    if (token !== null) this.present(gunId, token, true);
  }

  /** Presents the local card again where it was refused and the session still waits. */
  private retryLocalCards(): void {
    const now = this.options.clock.nowMs();
    for (const [gunId, atMs] of [...this.localRetryAtMs]) {
      if (!this.awaiting.has(gunId)) { this.localRetryAtMs.delete(gunId); continue; }
      if (now < atMs) continue;
      this.localRetryAtMs.delete(gunId);
      const token = this.options.localIdToken?.(gunId) ?? null;
      if (token !== null) this.present(gunId, token, true);
    }
  }

  // ------------------------------------------------------------------ StationPort

  evses(): EvseInfo[] {
    return this.infos;
  }

  snapshot(evseId: number): EvseSnapshot {
    const view = this.controller.sessions.view(evseId);
    const gun = this.gunView(evseId);
    const session = view?.session ?? null;
    const state = view?.state ?? "IDLE";
    // Authorized from authorization until the transaction is over (a stop ramps down
    // first, so the end meter value is taken at zero current).
    const authorized = (view?.authorized ?? false) && state !== "FINISHED" && (session?.transactionEndedAtMs ?? null) === null;
    const voltageV = gun?.voltageV ?? 0;
    const currentA = gun?.currentA ?? 0;
    return {
      // A plug-in the sessions have not processed yet (IDLE for up to one control cycle) is
      // reported with the next cycle, together with its authorization (remote start first).
      plugged: (gun?.plugged ?? false) && state !== "IDLE",
      authorized,
      energyFlowing: state === "CHARGING",
      suspendedByEv: state === "PAUSED_EV",
      faulted: state === "FAULT" || gun?.phase === "faulted",
      operative: view?.enabled ?? true,
      meter: {
        energyWh: this.energyRegisterWh(evseId, session?.energyWh ?? 0),
        powerW: Math.max(0, voltageV * currentA),
        currentA,
        voltageV,
        socPercent: gun?.socPct ?? null,
      },
      lastStopReason: session?.stopReason ? this.stopReasonOf(evseId, session.stopReason) : (this.lastEnded.get(evseId) ?? null),
    };
  }

  startSession(evseId: number, idToken: string): boolean {
    const r = this.controller.sessions.remoteStart(evseId, idToken);
    if (!r.ok) this.write("info", `ocpp: remote start on gun ${evseId} refused: ${r.error}`);
    else this.awaiting.delete(evseId);
    return r.ok;
  }

  stopSession(evseId: number, reason: CabinetStopReason): boolean {
    const view = this.controller.sessions.view(evseId);
    if (!view?.session) return false;
    // Before the transaction began a stop is a withdrawn authorization (seed 003).
    const r = reason === "DeAuthorized" && view.session.transactionStartedAtMs === null
      ? this.controller.sessions.withdrawAuthorization(evseId)
      : this.controller.sessions.remoteStop(evseId);
    if (!r.ok) this.write("info", `ocpp: stop on gun ${evseId} refused: ${r.error}`);
    return r.ok;
  }

  /**
   * OCPP availability. Inoperative takes effect when the gun has no session (OCPP
   * "Scheduled"); operative at once. evseId 0 = every gun.
   */
  setAvailability(evseId: number, operative: boolean): void {
    if (evseId === 0) this.stationInoperative = !operative;
    else if (operative) this.gunInoperative.delete(evseId);
    else this.gunInoperative.add(evseId);
    for (const e of this.infos) if (evseId === 0 || e.evseId === evseId) this.applyAvailability(e.evseId);
  }

  private applyAvailability(gunId: number): void {
    const wantOperative = !this.stationInoperative && !this.gunInoperative.has(gunId);
    const view = this.controller.sessions.view(gunId);
    if (!view) return;
    if (wantOperative && !view.enabled) this.controller.sessions.enable(gunId);
    if (!wantOperative && view.enabled && view.session === null) this.controller.sessions.disable(gunId);
  }

  /** The cabinet has no connector lock actuator: a plugged cable is released by the EV side. */
  unlock(evseId: number): "Unlocked" | "UnlockFailed" | "OngoingAuthorizedTransaction" | "UnknownConnector" {
    if (!this.infos.some((e) => e.evseId === evseId)) return "UnknownConnector";
    const view = this.controller.sessions.view(evseId);
    if (view?.session && view.session.transactionStartedAtMs !== null && view.session.transactionEndedAtMs === null) return "OngoingAuthorizedTransaction";
    return "Unlocked";
  }

  reset(kind: "Immediate" | "OnIdle"): boolean {
    if (kind === "Immediate") {
      for (const e of this.infos) if (this.controller.sessions.view(e.evseId)?.session) this.controller.sessions.remoteStop(e.evseId);
    }
    return this.options.onReset ? this.options.onReset(kind) : true;
  }

  /**
   * Station max -> site external limit, per-EVSE composite -> gun limit from source "ocpp",
   * each valid for OCPP_LIMIT_VALIDITY_MS and refreshed by the station every second.
   */
  applyLimits(limits: StationLimits): void {
    this.lastLimits = limits;
    const site = this.controller.setSiteExternalLimit(limits.siteLimitKW, this.validityMs);
    if (!site.ok) this.limitError(`site limit ${String(limits.siteLimitKW)} kW: ${site.error}`);
    for (const e of this.infos) {
      const composite = limits.gunLimitsKW[e.evseId] ?? null;
      // A per-EVSE composite that only repeats the station max (or more) adds nothing to the
      // site limit; pushing it would make every gun stop if the OCPP layer died.
      const kW = composite !== null && limits.siteLimitKW !== null && composite >= limits.siteLimitKW ? null : composite;
      const r = this.controller.setGunLimit(e.evseId, OCPP_LIMIT_SOURCE, kW, this.validityMs);
      if (!r.ok) this.limitError(`gun ${e.evseId} limit ${String(kW)} kW: ${r.error}`);
    }
    // Housekeeping rides on the station's once-a-second refresh: deferred availability
    // changes and local-card retries.
    for (const e of this.infos) this.applyAvailability(e.evseId);
    this.retryLocalCards();
  }

  // ------------------------------------------------------------------ internals

  /** One electrical snapshot per instant (the station reads every EVSE several times per tick). */
  private gunView(gunId: number): GunView | undefined {
    const now = this.options.clock.nowMs();
    if (!this.cached || this.cached.atMs !== now) {
      const snap: CabinetSnapshot = this.controller.buildSnapshot();
      this.cached = { atMs: now, byGun: new Map(snap.guns.map((g) => [g.id, g])) };
    }
    return this.cached.byGun.get(gunId);
  }

  private energyRegisterWh(gunId: number, sessionWh: number): number {
    const measured = this.options.meterEnergyWh?.(gunId);
    if (typeof measured === "number" && Number.isFinite(measured)) return measured;
    return (this.countedWh.get(gunId) ?? 0) + sessionWh;
  }

  private stopReasonOf(gunId: number, reason: StopReason): CabinetStopReason {
    if (reason === "fault") {
      const severity = this.controller.sessions.view(gunId)?.session?.faultSeverity;
      return severity === "emergency" ? "EmergencyStop" : "Other";
    }
    return STOP_REASONS[reason] ?? "Other";
  }

  private limitError(message: string): void {
    this.limitErrors.push(message);
    if (this.limitErrors.length > 20) this.limitErrors.shift();
    this.write("warn", `ocpp: limit refused: ${message}`);
  }

  private write(level: "info" | "warn", message: string): void {
    try {
      this.options.log?.write(level, message);
    } catch {
      /* logging must not break OCPP */
    }
  }
}
