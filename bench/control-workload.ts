/**
 * The control-loop benchmark workload, platform-free so that the same code runs
 * under Node and inside XS (bench/control.bench.ts bundles it for xsnap): the real
 * controller on the simulated ring-12x2 cabinet with 12 guns charging, every
 * controller entry point and every control-cycle step wrapped with a timer.
 * Time comes from the injected `nowUs` (performance.now() x 1000 on both engines).
 */
import { builtinDocument, parseCabinetConfig } from "../src/config";
import { plan as planCabinet } from "../src/planner/plan";
import type { Plan, PlanObservation } from "../src/planner/types";
import type { CabinetConfig } from "../src/config/types";
import { createSimCabinet, type SimCabinet } from "../host-sim/sim-cabinet";
import type { EvSpec } from "../host-sim/plant/ev";

/** What is timed. fast = fastTick (supervisor + sequencer), control = controlTick. */
export const STEP_NAMES = [
  "fastTick",
  "supervisor.tick",
  "sequencer.step",
  "controlTick",
  "limits.evaluate",
  "sessions.update",
  "planner",
  "buildSnapshot",
] as const;
export type StepName = (typeof STEP_NAMES)[number];
export type StepSamples = Record<StepName, number[]>;

const EVS: EvSpec[] = [
  { batteryKWh: 77, socPct: 30, targetSocPct: 90, maxPowerKW: 135, packVoltageV: 400 },
  { batteryKWh: 84, socPct: 20, targetSocPct: 90, maxPowerKW: 230, packVoltageV: 800 },
  { batteryKWh: 60, socPct: 40, targetSocPct: 90, maxPowerKW: 100, packVoltageV: 400 },
];

export interface ControlWorkload {
  cab: SimCabinet;
  config: CabinetConfig;
  samples: StepSamples;
  /** Timers on or off (off: the wrappers call straight through). */
  setTiming(on: boolean): void;
  clearSamples(): void;
  /** Runs the simulation (scheduler, plant, observer) for `ms` of simulated time. */
  runMs(ms: number): void;
  /**
   * Disturbances while measuring, so that the worst case sees more than a steady
   * state: grid limit down and up, a module failure, a stop and a re-plug.
   */
  runDisturbed(ms: number): void;
  chargingGuns(): number;
}

export function createControlWorkload(options: { nowUs: () => number; seed?: number; stepMs?: number }): ControlWorkload {
  const nowUs = options.nowUs;
  const config = parseCabinetConfig(builtinDocument("ring-12x2"));
  const samples = emptySamples();
  let timing = true;
  const timed = <A extends unknown[], R>(name: StepName, fn: (...args: A) => R) => (...args: A): R => {
    if (!timing) return fn(...args);
    const t0 = nowUs();
    const r = fn(...args);
    samples[name].push(nowUs() - t0);
    return r;
  };
  const planner = timed("planner", (c: CabinetConfig, o: PlanObservation, p: Plan | null) => planCabinet(c, o, p));
  const cab = createSimCabinet({ config, seed: options.seed ?? 12, stepMs: options.stepMs ?? 1, planner });
  const { controller, sim } = cab;
  // Instance properties shadow the prototype methods; the scheduler's task closures
  // call `this.fastTick()` etc. at run time, so they run the timed versions.
  const c = controller as unknown as Record<string, unknown>;
  c.fastTick = timed("fastTick", controller.fastTick.bind(controller));
  c.controlTick = timed("controlTick", controller.controlTick.bind(controller));
  c.buildSnapshot = timed("buildSnapshot", controller.buildSnapshot.bind(controller));
  const sup = controller.safety.supervisor as unknown as Record<string, unknown>;
  sup.tick = timed("supervisor.tick", controller.safety.supervisor.tick.bind(controller.safety.supervisor));
  const seq = controller.safety.sequencer as unknown as Record<string, unknown>;
  seq.step = timed("sequencer.step", controller.safety.sequencer.step.bind(controller.safety.sequencer));
  const ses = controller.sessions as unknown as Record<string, unknown>;
  ses.update = timed("sessions.update", controller.sessions.update.bind(controller.sessions));
  const lim = controller.limits as unknown as Record<string, unknown>;
  lim.evaluate = timed("limits.evaluate", controller.limits.evaluate.bind(controller.limits));

  const charging = () => config.guns.filter((g) => controller.sessions.view(g.id)?.state === "CHARGING").length;

  // Setup: 12 EVs, all charging.
  timing = false;
  sim.runner.runUntil(500);
  for (const g of config.guns) sim.plant.plug(g.id, EVS[g.id % EVS.length]);
  sim.runner.runUntil(sim.plant.nowMs + 20_000, () => charging() === config.guns.length);
  sim.runner.runUntil(sim.plant.nowMs + 2000);
  if (charging() !== config.guns.length) throw new Error(`control workload: only ${charging()} of ${config.guns.length} guns charging`);
  timing = true;

  return {
    cab,
    config,
    samples,
    setTiming: (on) => { timing = on; },
    clearSamples: () => { for (const k of STEP_NAMES) samples[k].length = 0; },
    runMs: (ms) => sim.runner.runUntil(sim.plant.nowMs + ms),
    runDisturbed(ms) {
      const t0 = sim.plant.nowMs;
      const at = (f: number, run: () => void) => sim.runner.at(t0 + f * ms, run);
      at(0.15, () => controller.setGridLimit(200));
      at(0.3, () => sim.plant.injectFault("moduleFail", "M5_0"));
      at(0.45, () => controller.remoteStop(7));
      at(0.55, () => controller.setGridLimit(360));
      at(0.6, () => sim.plant.unplug(7));
      at(0.7, () => sim.plant.plug(7, EVS[0]));
      sim.runner.runUntil(t0 + ms);
    },
    chargingGuns: charging,
  };
}

function emptySamples(): StepSamples {
  const s = {} as StepSamples;
  for (const k of STEP_NAMES) s[k] = [];
  return s;
}

/**
 * One measured run: a fresh workload (setup untimed), `ms` of disturbed simulated
 * time with every step timed, then `snapshots` direct snapshot builds. The run is
 * deterministic (seeded plant, simulated clock): the n-th sample of a step is the
 * same work in every repetition, which is what lets the bench filter out the host's
 * scheduling noise by taking the minimum over repetitions sample by sample.
 */
export function measuredRun(nowUs: () => number, ms: number, snapshots: number): { samples: StepSamples; violations: number; controlErrors: number } {
  const w = createControlWorkload({ nowUs });
  w.clearSamples();
  w.runDisturbed(ms);
  for (let i = 0; i < snapshots; i++) w.cab.controller.buildSnapshot();
  w.setTiming(false);
  return { samples: w.samples, violations: w.cab.sim.observer.violations.length, controlErrors: w.cab.controller.stats().controlErrors };
}

/** Sample-by-sample minimum over repetitions of the same deterministic run (null when they do not line up). */
export function minOverRuns(runs: StepSamples[]): StepSamples | null {
  const out = emptySamples();
  for (const k of STEP_NAMES) {
    const n = runs[0][k].length;
    if (runs.some((r) => r[k].length !== n)) return null;
    for (let i = 0; i < n; i++) {
      let m = Infinity;
      for (const r of runs) m = Math.min(m, r[k][i]);
      out[k].push(m);
    }
  }
  return out;
}
