/**
 * The report of a simulated run (issue 6): energy, sessions, time to target SOC,
 * delivered vs the unconstrained ask, module-on hours, contactor operations and
 * breaks under load, fault reactions, and the observer's invariant violations.
 * Platform-free.
 */
import { observerReport, type ObserverReport } from "./observer/report";
import type { SimCabinet } from "./sim-cabinet";

export interface GunReport {
  gunId: number;
  energyKWh: number;
  sessionsCompleted: number;
}

export interface RunReport {
  scenario: string;
  simulatedS: number;
  wallS: number;
  energyKWh: number;
  askedKWh: number;
  /** Delivered energy / the energy the EVs asked for (start SOC to target), over finished sessions. */
  deliveredVsAskedRatio: number;
  sessionsCompleted: number;
  sessionsReachedTarget: number;
  timeToTargetS: { mean: number | null; p95: number | null };
  guns: GunReport[];
  moduleOnHours: number;
  contactorOperations: number;
  breaksUnderLoad: ObserverReport["breaksUnderLoad"];
  faults: ObserverReport["faults"];
  invariantViolations: ObserverReport["invariantViolations"];
  controlErrors: number;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function buildRunReport(cabinet: SimCabinet, scenarioName: string, wallS: number): RunReport {
  const { sim, controller } = cabinet;
  const observed = observerReport(sim.observer, sim.plant);
  const finished = sim.plant.sessions;
  const guns: GunReport[] = controller.config.guns.map((g) => {
    const mine = finished.filter((s) => s.gunId === g.id);
    return { gunId: g.id, energyKWh: mine.reduce((sum, s) => sum + s.deliveredWh, 0) / 1000, sessionsCompleted: mine.length };
  });
  const delivered = finished.reduce((sum, s) => sum + s.deliveredWh, 0) / 1000;
  const asked = finished.reduce((sum, s) => sum + s.askedWh, 0) / 1000;
  const toTarget = finished
    .filter((s) => s.targetReachedAtMs !== null)
    .map((s) => ((s.targetReachedAtMs as number) - s.pluggedAtMs) / 1000)
    .sort((a, b) => a - b);
  let moduleOnHours = 0;
  for (const m of controller.index.modules) moduleOnHours += controller.moduleOperatingHours(m.id);
  return {
    scenario: scenarioName,
    simulatedS: sim.hal.clock.nowMs() / 1000,
    wallS,
    energyKWh: delivered,
    askedKWh: asked,
    deliveredVsAskedRatio: asked > 0 ? delivered / asked : 1,
    sessionsCompleted: finished.length,
    sessionsReachedTarget: toTarget.length,
    timeToTargetS: { mean: toTarget.length ? toTarget.reduce((a, b) => a + b, 0) / toTarget.length : null, p95: percentile(toTarget, 95) },
    guns,
    moduleOnHours,
    contactorOperations: observed.contactorOperations.total,
    breaksUnderLoad: observed.breaksUnderLoad,
    faults: observed.faults,
    invariantViolations: observed.invariantViolations,
    controlErrors: controller.stats().controlErrors,
  };
}
