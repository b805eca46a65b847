/**
 * Everything the search needs, derived once per plan from (config, observed, previousPlan):
 * clamped requests, derated module powers, contactor faults, previous positions.
 * Bad observation values are replaced by safe ones and reported, never thrown.
 */
import type { CabinetConfig, GunConfig } from "../config/types";
import type { ContactorFault, ContactorPosition, GunObservation, Plan, PlanObservation } from "./types";
import { deratingFactor, gunRatingKW } from "./limits";
import type { ModuleCandidate } from "./modules";
import { previousShare, type ContextPool } from "./plan-share";

export interface ActiveGun {
  /** Index in config.guns. */
  gunIndex: number;
  config: GunConfig;
  observation: GunObservation;
  ratingKW: number;
  /** min(request, rating, external limit), >= 0. */
  clampedKW: number;
  /** 1 + priority. */
  weight: number;
  /** Module count the cable can use at most (seed 000 B.1 max_by_cable). */
  cableCount: number;
  /** Why the gun cannot be served at all (GC fault), or null. */
  blockedBy: string | null;
}

export interface PlanContext {
  config: CabinetConfig;
  observed: PlanObservation;
  previous: Plan | null;
  nowMs: number;
  /** min(grid limit, site external limit). */
  sharedLimitKW: number;
  sharedLimitName: string;
  active: ActiveGun[];
  /**
   * Candidates (healthy, not tripped, contactor usable) by ModuleCandidate.index (config
   * order); undefined = unusable. By index, not by id: the ring reads them by slot, and a
   * Map per plan would cost its sets.
   */
  usableAt: (ModuleCandidate | undefined)[];
  usableTotalKW: number;
  /** Modules of the cabinet (usable or not): ModuleCandidate.index is below it. */
  moduleCount: number;
  faults: Record<string, ContactorFault>;
  /** Previous desired position, or the rest position (NC closed, NO open) without a previous plan. */
  previousPosition(contactorId: string, normallyClosed: boolean): ContactorPosition;
  /**
   * The previous plan's contactor positions in record order (ring: each slot's MNs then its
   * MC, slots in config order; matrix: every link; then the GCs in config gun order), from
   * its share, when they are exactly its `contactors` record (no contactor fault took part
   * and the plan still holds the record the share was made with); null otherwise. Then
   * previousPosition(id) is previousAt[record index of id]: read by index, no key lookup.
   */
  previousAt: readonly ContactorPosition[] | null;
  /** How many modules were on in the previous plan (distinct ids of its modulesOn). */
  previousOnCount: number;
  /** Any contactor fault at all (most cycles have none: lookups in `faults` are skipped). */
  anyFault: boolean;
  /** Problems found in the observation (field and value), already worked around. */
  issues: string[];
}

/** The value if it is a finite number >= min; otherwise records the problem and uses fallback. */
function finiteOr(value: unknown, fallback: number, list: string, at: number | string | null, name: string, issues: string[], min = -Infinity): number {
  // value - value === 0 is Number.isFinite without a call (NaN and ±Infinity give NaN).
  if (typeof value === "number" && value >= min && value - value === 0) return value;
  // The field name is built only here: this runs for every gun and module each cycle.
  issues.push(`${at === null ? "" : `${list}[${at}].`}${name}: invalid value ${String(value)}, using ${fallback}`);
  return fallback;
}

/**
 * @param pool the plan chain's working objects (plan-share.ts ContextPool), refilled here
 *   instead of new ActiveGun / ModuleCandidate objects each plan; null: all new (tests,
 *   tools). Only plan() passes one: the context and what the search builds from it live
 *   for that one call, and no plan or share keeps a reference to a pooled object.
 */
