/**
 * The `ocpp` block of the cabinet configuration (device build) and its validation.
 * Errors name the path and the value, like src/config does.
 */
import type { OcppVersion } from "./framing";

export interface OcppConfig {
  /** CSMS endpoint without the station id, e.g. ws://csms.example:9000/ocpp */
  url: string;
  version: OcppVersion;
  stationId: string;
  /** Security profile 1/2 basic-auth password; null = profile 0 (none). */
  password: string | null;
  /** How long a CALL may wait for its answer. */
  callTimeoutMs: number;
  /** Heartbeat interval used until the CSMS sets one. */
  heartbeatIntervalS: number;
  vendor: string;
  model: string;
  /** Transaction-message retries (TransactionMessageAttempts / MessageAttempts). */
  transactionMessageAttempts: number;
  transactionMessageRetryIntervalS: number;
  /** Reconnect back-off (RetryBackOffWaitMinimum / RandomRange / RepeatTimes). */
  retryBackOffWaitMinimumS: number;
  retryBackOffRandomRangeS: number;
  retryBackOffRepeatTimes: number;
  /** Meter sample interval during a transaction. */
  meterSampleIntervalS: number;
}

export interface OcppConfigIssue { path: string; message: string }

export const ocppDefaults: Omit<OcppConfig, "url" | "version" | "stationId"> = {
  password: null,
  callTimeoutMs: 30_000,
  heartbeatIntervalS: 300,
  vendor: "OpenCabinet",
  model: "DC-Cabinet",
  transactionMessageAttempts: 3,
  transactionMessageRetryIntervalS: 60,
  retryBackOffWaitMinimumS: 3,
  retryBackOffRandomRangeS: 10,
  retryBackOffRepeatTimes: 5,
  meterSampleIntervalS: 60,
};

const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : v === undefined ? "undefined" : JSON.stringify(v));

export type OcppConfigResult = { ok: true; config: OcppConfig } | { ok: false; issues: OcppConfigIssue[] };

/** Validates a document block (path defaults to "ocpp"). Unknown fields are errors (typos). */
export function validateOcppConfig(doc: unknown, path = "ocpp"): OcppConfigResult {
  const issues: OcppConfigIssue[] = [];
  const add = (field: string, message: string) => issues.push({ path: `${path}.${field}`, message });
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { ok: false, issues: [{ path, message: `must be an object, got ${show(doc)}` }] };
  }
  const d = doc as Record<string, unknown>;
  const known = ["url", "version", "stationId", ...Object.keys(ocppDefaults)];
  for (const key of Object.keys(d)) if (!known.includes(key)) add(key, `unknown field (value ${show(d[key])})`);
  if (typeof d.url !== "string" || !/^wss?:\/\/[^/\s]+/.test(d.url)) add("url", `must be a ws:// or wss:// URL, got ${show(d.url)}`);
  if (d.version !== "2.0.1" && d.version !== "1.6") add("version", `must be "2.0.1" or "1.6", got ${show(d.version)}`);
  if (typeof d.stationId !== "string" || !/^[A-Za-z0-9._\-:]{1,48}$/.test(d.stationId)) {
    add("stationId", `must be 1..48 chars of letters, digits, . _ - :, got ${show(d.stationId)}`);
  }
  if (d.password !== undefined && d.password !== null && (typeof d.password !== "string" || d.password.length < 16 || d.password.length > 40)) {
    add("password", `must be null or a string of 16..40 chars (OCPP security profile 1), got ${typeof d.password === "string" ? `${d.password.length} chars` : show(d.password)}`);
  }
  if (d.password && typeof d.url === "string" && d.url.startsWith("ws://")) {
    // Profile 1 sends the password in clear; allowed (the spec permits it) but worth a note in docs.
  }
  const numeric: [keyof OcppConfig, number, number][] = [
    ["callTimeoutMs", 100, 600_000], ["heartbeatIntervalS", 1, 86_400], ["transactionMessageAttempts", 1, 100],
    ["transactionMessageRetryIntervalS", 0, 86_400], ["retryBackOffWaitMinimumS", 0, 86_400], ["retryBackOffRandomRangeS", 0, 86_400],
    ["retryBackOffRepeatTimes", 0, 100], ["meterSampleIntervalS", 1, 86_400],
  ];
  for (const [key, min, max] of numeric) {
    const v = d[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)) {
      add(key, `must be an integer ${min}..${max}, got ${show(v)}`);
    }
  }
  for (const key of ["vendor", "model"] as const) {
    const v = d[key];
    if (v !== undefined && (typeof v !== "string" || v.length === 0 || v.length > 20)) add(key, `must be a string of 1..20 chars, got ${show(v)}`);
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, config: { ...ocppDefaults, ...(d as object) } as OcppConfig };
}
