/**
 * The ports between the MQTT service and the controller. The controller implements
 * DemandSink (what vehicles ask for) and TelemetrySource (what the cabinet does);
 * the MQTT service never reaches into the controller otherwise.
 */

/** Inbound message types, as the third topic level: vesec/<gun>/<type>/<device>. */
export type MqttMessageType = "soc" | "demand" | "status";
export const MQTT_MESSAGE_TYPES: readonly MqttMessageType[] = ["soc", "demand", "status"];

/** Vehicle status words a device may publish on vesec/<gun>/status/<device>. */
export type VehicleStatus = "disconnected" | "connected" | "ready" | "charging" | "suspended" | "finished" | "fault";
export const VEHICLE_STATUSES: readonly VehicleStatus[] = [
  "disconnected", "connected", "ready", "charging", "suspended", "finished", "fault",
];

/**
 * What MQTT currently says about one cabinet gun. Every field is null when never
 * received or older than the demand timeout: a silent source stops counting.
 */
export interface GunMqttInput {
  gunId: number;
  /** Requested power, kW (positive = charging the EV); null = none valid. */
  demandKW: number | null;
  /** demandKW !== null: a fresh demand is present. */
  demandValid: boolean;
  socPct: number | null;
  vehicleStatus: VehicleStatus | null;
  /** Device (D1..D3) of the latest accepted message, null if none yet. */
  device: string | null;
  /** Clock ms of the latest accepted message for this gun, null if none yet. */
  lastUpdateMs: number | null;
  /**
   * Clock ms of the demand now in force (null when none): lets a sink tell a new
   * demand from an update that only carried SOC or status.
   */
  demandAtMs?: number | null;
}

/** Implemented by the controller: receives the full, current input of a gun on every change. */
export interface DemandSink {
  updateGunInput(input: GunMqttInput): void;
}

export interface GunTelemetry {
  gunId: number;
  /** Session state name as the controller calls it (e.g. "IDLE", "CHARGING"). */
  state: string;
  socPct: number | null;
  voltageV: number;
  currentA: number;
  powerKW: number;
  budgetKW: number;
  modules: string[];
  /** Ring: island slots clockwise; matrix: empty. */
  island: number[];
}

export interface CabinetTotals {
  powerKW: number;
  budgetKW: number;
  capacityKW: number;
  gridLimitKW: number;
}

export interface ModuleTelemetry {
  id: string;
  /** e.g. "off" | "on" | "fault" | "offline". */
  state: string;
  powerKW: number;
  tempC: number | null;
}

export interface ContactorTelemetry {
  id: string;
  position: "open" | "closed";
  /** null when healthy, else e.g. "welded". */
  fault: string | null;
}

export interface FaultTelemetry {
  code: string;
  severity: string;
  /** Where: "gun 3", "M2_1", "cabinet". */
  source: string;
  sinceMs: number;
}

export interface TelemetrySnapshot {
  guns: GunTelemetry[];
  totals: CabinetTotals;
  modules: ModuleTelemetry[];
  contactors: ContactorTelemetry[];
  faults: FaultTelemetry[];
}

export interface SessionEvent {
  /** Strictly increasing across the cabinet; the service publishes each seq once. */
  seq: number;
  gunId: number;
  /** e.g. "SessionStarted", "ChargingStarted", "SessionFinished". */
  event: string;
  atMs: number;
  detail?: string;
}

/** Implemented by the controller: read-only views, called from the service's tick(). */
export interface TelemetrySource {
  snapshot(): TelemetrySnapshot;
  /** Session events with seq > afterSeq, oldest first (may be empty). */
  sessionEventsSince(afterSeq: number): SessionEvent[];
}
