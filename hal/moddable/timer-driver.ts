/**
 * The scheduler's TimerDriver on the Moddable `Timer` (device build), and a Clock
 * on `Time.ticks`. One one-shot timer is pending at a time: schedule() clears the
 * previous one, so a re-arm never leaves two wakes racing.
 */
import Timer from "timer";
import Time from "time";
import type { Clock } from "../clock";
import type { TimerDriver } from "../../src/scheduler/types";

export class ModdableTimerDriver implements TimerDriver {
  private timer: Timer | undefined = undefined;

  schedule(delayMs: number, wake: () => void): void {
    this.cancel();
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? Math.ceil(delayMs) : 0;
    this.timer = Timer.set(() => {
      // A one-shot timer is freed once it has fired: forget it before waking.
      this.timer = undefined;
      wake();
    }, delay);
  }

  cancel(): void {
    if (this.timer !== undefined) {
      Timer.clear(this.timer);
      this.timer = undefined;
    }
  }
}

/** Monotonic milliseconds from the XS host (Time.ticks). */
export class TicksClock implements Clock {
  nowMs(): number {
    return Time.ticks;
  }
}
