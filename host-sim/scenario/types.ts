import type { CabinetConfigDocument } from "../../src/config/types";
import type { EvSpec } from "../plant/ev";
import type { PlantParamsOverrides } from "../plant/params";
import type { PlantFaultKind } from "../plant/plant";

/**
 * A scenario (issue 6): a cabinet, a duration, a seed and timed events.
 * `type` names the event; a fault event's `kind` names the fault.
 */
export interface Scenario {
  /** A built-in name ("ring-12x2", "matrix-9x6") or an inline configuration document. */
  config: string | CabinetConfigDocument;
  durationS: number;
  seed: number;
  name?: string;
  description?: string;
  /** Plant step for runs (default 1 ms for contactor-accurate timing; 10 = the fast tick). */
  stepMs?: number;
  /** Plant parameter overrides per block (see docs/simulator.md). */
  plant?: PlantParamsOverrides;
  events: ScenarioEvent[];
}

export interface PlugEvent { type: "plug"; atS: number; gun: number; ev: EvSpec }
export interface UnplugEvent { type: "unplug"; atS: number; gun: number }
/** A stop from the user/back office (through the controller), or from the EV's BMS (`by: "ev"`). */
export interface StopEvent { type: "stop"; atS: number; gun: number; by?: "user" | "ev" }
export interface FaultEvent {
  type: "fault";
  atS: number;
  kind: PlantFaultKind;
  /** Contactor id (welds, stuck-open, auxFlicker), module id (module faults), gun id (imd, overCurrent,
   *  overVoltage, connectorOverTemp); absent for estop and door. */
  target?: string | number | null;
  clearAtS?: number;
}
export interface GridLimitEvent { type: "gridLimit"; atS: number; kW: number }
/** External (back-office) limit for one gun; null removes it. */
export interface ExternalLimitEvent { type: "externalLimit"; atS: number; gun: number; kW: number | null }
export interface PriorityEvent { type: "priority"; atS: number; gun: number; value: number }

export type ScenarioEvent = PlugEvent | UnplugEvent | StopEvent | FaultEvent | GridLimitEvent | ExternalLimitEvent | PriorityEvent;

export const SCENARIO_EVENT_TYPES = ["plug", "unplug", "stop", "fault", "gridLimit", "externalLimit", "priority"] as const;

/**
 * What scenario events need from the controller (implemented by the lead's
 * wiring). The plant handles plug, unplug, EV stops and faults itself.
 */
export interface ControllerCommands {
  setGridLimit(kW: number): void;
  setExternalLimit(gunId: number, kW: number | null): void;
  setPriority(gunId: number, priority: number): void;
  /** User / back-office stop of the session on a gun. */
  stopSession(gunId: number): void;
}
