/**
 * Smart charging (OCPP 2.0.1 K01/K08, 1.6 §3.13): charging profiles in one normalized form,
 * the 2.0.1 validation rules, stack-level precedence and the composite schedule.
 * Pure functions of (profiles, context, time); times are UTC epoch milliseconds.
 */

export type Purpose = "ChargingStationMaxProfile" | "TxDefaultProfile" | "TxProfile" | "ChargingStationExternalConstraints";
export type ProfileKind = "Absolute" | "Recurring" | "Relative";
export type RateUnit = "W" | "A";

export interface SchedulePeriod {
  startPeriodS: number;
  limit: number;
  numberPhases?: number;
}

export interface ChargingProfile {
  /** 0 = the whole station. */
  evseId: number;
  id: number;
  stackLevel: number;
  purpose: Purpose;
  kind: ProfileKind;
  recurrency?: "Daily" | "Weekly";
  validFromMs?: number;
  validToMs?: number;
  transactionId?: string;
  /** Schedule id (2.0.1) — kept so reports can repeat it. */
  scheduleId: number;
  startScheduleMs?: number;
  durationS?: number;
  unit: RateUnit;
  periods: SchedulePeriod[];
  minChargingRate?: number;
}

/** What the composite calculation needs to know about the station right now. */
export interface CompositeContext {
  /** Active transaction on an EVSE: id and UTC start (for Relative profiles). */
  transaction(evseId: number): { id: string; startMs: number } | null;
  /** Voltage used to convert between A and W (DC: measured, else nominal). */
  voltageV(evseId: number): number;
}

export interface CompositePeriod {
  startPeriodS: number;
  /** null = no limit from any profile. */
  limit: number | null;
}

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

export interface ValidationContext {
  evseIds: number[];
  /** Active transaction id on an EVSE, or null. */
  transactionIdOn(evseId: number): string | null;
  existing: ChargingProfile[];
  maxStackLevel: number;
  maxPeriods: number;
}

/** 2.0.1 K01 rules. Returns null when acceptable, else the reason for Rejected. */
export function validateProfile(p: ChargingProfile, ctx: ValidationContext): string | null {
  if (p.evseId !== 0 && !ctx.evseIds.includes(p.evseId)) return `evseId ${p.evseId} does not exist`;
  if (p.stackLevel < 0 || p.stackLevel > ctx.maxStackLevel) return `stackLevel ${p.stackLevel} outside 0..${ctx.maxStackLevel}`;
  if (p.purpose === "ChargingStationExternalConstraints") return "ChargingStationExternalConstraints cannot be set by the CSMS";
  if (p.purpose === "ChargingStationMaxProfile") {
    if (p.evseId !== 0) return "ChargingStationMaxProfile only on evseId 0";
    if (p.kind === "Relative") return "ChargingStationMaxProfile cannot be Relative";
  }
  if (p.purpose === "TxProfile") {
    if (p.evseId === 0) return "TxProfile needs an evseId > 0";
    const active = ctx.transactionIdOn(p.evseId);
    if (active === null) return `no active transaction on evse ${p.evseId}`;
    if (p.transactionId !== undefined && p.transactionId !== active) return `transactionId ${p.transactionId} is not the active transaction ${active}`;
  }
  if (p.kind === "Recurring" && !p.recurrency) return "Recurring profile needs recurrencyKind";
  if (p.kind !== "Recurring" && p.recurrency) return "recurrencyKind only for Recurring profiles";
  if ((p.kind === "Absolute" || p.kind === "Recurring") && p.startScheduleMs === undefined) return `${p.kind} profile needs startSchedule`;
  if (p.kind === "Relative" && p.startScheduleMs !== undefined) return "Relative profile must not have startSchedule";
  if (p.unit !== "W" && p.unit !== "A") return `chargingRateUnit ${String(p.unit)} not supported`;
  if (p.periods.length === 0) return "no schedule periods";
  if (p.periods.length > ctx.maxPeriods) return `${p.periods.length} periods, at most ${ctx.maxPeriods}`;
  if (p.periods[0].startPeriodS !== 0) return `first startPeriod must be 0, got ${p.periods[0].startPeriodS}`;
  for (let i = 1; i < p.periods.length; i++) {
    if (p.periods[i].startPeriodS <= p.periods[i - 1].startPeriodS) return `startPeriod ${p.periods[i].startPeriodS} does not increase`;
  }
  if (p.periods.some((q) => !Number.isFinite(q.limit) || q.limit < 0)) return "limits must be non-negative";
  if (p.durationS !== undefined && p.durationS <= 0) return `duration ${p.durationS} must be positive`;
  if (p.validFromMs !== undefined && p.validToMs !== undefined && p.validToMs <= p.validFromMs) return "validTo is not after validFrom";
  if (p.kind === "Recurring" && p.durationS !== undefined && p.durationS * 1000 > (p.recurrency === "Daily" ? DAY_MS : WEEK_MS)) {
    return "duration longer than the recurrence period";
  }
  // K01.FR.39: another profile (different id) with the same stackLevel, purpose and EVSE
  // whose validity overlaps. TxProfiles only clash within the same transaction.
  const clash = ctx.existing.find((q) => q.id !== p.id && q.evseId === p.evseId && q.purpose === p.purpose &&
    q.stackLevel === p.stackLevel && (p.purpose !== "TxProfile" || q.transactionId === p.transactionId) && overlaps(p, q));
  if (clash) return `profile ${clash.id} already uses stackLevel ${p.stackLevel} for ${p.purpose} on evse ${p.evseId}`;
  return null;
}

