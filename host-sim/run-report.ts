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
  /** Energy into the EVs over the run, including sessions still plugged at the end. */
  energyKWh: number;
  /** What the finished sessions asked for (start SOC to target). */
  askedKWh: number;
  /** Energy delivered to finished sessions / what they asked for. */
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
  // Finished sessions plus the ones still plugged at the end of the run, so a run that
  // ends mid-charge counts the energy it delivered.
  const finished = sim.plant.sessions;
  const nowMs = sim.hal.clock.nowMs();
  const ongoing = sim.plant.guns.flatMap((g) => (g.ev ? [g.ev.record(g.id, nowMs)] : []));
  const all = [...finished, ...ongoing];
  const guns: GunReport[] = controller.config.guns.map((g) => {
    const mine = all.filter((s) => s.gunId === g.id);
    return {
      gunId: g.id,
      energyKWh: mine.reduce((sum, s) => sum + s.deliveredWh, 0) / 1000,
      sessionsCompleted: finished.filter((s) => s.gunId === g.id).length,
    };
  });
  const delivered = all.reduce((sum, s) => sum + s.deliveredWh, 0) / 1000;
  // The ratio compares like with like: sessions that ended (an EV still plugged has not
  // had its whole dwell time to get what it asked for).
  const deliveredFinished = finished.reduce((sum, s) => sum + s.deliveredWh, 0) / 1000;
  const asked = finished.reduce((sum, s) => sum + s.askedWh, 0) / 1000;
  const toTarget = all
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
    deliveredVsAskedRatio: asked > 0 ? deliveredFinished / asked : 1,
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
