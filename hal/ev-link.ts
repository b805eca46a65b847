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
   * Optional batch (register) read: `into[i]` gets the values `status(gunIds[i])` would
   * return, for every i, in that order; a gun it cannot read it sets to null or leaves
   * untouched (callers fill `into` with null first). `into[i]` may be a record the link owns
   * and refills on its next call (like a meter register), so that a 10 ms read allocates
   * nothing: valid until that next call only, and a caller that keeps a status longer keeps
   * a copy (`copyEvStatus`). Callers pass the same, never changed, `gunIds` array every time.
   */
  readStatuses?(gunIds: readonly number[], into: (EvStatus | null)[]): void;
  /** Tell the EV what the charger can deliver now (EVSE present/max current). */
  offer(gunId: number, maxCurrentA: number, presentVoltageV: number): void;
}

/** A copy of `from` (into `into` when given, else a new record), field by field. */
export function copyEvStatus(from: EvStatus, into?: EvStatus): EvStatus {
  if (into === undefined) {
    return {
      plugged: from.plugged, ready: from.ready, requestCurrentA: from.requestCurrentA, requestVoltageV: from.requestVoltageV,
      maxVoltageV: from.maxVoltageV, maxCurrentA: from.maxCurrentA, batteryVoltageV: from.batteryVoltageV, socPct: from.socPct,
      stopRequested: from.stopRequested, paused: from.paused,
    };
  }
  into.plugged = from.plugged;
  into.ready = from.ready;
  into.requestCurrentA = from.requestCurrentA;
  into.requestVoltageV = from.requestVoltageV;
  into.maxVoltageV = from.maxVoltageV;
  into.maxCurrentA = from.maxCurrentA;
  into.batteryVoltageV = from.batteryVoltageV;
  into.socPct = from.socPct;
  into.stopRequested = from.stopRequested;
  into.paused = from.paused;
  return into;
}

/** Every field equal (`Object.is`: a NaN equals a NaN, so an unchanged status compares equal). */
export function sameEvStatus(a: EvStatus, b: EvStatus): boolean {
  return a.plugged === b.plugged && a.ready === b.ready && Object.is(a.requestCurrentA, b.requestCurrentA) &&
    Object.is(a.requestVoltageV, b.requestVoltageV) && Object.is(a.maxVoltageV, b.maxVoltageV) && Object.is(a.maxCurrentA, b.maxCurrentA) &&
    Object.is(a.batteryVoltageV, b.batteryVoltageV) && Object.is(a.socPct, b.socPct) && a.stopRequested === b.stopRequested && a.paused === b.paused;
}
