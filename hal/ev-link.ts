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
  /** Tell the EV what the charger can deliver now (EVSE present/max current). */
  offer(gunId: number, maxCurrentA: number, presentVoltageV: number): void;
}
