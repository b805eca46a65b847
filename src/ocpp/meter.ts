/** Meter values in OCPP shape (both versions use the same measurand names). */
import type { MeterReading } from "./port";

export type SampleContext = "Transaction.Begin" | "Transaction.End" | "Sample.Periodic" | "Trigger";

/** 2.0.1 SampledValueType list: value is a number. */
export function sampledValues201(m: MeterReading, context: SampleContext, full: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    { value: round(m.energyWh, 1), context, measurand: "Energy.Active.Import.Register", unitOfMeasure: { unit: "Wh" } },
  ];
  if (!full) return out;
  out.push(
    { value: round(m.powerW, 1), context, measurand: "Power.Active.Import", unitOfMeasure: { unit: "W" } },
    { value: round(m.currentA, 1), context, measurand: "Current.Import", unitOfMeasure: { unit: "A" } },
    { value: round(m.voltageV, 1), context, measurand: "Voltage", unitOfMeasure: { unit: "V" } },
  );
  if (m.socPercent !== null) out.push({ value: round(m.socPercent, 1), context, measurand: "SoC", location: "EV", unitOfMeasure: { unit: "Percent" } });
  return out;
}

/** 1.6 SampledValue list: value is a string, unit a fixed enum. */
export function sampledValues16(m: MeterReading, context: SampleContext, full: boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    { value: String(round(m.energyWh, 1)), context, measurand: "Energy.Active.Import.Register", unit: "Wh" },
  ];
  if (!full) return out;
  out.push(
    { value: String(round(m.powerW, 1)), context, measurand: "Power.Active.Import", unit: "W" },
    { value: String(round(m.currentA, 1)), context, measurand: "Current.Import", unit: "A" },
    { value: String(round(m.voltageV, 1)), context, measurand: "Voltage", unit: "V" },
  );
  if (m.socPercent !== null) out.push({ value: String(round(m.socPercent, 1)), context, measurand: "SoC", location: "EV", unit: "Percent" });
  return out;
}

function round(v: number, digits: number): number {
  const f = Math.pow(10, digits);
  return Math.round(v * f) / f;
}
