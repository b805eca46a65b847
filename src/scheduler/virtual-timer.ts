import type { Clock } from "../../hal/clock";
import type { TimerDriver } from "./types";

/** A clock that only moves when told to: tests and the simulator own time. */
export class VirtualClock implements Clock {
  private now: number;

  constructor(startMs = 0) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  /** Move time forward (a task "costs" time by calling this while it runs). */
  advance(ms: number): void {
    if (Number.isFinite(ms) && ms > 0) this.now += ms;
  }

  /** Jump to an absolute time; never backwards (the clock is monotonic). */
  setMs(ms: number): void {
    if (Number.isFinite(ms) && ms > this.now) this.now = ms;
  }
}

/**
 * The scheduler's timer on a VirtualClock: schedule() records one pending wake,
 * runUntil() fires wakes in time order, moving the clock to each wake time.
 */
export class VirtualTimerDriver implements TimerDriver {
  private pending: { atMs: number; wake: () => void } | null = null;
  /** Wakes fired so far. */
  wakes = 0;

  constructor(private readonly clock: VirtualClock) {}

  schedule(delayMs: number, wake: () => void): void {
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    this.pending = { atMs: this.clock.nowMs() + delay, wake };
  }

  cancel(): void {
    this.pending = null;
  }

  /** Clock ms of the pending wake, or null. */
  pendingAtMs(): number | null {
    return this.pending ? this.pending.atMs : null;
  }

  /**
   * Fire every wake due up to untilMs, then leave the clock at untilMs (or later,
   * if the last task ran past it). maxWakes bounds a runaway loop.
   */
  runUntil(untilMs: number, maxWakes = 1_000_000): number {
    let fired = 0;
    while (this.pending !== null && this.pending.atMs <= untilMs && fired < maxWakes) {
      const { atMs, wake } = this.pending;
      this.pending = null;
      this.clock.setMs(atMs);
      this.wakes += 1;
      fired += 1;
      wake();
    }
    this.clock.setMs(untilMs);
    return fired;
  }

  runFor(ms: number, maxWakes?: number): number {
    return this.runUntil(this.clock.nowMs() + ms, maxWakes);
  }
}
