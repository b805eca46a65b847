import type { Clock } from "./clock";
import type { ContactorBank } from "./contactors";
import type { EvLink } from "./ev-link";
import type { SafetyInputs } from "./inputs";
import type { Log } from "./log";
import type { ModuleBus } from "./power-modules";
import type { Sensors } from "./sensors";
import type { Storage } from "./storage";

export type { Clock } from "./clock";
export type { AuxReading, ContactorBank } from "./contactors";
export type { EvLink, EvStatus } from "./ev-link";
export type { SafetyInputs } from "./inputs";
export type { Log, LogLevel } from "./log";
export type { ModuleBus, ModuleCommand, ModuleReading } from "./power-modules";
export type { BusMeasurement, GunMeasurement, Sensors } from "./sensors";
export type { Storage } from "./storage";

/** Everything the controller touches. The device build and the host simulator each provide one. */
export interface CabinetHal {
  clock: Clock;
  contactors: ContactorBank;
  modules: ModuleBus;
  sensors: Sensors;
  inputs: SafetyInputs;
  ev: EvLink;
  storage: Storage;
  log: Log;
  /** Feed the hardware watchdog (called only when the safety task ran on time). */
  feedWatchdog(): void;
}
