/**
 * Device runtime (esp32): validates the cabinet configuration and logs its summary.
 * The lin build maps `hal/moddable/cabinet-runtime` to `sim-runtime` instead (the real
 * controller on the simulated plant); both export the same startCabinet().
 * Wiring the controller onto the board drivers (board-io, contactor-bank, CAN) needs a
 * board description and hardware to try it on, so it is not done here yet.
 */
import type { Log } from "../log";
import { boot } from "../../src/main";

export function startCabinet(log: Log): void {
  const result = boot({ log, config: "ring-12x2" });
  if (!result.config) log.write("error", "controller halted: configuration rejected");
}
