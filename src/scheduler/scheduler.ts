import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";
import type { SchedulerOptions, SchedulerResult, TaskContext, TaskReport, TaskSpec, TimerDriver } from "./types";

/**
 * The context handed to a run. One per task, refilled at each run (no allocation per
 * run on the 10 ms path); valid for the duration of that run only.
 */
class RunContext implements TaskContext {
  startMs = 0;
  releaseMs = 0;
  constructor(private readonly spec: TaskSpec, private readonly clock: Clock) {}
  get name(): string {
    return this.spec.name;
  }
  get budgetMs(): number {
    return this.spec.budgetMs;
  }
  elapsedMs(): number {
    return this.clock.nowMs() - this.startMs;
  }
  timeLeftMs(): number {
    return this.budgetMs - (this.clock.nowMs() - this.startMs);
  }
}

interface TaskState {
  spec: TaskSpec;
  context: RunContext;
  safety: boolean;
  deadlineMs: number;
  /** Due time; null = event-driven task with nothing pending. */
  releaseMs: number | null;
  runs: number;
  totalMs: number;
  lastMs: number;
  maxMs: number;
  maxLatencyMs: number;
  overruns: number;
  consecutiveOverruns: number;
  consecutiveInBudget: number;
  missedDeadlines: number;
  skippedReleases: number;
  errors: number;
  lastError: string | null;
  demoted: boolean;
  demotions: number;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function isPositiveFinite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/**
 * Cooperative fixed-priority scheduler driven by an injected Clock and TimerDriver.
 *
 * Order of runs within one wake: the safety task whenever it is due (checked
 * again before every other run), then the due non-safety task with the highest
 * priority (demoted tasks last; ties: earliest release). Periodic releases stay
 * on their grid (release + k x period), so a late run does not drift the period;
 * releases that passed while a task could not run are skipped and counted.
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly driver: TimerDriver;
  private readonly log: Log | undefined;
  private readonly options: SchedulerOptions;
  private readonly tasks: TaskState[] = [];
  private running = false;
  private dispatching = false;
  private readonly wake = (): void => this.dispatch();
  private watchdogFeeds = 0;
  private watchdogWithheld = 0;
  /** Earliest release seen by the last pickDue that found nothing due (valid only right after it). */
  private idleScanNextReleaseMs: number | null = null;

  constructor(options: SchedulerOptions) {
    this.options = options;
    this.clock = options.clock;
    this.driver = options.driver;
    this.log = options.log;
  }

  /** Register a task. Bad specs are refused with an error naming the field; nothing throws. */
  addTask(spec: TaskSpec): SchedulerResult {
    const where = `task ${JSON.stringify(spec?.name)}`;
    if (typeof spec?.name !== "string" || spec.name.length === 0) return { ok: false, error: `task.name must be a non-empty string, got ${JSON.stringify(spec?.name)}` };
    if (this.tasks.some((t) => t.spec.name === spec.name)) return { ok: false, error: `${where}: name already registered` };
    if (spec.periodMs !== null && !isPositiveFinite(spec.periodMs)) return { ok: false, error: `${where}: periodMs must be a positive number or null, got ${String(spec.periodMs)}` };
    if (!isPositiveFinite(spec.budgetMs)) return { ok: false, error: `${where}: budgetMs must be a positive number, got ${String(spec.budgetMs)}` };
    if (typeof spec.priority !== "number" || !Number.isFinite(spec.priority)) return { ok: false, error: `${where}: priority must be a finite number, got ${String(spec.priority)}` };
    if (spec.deadlineMs !== undefined && !isPositiveFinite(spec.deadlineMs)) return { ok: false, error: `${where}: deadlineMs must be a positive number, got ${String(spec.deadlineMs)}` };
    if (spec.offsetMs !== undefined && !(typeof spec.offsetMs === "number" && Number.isFinite(spec.offsetMs) && spec.offsetMs >= 0)) return { ok: false, error: `${where}: offsetMs must be >= 0, got ${String(spec.offsetMs)}` };
    if (typeof spec.run !== "function") return { ok: false, error: `${where}: run must be a function` };
    const safety = spec.safety === true;
    if (safety && spec.periodMs === null) return { ok: false, error: `${where}: the safety task must be periodic` };
    if (safety && this.tasks.some((t) => t.safety)) return { ok: false, error: `${where}: a safety task is already registered (${this.tasks.find((t) => t.safety)?.spec.name})` };
    const deadlineMs = spec.deadlineMs ?? spec.periodMs ?? spec.budgetMs * 10;
    this.tasks.push({
      spec, context: new RunContext(spec, this.clock), safety, deadlineMs,
      releaseMs: this.running && spec.periodMs !== null ? this.clock.nowMs() + (spec.offsetMs ?? 0) : null,
      runs: 0, totalMs: 0, lastMs: 0, maxMs: 0, maxLatencyMs: 0,
      overruns: 0, consecutiveOverruns: 0, consecutiveInBudget: 0,
      missedDeadlines: 0, skippedReleases: 0, errors: 0, lastError: null,
      demoted: false, demotions: 0,
    });
    if (this.running && !this.dispatching) this.arm();
    return { ok: true };
  }

