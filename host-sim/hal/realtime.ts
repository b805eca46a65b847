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
  const timer = setInterval(() => {
    const target = simStart + (Date.now() - wallStart) * speed;
    runner.runUntil(target);
    options.onFrame?.(runner.nowMs);
  }, options.frameMs ?? 20);
  return {
    stop: () => clearInterval(timer),
    setSpeed(next: number) {
      wallStart = Date.now();
      simStart = runner.nowMs;
      speed = next;
    },
  };
}
