/**
 * The configuration variables the station uses, addressable as 2.0.1 component/variable
 * (Get/SetVariables) and as 1.6 keys (Get/ChangeConfiguration). Values persist in Storage.
 */
import type { Storage } from "../../hal/storage";
import type { OcppConfig } from "./config";

type Kind = "integer" | "boolean" | "string";

interface VariableDef {
  component: string;
  variable: string;
  instance?: string;
  key16?: string;
  kind: Kind;
  min?: number;
  max?: number;
  /** Allowed comma-separated members for list values. */
  members?: string[];
  readonly?: boolean;
  writeOnly?: boolean;
  initial: string;
}

export type SetOutcome = "Accepted" | "Rejected" | "UnknownComponent" | "UnknownVariable" | "RebootRequired";

const STORAGE_KEY = "ocpp/vars";

const txPoints = ["ParkingBayOccupancy", "EVConnected", "Authorized", "DataSigned", "PowerPathClosed", "EnergyTransfer"];

function definitions(c: OcppConfig): VariableDef[] {
  return [
    { component: "OCPPCommCtrlr", variable: "HeartbeatInterval", key16: "HeartbeatInterval", kind: "integer", min: 1, max: 86400, initial: String(c.heartbeatIntervalS) },
    { component: "OCPPCommCtrlr", variable: "MessageTimeout", instance: "Default", key16: "MessageTimeout", kind: "integer", min: 1, max: 600, initial: String(Math.round(c.callTimeoutMs / 1000)) },
    { component: "OCPPCommCtrlr", variable: "MessageAttempts", instance: "TransactionEvent", key16: "TransactionMessageAttempts", kind: "integer", min: 1, max: 100, initial: String(c.transactionMessageAttempts) },
    { component: "OCPPCommCtrlr", variable: "MessageAttemptInterval", instance: "TransactionEvent", key16: "TransactionMessageRetryInterval", kind: "integer", min: 0, max: 86400, initial: String(c.transactionMessageRetryIntervalS) },
    { component: "OCPPCommCtrlr", variable: "RetryBackOffWaitMinimum", key16: "RetryBackOffWaitMinimum", kind: "integer", min: 0, max: 86400, initial: String(c.retryBackOffWaitMinimumS) },
    { component: "OCPPCommCtrlr", variable: "RetryBackOffRandomRange", key16: "RetryBackOffRandomRange", kind: "integer", min: 0, max: 86400, initial: String(c.retryBackOffRandomRangeS) },
    { component: "OCPPCommCtrlr", variable: "RetryBackOffRepeatTimes", key16: "RetryBackOffRepeatTimes", kind: "integer", min: 0, max: 100, initial: String(c.retryBackOffRepeatTimes) },
    { component: "TxCtrlr", variable: "TxStartPoint", kind: "string", members: txPoints, initial: "EVConnected,Authorized" },
    { component: "TxCtrlr", variable: "TxStopPoint", kind: "string", members: txPoints, initial: "EVConnected,Authorized" },
    { component: "SampledDataCtrlr", variable: "TxUpdatedInterval", key16: "MeterValueSampleInterval", kind: "integer", min: 0, max: 86400, initial: String(c.meterSampleIntervalS) },
    { component: "SampledDataCtrlr", variable: "TxUpdatedMeasurands", key16: "MeterValuesSampledData", kind: "string", readonly: true, initial: "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC" },
    { component: "SmartChargingCtrlr", variable: "Enabled", kind: "boolean", readonly: true, initial: "true" },
    { component: "SmartChargingCtrlr", variable: "RateUnit", key16: "ChargingScheduleAllowedChargingRateUnit", kind: "string", readonly: true, initial: "A,W" },
    { component: "SmartChargingCtrlr", variable: "PeriodsPerSchedule", key16: "ChargingScheduleMaxPeriods", kind: "integer", readonly: true, initial: "24" },
    { component: "SmartChargingCtrlr", variable: "ProfileStackLevel", key16: "ChargeProfileMaxStackLevel", kind: "integer", readonly: true, initial: "8" },
    { component: "SmartChargingCtrlr", variable: "Entries", instance: "ChargingProfiles", key16: "MaxChargingProfilesInstalled", kind: "integer", readonly: true, initial: "48" },
    { component: "AuthCacheCtrlr", variable: "Enabled", key16: "AuthorizationCacheEnabled", kind: "boolean", initial: "true" },
    { component: "AuthCacheCtrlr", variable: "LifeTime", kind: "integer", min: 0, max: 31_536_000, initial: "86400" },
    { component: "AuthCtrlr", variable: "LocalAuthorizeOffline", key16: "LocalAuthorizeOffline", kind: "boolean", initial: "true" },
    { component: "AuthCtrlr", variable: "LocalPreAuthorize", key16: "LocalPreAuthorize", kind: "boolean", initial: "true" },
    { component: "AuthCtrlr", variable: "AuthorizeRemoteStart", key16: "AuthorizeRemoteTxRequests", kind: "boolean", initial: "false" },
    { component: "SecurityCtrlr", variable: "SecurityProfile", kind: "integer", readonly: true, initial: c.password ? (c.url.startsWith("wss:") ? "2" : "1") : "0" },
    { component: "SecurityCtrlr", variable: "BasicAuthPassword", key16: "AuthorizationKey", kind: "string", writeOnly: true, initial: c.password ?? "" },
    { component: "SecurityCtrlr", variable: "Identity", kind: "string", readonly: true, initial: c.stationId },
    { component: "ChargingStation", variable: "AvailabilityState", kind: "string", readonly: true, initial: "Available" },
    { component: "ReservationCtrlr", variable: "Enabled", kind: "boolean", readonly: true, initial: "true" },
    { component: "ClockCtrlr", variable: "DateTime", kind: "string", readonly: true, initial: "" },
  ];
}