  /** Release every periodic task at now + offset and arm the timer. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.clock.nowMs();
    for (const t of this.tasks) if (t.spec.periodMs !== null) t.releaseMs = now + (t.spec.offsetMs ?? 0);
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.driver.cancel();
  }

  /** Make an event-driven (or periodic) task due now; it runs at the next wake, after safety. */
  signal(name: string): SchedulerResult {
    const task = this.tasks.find((t) => t.spec.name === name);
    if (!task) return { ok: false, error: `signal: no task named ${JSON.stringify(name)}` };
    const now = this.clock.nowMs();
    if (task.releaseMs === null || task.releaseMs > now) task.releaseMs = now;
    if (this.running && !this.dispatching) this.arm();
    return { ok: true };
  }

  /**
   * Run everything that is due, then re-arm the timer for the next release.
   * The timer driver calls this; tests and the simulator may call it directly.
   */
  dispatch(): void {
    if (!this.running || this.dispatching) return;
    this.dispatching = true;
    // True when the last pickDue found nothing due: it then saw every task's release, and its
    // earliest one (idleScanNextReleaseMs) is what arm() would compute, since nothing ran since.
    let endedIdle = false;
    try {
      const maxRuns = this.options.maxRunsPerWake ?? 16;
      for (let runs = 0; runs < maxRuns; runs++) {
        const task = this.pickDue(this.clock.nowMs());
        if (!task) {
          endedIdle = true;
          break;
        }
        this.runOnce(task);
      }
    } finally {
      this.dispatching = false;
    }
    if (this.running) this.armAt(endedIdle ? this.idleScanNextReleaseMs : this.nextReleaseMs());
  }

  /** The task that would run next if the scheduler were woken at nowMs (null: none due). */
  nextDue(nowMs: number): TaskSpec | null {
    const task = this.pickDue(nowMs);
    return task ? task.spec : null;
  }

  report(): TaskReport[] {
    return this.tasks.map((t) => this.reportOf(t));
  }

  taskReport(name: string): TaskReport | null {
    const task = this.tasks.find((t) => t.spec.name === name);
    return task ? this.reportOf(task) : null;
  }

  watchdogStats(): { fed: number; withheld: number } {
    return { fed: this.watchdogFeeds, withheld: this.watchdogWithheld };
  }

  // pickDue and arm run on every wake (100 times a second): indexed loops, no iterator objects.
  private pickDue(nowMs: number): TaskState | null {
    const tasks = this.tasks;
    let best: TaskState | null = null;
    let earliestMs: number | null = null;
    for (let i = 0; i < tasks.length; i++) {
      const t = tasks[i];
      const releaseMs = t.releaseMs;
      if (releaseMs === null) continue;
      if (releaseMs > nowMs) {
        if (earliestMs === null || releaseMs < earliestMs) earliestMs = releaseMs;
        continue;
      }
      if (t.safety) return t;
      if (best === null || this.before(t, best)) best = t;
    }
    // Nothing due: every release is in the future and earliestMs is the next wake (see dispatch).
    if (best === null) this.idleScanNextReleaseMs = earliestMs;
    return best;
  }

  /** Does a run before b? Non-demoted before demoted, then priority, then earliest release. */
  private before(a: TaskState, b: TaskState): boolean {
    if (a.demoted !== b.demoted) return !a.demoted;
    if (a.spec.priority !== b.spec.priority) return a.spec.priority > b.spec.priority;
    return (a.releaseMs ?? 0) < (b.releaseMs ?? 0);
  }

