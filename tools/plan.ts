/**
 * npm run plan -- <snapshots.json> [--sequence] [--reasons]
 *
 * Reads a JSON array of snapshots and prints one JSON line per snapshot: the plan.
 * Snapshot: { "config": "ring-12x2" | {inline config}, "policy": {overrides}, "gridLimitKW": n,
 *   "guns": [{ "id", "active", "requestKW", "priority", "evVoltageV", "limitKW" }],
 *   "modules": [{ "id", "healthy", "tempC" }], "contactors": { "MC_3": "welded", ... } }
 * Optional extras: "nowMs", "siteLimitKW", guns[].charging, guns[].measuredVoltageV,
 * modules[].operatingHours. Omitted module = healthy, 25 °C.
 * Output: { "guns": [{ "id", "budgetKW", "setpointKW", "modules", "islandSlots", "currentLimitA" }],
 *   "contactors": { "GC_1": "closed", ... }, "totalKW", "modulesOn" } (modulesOn = how many).
 * --sequence feeds each plan as the previous plan of the next snapshot; --reasons adds each
 * gun's reason. A bad snapshot prints { "snapshot": i, "error": "<field>: <problem>" } and the
 * others still run; the exit code is then 1.
 */
import { readFileSync } from "fs";
import { builtinDocument, formatIssue, indexCabinet, validateCabinetConfig, type CabinetConfig } from "../src/config";
import { plan, type ContactorFault, type Plan, type PlanObservation } from "../src/planner";

export interface Loaded {
  config: CabinetConfig;
  observed: PlanObservation;
}

const FAULTS: readonly string[] = ["welded", "stuckOpen", "feedbackFault"];

class SnapshotError extends Error {}

