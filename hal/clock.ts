/** Monotonic milliseconds. On device: Time.ticks; in tests and the simulator: a virtual clock. */
export interface Clock {
  nowMs(): number;
}
