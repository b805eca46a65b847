import { checkValue, joinPath, show, type ConfigIssue, type FieldRule, type FieldSpec } from "./schema";
import { defaultModuleRating, defaultPolicy, defaultSafety, defaultSiteLimits, defaultTiming } from "./defaults";
import type { CabinetConfig, CabinetConfigDocument } from "./types";
import { validateMqttConfig } from "../mqtt/config";

export type { ConfigIssue } from "./schema";

/** Thrown by parseCabinetConfig; carries every problem found, not just the first. */
export class ConfigError extends Error {
  // A field, not `this.name = ...`: on a device Error.prototype is frozen and the assignment throws.
  override name = "ConfigError";
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(`invalid cabinet configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` + issues.map(formatIssue).join("\n"));
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`;
}

const num = (extra: Omit<Extract<FieldSpec, { kind: "number" }>, "kind"> = {}): FieldSpec => ({ kind: "number", ...extra });
const nonNegative = num({ min: 0 });
const positive = num({ min: 0, exclusiveMin: true });
const id = num({ integer: true, min: 1 });
const name: FieldSpec = { kind: "string", nonEmpty: true };
const req = (spec: FieldSpec): FieldRule => ({ spec });
const opt = (spec: FieldSpec): FieldRule => ({ spec, optional: true });

const moduleRatingFields: Record<string, FieldRule> = {
  minVoltageV: opt(positive),
  maxVoltageV: opt(positive),
  maxCurrentA: opt(positive),
  derateStartTempC: opt(num()),
  tripTempC: opt(num()),
  protocol: opt({ kind: "literal", values: ["sim", "infypower", "uugreen", "winline"] }),
};

const policyFields: Record<string, FieldRule> = {
  minModulesPerGun: opt(num({ integer: true, min: 0 })),
  maxModulesPerGun: opt(num({ integer: true, min: 1 })),
  moduleCountThresholds: opt({ kind: "array", of: positive, minLength: 1 }),
  moduleHoldS: opt(nonNegative),
  moduleHysteresisFraction: opt(num({ min: 0, max: 1 })),
  repartitionMinGainKW: opt(nonNegative),
  switchingCurrentA: opt(positive),
  prechargeToleranceV: opt(positive),
  prechargeTimeoutMs: opt(positive),
  contactorFeedbackTimeoutMs: opt(positive),
  zeroCurrentTimeoutMs: opt(positive),
  currentRampAPerS: opt(positive),
  idleRingMc: opt({ kind: "literal", values: ["closed", "open"] }),
  multiSlotIslands: opt({ kind: "boolean" }),
  minVoltageForCurrentV: opt(positive),
};

const timingFields: Record<string, FieldRule> = {
  fastPeriodMs: opt(num({ integer: true, min: 1 })),
  controlPeriodMs: opt(num({ integer: true, min: 1 })),
  telemetryPeriodMs: opt(num({ integer: true, min: 1 })),
  modulePollPeriodMs: opt(num({ integer: true, min: 1 })),
  limitValidityMs: opt(positive),
};

const safetyFields: Record<string, FieldRule> = {
  insulationFaultOhm: opt(positive),
  insulationWarningOhm: opt(positive),
  overVoltageBands: opt({
    kind: "array",
    minLength: 1,
    of: { kind: "object", fields: { evMaxVoltageUpToV: req({ kind: "nullable", of: positive }), emergencyTripV: req(positive) } },
  }),
  overVoltageEmergencyMs: opt(positive),
  evOverVoltageErrorMs: opt(positive),
  evOverVoltageShutdownMs: opt(positive),
  overCurrentFactor: opt(num({ min: 1 })),
  islandOverCurrentA: opt(positive),
  connectorTripTempC: opt(num()),
  implausibleVoltageDeltaV: opt(positive),
  cableCheckMaxStartV: opt(positive),
  cableCheckCurrentLimitA: opt(positive),
  moduleCommsTimeoutMs: opt(positive),
};

const documentSpec: FieldSpec = {
  kind: "object",
  fields: {
    schemaVersion: req({ kind: "literal", values: [1] }),
    chargerId: req(name),
    topology: req({ kind: "literal", values: ["ring", "matrix"] }),
    modulePowerKW: req(positive),
    moduleRating: opt({ kind: "object", fields: moduleRatingFields }),
    slots: opt({
      kind: "array",
      of: {
        kind: "object",
        fields: {
          id: req(id),
          modules: req({
            kind: "array",
            of: { kind: "object", fields: { id: req(name), mn: req(name), address: opt(num({ integer: true, min: 0 })) } },
          }),
          gunId: req({ kind: "nullable", of: id }),
          mc: req(name),
          cw: req(id),
          ccw: req(id),
        },
      },
    }),
    matrix: opt({
      kind: "nullable",
      of: {
        kind: "object",
        fields: {
          modules: req({
            kind: "array",
            minLength: 1,
            of: { kind: "object", fields: { id: req(name), address: opt(num({ integer: true, min: 0 })) } },
          }),
          rows: req({
            kind: "array",
            of: {
              kind: "object",
              fields: {
                moduleId: req(name),
                links: req({ kind: "array", of: { kind: "object", fields: { gunId: req(id), contactor: req(name) } } }),
              },
            },
          }),
        },
      },
    }),
    guns: req({
      kind: "array",
      minLength: 1,
      of: {
        kind: "object",
        fields: {
          id: req(id),
          slotId: opt(id),
          gc: req(name),
          maxVoltageV: req(positive),
          minVoltageV: req(positive),
          maxCurrentA: req(positive),
          maxPowerKW: opt(positive),
          priorityDefault: req(num({ integer: true, min: 0 })),
        },
      },
    }),
    siteLimits: req({
      kind: "object",
      fields: {
        gridPowerLimitKW: req(nonNegative),
        defaultVoltageV: opt(positive),
        externalLimitKW: opt({ kind: "nullable", of: nonNegative }),
      },
    }),
    policy: opt({ kind: "object", fields: policyFields }),
    timing: opt({ kind: "object", fields: timingFields }),
    safety: opt({ kind: "object", fields: safetyFields }),
  },
};

/** Records which path first used an id, so a second use can name both places. */
class IdRegistry {
  private readonly firstUse = new Map<string, string>();
  constructor(private readonly what: string, private readonly issues: ConfigIssue[]) {}
  claim(value: string | number, path: string): void {
    const key = String(value);
    const first = this.firstUse.get(key);
    if (first !== undefined) {
      this.issues.push({ path, message: `${this.what} ${show(value)} is already used at ${first}` });
    } else {
      this.firstUse.set(key, path);
    }
  }
}

/** Semantic checks on a structurally valid document with its defaults applied. */
function checkSemantics(config: CabinetConfig, issues: ConfigIssue[]): void {
  const gunIds = new IdRegistry("gun id", issues);
  config.guns.forEach((gun, i) => gunIds.claim(gun.id, `guns[${i}].id`));
  const knownGuns = new Map(config.guns.map((g) => [g.id, g]));

  // Every contactor id is unique across GC, MC, MN and matrix links; module ids likewise.
  const contactorIds = new IdRegistry("contactor id", issues);
  const moduleIds = new IdRegistry("module id", issues);
  config.guns.forEach((gun, i) => contactorIds.claim(gun.gc, `guns[${i}].gc`));

  config.guns.forEach((gun, i) => {
    if (gun.minVoltageV > gun.maxVoltageV) {
      issues.push({ path: `guns[${i}].minVoltageV`, message: `${gun.minVoltageV} V is above maxVoltageV ${gun.maxVoltageV} V` });
    }
  });

  if (config.topology === "ring") checkRing(config, issues, knownGuns, contactorIds, moduleIds);
  else checkMatrix(config, issues, knownGuns, contactorIds, moduleIds);

  const r = config.moduleRating;
  if (r.minVoltageV > r.maxVoltageV) {
    issues.push({ path: "moduleRating.minVoltageV", message: `${r.minVoltageV} V is above maxVoltageV ${r.maxVoltageV} V` });
  }
  if (r.derateStartTempC >= r.tripTempC) {
    issues.push({ path: "moduleRating.derateStartTempC", message: `${r.derateStartTempC} °C must be below tripTempC ${r.tripTempC} °C` });
  }

  const p = config.policy;
  if (p.minModulesPerGun > p.maxModulesPerGun) {
    issues.push({ path: "policy.minModulesPerGun", message: `${p.minModulesPerGun} is above maxModulesPerGun ${p.maxModulesPerGun}` });
  }
  for (let i = 1; i < p.moduleCountThresholds.length; i++) {
    if (p.moduleCountThresholds[i] <= p.moduleCountThresholds[i - 1]) {
      issues.push({
        path: `policy.moduleCountThresholds[${i}]`,
        message: `thresholds must increase, got ${p.moduleCountThresholds[i]} after ${p.moduleCountThresholds[i - 1]}`,
      });
    }
  }
  if (config.topology === "ring" && p.maxModulesPerGun > 0 && !p.multiSlotIslands) {
    const most = Math.max(0, ...config.slots.map((s) => s.modules.length));
    if (p.minModulesPerGun > most) {
      issues.push({ path: "policy.minModulesPerGun", message: `${p.minModulesPerGun} cannot be met: a slot holds at most ${most} modules and multiSlotIslands is off` });
    }
  }

  const t = config.timing;
  if (t.controlPeriodMs < t.fastPeriodMs) {
    issues.push({ path: "timing.controlPeriodMs", message: `${t.controlPeriodMs} ms is shorter than fastPeriodMs ${t.fastPeriodMs} ms` });
  }
  if (t.modulePollPeriodMs > 1000) {
    issues.push({ path: "timing.modulePollPeriodMs", message: `${t.modulePollPeriodMs} ms: modules must be polled at least every 1000 ms` });
  }

  const s = config.safety;
  if (s.insulationWarningOhm < s.insulationFaultOhm) {
    issues.push({ path: "safety.insulationWarningOhm", message: `${s.insulationWarningOhm} Ω is below insulationFaultOhm ${s.insulationFaultOhm} Ω` });
  }
  s.overVoltageBands.forEach((band, i) => {
    const last = i === s.overVoltageBands.length - 1;
    if (band.evMaxVoltageUpToV === null && !last) {
      issues.push({ path: `safety.overVoltageBands[${i}].evMaxVoltageUpToV`, message: "null (open-ended) is allowed on the last band only" });
    }
    if (last && band.evMaxVoltageUpToV !== null) {
      issues.push({ path: `safety.overVoltageBands[${i}].evMaxVoltageUpToV`, message: `the last band must be open-ended (null), got ${band.evMaxVoltageUpToV}` });
    }
    const prev = s.overVoltageBands[i - 1];
    if (prev && prev.evMaxVoltageUpToV !== null && band.evMaxVoltageUpToV !== null && band.evMaxVoltageUpToV <= prev.evMaxVoltageUpToV) {
      issues.push({ path: `safety.overVoltageBands[${i}].evMaxVoltageUpToV`, message: `bands must increase, got ${band.evMaxVoltageUpToV} after ${prev.evMaxVoltageUpToV}` });
    }
    if (band.evMaxVoltageUpToV !== null && band.emergencyTripV <= band.evMaxVoltageUpToV) {
      issues.push({ path: `safety.overVoltageBands[${i}].emergencyTripV`, message: `${band.emergencyTripV} V must be above the band's ${band.evMaxVoltageUpToV} V` });
    }
  });
}

