/** Wire <-> normalized charging profiles for 2.0.1 and 1.6 (payloads already schema-checked). */
import type { JsonObject } from "./framing";
import type { ChargingProfile, Purpose, SchedulePeriod } from "./smart-charging";

type Obj = Record<string, any>;

function ms(iso: unknown): number | undefined {
  if (typeof iso !== "string") return undefined;
  const v = Date.parse(iso);
  return Number.isFinite(v) ? v : undefined;
}

export function isoOf(msValue: number): string {
  return new Date(msValue).toISOString();
}

function periodsOf(list: Obj[]): SchedulePeriod[] {
  return list.map((p) => ({ startPeriodS: p.startPeriod, limit: p.limit, ...(p.numberPhases !== undefined ? { numberPhases: p.numberPhases } : {}) }));
}

function defined<T extends Obj>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function profileFrom201(evseId: number, w: Obj): ChargingProfile {
  const s: Obj = w.chargingSchedule[0];
  return defined({
    evseId, id: w.id, stackLevel: w.stackLevel, purpose: w.chargingProfilePurpose as Purpose, kind: w.chargingProfileKind,
    recurrency: w.recurrencyKind, validFromMs: ms(w.validFrom), validToMs: ms(w.validTo), transactionId: w.transactionId,
    scheduleId: s.id, startScheduleMs: ms(s.startSchedule), durationS: s.duration, unit: s.chargingRateUnit,
    periods: periodsOf(s.chargingSchedulePeriod), minChargingRate: s.minChargingRate,
  });
}

export function profileTo201(p: ChargingProfile): JsonObject {
  return defined({
    id: p.id, stackLevel: p.stackLevel, chargingProfilePurpose: p.purpose, chargingProfileKind: p.kind,
    recurrencyKind: p.recurrency, validFrom: p.validFromMs !== undefined ? isoOf(p.validFromMs) : undefined,
    validTo: p.validToMs !== undefined ? isoOf(p.validToMs) : undefined, transactionId: p.transactionId,
    chargingSchedule: [defined({
      id: p.scheduleId, startSchedule: p.startScheduleMs !== undefined ? isoOf(p.startScheduleMs) : undefined,
      duration: p.durationS, chargingRateUnit: p.unit, minChargingRate: p.minChargingRate,
      chargingSchedulePeriod: p.periods.map((q) => defined({ startPeriod: q.startPeriodS, limit: q.limit, numberPhases: q.numberPhases })),
    })],
  });
}

export function profileFrom16(connectorId: number, w: Obj): ChargingProfile {
  const s: Obj = w.chargingSchedule;
  const purpose: Purpose = w.chargingProfilePurpose === "ChargePointMaxProfile" ? "ChargingStationMaxProfile" : w.chargingProfilePurpose;
  return defined({
    evseId: connectorId, id: w.chargingProfileId, stackLevel: w.stackLevel, purpose, kind: w.chargingProfileKind,
    recurrency: w.recurrencyKind, validFromMs: ms(w.validFrom), validToMs: ms(w.validTo),
    transactionId: w.transactionId !== undefined ? String(w.transactionId) : undefined,
    scheduleId: 0, startScheduleMs: ms(s.startSchedule), durationS: s.duration, unit: s.chargingRateUnit,
    periods: periodsOf(s.chargingSchedulePeriod), minChargingRate: s.minChargingRate,
  });
}
