/**
 * Contracts of the cooperative scheduler (issue 5, DESIGN.md §4).
 *
 * Cooperative: a task runs to completion and is never pre-empted. The scheduler
 * therefore cannot stop a slow task; what it does is measure every run, count
 * overruns and missed deadlines, run the safety task first whenever it is due,
 * demote a task that keeps overrunning, and feed the watchdog only when the
 * safety task ran on time. Hardware protections and the watchdog cover the rest.
 */
import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";

/**
 * What wakes the scheduler up: the Moddable `Timer` on device
 * (hal/moddable/timer-driver.ts), a virtual timer in tests and the simulator.
 * At most one wake is pending: schedule() replaces the previous one.
 */
export interface TimerDriver {
  schedule(delayMs: number, wake: () => void): void;
  cancel(): void;
}

/** What a running task can ask: its release, its budget and how much of it is left. */
export interface TaskContext {
  readonly name: string;
  /** Clock ms when this run started. */
  readonly startMs: number;
  /** Clock ms this run was due (its release). */
  readonly releaseMs: number;
  readonly budgetMs: number;
  /** Clock ms elapsed since the run started. */
  elapsedMs(): number;
  /** Budget left in this run (negative once overrun): long work slices on it. */
  timeLeftMs(): number;
}

export interface TaskSpec {
  /** Unique name, used in reports, logs and signal(). */
  name: string;
  /** Release period. null = event-driven: the task runs after signal(name). */
  periodMs: number | null;
  /** Larger runs first among due non-safety tasks. */
  priority: number;
  /** Longest acceptable run; a longer run is an overrun. */
  budgetMs: number;
  /** A run that finishes later than release + deadlineMs missed its deadline. Default: periodMs, or budgetMs x 10 for event tasks. */
  deadlineMs?: number;
  /** First release relative to start() (default 0). */
  offsetMs?: number;
  /**
   * The fast safety task: at most one. It runs first whenever it is due, it is
   * never demoted, an exception in it is reported to onSafetyFailure, and the
   * watchdog is fed only after it ran on time without throwing.
   */
  safety?: boolean;
  run(context: TaskContext): void;
}

/** Measurements of one task (all durations in clock ms). */
export interface TaskReport {
  name: string;
  safety: boolean;
  periodMs: number | null;
  priority: number;
  budgetMs: number;
  runs: number;
  lastMs: number;
  maxMs: number;
  meanMs: number;
  /** Largest start latency (start - release). */
  maxLatencyMs: number;
  overruns: number;
  consecutiveOverruns: number;
  missedDeadlines: number;
  /** Releases that passed entirely while the task waited or ran (period slips). */
  skippedReleases: number;
  errors: number;
  lastError: string | null;
  demoted: boolean;
  demotions: number;
  /** Clock ms of the next release, null for an idle event-driven task. */
  nextReleaseMs: number | null;
}

export interface SchedulerOptions {
  clock: Clock;
  driver: TimerDriver;
  log?: Log;
  /** Called after every safety run that finished on time without throwing. */
  feedWatchdog?: () => void;
  /** Called when the safety task throws (the supervisor should enter its global fault). */
  onSafetyFailure?: (error: unknown) => void;
  /** Called when a task is demoted (after demoteAfterOverruns consecutive overruns). */
  onDemoted?: (report: TaskReport) => void;
  /** Consecutive overruns before a non-safety task is demoted (default 3). */
  demoteAfterOverruns?: number;
  /** Consecutive in-budget runs before a demoted task gets its priority back (default 20). */
  restoreAfterRuns?: number;
  /** A demoted periodic task runs this many times less often (default 1: priority only). */
  demotedPeriodFactor?: number;
  /** Upper bound on task runs in one wake before yielding to the timer (default 16). */
  maxRunsPerWake?: number;
}

export type SchedulerResult = { ok: true } | { ok: false; error: string };