function checkRing(
  config: CabinetConfig,
  issues: ConfigIssue[],
  knownGuns: Map<number, CabinetConfig["guns"][number]>,
  contactorIds: IdRegistry,
  moduleIds: IdRegistry,
): void {
  if (config.slots.length < 2) {
    issues.push({ path: "slots", message: `a ring needs at least 2 slots, got ${config.slots.length}` });
  }
  if (config.matrix !== null) issues.push({ path: "matrix", message: "must be null or absent for topology \"ring\"" });
  const slotIds = new IdRegistry("slot id", issues);
  config.slots.forEach((slot, i) => slotIds.claim(slot.id, `slots[${i}].id`));
  const slotsById = new Map(config.slots.map((s) => [s.id, s]));

  const gunOnSlot = new Map<number, string>();
  config.slots.forEach((slot, i) => {
    const at = `slots[${i}]`;
    contactorIds.claim(slot.mc, `${at}.mc`);
    slot.modules.forEach((m, k) => {
      moduleIds.claim(m.id, `${at}.modules[${k}].id`);
      contactorIds.claim(m.mn, `${at}.modules[${k}].mn`);
    });
    for (const side of ["cw", "ccw"] as const) {
      const neighbour = slotsById.get(slot[side]);
      if (!neighbour) {
        issues.push({ path: `${at}.${side}`, message: `slot ${slot[side]} does not exist` });
        continue;
      }
      if (neighbour.id === slot.id) {
        issues.push({ path: `${at}.${side}`, message: `slot ${slot.id} cannot be its own neighbour` });
        continue;
      }
      const back = side === "cw" ? neighbour.ccw : neighbour.cw;
      if (back !== slot.id) {
        const other = side === "cw" ? "ccw" : "cw";
        issues.push({ path: `${at}.${side}`, message: `slot ${slot[side]} is not mutual: slot ${neighbour.id}.${other} is ${back}, not ${slot.id}` });
      }
    }
    if (slot.gunId !== null) {
      const gun = knownGuns.get(slot.gunId);
      if (!gun) issues.push({ path: `${at}.gunId`, message: `gun ${slot.gunId} does not exist` });
      const earlier = gunOnSlot.get(slot.gunId);
      if (earlier !== undefined) issues.push({ path: `${at}.gunId`, message: `gun ${slot.gunId} is already on ${earlier}` });
      else gunOnSlot.set(slot.gunId, at);
    }
  });

  // Following cw links from the first slot must visit every slot exactly once and come back.
  if (config.slots.length >= 2 && config.slots.every((s) => slotsById.has(s.cw))) {
    const start = config.slots[0].id;
    const seen = new Set<number>();
    let current = start;
    while (!seen.has(current)) {
      seen.add(current);
      current = slotsById.get(current)!.cw;
    }
    if (current !== start || seen.size !== slotsById.size) {
      const missing = config.slots.filter((s) => !seen.has(s.id)).map((s) => s.id);
      issues.push({
        path: "slots",
        message: `cw links do not close one ring through all slots: from slot ${start} they visit [${[...seen].join(", ")}]` +
          (missing.length ? `, never reaching [${missing.join(", ")}]` : `, then return to slot ${current}`),
      });
    }
  }

  const slotsOfGun = new Map<number, number>();
  config.guns.forEach((gun, i) => {
    const at = `guns[${i}]`;
    if (gun.slotId === undefined) {
      issues.push({ path: `${at}.slotId`, message: `gun ${gun.id} has no slot (required for topology "ring")` });
      return;
    }
    const slot = slotsById.get(gun.slotId);
    if (!slot) {
      issues.push({ path: `${at}.slotId`, message: `slot ${gun.slotId} does not exist` });
      return;
    }
    if (slot.gunId !== gun.id) {
      issues.push({ path: `${at}.slotId`, message: `slot ${gun.slotId} names gun ${show(slot.gunId)}, not gun ${gun.id}` });
    }
    const other = slotsOfGun.get(gun.slotId);
    if (other !== undefined) issues.push({ path: `${at}.slotId`, message: `slot ${gun.slotId} already carries gun ${other}` });
    else slotsOfGun.set(gun.slotId, gun.id);
  });
}

