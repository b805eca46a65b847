/**
 * One call that builds the safety core with its shared parts wired together:
 * one event log, one contactor health monitor, one fault registry, the sequencer
 * and the supervisor that can override it.
 */
import type { CabinetHal } from "../../hal/index";
import { indexCabinet, type CabinetIndex } from "../config/cabinet-index";
import type { CabinetConfig } from "../config/types";
import { ContactorHealth } from "../contactors/health";
import { EventLog } from "../events/event-log";
import { ContactorSequencer } from "../sequencer/sequencer";
import { FaultRegistry } from "./faults";
import { SafetySupervisor } from "./supervisor";

export type SafetyHal = Pick<CabinetHal, "clock" | "contactors" | "modules" | "sensors" | "inputs" | "ev" | "storage" | "log">;

export interface SafetyCoreOptions {
  config: CabinetConfig;
  index?: CabinetIndex;
  hal: SafetyHal;
  /** Events kept in the ring buffer. Default 512. */
  eventCapacity?: number;
}

export interface SafetyCore {
  events: EventLog;
  health: ContactorHealth;
  faults: FaultRegistry;
  sequencer: ContactorSequencer;
  supervisor: SafetySupervisor;
}

export function createSafetyCore(options: SafetyCoreOptions): SafetyCore {
  const { config, hal } = options;
  const index = options.index ?? indexCabinet(config);
  const events = new EventLog(options.eventCapacity ?? 512);
  const health = new ContactorHealth({ index, bank: hal.contactors, storage: hal.storage, clock: hal.clock, events });
  const faults = new FaultRegistry({ clock: hal.clock, events });
  const sequencer = new ContactorSequencer({
    config, index, clock: hal.clock, contactors: hal.contactors, modules: hal.modules, sensors: hal.sensors,
    ev: hal.ev, storage: hal.storage, log: hal.log, events, health, faults,
  });
  const supervisor = new SafetySupervisor({
    sequencer, clock: hal.clock, sensors: hal.sensors, modules: hal.modules, inputs: hal.inputs, ev: hal.ev, log: hal.log,
  });
  return { events, health, faults, sequencer, supervisor };
}
