/**
 * OCPP-J framing (OCPP-J 1.6 §4, 2.0.1 part 4 §4): CALL [2,id,action,payload],
 * CALLRESULT [3,id,payload], CALLERROR [4,id,code,description,details].
 * Pure: parses text into a frame or a structured problem, never throws.
 */

export type OcppVersion = "2.0.1" | "1.6";

export const MSG_CALL = 2;
export const MSG_CALLRESULT = 3;
export const MSG_CALLERROR = 4;

export type JsonObject = { [key: string]: unknown };

export interface CallFrame { type: 2; id: string; action: string; payload: JsonObject }
export interface CallResultFrame { type: 3; id: string; payload: JsonObject }
export interface CallErrorFrame { type: 4; id: string; code: string; description: string; details: JsonObject }
export type Frame = CallFrame | CallResultFrame | CallErrorFrame;

/** The error codes both versions share, plus the ones they spell differently. */
export type RpcErrorKind =
  | "FormatViolation"
  | "GenericError"
  | "InternalError"
  | "MessageTypeNotSupported"
  | "NotImplemented"
  | "NotSupported"
  | "OccurrenceConstraintViolation"
  | "PropertyConstraintViolation"
  | "ProtocolError"
  | "RpcFrameworkError"
  | "SecurityError"
  | "TypeConstraintViolation";

/**
 * The wire spelling of an error kind for a version: 1.6 says FormationViolation and
 * OccurrenceConstraintViolation, 2.0.1 FormatViolation and OccurenceConstraintViolation.
 * 1.6 has no RpcFrameworkError / MessageTypeNotSupported: it uses GenericError and NotImplemented.
 */
export function errorCodeFor(kind: RpcErrorKind, version: OcppVersion): string {
  if (version === "1.6") {
    if (kind === "FormatViolation") return "FormationViolation";
    if (kind === "RpcFrameworkError") return "GenericError";
    if (kind === "MessageTypeNotSupported") return "NotImplemented";
    return kind;
  }
  if (kind === "OccurrenceConstraintViolation") return "OccurenceConstraintViolation";
  return kind;
}

/** Accepts both spellings (DESIGN.md §7) and maps wire codes back to a kind. */
export function errorKindOf(code: string): RpcErrorKind | null {
  switch (code) {
    case "FormationViolation":
    case "FormatViolation": return "FormatViolation";
    case "OccurenceConstraintViolation":
    case "OccurrenceConstraintViolation": return "OccurrenceConstraintViolation";
    case "GenericError": case "InternalError": case "MessageTypeNotSupported": case "NotImplemented":
    case "NotSupported": case "PropertyConstraintViolation": case "ProtocolError": case "RpcFrameworkError":
    case "SecurityError": case "TypeConstraintViolation":
      return code;
    default: return null;
  }
}

/** A problem that should be answered with a CALLERROR (when an id is known) or dropped. */
export class OcppError extends Error {
  // A field, not `this.name = ...`: on a device Error.prototype is frozen and the assignment throws.
  override name = "OcppError";
  readonly kind: RpcErrorKind;
  readonly details: JsonObject;
  constructor(kind: RpcErrorKind, message: string, details: JsonObject = {}) {
    super(message);
    this.kind = kind;
    this.details = details;
  }
}

export type ParseResult =
  | { ok: true; frame: Frame }
  | { ok: false; id: string | null; error: OcppError; replyable: boolean };

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function parseFrame(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: new OcppError("RpcFrameworkError", "message is not JSON"), replyable: false };
  }
  if (!Array.isArray(data) || data.length < 3) {
    return { ok: false, id: null, error: new OcppError("RpcFrameworkError", "message must be an array of at least 3 elements"), replyable: false };
  }
  const [type, id] = data;
  if (typeof id !== "string" || id.length === 0 || id.length > 36) {
    return { ok: false, id: null, error: new OcppError("RpcFrameworkError", `message id must be a string of 1..36 chars, got ${JSON.stringify(id)}`), replyable: false };
  }
  if (type === MSG_CALL) {
    const [, , action, payload] = data;
    if (typeof action !== "string" || action.length === 0) {
      return { ok: false, id, error: new OcppError("RpcFrameworkError", `action must be a non-empty string, got ${JSON.stringify(action)}`), replyable: true };
    }
    if (!isObject(payload)) {
      return { ok: false, id, error: new OcppError("FormatViolation", `payload of ${action} must be a JSON object`), replyable: true };
    }
    return { ok: true, frame: { type: 2, id, action, payload } };
  }
  if (type === MSG_CALLRESULT) {
    const payload = data[2];
    if (!isObject(payload)) return { ok: false, id, error: new OcppError("FormatViolation", "CALLRESULT payload must be an object"), replyable: false };
    return { ok: true, frame: { type: 3, id, payload } };
  }
  if (type === MSG_CALLERROR) {
    const [, , code, description, details] = data;
    return {
      ok: true,
      frame: {
        type: 4, id,
        code: typeof code === "string" ? code : "GenericError",
        description: typeof description === "string" ? description : "",
        details: isObject(details) ? details : {},
      },
    };
  }
  return { ok: false, id, error: new OcppError("MessageTypeNotSupported", `unknown message type ${JSON.stringify(type)}`), replyable: true };
}

export function encodeCall(id: string, action: string, payload: JsonObject): string {
  return JSON.stringify([MSG_CALL, id, action, payload]);
}
export function encodeResult(id: string, payload: JsonObject): string {
  return JSON.stringify([MSG_CALLRESULT, id, payload]);
}
export function encodeError(id: string, code: string, description: string, details: JsonObject = {}): string {
  // 2.0.1 limits errorDescription to 255 chars.
  return JSON.stringify([MSG_CALLERROR, id, code, description.slice(0, 255), details]);
}