function overlaps(a: ChargingProfile, b: ChargingProfile): boolean {
  const aFrom = a.validFromMs ?? -Infinity, aTo = a.validToMs ?? Infinity;
  const bFrom = b.validFromMs ?? -Infinity, bTo = b.validToMs ?? Infinity;
  return aFrom < bTo && bFrom < aTo;
}

/** Adds or replaces (same id replaces, K01.FR.05) and returns the new list. */
export function installProfile(list: ChargingProfile[], p: ChargingProfile): ChargingProfile[] {
  return [...list.filter((q) => q.id !== p.id), p];
}

interface Eval {
  /** Limit in the profile's own unit, or null when the profile does not apply at t. */
  limit: number | null;
  unit: RateUnit;
  /** Next UTC ms at which the answer may change. */
  nextMs: number;
}

/** What one profile says at time t. `relativeStartMs` anchors Relative profiles. */
export function evaluateProfile(p: ChargingProfile, t: number, relativeStartMs: number): Eval {
  const none = (nextMs: number): Eval => ({ limit: null, unit: p.unit, nextMs });
  if (p.validFromMs !== undefined && t < p.validFromMs) return none(p.validFromMs);
  if (p.validToMs !== undefined && t >= p.validToMs) return none(Infinity);
  const cap = (ms: number) => Math.min(ms, p.validToMs ?? Infinity);
  let startMs: number;
  let recurrenceEndMs = Infinity;
  if (p.kind === "Relative") {
    startMs = relativeStartMs;
  } else if (p.kind === "Recurring") {
    const periodMs = p.recurrency === "Weekly" ? WEEK_MS : DAY_MS;
    const base = p.startScheduleMs ?? 0;
    startMs = base + Math.floor((t - base) / periodMs) * periodMs;
    recurrenceEndMs = startMs + periodMs;
  } else {
    startMs = p.startScheduleMs ?? relativeStartMs;
  }
  if (t < startMs) return none(cap(startMs));
  const offsetMs = t - startMs;
  if (p.durationS !== undefined && offsetMs >= p.durationS * 1000) return none(cap(recurrenceEndMs));
  let index = -1;
  for (let i = 0; i < p.periods.length; i++) if (p.periods[i].startPeriodS * 1000 <= offsetMs) index = i;
  if (index < 0) return none(cap(startMs + p.periods[0].startPeriodS * 1000));
  let nextMs = recurrenceEndMs;
  if (index + 1 < p.periods.length) nextMs = Math.min(nextMs, startMs + p.periods[index + 1].startPeriodS * 1000);
  if (p.durationS !== undefined) nextMs = Math.min(nextMs, startMs + p.durationS * 1000);
  return { limit: p.periods[index].limit, unit: p.unit, nextMs: cap(nextMs) };
}

function convert(limit: number, from: RateUnit, to: RateUnit, voltageV: number): number {
  if (from === to) return limit;
  return to === "W" ? limit * voltageV : limit / voltageV;
}

