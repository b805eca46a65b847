/**
 * StationPort: what the OCPP station needs from the cabinet (sessions, planner, safety).
 * The station polls snapshots every tick and derives status and transaction events from
 * their changes, so the cabinet never has to know OCPP.
 */

export interface EvseInfo {
  /** 1..N; one connector (id 1) each. Gun id = EVSE id. */
  evseId: number;
  maxPowerKW: number;
  /** Used to convert A <-> W for DC profiles when no voltage is measured. */
  nominalVoltageV: number;
}

export interface MeterReading {
  /** Energy delivered to the EV since the gun's meter was installed (register). */
  energyWh: number;
  powerW: number;
  currentA: number;
  voltageV: number;
  /** EV state of charge, null when unknown. */
  socPercent: number | null;
}

export type CabinetStopReason =
  | "Local" | "EVDisconnected" | "EmergencyStop" | "PowerLoss" | "Other" | "Remote" | "DeAuthorized" | "EnergyLimitReached"
  /** The EV (BMS) ended the charge. */
  | "StoppedByEV";

export interface EvseSnapshot {
  /** Cable plugged into an EV. */
  plugged: boolean;
  /** The cabinet has an authorized session on this EVSE (remote start or local authorization). */
  authorized: boolean;
  /** Power path closed and energy flowing (or allowed to flow). */
  energyFlowing: boolean;
  /** EV suspended (e.g. full or BMS pause) while authorized and plugged. */
  suspendedByEv: boolean;
  /** A fault makes the EVSE unusable right now. */
  faulted: boolean;
  /** Cabinet-side availability (maintenance, module shortage); OCPP availability is kept by the station. */
  operative: boolean;
  meter: MeterReading;
  /** Why the last session ended, reported once when authorized drops; null otherwise. */
  lastStopReason: CabinetStopReason | null;
}

export interface StationLimits {
  /** ChargingStationMaxProfile (and station-wide external constraints) -> site external limit. null = none. */
  siteLimitKW: number | null;
  /** Per EVSE composite -> gun external limit; null = none. Keyed by EVSE id. */
  gunLimitsKW: Record<number, number | null>;
}

export interface StationPort {
  evses(): EvseInfo[];
  snapshot(evseId: number): EvseSnapshot;
  /** Remote start: authorize a session for idToken on the EVSE. false = cabinet refuses. */
  startSession(evseId: number, idToken: string): boolean;
  /** Remote or OCPP-initiated stop of the session on the EVSE. */
  stopSession(evseId: number, reason: CabinetStopReason): boolean;
  /** OCPP availability (evseId 0 = whole station). */
  setAvailability(evseId: number, operative: boolean): void;
  unlock(evseId: number): "Unlocked" | "UnlockFailed" | "OngoingAuthorizedTransaction" | "UnknownConnector";
  /** Reset requested; the cabinet decides when (immediate vs when idle). false = refused. */
  reset(kind: "Immediate" | "OnIdle"): boolean;
  /**
   * The limits sink, called whenever the composite changes (incl. at period boundaries) and
   * re-called at least every LIMIT_REFRESH_MS (station-core) while the station ticks.
   */
  applyLimits(limits: StationLimits): void;
}
