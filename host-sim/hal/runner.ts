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
  private timers: Timer[] = [];
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
    this.timers.push(t);
    return () => this.cancel(t.id);
  }

  /** One-shot at a simulated time. */
  at(timeMs: number, run: (nowMs: number) => void): () => void {
    const t: Timer = { id: this.nextTimerId++, dueMs: timeMs, periodMs: null, run };
    this.timers.push(t);
    return () => this.cancel(t.id);
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
    // Timers due by now, earliest first, registration order on ties.
    for (;;) {
      const timers = this.timers;
      let next: Timer | null = null;
      for (let i = 0; i < timers.length; i++) {
        const t = timers[i];
        if (t.dueMs <= now && (next === null || t.dueMs < next.dueMs || (t.dueMs === next.dueMs && t.id < next.id))) next = t;
      }
      if (next === null) break;
      if (next.periodMs === null) this.cancel(next.id);
      else next.dueMs += next.periodMs;
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

  private cancel(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }
}