function nameOf(d: { component: string; variable: string; instance?: string }): string {
  return `${d.component}.${d.variable}${d.instance ? `[${d.instance}]` : ""}`;
}

export class DeviceModel {
  private readonly defs: VariableDef[];
  private values: Record<string, string>;
  private readonly storage: Storage;

  constructor(config: OcppConfig, storage: Storage) {
    this.defs = definitions(config);
    this.storage = storage;
    this.values = {};
    for (const d of this.defs) this.values[nameOf(d)] = d.initial;
    const saved = storage.get(STORAGE_KEY);
    if (saved) {
      try {
        const parsed = JSON.parse(saved) as Record<string, string>;
        for (const d of this.defs) if (!d.readonly && typeof parsed[nameOf(d)] === "string") this.values[nameOf(d)] = parsed[nameOf(d)];
      } catch { /* a corrupt record falls back to the configured values */ }
    }
  }

  private find(component: string, variable: string, instance?: string): VariableDef | "UnknownComponent" | "UnknownVariable" {
    const ofComponent = this.defs.filter((d) => d.component === component);
    if (ofComponent.length === 0) return "UnknownComponent";
    return ofComponent.find((d) => d.variable === variable && (d.instance ?? undefined) === (instance ?? d.instance)) ?? "UnknownVariable";
  }

  /** Internal read by name, e.g. "OCPPCommCtrlr.HeartbeatInterval". */
  int(name: string): number { return Number(this.values[name]); }
  bool(name: string): boolean { return this.values[name] === "true"; }
  str(name: string): string { return this.values[name] ?? ""; }

  /** Station-internal write (e.g. heartbeat interval from BootNotification), no validation. */
  setInternal(name: string, value: string): void {
    this.values[name] = value;
    this.persist();
  }

  get(component: string, variable: string, instance?: string): { status: "Accepted" | "UnknownComponent" | "UnknownVariable" | "Rejected"; value?: string } {
    const d = this.find(component, variable, instance);
    if (typeof d === "string") return { status: d };
    if (d.writeOnly) return { status: "Rejected" };
    return { status: "Accepted", value: this.values[nameOf(d)] };
  }

