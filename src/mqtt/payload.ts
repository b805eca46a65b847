/**
 * Strict payload decoders. Canonical form is plain text: a decimal number for
 * soc (percent) and demand (kW), a status word for status. A JSON object with
 * exactly one field is accepted too: {"soc": 57.5}, {"demandKW": 60}, {"status": "charging"}.
 * Anything else is rejected with the reason and the value.
 */
import { VEHICLE_STATUSES, type MqttMessageType, type VehicleStatus } from "./types";
import { quoteForLog, type Rejection } from "./rejections";

export type DecodedValue =
  | { messageType: "soc"; socPct: number }
  | { messageType: "demand"; demandKW: number }
  | { messageType: "status"; vehicleStatus: VehicleStatus };

export interface PayloadLimits {
  maxPayloadBytes: number;
  maxDemandKW: number;
}

/** Bytes -> text, accepting printable ASCII plus tab, CR and LF only. */
export function asciiText(payload: Uint8Array, maxBytes: number): string | Rejection {
  if (payload.length === 0) return { reason: "payloadSize", detail: "empty payload" };
  if (payload.length > maxBytes) return { reason: "payloadSize", detail: `payload of ${payload.length} bytes exceeds ${maxBytes}` };
  let text = "";
  for (let i = 0; i < payload.length; i++) {
    const b = payload[i];
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b > 0x7e) {
      return { reason: "payloadEncoding", detail: `byte 0x${b.toString(16).padStart(2, "0")} at offset ${i} is not printable ASCII` };
    }
    text += String.fromCharCode(b);
  }
  return text;
}

const NUMBER_PATTERN = /^-?(0|[1-9][0-9]{0,9})(\.[0-9]{1,9})?$/;
const JSON_KEY: Record<MqttMessageType, string> = { soc: "soc", demand: "demandKW", status: "status" };

/** The single value a payload carries, as a JS number or string; or why not. */
function extractValue(text: string, messageType: MqttMessageType): number | string | Rejection {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return { reason: "payloadFormat", detail: `${messageType}: malformed JSON ${quoteForLog(trimmed)}` };
    }
    const key = JSON_KEY[messageType];
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { reason: "payloadFormat", detail: `${messageType}: JSON must be an object {"${key}": ...}, got ${quoteForLog(trimmed)}` };
    }
    const keys = Object.keys(parsed);
    if (keys.length !== 1 || keys[0] !== key) {
      return { reason: "payloadFormat", detail: `${messageType}: JSON must have exactly the field "${key}", got fields ${quoteForLog(keys.join(","))}` };
    }
    const value = (parsed as Record<string, unknown>)[key];
    if (messageType === "status") {
      return typeof value === "string" ? value : { reason: "payloadFormat", detail: `status: "${key}" must be a string, got ${quoteForLog(String(JSON.stringify(value)))}` };
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      return { reason: "payloadFormat", detail: `${messageType}: "${key}" must be a finite number, got ${quoteForLog(String(JSON.stringify(value)))}` };
    }
    return value;
  }
  if (messageType === "status") return trimmed;
  if (!NUMBER_PATTERN.test(trimmed)) {
    return { reason: "payloadFormat", detail: `${messageType}: ${quoteForLog(trimmed)} is not a decimal number` };
  }
  return Number(trimmed);
}

export function decodePayload(messageType: MqttMessageType, payload: Uint8Array, limits: PayloadLimits): DecodedValue | Rejection {
  const text = asciiText(payload, limits.maxPayloadBytes);
  if (typeof text !== "string") return text;
  const value = extractValue(text, messageType);
  if (typeof value === "object") return value;
  switch (messageType) {
    case "soc":
      if (typeof value !== "number" || value < 0 || value > 100) return { reason: "outOfRange", detail: `soc ${quoteForLog(String(value))} outside 0..100 %` };
      return { messageType, socPct: value };
    case "demand":
      if (typeof value !== "number" || value < 0 || value > limits.maxDemandKW) {
        return { reason: "outOfRange", detail: `demand ${quoteForLog(String(value))} outside 0..${limits.maxDemandKW} kW` };
      }
      return { messageType, demandKW: value };
    case "status":
      if (!(VEHICLE_STATUSES as readonly unknown[]).includes(value)) {
        return { reason: "outOfRange", detail: `status ${quoteForLog(String(value))} is not one of ${VEHICLE_STATUSES.join(", ")}` };
      }
      return { messageType, vehicleStatus: value as VehicleStatus };
  }
}
