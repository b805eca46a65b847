/**
 * lin runtime (the Moddable simulator): the REAL controller — scheduler, planner,
 * sequencer, supervisor, sessions — on the simulated plant of host-sim/, composed by
 * host-sim/sim-cabinet.ts exactly as under Node. One Moddable `Timer` paces plant and
 * controller together against Time.ticks: the controller's scheduler runs on the
 * plant's simulated clock (SimTimerDriver), so controller and plant never disagree
 * about time even when a frame runs late. Plays the charge-and-fault scenario, traces
 * the controller's log and the scenario checks, then keeps the cabinet running.
 * The manifest maps this file to `hal/moddable/cabinet-runtime` for lin only.
 */
import Timer from "timer";
import type { Log } from "../log";
import { boot } from "../../src/main";
import { TicksClock } from "./timer-driver";
import { chargeAndFaultScenario, checkChargeAndFault, createChargeAndFaultCabinet } from "../../host-sim/scenario/charge-and-fault";

/** Wall-clock pacing interval and simulated seconds per wall second. */
const FRAME_MS = 20;
const SPEED = 1;

export function startCabinet(log: Log): void {
  const booted = boot({ log, config: "ring-12x2" });
  if (!booted.config) {
    log.write("error", "controller halted: configuration rejected");
    return;
  }
  const scenario = chargeAndFaultScenario();
  const cabinet = createChargeAndFaultCabinet(scenario, {
    logSink: (line) => log.write(line.level, `${(line.atMs / 1000).toFixed(2)} s ${line.message}`),
  });
  const runner = cabinet.sim.runner;
  const wall = new TicksClock();
  const wallStartMs = wall.nowMs();
  const simStartMs = runner.nowMs;
  const endMs = scenario.durationS * 1000;
  let reported = false;
  log.write("info", `simulated plant: scenario ${scenario.name ?? "?"} (${scenario.durationS} s), ${scenario.description ?? ""}`);
  const report = (): void => {
    reported = true;
    const checks = checkChargeAndFault(cabinet);
    for (const c of checks) log.write(c.ok ? "info" : "error", `scenario check ${c.ok ? "ok" : "FAILED"}: ${c.title} (${c.detail})`);
    log.write("info", `scenario ${scenario.name ?? "?"}: ${checks.filter((c) => c.ok).length} of ${checks.length} checks ok; cabinet keeps running`);
  };
  Timer.repeat(() => {
    const targetMs = simStartMs + (wall.nowMs() - wallStartMs) * SPEED;
    try {
      // A late frame catches up, but stops at the scenario end first so the checks
      // always see the same 30 s whatever the host's load.
      if (!reported && targetMs >= endMs) {
        runner.runUntil(endMs);
        report();
      }
      runner.runUntil(targetMs);
    } catch (error) {
      // Never let a plant/controller exception kill the Timer: report it and carry on.
      log.write("error", `simulation step failed: ${String(error)}`);
    }
  }, FRAME_MS);
}
