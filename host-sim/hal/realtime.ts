import type { SimRunner } from "./runner";

export interface RealTimeOptions {
  /** Simulated seconds per wall second (1 = real time). */
  speed?: number;
  /** Wall-clock pacing interval. */
  frameMs?: number;
  /** Called after each frame (e.g. to push dashboard updates). */
  onFrame?: (nowMs: number) => void;
}

export interface RealTimeHandle {
  stop(): void;
  setSpeed(speed: number): void;
}

/** Node only: paces a SimRunner against the wall clock. */
export function runRealTime(runner: SimRunner, options: RealTimeOptions = {}): RealTimeHandle {
  let speed = options.speed ?? 1;
  let wallStart = Date.now();
  let simStart = runner.nowMs;
  const frameMs = options.frameMs ?? 20;
  // At most this much simulated time per frame: a machine that cannot keep up slows
  // the simulation down instead of stalling the event loop (sockets, dashboard) while
  // it catches up, which would make protocol timeouts on simulated time fire falsely.
  const maxCatchUpMs = Math.max(frameMs * speed * 4, 200);
  const timer = setInterval(() => {
    let target = simStart + (Date.now() - wallStart) * speed;
    if (target - runner.nowMs > maxCatchUpMs) {
      target = runner.nowMs + maxCatchUpMs;
      wallStart = Date.now();
      simStart = target;
    }
    runner.runUntil(target);
    options.onFrame?.(runner.nowMs);
  }, frameMs);
  return {
    stop: () => clearInterval(timer),
    setSpeed(next: number) {
      wallStart = Date.now();
      simStart = runner.nowMs;
      speed = next;
    },
  };
}