export function buildContext(config: CabinetConfig, observed: PlanObservation, previous: Plan | null, pool: ContextPool | null = null): PlanContext {
  const issues: string[] = [];
  const faults = observed.contactorFaults ?? {};
  let anyFault = false;
  for (const id in faults) {
    void id;
    anyFault = true;
    break;
  }
  const nowMs = finiteOr(observed.nowMs, previous ? previous.nowMs : 0, "", null, "nowMs", issues);
  const gridKW = finiteOr(observed.gridLimitKW, 0, "", null, "gridLimitKW", issues, 0);
  const siteRaw = observed.siteExternalLimitKW ?? config.siteLimits.externalLimitKW;
  const siteKW = siteRaw === null ? Infinity : finiteOr(siteRaw, 0, "", null, "siteExternalLimitKW", issues, 0);
  const sharedLimitKW = Math.min(gridKW, siteKW);
  // The previous plan's records for this same config (plan-share.ts), or null.
  const share = previousShare(previous, config);
  const sharedLimitName = share !== null ? share.limitName.nameFor(gridKW, siteKW) : limitNameOf(gridKW, siteKW);

  // Runs every plan (XS): indexed loops, no closures per gun or module.
  const gunList = observed.guns ?? [];
  // Observed guns listed in config order (the controller's case): gun i is entry i. Otherwise
  // a Map (the last entry with an id wins).
  let observedGuns: Map<number, number> | null = null;
  if (!gunsInConfigOrder(config, gunList)) {
    observedGuns = new Map<number, number>();
    for (let at = 0; at < gunList.length; at++) observedGuns.set(gunList[at].id, at);
  }
  const active: ActiveGun[] = pool !== null ? pool.active : [];
  // Written by index, the length stored once at the end and only when it changes (a length
  // store is a call out of optimized code in V8; the pooled list keeps its length most cycles).
  let activeCount = 0;
  for (let gunIndex = 0; gunIndex < config.guns.length; gunIndex++) {
    const gun = config.guns[gunIndex];
    const at = observedGuns === null ? gunIndex : observedGuns.get(gun.id);
    if (at === undefined || !gunList[at].active) continue;
    const obs = gunList[at];
    // Valid values inline, as for modules below.
    const r = obs.requestKW;
    const requestKW = typeof r === "number" && r >= 0 && r - r === 0 ? r : finiteOr(r, 0, "guns", at, "requestKW", issues, 0);
    const v = obs.evVoltageV;
    const evVoltageV = typeof v === "number" && v >= 0 && v - v === 0 ? v : finiteOr(v, 0, "guns", at, "evVoltageV", issues, 0);
    const q = obs.priority;
    const priority = typeof q === "number" && q >= 0 && q - q === 0 ? q : finiteOr(q, 0, "guns", at, "priority", issues, 0);
    const limitKW = obs.externalLimitKW === null || obs.externalLimitKW === undefined
      ? Infinity
      : finiteOr(obs.externalLimitKW, 0, "guns", at, "externalLimitKW", issues, 0);
    const ratingKW = gunRatingKW(gun, evVoltageV, config.siteLimits.defaultVoltageV);
    const clampedKW = Math.max(0, Math.min(requestKW, ratingKW, limitKW));
    const gcFault = anyFault ? faults[gun.gc] : undefined;
    const blockedBy = gcFault === "stuckOpen" || gcFault === "feedbackFault" ? `${gun.gc} ${gcFault}` : null;
    const externalLimitKW = limitKW === Infinity ? null : limitKW;
    const cableCount = Math.max(1, Math.ceil(ratingKW / config.modulePowerKW - 1e-9));
    const pooled = pool !== null ? pool.activeByGun[gunIndex] : undefined;
    if (pooled === undefined) {
      const entry: ActiveGun = {
        gunIndex,
        config: gun,
        // The fields of GunObservation, spelled out: a spread of the observation costs more.
        observation: {
          id: obs.id, active: obs.active, charging: obs.charging, requestKW, evVoltageV, measuredVoltageV: obs.measuredVoltageV,
          priority, externalLimitKW,
        },
        ratingKW,
        clampedKW,
        weight: 1 + priority,
        cableCount,
        blockedBy,
      };
      if (pool !== null) pool.activeByGun[gunIndex] = entry;
      active[activeCount++] = entry;
    } else {
      // The same fields as the literal above, written into this gun's pooled entry.
      pooled.gunIndex = gunIndex;
      pooled.config = gun;
      const o = pooled.observation;
      o.id = obs.id;
      o.active = obs.active;
      o.charging = obs.charging;
      o.requestKW = requestKW;
      o.evVoltageV = evVoltageV;
      o.measuredVoltageV = obs.measuredVoltageV;
      o.priority = priority;
      o.externalLimitKW = externalLimitKW;
      pooled.ratingKW = ratingKW;
      pooled.clampedKW = clampedKW;
      pooled.weight = 1 + priority;
      pooled.cableCount = cableCount;
      pooled.blockedBy = blockedBy;
      active[activeCount++] = pooled;
    }
  }

  if (active.length !== activeCount) active.length = activeCount;

  const moduleList = observed.modules ?? [];
  // Which modules were on, and since when: by module index from the previous plan's share
  // (the same config numbers its modules the same way) while the plan still holds the very
  // records the share was made with; else from its records by id.
  const onShare = share !== null && previous !== null && previous.modulesOn === share.modulesOn && previous.moduleOnSinceMs === share.moduleOnSinceMs ? share : null;
  const previousOn = onShare !== null ? null : new Set<string>(previous ? previous.modulesOn : []);
  const previousOnCount = onShare !== null ? onShare.onCount : previousOn!.size;
  // Pooled: every module index below moduleCount is written (a candidate or undefined).
  const usableAt: (ModuleCandidate | undefined)[] = pool !== null ? pool.usableAt : [];
  let usableTotalKW = 0;
  let index = 0;
  const rating = config.moduleRating;
  // Observed modules listed in config order (the controller's case): module i is entry i.
  // Otherwise a Map (the last entry with an id wins).
  let moduleObs: Map<string, PlanObservation["modules"][number]> | null = null;
  if (!modulesInConfigOrder(config, moduleList)) {
    moduleObs = new Map<string, PlanObservation["modules"][number]>();
    for (let i = 0; i < moduleList.length; i++) moduleObs.set(moduleList[i].id, moduleList[i]);
  }
  /** contactor: the module's own switch (ring MN), whose fault makes it unusable. */
  const consider = (id: string, contactor: string | null) => {
    const at = index++;
    usableAt[at] = undefined;
    const obs = moduleObs === null ? moduleList[at] : moduleObs.get(id);
    let tempC = 25;
    let hours = 0;
    if (obs) {
      if (obs.healthy !== true) return;
      // Valid values inline (a call per field per module per cycle counts in XS); finiteOr
      // for the rest, which records the problem.
      const t = obs.tempC;
      tempC = typeof t === "number" && t - t === 0 ? t : finiteOr(t, rating.tripTempC, "modules", id, "tempC", issues);
      const h = obs.operatingHours;
      hours = h === undefined ? 0 : typeof h === "number" && h >= 0 && h - h === 0 ? h : finiteOr(h, 0, "modules", id, "operatingHours", issues, 0);
    }
    const powerKW = config.modulePowerKW * deratingFactor(tempC, rating);
    if (powerKW <= 0 || (contactor !== null && anyFault && faults[contactor] !== undefined)) return;
    let wasOn: boolean;
    let since: number;
    if (onShare !== null) {
      // The share's on-since time of a module on is its moduleOnSinceMs entry (buildPlan).
      wasOn = onShare.isOn[at];
      since = wasOn ? onShare.onSince[at] : -1;
    } else {
      wasOn = previousOn!.has(id);
      since = previous && wasOn ? previous.moduleOnSinceMs[id] ?? nowMs : -1;
    }
    const pooled = pool !== null ? pool.candidateAt[at] : undefined;
    if (pooled === undefined) {
      const candidate: ModuleCandidate = { id, index: at, powerKW, tempC, operatingHours: hours, wasOn, onSinceMs: since };
      if (pool !== null) pool.candidateAt[at] = candidate;
      usableAt[at] = candidate;
    } else {
      // The same fields as the literal above, into this module's pooled candidate.
      pooled.id = id;
      pooled.index = at;
      pooled.powerKW = powerKW;
      pooled.tempC = tempC;
      pooled.operatingHours = hours;
      pooled.wasOn = wasOn;
      pooled.onSinceMs = since;
      usableAt[at] = pooled;
    }
    usableTotalKW += powerKW;
  };
  if (config.topology === "ring") {
    for (let i = 0; i < config.slots.length; i++) {
      const modules = config.slots[i].modules;
      for (let t = 0; t < modules.length; t++) consider(modules[t].id, modules[t].mn);
    }
  } else if (config.matrix) {
    for (let i = 0; i < config.matrix.modules.length; i++) consider(config.matrix.modules[i].id, null);
  }

  if (usableAt.length !== index) usableAt.length = index;
  const previousContactors = previous ? previous.contactors : null;
  // Every contactor of the config is in a shared record (buildPlan), so the positions by
  // record index answer previousPosition for every id.
  const previousAt = share !== null && share.positions !== null && previousContactors === share.contactors ? share.positions : null;
  return {
    config,
    observed,
    previous,
    nowMs,
    sharedLimitKW,
    sharedLimitName,
    active,
    usableAt,
    usableTotalKW,
    moduleCount: index,
    faults,
    previousOnCount,
    anyFault,
    issues,
    previousAt,
    previousPosition(id: string, normallyClosed: boolean): ContactorPosition {
      const p = previousContactors ? previousContactors[id] : undefined;
      if (p !== undefined) return p;
      return normallyClosed ? "closed" : "open";
    },
  };
}