  set(component: string, variable: string, instance: string | undefined, value: string): SetOutcome {
    const d = this.find(component, variable, instance);
    if (typeof d === "string") return d;
    if (d.readonly || !this.acceptable(d, value)) return "Rejected";
    this.values[nameOf(d)] = value;
    this.persist();
    return "Accepted";
  }

  private acceptable(d: VariableDef, value: string): boolean {
    if (d.kind === "integer") {
      if (!/^-?\d+$/.test(value)) return false;
      const n = Number(value);
      return (d.min === undefined || n >= d.min) && (d.max === undefined || n <= d.max);
    }
    if (d.kind === "boolean") return value === "true" || value === "false";
    if (d.members) return value.split(",").every((m) => d.members!.includes(m.trim()));
    if (d.writeOnly && d.variable === "BasicAuthPassword") return value.length >= 16 && value.length <= 40;
    return true;
  }

  /** 1.6 GetConfiguration: all keys, or the requested ones (unknown ones listed separately). */
  configuration16(keys?: string[]): { known: { key: string; readonly: boolean; value?: string }[]; unknown: string[] } {
    const with16 = this.defs.filter((d) => d.key16);
    const pick = keys && keys.length > 0 ? keys : with16.map((d) => d.key16!);
    const known: { key: string; readonly: boolean; value?: string }[] = [];
    const unknown: string[] = [];
    for (const key of pick) {
      const d = with16.find((x) => x.key16 === key);
      if (!d) unknown.push(key);
      else known.push({ key, readonly: !!d.readonly, ...(d.writeOnly ? {} : { value: this.values[nameOf(d)] }) });
    }
    return { known, unknown };
  }

  change16(key: string, value: string): "Accepted" | "Rejected" | "NotSupported" {
    const d = this.defs.find((x) => x.key16 === key);
    if (!d) return "NotSupported";
    if (d.kind === "boolean") value = value.toLowerCase();
    return this.set(d.component, d.variable, d.instance, value) === "Accepted" ? "Accepted" : "Rejected";
  }

  private persist(): void {
    const out: Record<string, string> = {};
    for (const d of this.defs) if (!d.readonly && this.values[nameOf(d)] !== d.initial) out[nameOf(d)] = this.values[nameOf(d)];
    this.storage.set(STORAGE_KEY, JSON.stringify(out));
  }
}

export const V = {
  heartbeat: "OCPPCommCtrlr.HeartbeatInterval",
  messageTimeout: "OCPPCommCtrlr.MessageTimeout[Default]",
  txAttempts: "OCPPCommCtrlr.MessageAttempts[TransactionEvent]",
  txRetryInterval: "OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]",
  backoffMin: "OCPPCommCtrlr.RetryBackOffWaitMinimum",
  backoffRange: "OCPPCommCtrlr.RetryBackOffRandomRange",
  backoffRepeat: "OCPPCommCtrlr.RetryBackOffRepeatTimes",
  txStartPoint: "TxCtrlr.TxStartPoint",
  txStopPoint: "TxCtrlr.TxStopPoint",
  sampleInterval: "SampledDataCtrlr.TxUpdatedInterval",
  maxStackLevel: "SmartChargingCtrlr.ProfileStackLevel",
  maxPeriods: "SmartChargingCtrlr.PeriodsPerSchedule",
  authCacheEnabled: "AuthCacheCtrlr.Enabled",
  authCacheLifetime: "AuthCacheCtrlr.LifeTime",
  localAuthorizeOffline: "AuthCtrlr.LocalAuthorizeOffline",
  localPreAuthorize: "AuthCtrlr.LocalPreAuthorize",
  authorizeRemoteStart: "AuthCtrlr.AuthorizeRemoteStart",
  password: "SecurityCtrlr.BasicAuthPassword",
} as const;
