/**
 * The `mqtt` block of the cabinet configuration (issue 9, seed 002): its type,
 * defaults and validation. Problems are reported by JSON path and value, e.g.
 * `mqtt.gunMap[2].gunId: no gun 7 in this cabinet (guns 1, 2, 3, 4, 5, 6)`.
 */
import { show, type ConfigIssue } from "../config/schema";
import type { MqttQos } from "./client";

export interface MqttGunMapEntry {
  /** Publishing device, e.g. "D1". */
  device: string;
  /** The gun id in the device's topic: vesec/<topicGunId>/... */
  topicGunId: number;
  /** The cabinet gun it means. */
  gunId: number;
}

/** The document form: only brokerUrl is required. */
export interface MqttConfigDocument {
  brokerUrl: string;
  clientId?: string;
  /** Names this cabinet in outbound topics; defaults to clientId. */
  cabinetId?: string;
  topicPrefix?: string;
  /** QoS of outbound telemetry, status and events. */
  qos?: MqttQos;
  /** QoS of the inbound subscription (issue 9: QoS 1 for demand). */
  demandQos?: MqttQos;
  publishIntervalMs?: number;
  /** A gun's demand, SOC and status expire this long after its last accepted message. */
  demandTimeoutMs?: number;
  keepAliveS?: number;
  connectTimeoutMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  devices?: string[];
  /** Absent: identity (topic gun id = cabinet gun id) for every known device. */
  gunMap?: MqttGunMapEntry[];
  maxDemandKW?: number;
  maxPayloadBytes?: number;
}

export interface MqttConfig {
  brokerUrl: string;
  brokerHost: string;
  brokerPort: number;
  clientId: string;
  cabinetId: string;
  topicPrefix: string;
  qos: MqttQos;
  demandQos: MqttQos;
  publishIntervalMs: number;
  demandTimeoutMs: number;
  keepAliveS: number;
  connectTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  devices: string[];
  /** null = identity mapping. */
  gunMap: MqttGunMapEntry[] | null;
  maxDemandKW: number;
  maxPayloadBytes: number;
}

export const MQTT_DEFAULTS = {
  clientId: "cabinet",
  topicPrefix: "vesec",
  qos: 1 as MqttQos,
  demandQos: 1 as MqttQos,
  publishIntervalMs: 1000,
  demandTimeoutMs: 5000,
  keepAliveS: 30,
  connectTimeoutMs: 5000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 30000,
  devices: ["D1", "D2", "D3"],
  maxDemandKW: 1000,
  maxPayloadBytes: 256,
} as const;

export type MqttConfigResult = { ok: true; config: MqttConfig } | { ok: false; issues: ConfigIssue[] };

export interface MqttConfigContext {
  /** The cabinet's gun ids; when given, mapped guns must exist. */
  gunIds?: number[];
  /** Path of the block in the document, for messages. Default "mqtt". */
  path?: string;
}

const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseBrokerUrl(url: string): { host: string; port: number } | string {
  const m = /^mqtt:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::(\d{1,5}))?\/?$/.exec(url);
  if (!m) return "must look like mqtt://host:port (plain MQTT over TCP)";
  const port = m[2] === undefined ? 1883 : Number(m[2]);
  if (port < 1 || port > 65535) return `port must be 1..65535, got ${port}`;
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

