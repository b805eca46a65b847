/**
 * A read-only picture of the whole cabinet at one instant, for the dashboard,
 * telemetry (MQTT), and OCPP meter values. Built by the controller once per
 * telemetry tick; plain JSON so it can cross any wire.
 */

export type ContactorPositionName = "open" | "closed";

export interface ContactorView {
  id: string;
  kind: "GC" | "MC" | "MN" | "MX";
  /** GC and MX: the gun; MN and MX: the module. */
  gunId: number | null;
  moduleId: string | null;
  commanded: ContactorPositionName;
  aux: ContactorPositionName;
  /** null when healthy. */
  fault: "welded" | "stuckOpen" | "feedbackFault" | null;
  operations: number;
  breaksUnderLoad: number;
}

export interface ModuleView {
  id: string;
  slotId: number | null;
  state: "off" | "on" | "failed" | "offline";
  tempC: number;
  powerKW: number;
  /** Gun the module works for, or null. */
  gunId: number | null;
}

export interface GunView {
  id: number;
  slotId: number | null;
  /** Its gun contactor. */
  gc: string;
  /** Session state name (IDLE, CHARGING, ...). */
  state: string;
  /** Sequencer phase (idle, precharging, charging, ...). */
  phase: string;
  plugged: boolean;
  socPct: number | null;
  voltageV: number;
  currentA: number;
  powerKW: number;
  requestKW: number;
  budgetKW: number;
  currentLimitA: number;
  modules: string[];
  islandSlots: number[];
  energyKWh: number;
  reason: string | null;
  priority: number;
}

export interface FaultView {
  id: string;
  kind: string;
  severity: string;
  scope: string;
  location: string;
  message: string;
  atMs: number;
  active: boolean;
}

export interface EventView {
  atMs: number;
  kind: string;
  text: string;
}

export interface CabinetSnapshot {
  timeMs: number;
  chargerId: string;
  topology: "ring" | "matrix";
  gridLimitKW: number;
  capacityKW: number;
  totalPowerKW: number;
  gridPowerKW: number;
  slots: { id: number; gunId: number | null; mc: string; cw: number; modules: string[] }[];
  guns: GunView[];
  modules: ModuleView[];
  contactors: ContactorView[];
  faults: FaultView[];
  events: EventView[];
}
