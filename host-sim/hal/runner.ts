import type { CabinetPlant } from "../plant/plant";
import type { HostHal } from "./host-hal";

interface Timer {
  id: number;
  dueMs: number;
  periodMs: number | null;
  run: (nowMs: number) => void;
}

export interface SimRunnerOptions {
  /** Plant step (ms): 1 for contactor-accurate timing, up to the fast tick for long runs. */
  stepMs: number;
}

/**
 * Drives simulated time: steps the plant, services the host HAL, fires the
 * controller's timers and the per-step hooks (event injector, observer), in
 * that order. Platform-free; `realtime.ts` paces it against the wall clock.
 */
export class SimRunner {
  readonly stepMs: number;
  /**
   * Pending timers sorted by (dueMs, id): the earliest-due timer is first, so a step looks at
   * timers[0] only instead of scanning them all. Kept sorted by every insertion (every, at,
   * re-arming a periodic timer) and by removal (cancel, a one-shot firing).
   */
  private readonly timers: Timer[] = [];
  private readonly hooks: ((nowMs: number) => void)[] = [];
  private nextTimerId = 1;

  constructor(readonly plant: CabinetPlant, readonly hal: HostHal, options: SimRunnerOptions) {
    if (!(options.stepMs > 0)) throw new Error(`runner: stepMs must be > 0, got ${options.stepMs}`);
    this.stepMs = options.stepMs;
  }

  get nowMs(): number {
    return this.plant.nowMs;
  }

  /** Periodic task (e.g. the controller's fast/control/telemetry ticks). Returns a cancel function. */
  every(periodMs: number, run: (nowMs: number) => void, firstAtMs = this.plant.nowMs + periodMs): () => void {
    const t: Timer = { id: this.nextTimerId++, dueMs: firstAtMs, periodMs, run };
    this.insert(t);
    return () => this.cancel(t);
  }

  /** One-shot at a simulated time. */
  at(timeMs: number, run: (nowMs: number) => void): () => void {
    const t: Timer = { id: this.nextTimerId++, dueMs: timeMs, periodMs: null, run };
    this.insert(t);
    return () => this.cancel(t);
  }

  /** Runs after every step, after the timers (the observer belongs here). */
  onStep(hook: (nowMs: number) => void): void {
    this.hooks.push(hook);
  }

  /** Hooks that must see the world before the controller does (the event injector). */
  beforeTimers: ((nowMs: number) => void)[] = [];

  step(): void {
    this.plant.step(this.stepMs);
    this.hal.service();
    const now = this.plant.nowMs;
    // Indexed loops: this runs 100 times per simulated second and for-of iterators were a measurable cost.
    const before = this.beforeTimers;
    for (let i = 0; i < before.length; i++) before[i](now);
    // Timers due by now, earliest first, registration order on ties (the sorted order).
    const timers = this.timers;
    while (timers.length > 0 && timers[0].dueMs <= now) {
      const next = timers[0];
      if (next.periodMs === null) timers.shift();
      else {
        next.dueMs += next.periodMs;
        sinkFirst(timers);
      }
      next.run(now);
    }
    const hooks = this.hooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](now);
  }

  /** As fast as possible until simulated time reaches endMs (or shouldStop() says so). */
  runUntil(endMs: number, shouldStop?: () => boolean): void {
    while (this.plant.nowMs + this.stepMs <= endMs + 1e-9) {
      this.step();
      if (shouldStop?.()) return;
    }
  }

  runFor(durationMs: number): void {
    this.runUntil(this.plant.nowMs + durationMs);
  }

  /** Timers not yet fired (one-shots) or not cancelled (periodic), in firing order (for tests and tools). */
  pendingTimers(): { dueMs: number; periodMs: number | null }[] {
    return this.timers.map((t) => ({ dueMs: t.dueMs, periodMs: t.periodMs }));
  }

  /**
   * Sorted insertion, searched from the front: the usual re-armed timer (the scheduler's
   * every-step wake) belongs at or near the front. A timer whose due time is not a number
   * never fires (as before: NaN <= now is false), so it goes last.
   */
  private insert(t: Timer): void {
    const timers = this.timers;
    let i = 0;
    while (i < timers.length && !firesBefore(t, timers[i])) i++;
    timers.splice(i, 0, t);
  }

  private cancel(t: Timer): void {
    const i = this.timers.indexOf(t);
    if (i >= 0) this.timers.splice(i, 1);
  }
}

/** A re-armed periodic timer moves back from the front to its place, in place (usually it stays first). */
function sinkFirst(timers: Timer[]): void {
  for (let i = 0; i + 1 < timers.length && firesBefore(timers[i + 1], timers[i]); i++) {
    const t = timers[i];
    timers[i] = timers[i + 1];
    timers[i + 1] = t;
  }
}

/** Firing order: earlier due time first, then registration order. A NaN due time never fires: it sorts last. */
function firesBefore(a: Timer, b: Timer): boolean {
  const aNaN = Number.isNaN(a.dueMs);
  const bNaN = Number.isNaN(b.dueMs);
  if (aNaN || bNaN) return aNaN === bNaN ? a.id < b.id : bNaN;
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.id < b.id);
}