/** A topic prefix: one or more non-empty levels, no wildcards. */
export function topicPrefixProblem(prefix: string): string | null {
  if (prefix.length === 0 || prefix.length > 64) return "must be 1..64 characters";
  if (/[+#\u0000]/.test(prefix)) return "must not contain +, # or NUL";
  if (prefix.split("/").some((level) => level === "")) return "must not have empty levels (leading, trailing or double /)";
  return null;
}

export function validateMqttConfig(document: unknown, context: MqttConfigContext = {}): MqttConfigResult {
  const base = context.path ?? "mqtt";
  const issues: ConfigIssue[] = [];
  const at = (key: string) => `${base}.${key}`;
  const problem = (path: string, message: string) => issues.push({ path, message });

  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { ok: false, issues: [{ path: base, message: `must be an object, got ${show(document)}` }] };
  }
  const doc = document as Record<string, unknown>;
  const known = [
    "brokerUrl", "clientId", "cabinetId", "topicPrefix", "qos", "demandQos", "publishIntervalMs", "demandTimeoutMs",
    "keepAliveS", "connectTimeoutMs", "reconnectMinMs", "reconnectMaxMs", "devices", "gunMap", "maxDemandKW", "maxPayloadBytes",
  ];
  for (const key of Object.keys(doc)) if (!known.includes(key)) problem(at(key), "unknown field");

  let host = "";
  let port = 0;
  if (typeof doc.brokerUrl !== "string") problem(at("brokerUrl"), `must be a string like "mqtt://127.0.0.1:1883", got ${show(doc.brokerUrl)}`);
  else {
    const parsed = parseBrokerUrl(doc.brokerUrl);
    if (typeof parsed === "string") problem(at("brokerUrl"), `${parsed}, got ${show(doc.brokerUrl)}`);
    else ({ host, port } = parsed);
  }

  const idField = (key: string, fallback: string): string => {
    const v = doc[key];
    if (v === undefined) return fallback;
    if (typeof v !== "string" || !ID_PATTERN.test(v)) {
      problem(at(key), `must be 1..64 of A-Z a-z 0-9 _ . -, got ${show(v)}`);
      return fallback;
    }
    return v;
  };
  const clientId = idField("clientId", MQTT_DEFAULTS.clientId);
  const cabinetId = idField("cabinetId", clientId);

  let topicPrefix: string = MQTT_DEFAULTS.topicPrefix;
  if (doc.topicPrefix !== undefined) {
    const why = typeof doc.topicPrefix === "string" ? topicPrefixProblem(doc.topicPrefix) : "must be a string";
    if (why) problem(at("topicPrefix"), `${why}, got ${show(doc.topicPrefix)}`);
    else topicPrefix = doc.topicPrefix as string;
  }

  const qosField = (key: string, fallback: MqttQos): MqttQos => {
    const v = doc[key];
    if (v === undefined) return fallback;
    if (v !== 0 && v !== 1 && v !== 2) {
      problem(at(key), `must be 0, 1 or 2, got ${show(v)}`);
      return fallback;
    }
    return v;
  };
  const numberField = (key: string, fallback: number, min: number, max: number, integer = true): number => {
    const v = doc[key];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
      problem(at(key), `must be ${integer ? "an integer" : "a number"} in ${min}..${max}, got ${show(v)}`);
      return fallback;
    }
    return v;
  };

  const config: MqttConfig = {
    brokerUrl: typeof doc.brokerUrl === "string" ? doc.brokerUrl : "",
    brokerHost: host,
    brokerPort: port,
    clientId,
    cabinetId,
    topicPrefix,
    qos: qosField("qos", MQTT_DEFAULTS.qos),
    demandQos: qosField("demandQos", MQTT_DEFAULTS.demandQos),
    publishIntervalMs: numberField("publishIntervalMs", MQTT_DEFAULTS.publishIntervalMs, 10, 3600000),
    demandTimeoutMs: numberField("demandTimeoutMs", MQTT_DEFAULTS.demandTimeoutMs, 100, 3600000),
    keepAliveS: numberField("keepAliveS", MQTT_DEFAULTS.keepAliveS, 1, 65535),
    connectTimeoutMs: numberField("connectTimeoutMs", MQTT_DEFAULTS.connectTimeoutMs, 100, 600000),
    reconnectMinMs: numberField("reconnectMinMs", MQTT_DEFAULTS.reconnectMinMs, 10, 600000),
    reconnectMaxMs: numberField("reconnectMaxMs", MQTT_DEFAULTS.reconnectMaxMs, 10, 3600000),
    devices: [...MQTT_DEFAULTS.devices],
    gunMap: null,
    maxDemandKW: numberField("maxDemandKW", MQTT_DEFAULTS.maxDemandKW, 1, 100000, false),
    maxPayloadBytes: numberField("maxPayloadBytes", MQTT_DEFAULTS.maxPayloadBytes, 16, 65536),
  };
  if (config.reconnectMaxMs < config.reconnectMinMs) {
    problem(at("reconnectMaxMs"), `must be >= reconnectMinMs (${config.reconnectMinMs}), got ${show(config.reconnectMaxMs)}`);
  }

  if (doc.devices !== undefined) {
    if (!Array.isArray(doc.devices) || doc.devices.length === 0) problem(at("devices"), `must be a non-empty array of device names, got ${show(doc.devices)}`);
    else {
      const seen: string[] = [];
      doc.devices.forEach((d, i) => {
        if (typeof d !== "string" || !ID_PATTERN.test(d)) problem(`${at("devices")}[${i}]`, `must be a device name like "D1", got ${show(d)}`);
        else if (seen.includes(d)) problem(`${at("devices")}[${i}]`, `duplicate device ${show(d)}`);
        else seen.push(d);
      });
      config.devices = seen;
    }
  }

  const gunIds = context.gunIds;
  if (doc.gunMap !== undefined) {
    if (!Array.isArray(doc.gunMap)) problem(at("gunMap"), `must be an array of { device, topicGunId, gunId }, got ${show(doc.gunMap)}`);
    else {
      const entries: MqttGunMapEntry[] = [];
      doc.gunMap.forEach((raw, i) => {
        const path = `${at("gunMap")}[${i}]`;
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
          problem(path, `must be an object { device, topicGunId, gunId }, got ${show(raw)}`);
          return;
        }
        const e = raw as Record<string, unknown>;
        let good = true;
        for (const key of Object.keys(e)) if (!["device", "topicGunId", "gunId"].includes(key)) { problem(`${path}.${key}`, "unknown field"); good = false; }
        if (typeof e.device !== "string" || !config.devices.includes(e.device)) {
          problem(`${path}.device`, `must be one of the devices ${config.devices.map(show).join(", ")}, got ${show(e.device)}`);
          good = false;
        }
        for (const key of ["topicGunId", "gunId"]) {
          const v = e[key];
          if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 9999) {
            problem(`${path}.${key}`, `must be an integer in 1..9999, got ${show(v)}`);
            good = false;
          }
        }
        if (good && gunIds && !gunIds.includes(e.gunId as number)) {
          problem(`${path}.gunId`, `no gun ${show(e.gunId)} in this cabinet (guns ${gunIds.join(", ")})`);
          good = false;
        }
        if (good && entries.some((x) => x.device === e.device && x.topicGunId === e.topicGunId)) {
          problem(path, `duplicate mapping for device ${show(e.device)} topic gun ${show(e.topicGunId)}`);
          good = false;
        }
        if (good) entries.push({ device: e.device as string, topicGunId: e.topicGunId as number, gunId: e.gunId as number });
      });
      config.gunMap = entries;
    }
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, config };
}

/** For `--mqtt mqtt://host:port`: a config with every default. */
export function mqttConfigFromUrl(url: string, context: MqttConfigContext = {}): MqttConfigResult {
  return validateMqttConfig({ brokerUrl: url }, context);
}
