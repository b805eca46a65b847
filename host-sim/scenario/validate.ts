import { builtinDocument, validateCabinetConfig, type CabinetConfig } from "../../src/config/index";
import { indexCabinet } from "../../src/config/cabinet-index";
import { defaultPlantParams } from "../plant/params";
import { faultTargetKind, PLANT_FAULT_KINDS, type PlantFaultKind } from "../plant/plant";
import { SCENARIO_EVENT_TYPES, type Scenario } from "./types";

export interface ScenarioIssue {
  /** JSON path, e.g. `events[3].gun`. */
  path: string;
  message: string;
}

export type ScenarioResult =
  | { ok: true; scenario: Scenario; config: CabinetConfig }
  | { ok: false; issues: ScenarioIssue[] };

export function formatScenarioIssue(issue: ScenarioIssue): string {
  return `${issue.path}: ${issue.message}`;
}

function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

const TOP_FIELDS = ["config", "durationS", "seed", "name", "description", "stepMs", "plant", "events"];
const EVENT_FIELDS: Record<string, string[]> = {
  plug: ["type", "atS", "gun", "ev"],
  unplug: ["type", "atS", "gun"],
  stop: ["type", "atS", "gun", "by"],
  fault: ["type", "atS", "kind", "target", "clearAtS"],
  gridLimit: ["type", "atS", "kW"],
  externalLimit: ["type", "atS", "gun", "kW"],
  priority: ["type", "atS", "gun", "value"],
};
const PARAM_CHOICES: Record<string, string[]> = { "ev.contactorMode": ["atReady", "afterPrecharge"] };
const EV_FIELDS = ["batteryKWh", "socPct", "targetSocPct", "maxPowerKW", "packVoltageV", "maxCurrentA"];

/**
 * Checks a scenario document field by field against its cabinet and returns
 * every problem, each naming the field and the offending value.
 */
export function validateScenario(document: unknown): ScenarioResult {
  const issues: ScenarioIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (!isObject(document)) return { ok: false, issues: [{ path: "(root)", message: `must be an object, got ${show(document)}` }] };
  for (const key of Object.keys(document)) {
    if (!TOP_FIELDS.includes(key)) add(key, `unknown field (expected one of ${TOP_FIELDS.join(", ")})`);
  }

  let config: CabinetConfig | null = null;
  const ref = document.config;
  if (typeof ref === "string") {
    const doc = builtinDocument(ref);
    if (!doc) add("config", `no built-in configuration named ${show(ref)} (built-ins: ring-12x2, matrix-9x6)`);
    else {
      const r = validateCabinetConfig(doc);
      if (r.ok) config = r.config;
    }
  } else if (isObject(ref)) {
    const r = validateCabinetConfig(ref);
    if (r.ok) config = r.config;
    else for (const i of r.issues) add(`config.${i.path}`, i.message);
  } else {
    add("config", `must be a built-in name or an inline configuration object, got ${show(ref)}`);
  }

  const durationS = document.durationS;
  if (!isNum(durationS) || durationS <= 0) add("durationS", `must be a number > 0, got ${show(durationS)}`);
  if (!isNum(document.seed) || !Number.isInteger(document.seed) || document.seed < 0) add("seed", `must be an integer >= 0, got ${show(document.seed)}`);
  if (document.name !== undefined && typeof document.name !== "string") add("name", `must be a string, got ${show(document.name)}`);
  if (document.description !== undefined && typeof document.description !== "string") add("description", `must be a string, got ${show(document.description)}`);
  if (document.stepMs !== undefined && (!isNum(document.stepMs) || document.stepMs <= 0 || document.stepMs > 100)) {
    add("stepMs", `must be a number in (0, 100], got ${show(document.stepMs)}`);
  }
  if (document.plant !== undefined) checkPlantOverrides(document.plant, add);

  const events = document.events;
  if (!Array.isArray(events)) {
    add("events", `must be an array, got ${show(events)}`);
    return { ok: false, issues };
  }
  const index = config ? indexCabinet(config) : null;
  const maxS = isNum(durationS) ? durationS : Infinity;
  events.forEach((event, i) => checkEvent(event, `events[${i}]`, maxS, index, add));
  if (issues.length === 0) checkSequence(events as Scenario["events"], add);
  if (issues.length > 0 || !config) return { ok: false, issues };
  return { ok: true, scenario: JSON.parse(JSON.stringify(document)) as Scenario, config };
}

