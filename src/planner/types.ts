/**
 * The planner's contract (issue 3): plan(config, observed, previousPlan) -> Plan.
 * Pure and deterministic: everything it needs is in these inputs, including time.
 * The sequencer (issue 4) turns a Plan into safe, ordered contactor and module steps.
 */

export type ContactorPosition = "open" | "closed";

/** What contactor health monitoring knows about a contactor (only non-ok ones are listed). */
export type ContactorFault = "welded" | "stuckOpen" | "feedbackFault";

export interface GunObservation {
  id: number;
  /** Takes part in allocation (session READY / ISLAND_READY / CHARGING, seed 000 §5.1). */
  active: boolean;
  /** Currently delivering through a closed GC: moving its island means a sequenced stop. */
  charging: boolean;
  /** EV/BMS requested power (kW, positive = charging the EV). */
  requestKW: number;
  /** EV requested / battery voltage. */
  evVoltageV: number;
  /** Measured output voltage (for the current limit); 0 when unknown. */
  measuredVoltageV: number;
  priority: number;
  /** External limit for this gun (OCPP, MQTT demand cap); null = none. */
  externalLimitKW: number | null;
}

export interface ModuleObservation {
  id: string;
  healthy: boolean;
  tempC: number;
  /** Lifetime operating hours, to spread wear. */
  operatingHours: number;
}

export interface PlanObservation {
  /** Clock ms: hold times and ramps are measured against it. */
  nowMs: number;
  guns: GunObservation[];
  /** Modules not listed are taken as healthy, 25 °C, 0 h. */
  modules: ModuleObservation[];
  contactorFaults: Record<string, ContactorFault>;
  /** Grid limit in force now (may differ from the config's default). */
  gridLimitKW: number;
  /** Site-wide external limit (e.g. OCPP ChargingStationMaxProfile); null = none. */
  siteExternalLimitKW: number | null;
}

export interface GunPlan {
  id: number;
  /** The request after clamping to rating, EV request and limits. */
  clampedRequestKW: number;
  budgetKW: number;
  setpointKW: number;
  modules: string[];
  /** Ring: the island's slots in clockwise order; matrix: empty. */
  islandSlots: number[];
  voltageSetpointV: number;
  /** Ramped current limit toward min(cable, P / V). */
  currentLimitA: number;
  /** Why the gun gets less than it asked for; null when it gets all of it. */
  reason: string | null;
}

export interface Plan {
  nowMs: number;
  guns: GunPlan[];
  /** Desired position of every contactor of the cabinet. */
  contactors: Record<string, ContactorPosition>;
  modulesOn: string[];
  totalKW: number;
  capacityKW: number;
  /** Charging guns whose island or modules change in a way that needs stop -> re-segment -> restart. */
  repartition: number[];
  /** Clock ms when each module on was switched on (for hold times). */
  moduleOnSinceMs: Record<string, number>;
  /** Observation values the planner could not use (field and value) and what it used instead. */
  issues?: string[];
}
