/**
 * The EV side of each gun as the charge controller (CCS/CHAdeMO communication
 * controller) reports it: plug state, the BMS request, and stop requests.
 */
export interface EvStatus {
  plugged: boolean;
  /** The EV is ready to charge (handshake done, cable check may start). */
  ready: boolean;
  /** BMS requested current and voltage. */
  requestCurrentA: number;
  requestVoltageV: number;
  /** Negotiated EV maximums (for over-voltage supervision). */
  maxVoltageV: number;
  maxCurrentA: number;
  /** Battery voltage as reported by the EV (for precharge). */
  batteryVoltageV: number;
  socPct: number | null;
  /** The EV asks to stop charging. */
  stopRequested: boolean;
  /** The EV pauses (still plugged, wants no current for now). */
  paused: boolean;
}

export interface EvLink {
  status(gunId: number): EvStatus;
  /**
   * Optional batch read: `into[i]` = what `status(gunIds[i])` returns, for every i, in that
   * order; a gun it cannot read it sets to null or leaves untouched (callers fill `into`
   * with null first). Each status is a new object or an immutable one: callers (charging
   * sessions) keep them across ticks. Callers pass the same, never changed, `gunIds` array
   * every time.
   */
  readStatuses?(gunIds: readonly number[], into: (EvStatus | null)[]): void;
  /** Tell the EV what the charger can deliver now (EVSE present/max current). */
  offer(gunId: number, maxCurrentA: number, presentVoltageV: number): void;
}
