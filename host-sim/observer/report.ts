import type { CabinetPlant } from "../plant/plant";
import type { BreakUnderLoad, FaultReaction, InvariantObserver, Violation } from "./observer";

/** The observer's part of a run report (issue 6 `npm run sim` report). */
export interface ObserverReport {
  invariantViolations: Violation[];
  contactorOperations: { total: number; byContactor: Record<string, number> };
  breaksUnderLoad: { total: number; emergency: number; nonEmergency: number; list: BreakUnderLoad[] };
  faults: (FaultReaction & { reachedSafeState: boolean })[];
}

export function observerReport(observer: InvariantObserver, plant: CabinetPlant): ObserverReport {
  const byContactor: Record<string, number> = {};
  let total = 0;
  for (const [id, c] of plant.contactors) {
    byContactor[id] = c.operations;
    total += c.operations;
  }
  const emergency = observer.breaks.filter((b) => b.emergency).length;
  return {
    invariantViolations: observer.violations.map((v) => ({ ...v })),
    contactorOperations: { total, byContactor },
    breaksUnderLoad: { total: observer.breaks.length, emergency, nonEmergency: observer.breaks.length - emergency, list: observer.breaks.map((b) => ({ ...b })) },
    faults: observer.reactions.map((r) => ({
      ...r,
      clearedAtMs: plant.faults.find((f) => f.handle === r.handle)?.clearedAtMs ?? r.clearedAtMs,
      reachedSafeState: r.safeAtMs !== null,
    })),
  };
}