function checkMatrix(
  config: CabinetConfig,
  issues: ConfigIssue[],
  knownGuns: Map<number, CabinetConfig["guns"][number]>,
  contactorIds: IdRegistry,
  moduleIds: IdRegistry,
): void {
  if (config.slots.length > 0) issues.push({ path: "slots", message: "must be empty or absent for topology \"matrix\"" });
  const matrix = config.matrix;
  if (!matrix) {
    issues.push({ path: "matrix", message: "is required for topology \"matrix\"" });
    return;
  }
  matrix.modules.forEach((m, i) => moduleIds.claim(m.id, `matrix.modules[${i}].id`));
  const known = new Set(matrix.modules.map((m) => m.id));
  const rowOf = new Map<string, string>();
  matrix.rows.forEach((row, i) => {
    const at = `matrix.rows[${i}]`;
    if (!known.has(row.moduleId)) issues.push({ path: `${at}.moduleId`, message: `module ${show(row.moduleId)} does not exist` });
    const earlier = rowOf.get(row.moduleId);
    if (earlier !== undefined) issues.push({ path: `${at}.moduleId`, message: `module ${show(row.moduleId)} already has a row at ${earlier}` });
    else rowOf.set(row.moduleId, at);
    const linked = new Set<number>();
    row.links.forEach((link, k) => {
      const lp = `${at}.links[${k}]`;
      if (!knownGuns.has(link.gunId)) issues.push({ path: `${lp}.gunId`, message: `gun ${link.gunId} does not exist` });
      if (linked.has(link.gunId)) issues.push({ path: `${lp}.gunId`, message: `gun ${link.gunId} is linked twice to module ${show(row.moduleId)}` });
      linked.add(link.gunId);
      contactorIds.claim(link.contactor, `${lp}.contactor`);
    });
  });
  matrix.modules.forEach((m, i) => {
    if (!rowOf.has(m.id)) issues.push({ path: `matrix.modules[${i}].id`, message: `module ${show(m.id)} has no row in matrix.rows` });
  });
  config.guns.forEach((gun, i) => {
    if (gun.slotId !== undefined) issues.push({ path: `guns[${i}].slotId`, message: `must be absent for topology "matrix", got ${gun.slotId}` });
  });
}

