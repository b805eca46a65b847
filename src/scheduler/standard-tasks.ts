import type { TimingConfig } from "../config/types";
import type { TaskContext, TaskSpec } from "./types";

/** The bodies of the cabinet's four tasks (DESIGN.md §4); the composition root supplies them. */
export interface StandardTaskRuns {
  safety(context: TaskContext): void;
  control(context: TaskContext): void;
  telemetry(context: TaskContext): void;
  comms(context: TaskContext): void;
}

/** Time budgets of the standard tasks (clock ms), overridable per cabinet. */
export interface StandardTaskBudgets {
  safetyMs: number;
  controlMs: number;
  telemetryMs: number;
  commsMs: number;
}

/**
 * Budgets chosen so that the worst control run (30 ms) still leaves the safety
 * task at most 3 ticks late; comms and telemetry are sliced to stay below one
 * safety period so they never by themselves delay safety past its deadline.
 */
export function defaultTaskBudgets(): StandardTaskBudgets {
  return { safetyMs: 2, controlMs: 30, telemetryMs: 8, commsMs: 8 };
}

/**
 * The task table of DESIGN.md §4: fast safety (highest, 10 ms), control (100 ms),
 * comms (event-driven: signal("comms") on receive), telemetry (1 s, lowest).
 * Control is offset by half a safety period so the two are not released together.
 */
export function standardTasks(
  timing: Pick<TimingConfig, "fastPeriodMs" | "controlPeriodMs" | "telemetryPeriodMs">,
  runs: StandardTaskRuns,
  budgets: StandardTaskBudgets = defaultTaskBudgets(),
): TaskSpec[] {
  return [
    { name: "safety", safety: true, periodMs: timing.fastPeriodMs, priority: 100, budgetMs: budgets.safetyMs, run: runs.safety },
    { name: "control", periodMs: timing.controlPeriodMs, offsetMs: timing.fastPeriodMs / 2, priority: 50, budgetMs: budgets.controlMs, run: runs.control },
    { name: "comms", periodMs: null, priority: 30, budgetMs: budgets.commsMs, run: runs.comms },
    { name: "telemetry", periodMs: timing.telemetryPeriodMs, priority: 10, budgetMs: budgets.telemetryMs, run: runs.telemetry },
  ];
}