/** Highest stack level that applies at t wins (K08: precedence within a purpose). */
function stackAt(profiles: ChargingProfile[], t: number, relStartMs: number, unit: RateUnit, voltageV: number): { limit: number | null; nextMs: number } {
  let best: { level: number; limit: number } | null = null;
  let nextMs = Infinity;
  for (const p of profiles) {
    const e = evaluateProfile(p, t, relStartMs);
    nextMs = Math.min(nextMs, e.nextMs);
    if (e.limit !== null && (best === null || p.stackLevel > best.level)) {
      best = { level: p.stackLevel, limit: convert(e.limit, e.unit, unit, voltageV) };
    }
  }
  return { limit: best ? best.limit : null, nextMs };
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * The limit in force on an EVSE at t and when it may next change.
 * evseId > 0: min(station max, external constraints (station and EVSE), TxProfile of the
 * active transaction, else the EVSE's TxDefaultProfile, else the station-wide TxDefaultProfile).
 * evseId 0: min(station max, station external constraints) — the cap on the sum of all EVSEs.
 */
export function limitAt(profiles: ChargingProfile[], evseId: number, t: number, unit: RateUnit, ctx: CompositeContext, requestStartMs: number): { limit: number | null; nextMs: number } {
  const voltageV = ctx.voltageV(evseId);
  const pick = (purpose: Purpose, onEvse: number, filter?: (p: ChargingProfile) => boolean) =>
    profiles.filter((p) => p.purpose === purpose && p.evseId === onEvse && (!filter || filter(p)));
  const tx = evseId > 0 ? ctx.transaction(evseId) : null;
  const relStart = tx ? tx.startMs : requestStartMs;
  let nextMs = Infinity;
  const take = (list: ChargingProfile[]) => {
    const r = stackAt(list, t, relStart, unit, voltageV);
    nextMs = Math.min(nextMs, r.nextMs);
    return r.limit;
  };
  let limit = take(pick("ChargingStationMaxProfile", 0));
  limit = minOf(limit, take(pick("ChargingStationExternalConstraints", 0)));
  if (evseId > 0) {
    limit = minOf(limit, take(pick("ChargingStationExternalConstraints", evseId)));
    let txLimit = tx ? take(pick("TxProfile", evseId, (p) => p.transactionId === undefined || p.transactionId === tx.id)) : null;
    if (txLimit === null) txLimit = take(pick("TxDefaultProfile", evseId));
    if (txLimit === null) txLimit = take(pick("TxDefaultProfile", 0));
    limit = minOf(limit, txLimit);
  }
  return { limit, nextMs };
}

/** The composite schedule over [startMs, startMs + durationS), consecutive equal periods merged. */
export function compositeSchedule(profiles: ChargingProfile[], evseId: number, startMs: number, durationS: number, unit: RateUnit, ctx: CompositeContext): CompositePeriod[] {
  const endMs = startMs + durationS * 1000;
  const out: CompositePeriod[] = [];
  let t = startMs;
  let guard = 0;
  while (t < endMs && guard++ < 10_000) {
    const { limit, nextMs } = limitAt(profiles, evseId, t, unit, ctx, startMs);
    const rounded = limit === null ? null : Math.round(limit * 10) / 10;
    const startPeriodS = Math.round((t - startMs) / 1000);
    const last = out[out.length - 1];
    // Whole seconds on the wire: a sub-second period is replaced by the one that follows it.
    if (last && last.startPeriodS === startPeriodS) {
      out.pop();
      const prev = out[out.length - 1];
      if (!prev || prev.limit !== rounded) out.push({ startPeriodS, limit: rounded });
    } else if (!last || last.limit !== rounded) {
      out.push({ startPeriodS, limit: rounded });
    }
    t = nextMs > t ? nextMs : t + 1000;
  }
  return out;
}

/** Profiles of a transaction are dropped when it ends (K01.FR.19? TxProfile lifetime). */
export function dropTransactionProfiles(list: ChargingProfile[], evseId: number): ChargingProfile[] {
  return list.filter((p) => !(p.purpose === "TxProfile" && p.evseId === evseId));
}

export interface ClearCriteria {
  id?: number;
  evseId?: number;
  purpose?: Purpose;
  stackLevel?: number;
}

/** Returns the remaining profiles and how many were cleared. */
export function clearProfiles(list: ChargingProfile[], c: ClearCriteria): { remaining: ChargingProfile[]; cleared: number } {
  const matches = (p: ChargingProfile) => {
    if (c.id !== undefined) return p.id === c.id;
    return (c.evseId === undefined || p.evseId === c.evseId) && (c.purpose === undefined || p.purpose === c.purpose) &&
      (c.stackLevel === undefined || p.stackLevel === c.stackLevel);
  };
  const remaining = list.filter((p) => !matches(p));
  return { remaining, cleared: list.length - remaining.length };
}
