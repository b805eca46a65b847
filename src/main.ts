/**
 * Composition root. boot() loads and validates the cabinet configuration and
 * reports a one-line summary; createCabinetRuntime() wires the controller (sessions,
 * limits, planner, sequencer, supervisor) into the cooperative scheduler on a HAL.
 * The device build (hal/moddable) and the host simulator (host-sim/sim-cabinet.ts)
 * both use them, so they run the same wiring.
 */
import type { Log } from "../hal/log";
import { builtinDocument, formatIssue, indexCabinet, validateCabinetConfig, type CabinetConfig } from "./config/index";
import { CabinetController, type ControllerOptions } from "./controller/cabinet-controller";
import { Scheduler } from "./scheduler/scheduler";
import type { TimerDriver } from "./scheduler/types";

export interface BootOptions {
  log: Log;
  /** A configuration document, or the name of a built-in one. Default "ring-12x2". */
  config?: unknown;
}

export interface BootResult {
  config: CabinetConfig | null;
  summary: string;
}

export function summarizeCabinet(config: CabinetConfig): string {
  const index = indexCabinet(config);
  const kinds = ["GC", "MC", "MN", "MX"]
    .map((k) => [k, index.contactors.filter((c) => c.kind === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");
  return `cabinet ${config.chargerId}: ${config.topology}, ${config.guns.length} guns, ` +
    `${index.modules.length} x ${config.modulePowerKW} kW modules, contactors ${kinds}, ` +
    `grid limit ${config.siteLimits.gridPowerLimitKW} kW`;
}

export function boot(options: BootOptions): BootResult {
  const source = options.config ?? "ring-12x2";
  const document = typeof source === "string" ? builtinDocument(source) : source;
  if (document === undefined) {
    const summary = `config: no built-in configuration named ${JSON.stringify(source)}`;
    options.log.write("error", summary);
    return { config: null, summary };
  }
  const result = validateCabinetConfig(document);
  if (!result.ok) {
    for (const issue of result.issues) options.log.write("error", `config: ${formatIssue(issue)}`);
    const summary = `config rejected: ${result.issues.length} problem(s); nothing applied`;
    options.log.write("error", summary);
    return { config: null, summary };
  }
  const summary = summarizeCabinet(result.config);
  options.log.write("info", summary);
  return { config: result.config, summary };
}

export interface CabinetRuntimeOptions extends ControllerOptions {
  /** Wakes the scheduler: the Moddable Timer on a device, simulated time in the simulator. */
  driver: TimerDriver;
  /** Work for the event-driven communications task (OCPP, MQTT), if any. */
  comms?: () => void;
}

export interface CabinetRuntime {
  controller: CabinetController;
  scheduler: Scheduler;
  /** Stops the scheduler and turns everything off (modules off, GC/MN/MX open). */
  close(): void;
}

/** The controller on its four tasks (DESIGN.md §4), started. */
export function createCabinetRuntime(options: CabinetRuntimeOptions): CabinetRuntime {
  const controller = new CabinetController(options);
  const scheduler = new Scheduler({
    clock: options.hal.clock,
    driver: options.driver,
    log: options.hal.log,
    feedWatchdog: () => options.hal.feedWatchdog(),
  });
  for (const task of controller.tasks({ comms: options.comms })) {
    const added = scheduler.addTask(task);
    if (!added.ok) throw new Error(`scheduler: ${added.error}`);
  }
  scheduler.start();
  return {
    controller,
    scheduler,
    close() {
      scheduler.stop();
      controller.close();
    },
  };
}