function checkPlantOverrides(value: unknown, add: (p: string, m: string) => void): void {
  if (!isObject(value)) {
    add("plant", `must be an object of parameter blocks, got ${show(value)}`);
    return;
  }
  const defaults = defaultPlantParams() as unknown as Record<string, Record<string, unknown>>;
  for (const [block, fields] of Object.entries(value)) {
    const known = defaults[block];
    if (!known) {
      add(`plant.${block}`, `unknown parameter block (expected one of ${Object.keys(defaults).join(", ")})`);
      continue;
    }
    if (!isObject(fields)) {
      add(`plant.${block}`, `must be an object, got ${show(fields)}`);
      continue;
    }
    for (const [name, v] of Object.entries(fields)) {
      const choices = PARAM_CHOICES[`${block}.${name}`];
      if (!(name in known)) add(`plant.${block}.${name}`, `unknown parameter (expected one of ${Object.keys(known).join(", ")})`);
      else if (choices && !choices.includes(v as string)) add(`plant.${block}.${name}`, `must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${show(v)}`);
      else if (typeof known[name] !== typeof v || (isNum(known[name]) && (!isNum(v) || v < 0))) {
        add(`plant.${block}.${name}`, `must be ${Array.isArray(known[name]) ? "an array" : typeof known[name] === "number" ? "a number >= 0" : "a " + typeof known[name]}, got ${show(v)}`);
      }
    }
  }
}

function checkEvent(event: unknown, path: string, maxS: number, index: ReturnType<typeof indexCabinet> | null, add: (p: string, m: string) => void): void {
  if (!isObject(event)) {
    add(path, `must be an object, got ${show(event)}`);
    return;
  }
  const type = event.type;
  if (typeof type !== "string" || !(SCENARIO_EVENT_TYPES as readonly string[]).includes(type)) {
    add(`${path}.type`, `must be one of ${SCENARIO_EVENT_TYPES.join(", ")}, got ${show(type)}`);
    return;
  }
  for (const key of Object.keys(event)) {
    if (!EVENT_FIELDS[type].includes(key)) add(`${path}.${key}`, `unknown field for a ${type} event (expected ${EVENT_FIELDS[type].join(", ")})`);
  }
  const atS = event.atS;
  if (!isNum(atS) || atS < 0 || atS > maxS) add(`${path}.atS`, `must be a number in [0, durationS=${maxS}], got ${show(atS)}`);
  const gunIds = index ? [...index.gunById.keys()] : null;
  const checkGun = () => {
    const g = event.gun;
    if (!isNum(g) || !Number.isInteger(g)) add(`${path}.gun`, `must be a gun id (integer), got ${show(g)}`);
    else if (gunIds && !gunIds.includes(g)) add(`${path}.gun`, `${g} is not a gun of this cabinet (guns ${gunIds.join(", ")})`);
  };
  switch (type) {
    case "plug": {
      checkGun();
      const ev = event.ev;
      if (!isObject(ev)) {
        add(`${path}.ev`, `must be an object with ${EV_FIELDS.slice(0, 5).join(", ")}, got ${show(ev)}`);
        break;
      }
      for (const key of Object.keys(ev)) if (!EV_FIELDS.includes(key)) add(`${path}.ev.${key}`, `unknown field (expected ${EV_FIELDS.join(", ")})`);
      const range = (name: string, min: number, max: number, optional = false) => {
        const v = ev[name];
        if (optional && v === undefined) return;
        if (!isNum(v) || v < min || v > max) add(`${path}.ev.${name}`, `must be a number in [${min}, ${max}], got ${show(v)}`);
      };
      range("batteryKWh", 5, 1000);
      range("socPct", 0, 100);
      range("targetSocPct", 0, 100);
      range("maxPowerKW", 1, 1000);
      range("packVoltageV", 100, 1000);
      range("maxCurrentA", 1, 1000, true);
      if (isNum(ev.socPct) && isNum(ev.targetSocPct) && ev.targetSocPct <= ev.socPct) {
        add(`${path}.ev.targetSocPct`, `must be above socPct (${ev.socPct}), got ${show(ev.targetSocPct)}`);
      }
      const gun = index && isNum(event.gun) ? index.gunById.get(event.gun) : undefined;
      if (gun && isNum(ev.packVoltageV) && (ev.packVoltageV > gun.maxVoltageV || ev.packVoltageV < gun.minVoltageV)) {
        add(`${path}.ev.packVoltageV`, `${ev.packVoltageV} V is outside gun ${gun.id}'s range ${gun.minVoltageV}-${gun.maxVoltageV} V`);
      }
      break;
    }
    case "unplug":
      checkGun();
      break;
    case "stop":
      checkGun();
      if (event.by !== undefined && event.by !== "user" && event.by !== "ev") add(`${path}.by`, `must be "user" or "ev", got ${show(event.by)}`);
      break;
    case "fault": {
      const kind = event.kind;
      if (typeof kind !== "string" || !(PLANT_FAULT_KINDS as readonly string[]).includes(kind)) {
        add(`${path}.kind`, `must be one of ${PLANT_FAULT_KINDS.join(", ")}, got ${show(kind)}`);
        break;
      }
      checkFaultTarget(kind as PlantFaultKind, event.target, `${path}.target`, index, add);
      if (event.clearAtS !== undefined && (!isNum(event.clearAtS) || !isNum(atS) || event.clearAtS <= atS)) {
        add(`${path}.clearAtS`, `must be a number after atS (${show(atS)}), got ${show(event.clearAtS)}`);
      }
      break;
    }
    case "gridLimit":
      if (!isNum(event.kW) || event.kW < 0) add(`${path}.kW`, `must be a number >= 0, got ${show(event.kW)}`);
      break;
    case "externalLimit":
      checkGun();
      if (event.kW !== null && (!isNum(event.kW) || event.kW < 0)) add(`${path}.kW`, `must be a number >= 0 or null, got ${show(event.kW)}`);
      break;
    case "priority":
      checkGun();
      if (!isNum(event.value) || !Number.isInteger(event.value) || event.value < 0) add(`${path}.value`, `must be an integer >= 0, got ${show(event.value)}`);
      break;
  }
}

