/**
 * A tiny structural schema walker: enough to check a JSON document field by field
 * and name every problem by its JSON path, without pulling a JSON-schema engine
 * onto the device.
 */

export interface ConfigIssue {
  /** JSON path, e.g. `slots[3].cw`. */
  path: string;
  message: string;
}

export type FieldSpec =
  | { kind: "number"; min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean }
  | { kind: "string"; nonEmpty?: boolean }
  | { kind: "boolean" }
  | { kind: "literal"; values: readonly (string | number)[] }
  | { kind: "array"; of: FieldSpec; minLength?: number }
  | { kind: "object"; fields: Record<string, FieldRule> }
  | { kind: "nullable"; of: FieldSpec };

export interface FieldRule {
  spec: FieldSpec;
  optional?: boolean;
}

/** Renders a value for a message: short, and unambiguous about its type. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  return base === "" ? key : `${base}.${key}`;
}

export function checkValue(value: unknown, spec: FieldSpec, path: string, issues: ConfigIssue[]): void {
  switch (spec.kind) {
    case "number": {
      if (typeof value !== "number" || Number.isNaN(value) || !Number.isFinite(value)) {
        issues.push({ path, message: `must be a finite number, got ${show(value)}` });
        return;
      }
      if (spec.integer && !Number.isInteger(value)) {
        issues.push({ path, message: `must be an integer, got ${show(value)}` });
      }
      if (spec.min !== undefined) {
        const bad = spec.exclusiveMin ? value <= spec.min : value < spec.min;
        if (bad) issues.push({ path, message: `must be ${spec.exclusiveMin ? ">" : ">="} ${spec.min}, got ${show(value)}` });
      }
      if (spec.max !== undefined && value > spec.max) {
        issues.push({ path, message: `must be <= ${spec.max}, got ${show(value)}` });
      }
      return;
    }
    case "string":
      if (typeof value !== "string") issues.push({ path, message: `must be a string, got ${show(value)}` });
      else if (spec.nonEmpty && value.trim() === "") issues.push({ path, message: `must not be empty` });
      return;
    case "boolean":
      if (typeof value !== "boolean") issues.push({ path, message: `must be true or false, got ${show(value)}` });
      return;
    case "literal":
      if (!spec.values.includes(value as string | number)) {
        issues.push({ path, message: `must be one of ${spec.values.map(show).join(", ")}, got ${show(value)}` });
      }
      return;
    case "nullable":
      if (value !== null) checkValue(value, spec.of, path, issues);
      return;
    case "array": {
      if (!Array.isArray(value)) {
        issues.push({ path, message: `must be an array, got ${show(value)}` });
        return;
      }
      if (spec.minLength !== undefined && value.length < spec.minLength) {
        issues.push({ path, message: `must have at least ${spec.minLength} entries, got ${value.length}` });
      }
      value.forEach((item, i) => checkValue(item, spec.of, joinPath(path, i), issues));
      return;
    }
    case "object": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        issues.push({ path, message: `must be an object, got ${show(value)}` });
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!(key in spec.fields)) {
          const hint = closestKey(key, Object.keys(spec.fields));
          issues.push({
            path: joinPath(path, key),
            message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}`,
          });
        }
      }
      for (const key of Object.keys(spec.fields)) {
        const rule = spec.fields[key];
        const fieldPath = joinPath(path, key);
        if (record[key] === undefined) {
          if (!rule.optional) issues.push({ path: fieldPath, message: "is required but missing" });
          continue;
        }
        checkValue(record[key], rule.spec, fieldPath, issues);
      }
      return;
    }
  }
}

/** The known key closest to a typo, if it is close enough to be a useful hint. */
function closestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1);
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}
