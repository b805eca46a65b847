/**
 * One planner's fleet-day run of the sim bench in its own process (the three runs of
 * `npm run bench -- sim` in parallel on a multi-core machine):
 *   node -r ts-node/register bench/sim-one.ts <0|1|2> [--quick]
 * prints the run's figures as one JSON line.
 */
import { loadFleetDay, PLANNERS, runSimBench } from "./sim.bench";
import { fleetWindowScenario } from "./sim-scenarios";

const which = Number(process.argv[2]);
const planner = PLANNERS[which];
if (!planner) {
  console.error(`planner index: 0..${PLANNERS.length - 1}, got ${process.argv[2]}`);
  process.exitCode = 2;
} else {
  const fleetDay = loadFleetDay();
  const scenario = process.argv.includes("--quick") ? fleetWindowScenario(fleetDay) : fleetDay;
  const r = runSimBench(scenario, planner);
  const kinds: Record<string, number> = {};
  for (const v of r.report.invariantViolations) kinds[`§5.${v.invariant} ${v.kind}`] = (kinds[`§5.${v.invariant} ${v.kind}`] ?? 0) + 1;
  console.log(JSON.stringify({
    planner: r.planner, scenario: scenario.name, simulatedS: r.simulatedS, wallS: r.wallS, cpuS: r.cpuS, simSPerWallS: r.simSPerWallS,
    energyKWh: r.report.energyKWh, askedKWh: r.report.askedKWh, deliveredVsAskedRatio: r.report.deliveredVsAskedRatio, allSessions: r.allSessions,
    sessionsCompleted: r.report.sessionsCompleted, sessionsReachedTarget: r.report.sessionsReachedTarget, timeToTargetS: r.report.timeToTargetS,
    moduleOnHours: r.report.moduleOnHours, contactorOperations: r.report.contactorOperations,
    breaksUnderLoad: { total: r.report.breaksUnderLoad.total, emergency: r.report.breaksUnderLoad.emergency },
    faults: r.report.faults.map((f) => `${f.kind} ${String(f.target)} ${f.reactionMs === null ? "no hazard" : f.reactionMs + " ms"}${f.met === false ? " LATE" : ""}`),
    invariantViolations: r.report.invariantViolations.length, violationKinds: kinds, firstViolations: r.report.invariantViolations.slice(0, 5),
    grid: r.grid, controlErrors: r.report.controlErrors,
  }));
}