  private runOnce(task: TaskState): void {
    const releaseMs = task.releaseMs ?? this.clock.nowMs();
    const clock = this.clock;
    const startMs = clock.nowMs();
    const context = task.context;
    context.startMs = startMs;
    context.releaseMs = releaseMs;
    let threw = false;
    try {
      task.spec.run(context);
    } catch (error) {
      threw = true;
      task.errors += 1;
      task.lastError = describeError(error);
      this.write("error", `scheduler: task ${task.spec.name} threw ${task.lastError}${task.safety ? "" : " (contained)"}`);
      if (task.safety) this.callSafe("onSafetyFailure", () => this.options.onSafetyFailure?.(error));
    }
    const endMs = clock.nowMs();
    const durationMs = endMs - startMs;
    task.runs += 1;
    task.totalMs += durationMs;
    task.lastMs = durationMs;
    if (durationMs > task.maxMs) task.maxMs = durationMs;
    if (startMs - releaseMs > task.maxLatencyMs) task.maxLatencyMs = startMs - releaseMs;
    const missed = endMs > releaseMs + task.deadlineMs;
    if (missed) task.missedDeadlines += 1;
    this.accountBudget(task, durationMs);
    this.release(task, releaseMs, endMs);

    if (task.safety) {
      if (!threw && !missed) {
        this.watchdogFeeds += 1;
        // Every 10 ms: no closure per feed (callSafe's guard, inline).
        const options = this.options;
        if (options.feedWatchdog) {
          try {
            options.feedWatchdog();
          } catch (error) {
            this.write("error", `scheduler: feedWatchdog hook threw ${describeError(error)}`);
          }
        }
      } else {
        this.watchdogWithheld += 1;
        this.write("warn", `scheduler: watchdog not fed: safety task ${threw ? "threw" : `late (release ${releaseMs} ms, finished ${endMs} ms)`}`);
      }
    }
  }

  private accountBudget(task: TaskState, durationMs: number): void {
    if (durationMs > task.spec.budgetMs) {
      task.overruns += 1;
      task.consecutiveOverruns += 1;
      task.consecutiveInBudget = 0;
      this.write("warn", `scheduler: task ${task.spec.name} overran its budget: ${durationMs} ms > ${task.spec.budgetMs} ms (${task.consecutiveOverruns} in a row)`);
      const limit = this.options.demoteAfterOverruns ?? 3;
      if (!task.safety && !task.demoted && task.consecutiveOverruns >= limit) {
        task.demoted = true;
        task.demotions += 1;
        this.write("warn", `scheduler: task ${task.spec.name} demoted after ${task.consecutiveOverruns} consecutive overruns`);
        const report = this.reportOf(task);
        this.callSafe("onDemoted", () => this.options.onDemoted?.(report));
      }
      return;
    }
    task.consecutiveOverruns = 0;
    task.consecutiveInBudget += 1;
    if (task.demoted && task.consecutiveInBudget >= (this.options.restoreAfterRuns ?? 20)) {
      task.demoted = false;
      this.write("info", `scheduler: task ${task.spec.name} restored after ${task.consecutiveInBudget} runs within budget`);
    }
  }

  /** Next release on the task's grid strictly after endMs; skipped grid points are counted. */
  private release(task: TaskState, releaseMs: number, endMs: number): void {
    const basePeriodMs = task.spec.periodMs;
    if (basePeriodMs === null) {
      task.releaseMs = null;
      return;
    }
    const periodMs = task.demoted ? basePeriodMs * Math.max(1, this.options.demotedPeriodFactor ?? 1) : basePeriodMs;
    let next = releaseMs + periodMs;
    if (next <= endMs) {
      const skipped = Math.floor((endMs - releaseMs) / periodMs);
      task.skippedReleases += skipped;
      next = releaseMs + (skipped + 1) * periodMs;
    }
    task.releaseMs = next;
  }

  private arm(): void {
    this.armAt(this.nextReleaseMs());
  }

  /** The earliest release of any task (null: none pending). */
  private nextReleaseMs(): number | null {
    const tasks = this.tasks;
    let next: number | null = null;
    for (let i = 0; i < tasks.length; i++) {
      const releaseMs = tasks[i].releaseMs;
      if (releaseMs !== null && (next === null || releaseMs < next)) next = releaseMs;
    }
    return next;
  }

  private armAt(next: number | null): void {
    if (next === null) {
      this.driver.cancel();
      return;
    }
    this.driver.schedule(Math.max(0, next - this.clock.nowMs()), this.wake);
  }

  private reportOf(t: TaskState): TaskReport {
    return {
      name: t.spec.name,
      safety: t.safety,
      periodMs: t.spec.periodMs,
      priority: t.spec.priority,
      budgetMs: t.spec.budgetMs,
      runs: t.runs,
      lastMs: t.lastMs,
      maxMs: t.maxMs,
      meanMs: t.runs === 0 ? 0 : t.totalMs / t.runs,
      maxLatencyMs: t.maxLatencyMs,
      overruns: t.overruns,
      consecutiveOverruns: t.consecutiveOverruns,
      missedDeadlines: t.missedDeadlines,
      skippedReleases: t.skippedReleases,
      errors: t.errors,
      lastError: t.lastError,
      demoted: t.demoted,
      demotions: t.demotions,
      nextReleaseMs: t.releaseMs,
    };
  }

  /** Hooks are someone else's code: they must not break the scheduler either. */
  private callSafe(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.write("error", `scheduler: ${what} hook threw ${describeError(error)}`);
    }
  }

  private write(level: "debug" | "info" | "warn" | "error", message: string): void {
    try {
      this.log?.write(level, message);
    } catch {
      // A broken log must not stop the scheduler.
    }
  }
}
