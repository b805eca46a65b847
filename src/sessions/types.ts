/**
 * Gun sessions (issue 5; seed 000 §5.1, §10, C.1-C.2, §11.10; seed 003 EvseManager).
 *
 * One SessionManager owns one GunSession per gun. Each control cycle the main
 * loop calls update() with what the EV link and the sequencer report; commands
 * (authorize, remote start/stop, reserve, enable/disable) arrive at any time,
 * are validated at once, and take effect at the next update().
 */
import type { EvStatus } from "../../hal/ev-link";
import type { Log } from "../../hal/log";

/**
 * Seed 000 gun FSM states plus the pause states of seed 003 and the states an
 * EVSE manager needs to be complete:
 * - PAUSED_EV: the EV paused (still plugged, wants no current).
 * - PAUSED_EVSE: the charger paused it (no power available, a stale limit, or an operator pause).
 * - FINISHED: the transaction is over but the EV is still plugged (seed 003 "Finished"):
 *   the gun must not start a new session on the same plug-in.
 * - DISABLED: the gun is out of service (seed 003 enable/disable).
 */
export type GunState =
  | "IDLE"
  | "EV_DETECTED"
  | "READY"
  | "ISLAND_READY"
  | "CHARGING"
  | "PAUSED_EV"
  | "PAUSED_EVSE"
  | "RAMP_DOWN"
  | "FINISHED"
  | "FAULT"
  | "DISABLED";

/** Seed 003 session events, plus Enabled/Disabled and reservation events (seed 003 too). */
export type SessionEventType =
  | "SessionStarted"
  | "AuthRequired"
  | "Authorized"
  | "TransactionStarted"
  | "PrepareCharging"
  | "ChargingStarted"
  | "ChargingPausedEV"
  | "ChargingPausedEVSE"
  | "StoppingCharging"
  | "ChargingFinished"
  | "TransactionFinished"
  | "SessionFinished"
  | "Enabled"
  | "Disabled"
  | "ReservationStart"
  | "ReservationEnd";

/** Why a session (or its transaction) ended. */
export type StopReason =
  /** CP/PP lost: the EV was unplugged (seed 000 §11.10). */
  | "evDisconnected"
  /** The EV/BMS asked to stop. */
  | "evStop"
  /** Back office / operator (OCPP RemoteStop, MQTT). */
  | "remoteStop"
  /** A fault in the power path or the supervisor. */
  | "fault"
  /** Authorization withdrawn before charging began. */
  | "deauthorized"
  /** The gun was disabled during the session. */
  | "disabled";

/** Why the charger (not the EV) pauses a gun. */
export type EvsePauseReason =
  /** The allocator granted 0 kW although the EV asks for power (module pool exhausted, C.4). */
  | "noPower"
  /** A per-gun limit is stale (limits/LimitTracker): ramp to zero until refreshed. */
  | "limitExpired"
  /** pauseCharging() was commanded. */
  | "commanded";

/** Seed 003 error severities: emergency (High) vs error (Medium/Low) shutdown. */
export type FaultSeverity = "emergency" | "error";

/**
 * What the sequencer / supervisor report for one gun, every control cycle.
 * The sessions never command hardware; they only follow these facts.
 */
export interface PowerPathReport {
  /** An island is allocated to the gun and its modules are on. */
  islandReady: boolean;
  /** Island voltage is within precharge tolerance of the EV battery (GC may close). */
  precharged: boolean;
  /** The gun contactor is closed (aux confirmed). */
  gcClosed: boolean;
  /** Gun current is below the switching threshold. */
  currentAtZero: boolean;
  /** A fault affects this gun (its island, GC, IMD, over-current, global fault...). */
  faulted: boolean;
  faultSeverity?: FaultSeverity;
  /** Human-readable fault cause, kept in the session record. */
  faultDetail?: string;
}

