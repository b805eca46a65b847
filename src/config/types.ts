/**
 * The cabinet configuration document: the single source of truth for one cabinet
 * (seed 000 appendix A.1, seed 001 matrix topology). Static only: runtime state
 * (health, temperatures, sessions, islands) never lives here (seed 000 A.2).
 *
 * Units are suffixes on names. Ids are strings for contactors and modules,
 * integers for slots and guns, as in the seed.
 */

import type { MqttConfig, MqttConfigDocument } from "../mqtt/config";

export type TopologyKind = "ring" | "matrix";

/** Which CAN protocol a power module speaks (issue 7); "sim" is the host plant. */
export type ModuleProtocolName = "sim" | "infypower" | "uugreen" | "winline";

export interface RingModuleConfig {
  /** e.g. "M1_0" */
  id: string;
  /** Its module contactor, e.g. "MN_1_0". */
  mn: string;
  /** CAN address of the module on its bus (protocol-specific); defaults to its index. */
  address?: number;
}

export interface SlotConfig {
  /** 1..N around the ring. */
  id: number;
  modules: RingModuleConfig[];
  /** The gun on this slot, or null for a slot without a gun. */
  gunId: number | null;
  /** Bus-cut contactor between this slot and its clockwise neighbour (normally closed). */
  mc: string;
  /** Clockwise neighbour slot id. */
  cw: number;
  /** Counter-clockwise neighbour slot id. */
  ccw: number;
}

export interface GunConfig {
  id: number;
  /** Ring topology: the slot the gun sits on. Absent in the matrix topology. */
  slotId?: number;
  /** Gun contactor (normally open). */
  gc: string;
  maxVoltageV: number;
  minVoltageV: number;
  /** Cable / connector current rating. */
  maxCurrentA: number;
  /** Optional nameplate power cap; otherwise maxCurrentA x maxVoltageV (seed 001: 240 kW). */
  maxPowerKW?: number;
  priorityDefault: number;
}

export interface MatrixModuleConfig {
  /** e.g. "PM1" */
  id: string;
  address?: number;
}

/** One row of the full contactor matrix: a module and its contactor to each gun. */
export interface MatrixRowConfig {
  moduleId: string;
  links: { gunId: number; contactor: string }[];
}

export interface MatrixConfig {
  modules: MatrixModuleConfig[];
  rows: MatrixRowConfig[];
}

export interface ModuleRatingConfig {
  minVoltageV: number;
  maxVoltageV: number;
  maxCurrentA: number;
  /** Derating is linear from derateStartTempC (full power) to tripTempC (zero power). */
  derateStartTempC: number;
  tripTempC: number;
  protocol: ModuleProtocolName;
}

export interface SiteLimitsConfig {
  gridPowerLimitKW: number;
  defaultVoltageV: number;
  /** Default external (back-office) site limit used when none is fresh; null = none. */
  externalLimitKW: number | null;
}

export interface PolicyConfig {
  minModulesPerGun: number;
  maxModulesPerGun: number;
  /**
   * n modules are enough while budget <= moduleCountThresholds[n-1] x modulePowerKW
   * (seed 000 B.1: [0.8, 1.6]). Past the end of the list the thresholds continue
   * with the spacing of the last two entries (0.8, 1.6, 2.4, ...).
   */
  moduleCountThresholds: number[];
  /** A module is not switched off again within this time after it was switched on. */
  moduleHoldS: number;
  /** Hysteresis on the budget before a module is dropped (fraction of module power). */
  moduleHysteresisFraction: number;
  /** Mid-session island re-partitioning only when it gains at least this much. */
  repartitionMinGainKW: number;
  /** Contactors switch only below this current (DESIGN.md §5.3). */
  switchingCurrentA: number;
  /** A GC closes only when island voltage is within this of the EV battery voltage (§5.4). */
  prechargeToleranceV: number;
  prechargeTimeoutMs: number;
  /** Aux contact must confirm a command within this time. */
  contactorFeedbackTimeoutMs: number;
  /** How long to wait for current to fall below switchingCurrentA before faulting. */
  zeroCurrentTimeoutMs: number;
  /** Current ramp rate toward the target current limit. */
  currentRampAPerS: number;
  /** Seed 000 §11.1: what the MCs of a fully idle ring do. */
  idleRingMc: "closed" | "open";
  /** Allow islands of more than one slot (seed 000 §12.2). */
  multiSlotIslands: boolean;
  /** Divisor floor for P / V when the measured voltage is low. */
  minVoltageForCurrentV: number;
}

export interface TimingConfig {
  fastPeriodMs: number;
  controlPeriodMs: number;
  telemetryPeriodMs: number;
  /** Modules switch themselves off after ~10 s without traffic: poll well inside it. */
  modulePollPeriodMs: number;
  /** A power request or limit older than this is stale (seed 003 limit freshness). */
  limitValidityMs: number;
}

export interface OverVoltageBand {
  /** Applies when the negotiated EV max voltage is at most this. null = above all bands. */
  evMaxVoltageUpToV: number | null;
  emergencyTripV: number;
}

export interface SafetyConfig {
  insulationFaultOhm: number;
  insulationWarningOhm: number;
  overVoltageBands: OverVoltageBand[];
  overVoltageEmergencyMs: number;
  evOverVoltageErrorMs: number;
  evOverVoltageShutdownMs: number;
  overCurrentFactor: number;
  islandOverCurrentA: number;
  connectorTripTempC: number;
  implausibleVoltageDeltaV: number;
  cableCheckMaxStartV: number;
  cableCheckCurrentLimitA: number;
  moduleCommsTimeoutMs: number;
}

export interface CabinetConfig {
  schemaVersion: 1;
  chargerId: string;
  topology: TopologyKind;
  modulePowerKW: number;
  moduleRating: ModuleRatingConfig;
  /** Ring topology only. */
  slots: SlotConfig[];
  /** Matrix topology only. */
  matrix: MatrixConfig | null;
  guns: GunConfig[];
  siteLimits: SiteLimitsConfig;
  policy: PolicyConfig;
  timing: TimingConfig;
  safety: SafetyConfig;
  /** The MQTT interface (issue 9, docs/mqtt.md), defaults applied; absent = no MQTT. */
  mqtt?: MqttConfig;
}

/** A configuration document as written by people: the blocks with defaults may be left out. */
export type CabinetConfigDocument = Omit<
  CabinetConfig,
  "moduleRating" | "policy" | "timing" | "safety" | "matrix" | "slots" | "siteLimits" | "mqtt"
> & {
  /** Checked by validateMqttConfig (src/mqtt/config.ts); only brokerUrl is required. */
  mqtt?: MqttConfigDocument;
  moduleRating?: Partial<ModuleRatingConfig>;
  slots?: SlotConfig[];
  matrix?: MatrixConfig | null;
  siteLimits: Partial<SiteLimitsConfig> & { gridPowerLimitKW: number };
  policy?: Partial<PolicyConfig>;
  timing?: Partial<TimingConfig>;
  safety?: Partial<SafetyConfig>;
};