/** Applies defaults to a structurally valid document. */
function withDefaults(doc: CabinetConfigDocument): CabinetConfig {
  return {
    schemaVersion: 1,
    chargerId: doc.chargerId,
    topology: doc.topology,
    modulePowerKW: doc.modulePowerKW,
    moduleRating: { ...defaultModuleRating(), ...doc.moduleRating },
    slots: Array.isArray(doc.slots) ? doc.slots : [],
    matrix: doc.matrix ?? null,
    guns: Array.isArray(doc.guns) ? doc.guns : [],
    siteLimits: { ...defaultSiteLimits(), ...doc.siteLimits },
    policy: { ...defaultPolicy(), ...doc.policy },
    timing: { ...defaultTiming(), ...doc.timing },
    safety: { ...defaultSafety(), ...doc.safety },
  };
}

export type ConfigResult = { ok: true; config: CabinetConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates a whole document and returns either a complete, defaulted, deep-frozen
 * config or every problem found. Nothing is partly applied: the input is copied.
 */
export function validateCabinetConfig(document: unknown): ConfigResult {
  const issues: ConfigIssue[] = [];
  // The optional `mqtt` block has its own validator (src/mqtt/config.ts); the rest of the document the schema walker.
  const { rest: cabinetPart, mqtt: mqttBlock } = splitMqttBlock(document);
  checkValue(cabinetPart, documentSpec, "", issues);
  let structural = issues.length;
  let config: CabinetConfig | undefined;
  if (cabinetPart !== null && typeof cabinetPart === "object" && !Array.isArray(cabinetPart)) {
    config = withDefaults(JSON.parse(JSON.stringify(cabinetPart)) as CabinetConfigDocument);
    if (mqttBlock !== undefined) {
      const gunIds = config.guns.filter((g) => g !== null && typeof g === "object").map((g) => g.id);
      const mqtt = validateMqttConfig(JSON.parse(JSON.stringify(mqttBlock)), { gunIds, path: "mqtt" });
      if (mqtt.ok) config.mqtt = mqtt.config;
      else {
        issues.push(...mqtt.issues);
        structural += mqtt.issues.length;
      }
    }
    // Semantic checks run even on a structurally broken document, so that every
    // problem is reported at once; a shape too broken to reason about ends them early.
    const semantic: ConfigIssue[] = [];
    try {
      checkSemantics(config, semantic);
    } catch {
      // the structural issues already describe why
    }
    const flagged = issues.map((i) => i.path);
    for (const issue of semantic) {
      if (!flagged.some((p) => issue.path === p || issue.path.startsWith(p + ".") || issue.path.startsWith(p + "["))) issues.push(issue);
    }
  }
  if (issues.length > 0 || !config || structural > 0) return { ok: false, issues };
  return { ok: true, config: deepFreeze(config) };
}

function splitMqttBlock(document: unknown): { rest: unknown; mqtt: unknown } {
  if (document === null || typeof document !== "object" || Array.isArray(document) || !("mqtt" in document)) return { rest: document, mqtt: undefined };
  const { mqtt, ...rest } = document as Record<string, unknown>;
  return { rest, mqtt };
}

/** Like validateCabinetConfig but throws a ConfigError listing every problem. */
export function parseCabinetConfig(document: unknown): CabinetConfig {
  const result = validateCabinetConfig(document);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export { joinPath };
