import type { CabinetConfig } from "../../src/config/types";
import { createHostHal, type HostHal, type HostHalOptions } from "../hal/host-hal";
import { SimRunner } from "../hal/runner";
import { InvariantObserver, type ObserverParams } from "../observer/observer";
import type { PlantParams, PlantParamsOverrides } from "../plant/params";
import { CabinetPlant } from "../plant/plant";
import { EventInjector } from "./injector";
import type { ControllerCommands, Scenario } from "./types";

export interface Simulation {
  config: CabinetConfig;
  plant: CabinetPlant;
  hal: HostHal;
  runner: SimRunner;
  observer: InvariantObserver;
  injector: EventInjector | null;
}

export interface SimulationOptions {
  config: CabinetConfig;
  seed: number;
  stepMs?: number;
  plantParams?: PlantParams | PlantParamsOverrides;
  hal?: HostHalOptions;
  observer?: Partial<ObserverParams>;
  /** With a scenario, events are injected before the controller's timers of each step. */
  scenario?: Scenario;
  commands?: ControllerCommands;
}

/**
 * Plant + host HAL + runner + observer (+ event injector), wired. The caller
 * boots the controller on `hal` and registers its periodic tasks with
 * `runner.every(...)`, then calls `runner.runUntil(...)`.
 */
export function createSimulation(options: SimulationOptions): Simulation {
  const plant = new CabinetPlant(options.config, { seed: options.seed, params: options.plantParams ?? options.scenario?.plant });
  const hal = createHostHal(plant, options.hal);
  const runner = new SimRunner(plant, hal, { stepMs: options.stepMs ?? options.scenario?.stepMs ?? 1 });
  const observer = new InvariantObserver(plant, options.observer);
  let injector: EventInjector | null = null;
  if (options.scenario) {
    if (!options.commands) throw new Error("createSimulation: a scenario needs ControllerCommands");
    const inj = new EventInjector(options.scenario, plant, options.commands);
    injector = inj;
    inj.apply(plant.nowMs);
    runner.beforeTimers.push((now) => inj.apply(now));
  }
  runner.onStep(() => observer.check());
  return { config: options.config, plant, hal, runner, observer, injector };
}
