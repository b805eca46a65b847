/**
 * A small JSON-schema subset for the CALLs a CSMS sends us, so that a schema-invalid
 * call gets the CALLERROR the OCPP-J spec names instead of reaching station logic.
 * Codes: missing required field or too many/few items -> OccurrenceConstraintViolation;
 * wrong JSON type -> TypeConstraintViolation; string too long or number out of range ->
 * FormatViolation; unknown property or value outside an enum -> PropertyConstraintViolation.
 */
import { OcppError, type JsonObject } from "./framing";

export type Schema =
  | { t: "string"; max?: number; oneOf?: readonly string[]; dateTime?: boolean }
  | { t: "integer"; min?: number; max?: number }
  | { t: "number"; min?: number }
  | { t: "boolean" }
  | { t: "object"; props: Record<string, Schema>; req?: readonly string[]; open?: boolean }
  | { t: "array"; items: Schema; min?: number; max?: number }
  | { t: "any" };

export const S = {
  str: (max?: number): Schema => ({ t: "string", max }),
  oneOf: (...values: string[]): Schema => ({ t: "string", oneOf: values }),
  dateTime: (): Schema => ({ t: "string", dateTime: true }),
  int: (min?: number, max?: number): Schema => ({ t: "integer", min, max }),
  num: (min?: number): Schema => ({ t: "number", min }),
  bool: (): Schema => ({ t: "boolean" }),
  obj: (props: Record<string, Schema>, req: readonly string[] = []): Schema => ({ t: "object", props, req }),
  arr: (items: Schema, min?: number, max?: number): Schema => ({ t: "array", items, min, max }),
  any: (): Schema => ({ t: "any" }),
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Throws OcppError naming the JSON path and the offending value. */
export function checkPayload(schema: Schema, value: unknown, path: string, allowCustomData: boolean): void {
  const fail = (kind: ConstructorParameters<typeof OcppError>[0], what: string): never => {
    throw new OcppError(kind, `${path}: ${what}`, { path });
  };
  switch (schema.t) {
    case "any": return;
    case "string":
      if (typeof value !== "string") fail("TypeConstraintViolation", `expected string, got ${typeName(value)}`);
      if (schema.max !== undefined && (value as string).length > schema.max) fail("FormatViolation", `longer than ${schema.max} chars`);
      if (schema.oneOf && !schema.oneOf.includes(value as string)) fail("PropertyConstraintViolation", `${JSON.stringify(value)} is not one of ${schema.oneOf.join("|")}`);
      if (schema.dateTime && !DATE_TIME.test(value as string)) fail("FormatViolation", `${JSON.stringify(value)} is not an RFC 3339 date-time`);
      return;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) fail("TypeConstraintViolation", `expected integer, got ${JSON.stringify(value)}`);
      if (schema.min !== undefined && (value as number) < schema.min) fail("FormatViolation", `${value} is below ${schema.min}`);
      if (schema.max !== undefined && (value as number) > schema.max) fail("FormatViolation", `${value} is above ${schema.max}`);
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) fail("TypeConstraintViolation", `expected number, got ${JSON.stringify(value)}`);
      if (schema.min !== undefined && (value as number) < schema.min) fail("FormatViolation", `${value} is below ${schema.min}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail("TypeConstraintViolation", `expected boolean, got ${typeName(value)}`);
      return;
    case "array": {
      if (!Array.isArray(value)) fail("TypeConstraintViolation", `expected array, got ${typeName(value)}`);
      const list = value as unknown[];
      if (schema.min !== undefined && list.length < schema.min) fail("OccurrenceConstraintViolation", `needs at least ${schema.min} items, has ${list.length}`);
      if (schema.max !== undefined && list.length > schema.max) fail("OccurrenceConstraintViolation", `allows at most ${schema.max} items, has ${list.length}`);
      list.forEach((item, i) => checkPayload(schema.items, item, `${path}[${i}]`, allowCustomData));
      return;
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) fail("TypeConstraintViolation", `expected object, got ${typeName(value)}`);
      const obj = value as JsonObject;
      for (const key of schema.req ?? []) {
        if (obj[key] === undefined) throw new OcppError("OccurrenceConstraintViolation", `${path}.${key}: required field missing`, { path: `${path}.${key}` });
      }
      for (const key of Object.keys(obj)) {
        const sub = schema.props[key];
        if (sub) checkPayload(sub, obj[key], `${path}.${key}`, allowCustomData);
        else if (!(allowCustomData && key === "customData") && !schema.open) {
          throw new OcppError("PropertyConstraintViolation", `${path}.${key}: unknown property`, { path: `${path}.${key}` });
        }
      }
      return;
    }
  }
}