function checkFaultTarget(kind: PlantFaultKind, target: unknown, path: string, index: ReturnType<typeof indexCabinet> | null, add: (p: string, m: string) => void): void {
  const want = faultTargetKind(kind);
  if (want === "none") {
    if (target !== undefined && target !== null) add(path, `${kind} takes no target, got ${show(target)}`);
    return;
  }
  if (want === "gun") {
    if (!isNum(target) || !Number.isInteger(target)) add(path, `${kind} needs a gun id (integer), got ${show(target)}`);
    else if (index && !index.gunById.has(target)) add(path, `${target} is not a gun of this cabinet (guns ${[...index.gunById.keys()].join(", ")})`);
    return;
  }
  if (want === "module") {
    if (typeof target !== "string") add(path, `${kind} needs a module id, got ${show(target)}`);
    else if (index && !index.moduleById.has(target)) add(path, `${show(target)} is not a module of this cabinet (e.g. ${index.modules[0]?.id})`);
    return;
  }
  if (typeof target !== "string") {
    add(path, `${kind} needs a contactor id, got ${show(target)}`);
    return;
  }
  if (!index) return;
  const info = index.contactorById.get(target);
  if (!info) {
    add(path, `${show(target)} is not a contactor of this cabinet`);
    return;
  }
  const allowed: Partial<Record<PlantFaultKind, string[]>> = { mcWeld: ["MC"], mnWeld: ["MN", "MX"], gcWeld: ["GC"] };
  const kinds = allowed[kind];
  if (kinds && !kinds.includes(info.kind)) add(path, `${kind} needs a${kinds[0] === "MC" ? "n" : ""} ${kinds.join(" or ")} contactor, got ${show(target)} (${info.kind})`);
}

/** Plug/unplug order per gun, in time order. */
function checkSequence(events: Scenario["events"], add: (p: string, m: string) => void): void {
  const order = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atS - b.e.atS || a.i - b.i);
  const pluggedSince = new Map<number, number>();
  for (const { e, i } of order) {
    if (e.type === "plug") {
      const since = pluggedSince.get(e.gun);
      if (since !== undefined) add(`events[${i}]`, `plug at ${e.atS} s on gun ${e.gun}, which already has an EV plugged since ${since} s (unplug it first)`);
      pluggedSince.set(e.gun, e.atS);
    } else if (e.type === "unplug") {
      if (!pluggedSince.has(e.gun)) add(`events[${i}]`, `unplug at ${e.atS} s on gun ${e.gun}, which has no EV plugged then`);
      pluggedSince.delete(e.gun);
    }
  }
}

/** A shorter copy: events after durationS dropped, clears past the end removed. */
export function trimScenario(scenario: Scenario, durationS: number): Scenario {
  const events = scenario.events
    .filter((e) => e.atS <= durationS)
    .map((e) => (e.type === "fault" && e.clearAtS !== undefined && e.clearAtS > durationS ? { ...e, clearAtS: undefined } : e))
    .map((e) => JSON.parse(JSON.stringify(e)));
  return { ...scenario, durationS, events };
}

/** JSON text with one event per line (readable diffs for committed scenarios). */
export function formatScenario(scenario: Scenario): string {
  const { events, ...head } = scenario;
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, "");
  const lines = events.map((e) => "    " + JSON.stringify(e));
  return `${top},\n  "events": [\n${lines.join(",\n")}\n  ]\n}\n`;
}

/**
 * Validates one event on its own (an operator command from the dashboard is a
 * scenario event applied now): every problem with its path and value.
 */
export function validateScenarioEvent(event: unknown, config: CabinetConfig): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const withTime = event !== null && typeof event === "object" && !Array.isArray(event) ? { atS: 0, ...(event as object) } : event;
  checkEvent(withTime, "command", Infinity, indexCabinet(config), (path, message) => issues.push({ path, message }));
  return issues;
}
