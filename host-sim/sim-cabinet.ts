/**
 * The simulated cabinet: the real controller (src/controller, with the real
 * scheduler, planner, sequencer, supervisor and sessions) on the host HAL over the
 * plant model, plus the event injector and the independent invariant observer.
 * Platform-free (no Node APIs), so the same wiring can run under XS.
 */
import type { EvLink } from "../hal/ev-link";
import type { CabinetConfig } from "../src/config/types";
import type { CabinetController, PlanFunction } from "../src/controller/cabinet-controller";
import type { Scheduler } from "../src/scheduler/scheduler";
import { createCabinetRuntime } from "../src/main";
import type { SessionHooks } from "../src/sessions/types";
import type { TimerDriver } from "../src/scheduler/types";
import type { SimRunner } from "./hal/runner";
import { createSimulation, type Simulation } from "./scenario/simulation";
import type { ControllerCommands, Scenario } from "./scenario/types";
import type { PlantParams, PlantParamsOverrides } from "./plant/params";
import type { HostHalOptions } from "./hal/host-hal";

/**
 * The scheduler's timer on simulated time: it wakes at the first runner step at or after its due time.
 * It checks on every step through one periodic runner timer registered up front, so its place among
 * the runner's other timers (OCPP, MQTT ticks) is the same on every step, whenever the wake is due.
 */
export class SimTimerDriver implements TimerDriver {
  /** Infinity: nothing scheduled (a number, not null, so the per-step test is one comparison). */
  private dueMs = Infinity;
  private wake: (() => void) | null = null;
  constructor(private readonly runner: SimRunner, private readonly nowMs: () => number) {
    // The check is written in the closure (no method call): it runs on every step, and XS does not inline.
    runner.every(runner.stepMs, (now) => {
      if (now + 1e-9 < this.dueMs) return;
      const wake = this.wake;
      this.dueMs = Infinity;
      this.wake = null;
      wake?.();
    }, 0);
  }
  schedule(delayMs: number, wake: () => void): void {
    this.dueMs = this.nowMs() + Math.max(0, delayMs);
    this.wake = wake;
  }
  cancel(): void {
    this.dueMs = Infinity;
    this.wake = null;
  }
}

export interface SimCabinetOptions {
  config: CabinetConfig;
  seed: number;
  scenario?: Scenario;
  stepMs?: number;
  plantParams?: PlantParams | PlantParamsOverrides;
  /** Free vend in the simulator unless a back-office authorizes sessions. */
  autoAuthorizeToken?: string | null;
  /** Swap the planner (benchmarks run the seeds' baselines through the same controller). */
  planner?: PlanFunction;
  /** Lay something over the EV link the controller reads (MQTT demand: src/mqtt/controller-ports.ts MqttEvLink). */
  evLink?: (inner: EvLink) => EvLink;
  /** Session hooks for the controller (OCPP authorization); with OCPP pass autoAuthorizeToken: null too. */
  hooks?: SessionHooks;
  /** Host HAL options (e.g. a log sink: the Moddable simulator build traces the controller's log). */
  hal?: HostHalOptions;
}

export interface SimCabinet {
  sim: Simulation;
  controller: CabinetController;
  scheduler: Scheduler;
  commands: ControllerCommands;
}

export function createSimCabinet(options: SimCabinetOptions): SimCabinet {
  let controller: CabinetController | null = null;
  const commands: ControllerCommands = {
    setGridLimit: (kW) => void controller?.setGridLimit(kW),
    setExternalLimit: (gunId, kW) => void controller?.setGunLimit(gunId, "operator", kW),
    setPriority: (gunId, priority) => void controller?.setPriority(gunId, priority),
    stopSession: (gunId) => void controller?.remoteStop(gunId),
  };
  const sim = createSimulation({
    config: options.config,
    seed: options.seed,
    scenario: options.scenario,
    commands,
    stepMs: options.stepMs ?? options.scenario?.stepMs ?? 1,
    plantParams: options.plantParams,
    hal: options.hal,
  });
  const runtime = createCabinetRuntime({
    config: options.config,
    hal: options.evLink ? { ...sim.hal, ev: options.evLink(sim.hal.ev) } : sim.hal,
    autoAuthorizeToken: options.autoAuthorizeToken === undefined ? "FREEVEND" : options.autoAuthorizeToken,
    planner: options.planner,
    hooks: options.hooks,
    driver: new SimTimerDriver(sim.runner, () => sim.hal.clock.nowMs()),
  });
  controller = runtime.controller;
  const ctl = controller;
  const scheduler = runtime.scheduler;
  return { sim, controller: ctl, scheduler, commands };
}