function fail(field: string, problem: string, value: unknown): never {
  throw new SnapshotError(`${field}: ${problem}, got ${JSON.stringify(value) ?? String(value)}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function checkKeys(value: Record<string, unknown>, field: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) fail(`${field}.${key}`.replace(/^\./, ""), `unknown field (expected one of ${allowed.join(", ")})`, value[key]);
}

function num(value: unknown, field: string, fallback: number | undefined, min = 0): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) fail(field, `must be a finite number >= ${min}`, value);
  return value;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") fail(field, "must be true or false", value);
  return value;
}

/** Turns one snapshot into (config, observation); throws a SnapshotError naming the field. */
export function loadSnapshot(snapshot: unknown, index: number, defaultNowMs: number): Loaded {
  if (!isObject(snapshot)) fail(`[${index}]`, "a snapshot must be an object", snapshot);
  checkKeys(snapshot, "", ["config", "policy", "gridLimitKW", "siteLimitKW", "guns", "modules", "contactors", "nowMs"]);
  const source = snapshot.config ?? "ring-12x2";
  let document: Record<string, unknown>;
  if (typeof source === "string") {
    const builtin = builtinDocument(source);
    if (!builtin) fail("config", "unknown built-in config (ring-12x2, matrix-9x6)", source);
    document = builtin as unknown as Record<string, unknown>;
  } else if (isObject(source)) {
    document = JSON.parse(JSON.stringify(source));
  } else fail("config", "must be a built-in name or a config object", source);
  if (snapshot.policy !== undefined) {
    if (!isObject(snapshot.policy)) fail("policy", "must be an object", snapshot.policy);
    document.policy = { ...(isObject(document.policy) ? document.policy : {}), ...snapshot.policy };
  }
  const result = validateCabinetConfig(document);
  if (!result.ok) {
    const first = result.issues[0];
    const prefix = snapshot.policy !== undefined && first.path.startsWith("policy") ? "" : "config.";
    throw new SnapshotError(`${prefix}${formatIssue(first)}${result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : ""}`);
  }
  const config = result.config;
  const index_ = indexCabinet(config);

  const gunsIn = snapshot.guns ?? [];
  if (!Array.isArray(gunsIn)) fail("guns", "must be an array", gunsIn);
  const seenGuns = new Set<number>();
  const guns: PlanObservation["guns"] = gunsIn.map((g: unknown, i: number) => {
    const f = `guns[${i}]`;
    if (!isObject(g)) fail(f, "must be an object", g);
    checkKeys(g, f, ["id", "active", "requestKW", "priority", "evVoltageV", "limitKW", "charging", "measuredVoltageV"]);
    const gunConfig = typeof g.id === "number" ? index_.gunById.get(g.id) : undefined;
    if (!gunConfig) fail(`${f}.id`, `no such gun in the config`, g.id);
    if (seenGuns.has(gunConfig.id)) fail(`${f}.id`, "gun listed twice", g.id);
    seenGuns.add(gunConfig.id);
    const evVoltageV = num(g.evVoltageV, `${f}.evVoltageV`, config.siteLimits.defaultVoltageV);
    return {
      id: gunConfig.id,
      active: bool(g.active, `${f}.active`, true),
      charging: bool(g.charging, `${f}.charging`, false),
      requestKW: num(g.requestKW, `${f}.requestKW`, 0),
      evVoltageV,
      measuredVoltageV: num(g.measuredVoltageV, `${f}.measuredVoltageV`, evVoltageV),
      priority: num(g.priority, `${f}.priority`, gunConfig.priorityDefault),
      externalLimitKW: g.limitKW === undefined || g.limitKW === null ? null : num(g.limitKW, `${f}.limitKW`, undefined),
    };
  });

  const modulesIn = snapshot.modules ?? [];
  if (!Array.isArray(modulesIn)) fail("modules", "must be an array", modulesIn);
  const modules: PlanObservation["modules"] = modulesIn.map((m: unknown, i: number) => {
    const f = `modules[${i}]`;
    if (!isObject(m)) fail(f, "must be an object", m);
    checkKeys(m, f, ["id", "healthy", "tempC", "operatingHours"]);
    if (typeof m.id !== "string" || !index_.moduleById.has(m.id)) fail(`${f}.id`, "no such module in the config", m.id);
    return {
      id: m.id,
      healthy: bool(m.healthy, `${f}.healthy`, true),
      tempC: num(m.tempC, `${f}.tempC`, 25, -60),
      operatingHours: num(m.operatingHours, `${f}.operatingHours`, 0),
    };
  });

  const faultsIn = snapshot.contactors ?? {};
  if (!isObject(faultsIn)) fail("contactors", "must be an object of contactor id -> fault", faultsIn);
  const contactorFaults: Record<string, ContactorFault> = {};
  for (const [id, fault] of Object.entries(faultsIn)) {
    if (!index_.contactorById.has(id)) fail(`contactors.${id}`, "no such contactor in the config", id);
    if (fault === "ok") continue;
    if (typeof fault !== "string" || !FAULTS.includes(fault)) fail(`contactors.${id}`, `must be one of ok, ${FAULTS.join(", ")}`, fault);
    contactorFaults[id] = fault as ContactorFault;
  }

  const observed: PlanObservation = {
    nowMs: num(snapshot.nowMs, "nowMs", defaultNowMs),
    guns,
    modules,
    contactorFaults,
    gridLimitKW: num(snapshot.gridLimitKW, "gridLimitKW", config.siteLimits.gridPowerLimitKW),
    siteExternalLimitKW: snapshot.siteLimitKW === undefined || snapshot.siteLimitKW === null ? null : num(snapshot.siteLimitKW, "siteLimitKW", undefined),
  };
  return { config, observed };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The output line for one plan (issue 3 format). */
export function planLine(p: Plan, withReasons: boolean): Record<string, unknown> {
  return {
    guns: p.guns.map((g) => ({
      id: g.id,
      budgetKW: r3(g.budgetKW),
      setpointKW: r3(g.setpointKW),
      modules: g.modules,
      islandSlots: g.islandSlots,
      currentLimitA: r3(g.currentLimitA),
      ...(withReasons ? { reason: g.reason } : {}),
    })),
    contactors: p.contactors,
    totalKW: r3(p.totalKW),
    modulesOn: p.modulesOn.length,
    ...(p.repartition.length > 0 ? { repartition: p.repartition } : {}),
  };
}

/** Runs every snapshot; returns the output lines and whether any snapshot was bad. */
export function runSnapshots(snapshots: unknown, options: { sequence: boolean; reasons: boolean }): { lines: string[]; failed: boolean } {
  if (!Array.isArray(snapshots)) {
    return { lines: [JSON.stringify({ error: `the file must hold a JSON array of snapshots, got ${typeof snapshots}` })], failed: true };
  }
  const lines: string[] = [];
  let failed = false;
  let previous: Plan | null = null;
  snapshots.forEach((snapshot, i) => {
    try {
      const { config, observed } = loadSnapshot(snapshot, i, i * 1000);
      const p = plan(config, observed, options.sequence ? previous : null);
      previous = p;
      lines.push(JSON.stringify(planLine(p, options.reasons)));
    } catch (error) {
      failed = true;
      const message = error instanceof SnapshotError ? error.message : `internal error: ${(error as Error).message}`;
      lines.push(JSON.stringify({ snapshot: i, error: message }));
    }
  });
  return { lines, failed };
}

function main(args: string[]): number {
  const files = args.filter((a) => !a.startsWith("--"));
  const unknown = args.filter((a) => a.startsWith("--") && a !== "--sequence" && a !== "--reasons");
  if (files.length !== 1 || unknown.length > 0) {
    console.error("usage: npm run plan -- <snapshots.json> [--sequence] [--reasons]");
    return 2;
  }
  let snapshots: unknown;
  try {
    snapshots = JSON.parse(readFileSync(files[0], "utf8"));
  } catch (error) {
    console.error(`${files[0]}: ${(error as Error).message}`);
    return 2;
  }
  const { lines, failed } = runSnapshots(snapshots, { sequence: args.includes("--sequence"), reasons: args.includes("--reasons") });
  for (const line of lines) console.log(line);
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