/** The shared limit's name for reasons (a number printed: cached per plan chain, see LimitNameCache). */
export function limitNameOf(gridKW: number, siteKW: number): string {
  return siteKW < gridKW ? `site limit ${round1(siteKW)} kW` : `grid limit ${round1(gridKW)} kW`;
}

/**
 * limitNameOf for the limits of the last call: plans of one chain hand it on (plan-share.ts),
 * and the limits change rarely, so the name is printed once per change instead of per plan.
 * A pure function of the two numbers compared (Object.is: -0 and NaN as they are).
 */
export class LimitNameCache {
  private gridKW = NaN;
  private siteKW = NaN;
  private text = "";
  nameFor(gridKW: number, siteKW: number): string {
    if (!Object.is(gridKW, this.gridKW) || !Object.is(siteKW, this.siteKW)) {
      this.gridKW = gridKW;
      this.siteKW = siteKW;
      this.text = limitNameOf(gridKW, siteKW);
    }
    return this.text;
  }
}

/** Exactly one observed gun per config gun, in config order. */
function gunsInConfigOrder(config: CabinetConfig, list: readonly GunObservation[]): boolean {
  const guns = config.guns;
  if (list.length !== guns.length) return false;
  for (let i = 0; i < guns.length; i++) if (list[i].id !== guns[i].id) return false;
  return true;
}

/** Exactly one observed module per config module, in config (module index) order. */
function modulesInConfigOrder(config: CabinetConfig, list: PlanObservation["modules"]): boolean {
  let at = 0;
  if (config.topology === "ring") {
    for (let i = 0; i < config.slots.length; i++) {
      const modules = config.slots[i].modules;
      for (let t = 0; t < modules.length; t++, at++) if (at >= list.length || list[at].id !== modules[t].id) return false;
    }
  } else if (config.matrix) {
    const modules = config.matrix.modules;
    for (; at < modules.length; at++) if (at >= list.length || list[at].id !== modules[at].id) return false;
  }
  return at === list.length;
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