/** One gun's inputs for one control cycle. */
export interface GunInput {
  gunId: number;
  ev: EvStatus;
  power: PowerPathReport;
  /**
   * Budget the previous plan granted this gun (GunPlan.budgetKW), null before the
   * first plan. Used for the "no power available" pause.
   */
  grantedKW: number | null;
  /** From LimitTracker.evaluate(): a per-gun limit went stale this cycle or earlier. */
  limitExpired: boolean;
  /** DC meter energy register (GunMeasurement.energyWh), for session energy; optional. */
  meterEnergyWh?: number;
}

export interface ReservationInfo {
  reservationId: string;
  /** Only this token may use the gun (checked by the reservation hook); null = any. */
  idToken: string | null;
  /** Clock ms the reservation lapses; null = until cancelled. */
  expiresAtMs: number | null;
}

/** The record of one session, from plug-in (or remote start) to unplug. */
export interface SessionInfo {
  id: string;
  gunId: number;
  startedAtMs: number;
  idToken: string | null;
  reservationId: string | null;
  transactionStartedAtMs: number | null;
  transactionEndedAtMs: number | null;
  endedAtMs: number | null;
  /** Energy delivered since TransactionStarted (meter delta), Wh. */
  energyWh: number;
  stopReason: StopReason | null;
  faultSeverity: FaultSeverity | null;
  faultDetail: string | null;
}

export interface SessionEvent {
  type: SessionEventType;
  gunId: number;
  /** null for gun-level events (Enabled, Disabled, reservations) outside a session. */
  sessionId: string | null;
  atMs: number;
  /** StoppingCharging, ChargingFinished, TransactionFinished, SessionFinished. */
  reason?: StopReason;
  /** ChargingPausedEVSE: the full set of current reasons. */
  pauseReasons?: EvsePauseReason[];
  /** Authorized, TransactionStarted. */
  idToken?: string;
  /** Reservation events. */
  reservationId?: string;
  /** TransactionFinished, SessionFinished: energy of the session, Wh. */
  energyWh?: number;
  /** Fault detail on StoppingCharging for a fault. */
  detail?: string;
}

export type SessionListener = (event: SessionEvent) => void;

/** What the rest of the controller reads about one gun after update(). */
export interface GunSessionView {
  gunId: number;
  state: GunState;
  enabled: boolean;
  /** Takes part in allocation: READY, ISLAND_READY, CHARGING, or PAUSED_EVSE waiting only for power. */
  active: boolean;
  /** GC closed as the sequencer last reported it (GunObservation.charging). */
  charging: boolean;
  /** EV request current x voltage while active, else 0 (kW). */
  requestKW: number;
  /** EV requested voltage (battery voltage when no request yet). */
  evVoltageV: number;
  /** The gun must not deliver current: ramp it to zero and open its GC (every state but CHARGING). */
  rampToZero: boolean;
  /** Seed 003 shutdown kind for the supervisor / sequencer: outputs off at once for emergency. */
  shutdown: "none" | "ramp" | "emergency";
  pauseReasons: EvsePauseReason[];
  reservation: ReservationInfo | null;
  authorized: boolean;
  session: SessionInfo | null;
}

export type CommandResult = { ok: true } | { ok: false; error: string };

/** Where OCPP / MQTT plug in later. Every hook is optional and may not throw into the loop (it is contained). */
export interface SessionHooks {
  /** A session needs authorization (AuthRequired): answer later with SessionManager.authorize(). */
  requestAuthorization?(gunId: number, sessionId: string): void;
  /**
   * May idToken use a gun reserved by reservation? Default: yes when the
   * reservation names no token or the same token.
   */
  reservationAccepts?(reservation: ReservationInfo, idToken: string): boolean;
  /** Session id generator; default `<gunId>-<startMs>-<n>`. */
  newSessionId?(gunId: number, nowMs: number): string;
}

export interface SessionManagerOptions {
  gunIds: number[];
  hooks?: SessionHooks;
  log?: Log;
  /** Free vend: every session is authorized at once with this token (null = off). */
  autoAuthorizeToken?: string | null;
  /** A remote start before plug-in stays valid this long (OCPP ConnectionTimeOut; default 60 s). */
  preAuthorizationTimeoutMs?: number;
}
