import type {
  ModuleRatingConfig,
  PolicyConfig,
  SafetyConfig,
  SiteLimitsConfig,
  TimingConfig,
} from "./types";

/** Defaults for the blocks a document may leave out. Functions, so no shared mutable object escapes. */

export function defaultModuleRating(): ModuleRatingConfig {
  return {
    minVoltageV: 200,
    maxVoltageV: 1000,
    maxCurrentA: 100,
    derateStartTempC: 65,
    tripTempC: 85,
    protocol: "sim",
  };
}

export function defaultSiteLimits(): Omit<SiteLimitsConfig, "gridPowerLimitKW"> {
  return { defaultVoltageV: 800, externalLimitKW: null };
}

export function defaultPolicy(): PolicyConfig {
  return {
    minModulesPerGun: 1,
    maxModulesPerGun: 2,
    moduleCountThresholds: [0.8, 1.6],
    moduleHoldS: 30,
    moduleHysteresisFraction: 0.1,
    repartitionMinGainKW: 20,
    switchingCurrentA: 1,
    prechargeToleranceV: 20,
    prechargeTimeoutMs: 5000,
    contactorFeedbackTimeoutMs: 100,
    zeroCurrentTimeoutMs: 2000,
    currentRampAPerS: 100,
    idleRingMc: "closed",
    multiSlotIslands: false,
    minVoltageForCurrentV: 150,
  };
}

export function defaultTiming(): TimingConfig {
  return {
    fastPeriodMs: 10,
    controlPeriodMs: 100,
    telemetryPeriodMs: 1000,
    modulePollPeriodMs: 500,
    limitValidityMs: 5000,
  };
}

/** IEC 61851-23 figures as used by mature open-source stacks (DESIGN.md §5). */
export function defaultSafety(): SafetyConfig {
  return {
    insulationFaultOhm: 100_000,
    insulationWarningOhm: 500_000,
    overVoltageBands: [
      { evMaxVoltageUpToV: 500, emergencyTripV: 550 },
      { evMaxVoltageUpToV: 750, emergencyTripV: 825 },
      { evMaxVoltageUpToV: 850, emergencyTripV: 935 },
      { evMaxVoltageUpToV: 1000, emergencyTripV: 1100 },
      { evMaxVoltageUpToV: null, emergencyTripV: 1375 },
    ],
    overVoltageEmergencyMs: 9,
    evOverVoltageErrorMs: 400,
    evOverVoltageShutdownMs: 50,
    overCurrentFactor: 1.1,
    islandOverCurrentA: 600,
    connectorTripTempC: 90,
    implausibleVoltageDeltaV: 50,
    cableCheckMaxStartV: 60,
    cableCheckCurrentLimitA: 2,
    moduleCommsTimeoutMs: 3000,
  };
}
