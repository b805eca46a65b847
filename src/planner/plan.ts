/**
 * plan(config, observed, previousPlan) -> Plan (issue 3). Pure and deterministic.
 *
 * 1. Algorithm A: clamp requests (rating at the EV voltage, request, external limit) and
 *    share min(grid, site) by exact weighted water-filling.
 * 2. Algorithm D (with B and C inside): choose islands (ring) or module sets (matrix) by the
 *    objective order served power > fairness > fewest modules > fewest contactor changes.
 * 3. Stability: a charging gun keeps its island unless moving it gains more than
 *    policy.repartitionMinGainKW (then it is listed in Plan.repartition); modules are not
 *    dropped within moduleHoldS of switching on nor inside the hysteresis band. Power
 *    step-downs are never delayed: a kept module only adds headroom, never power.
 * 4. Algorithm E: voltage, power setpoint and ramped current limit.
 */
import type { CabinetConfig } from "../config/types";
import type { ContactorPosition, GunPlan, Plan, PlanObservation } from "./types";
import type { Allocation, GunAllocation } from "./allocation";
import { LimitNameCache, buildContext, type PlanContext } from "./context";
import { EPSILON_KW } from "./limits";
import { moduleCountFor, selectModules, type ModuleCandidate } from "./modules";
import { ringPlanSolver, sameSlots, type RingGeometry } from "./ring";
import { matrixPlan } from "./matrix";
import { ReasonMemo, reasonFor } from "./reason";
import { PlanScratch, attachShare, previousShare, sameArray, sameTimes } from "./plan-share";

export function plan(config: CabinetConfig, observed: PlanObservation, previousPlan: Plan | null): Plan {
  // The chain's working lists and objects (plan-share.ts), handed on from plan to plan.
  const chainShare = previousShare(previousPlan, config);
  const scratch = chainShare !== null ? chainShare.scratch : new PlanScratch();
  const ctx = buildContext(config, observed, previousPlan, scratch.context);
  const previousGun = previousGuns(config, previousPlan);
  let allocation: Allocation;
  const repartition: number[] = [];
  let geometry: RingGeometry | null = null;

  if (config.topology === "ring") {
    // The islands' geometry is reused from the previous plan when all its inputs are the same.
    const ring = ringPlanSolver(ctx, chainShare !== null ? chainShare.ringGeometry : null);
    const solver = ring.solver;
    geometry = ring.geometry;
    allocation = solver.search(null);
    // Charging guns and the island they are charging on now, by config gun index (indexed
    // loops: this runs every plan, and callbacks cost a call per gun in XS). The Map the
    // search takes is built only when it runs again.
    const charging: (readonly number[] | undefined)[] = new Array(config.guns.length);
    let anyCharging = false;
    for (let i = 0; i < ctx.active.length; i++) {
      const g = ctx.active[i];
      const before = previousGun[g.gunIndex];
      if (g.observation.charging && before && before.islandSlots.length > 0 && before.setpointKW > 0) {
        charging[g.gunIndex] = before.islandSlots;
        anyCharging = true;
      }
    }
    let moved = anyCharging ? movedGuns(allocation, charging) : [];
    if (moved.length > 0 || (anyCharging && displaced(allocation, charging))) {
      const stay = solver.search(chargingMap(ctx, charging));
      if (allocation.totalKW - stay.totalKW <= config.policy.repartitionMinGainKW + EPSILON_KW) {
        allocation = stay;
        moved = movedGuns(stay, charging);
      }
    }
    for (let i = 0; i < moved.length; i++) repartition.push(moved[i]);
  } else {
    allocation = matrixPlan(ctx);
  }
  if (repartition.length > 1) repartition.sort((a, b) => a - b);
  return buildPlan(ctx, allocation, repartition, previousGun, geometry, scratch);
}

/**
 * Ids of the charging guns that go on with another island (one that loses its island
 * altogether just stops: its budget is 0 and the sequencer ramps it down), in allocation order.
 */
function movedGuns(a: Allocation, charging: readonly (readonly number[] | undefined)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.guns.length; i++) {
    const g = a.guns[i];
    const was = charging[g.active.gunIndex];
    if (was !== undefined && g.islandSlots.length > 0 && !sameSlots(g.islandSlots, was)) out.push(g.active.config.id);
  }
  return out;
}

/**
 * A charging gun whose welded partner takes their shared island stops: that, too, must
 * gain more than the re-partition threshold.
 */
function displaced(a: Allocation, charging: readonly (readonly number[] | undefined)[]): boolean {
  for (let i = 0; i < a.guns.length; i++) {
    const g = a.guns[i];
    if (g.weldedPartner !== undefined && charging[g.active.gunIndex] !== undefined) return true;
  }
  return false;
}

/** The charging guns' islands as the search takes them: gun id -> island, in ctx.active order. */
function chargingMap(ctx: PlanContext, charging: readonly (readonly number[] | undefined)[]): Map<number, readonly number[]> {
  const out = new Map<number, readonly number[]>();
  for (let i = 0; i < ctx.active.length; i++) {
    const g = ctx.active[i];
    const island = charging[g.gunIndex];
    if (island !== undefined) out.set(g.config.id, island);
  }
  return out;
}

/**
 * The previous plan's gun by config gun index. Plans list guns in config order, so the
 * position is checked first; otherwise the last entry with the id wins (as a Map would).
 */
function previousGuns(config: CabinetConfig, previousPlan: Plan | null): readonly (GunPlan | undefined)[] {
  if (!previousPlan) return new Array(config.guns.length);
  const list = previousPlan.guns;
  let inOrder = list.length === config.guns.length;
  for (let i = 0; i < list.length && inOrder; i++) if (list[i].id !== config.guns[i].id) inOrder = false;
  // In config order: the plan's own list is that array (only read, as the plan is).
  if (inOrder) return list;
  const out: (GunPlan | undefined)[] = new Array(config.guns.length);
  const byId = new Map<number, GunPlan>();
  for (let i = 0; i < list.length; i++) byId.set(list[i].id, list[i]);
  for (let i = 0; i < config.guns.length; i++) out[i] = byId.get(config.guns[i].id);
  return out;
}

function buildPlan(ctx: PlanContext, allocation: Allocation, repartition: number[], previousGun: readonly (GunPlan | undefined)[], ringGeometry: RingGeometry | null, scratch: PlanScratch): Plan {
  const { config, previous, nowMs } = ctx;
  const policy = config.policy;
  // Runs every plan (XS): indexed loops, no closures per gun or module.
  const byGunIndex: (GunAllocation | undefined)[] = new Array(config.guns.length);
  for (let i = 0; i < allocation.guns.length; i++) byGunIndex[allocation.guns[i].active.gunIndex] = allocation.guns[i];
  const dtMs = previous ? Math.max(0, nowMs - previous.nowMs) : config.timing.controlPeriodMs;
  const rampStepA = (policy.currentRampAPerS * dtMs) / 1000;
  // By module index (ModuleCandidate.index, config order): since when each module is on
  // (-1 = off) and which gun it serves (matrix links).
  const moduleCount = ctx.moduleCount;
  // The chain's memo of reason texts (reason.ts), handed on with the share like the records.
  const before = previousShare(previous, config);
  const reasons = before !== null ? before.reasons : new ReasonMemo();
  // Working lists of the chain (PlanScratch), cleared here; the share keeps copies (or the
  // previous plan's lists when equal), never these.
  const isOn = scratch.isOn;
  const onSince = scratch.onSince;
  const moduleGun = scratch.moduleGun;
  // A length store is a call out of optimized code in V8: only when it changes (rarely).
  if (isOn.length !== moduleCount) {
    isOn.length = moduleCount;
    onSince.length = moduleCount;
    moduleGun.length = moduleCount;
  }
  for (let i = 0; i < moduleCount; i++) {
    isOn[i] = false;
    onSince[i] = 0;
    moduleGun[i] = -1;
  }
  let onCount = 0;
  const guns: GunPlan[] = [];
  let totalKW = 0;

  for (let gunIndex = 0; gunIndex < config.guns.length; gunIndex++) {
    const gunConfig = config.guns[gunIndex];
    const alloc = byGunIndex[gunIndex];
    const before = previousGun[gunIndex];
    if (!alloc) {
      // An idle gun's plan is all zeros: the previous plan's, when it was that too (plans are
      // values nobody writes, so one object may serve both).
      guns.push(before !== undefined && isIdleGunPlan(before, gunConfig.id) ? before : {
        id: gunConfig.id, clampedRequestKW: 0, budgetKW: 0, setpointKW: 0, modules: [], islandSlots: [],
        voltageSetpointV: 0, currentLimitA: 0, reason: null,
      });
      continue;
    }
    const gun = alloc.active;
    const budgetKW = alloc.budgetKW;
    const selected = chooseModules(ctx, alloc, before?.modules ?? []);
    let modulesKW = 0;
    for (let i = 0; i < selected.length; i++) modulesKW += selected[i].powerKW;
    const setpointKW = selected.length > 0 ? Math.max(0, Math.min(budgetKW, modulesKW, gun.ratingKW)) : 0;
    totalKW += setpointKW;
    for (let i = 0; i < selected.length; i++) {
      const m = selected[i];
      if (!isOn[m.index]) onCount++;
      isOn[m.index] = true;
      // A candidate that was on carries its previous on-since time (buildContext: the
      // previous plan's moduleOnSinceMs entry, or nowMs without one).
      onSince[m.index] = m.wasOn ? m.onSinceMs : nowMs;
      moduleGun[m.index] = gunConfig.id;
    }
    const obs = gun.observation;
    const evV = obs.evVoltageV > 0 ? obs.evVoltageV : config.siteLimits.defaultVoltageV;
    const voltageSetpointV = Math.min(gunConfig.maxVoltageV, Math.max(gunConfig.minVoltageV, evV));
    const measuredV = obs.measuredVoltageV > 0 && Number.isFinite(obs.measuredVoltageV) ? obs.measuredVoltageV : evV;
    const targetA = Math.min(gunConfig.maxCurrentA, (setpointKW * 1000) / Math.max(measuredV, policy.minVoltageForCurrentV));
    const previousA = before && before.setpointKW > 0 ? before.currentLimitA : 0;
    // Up by at most one ramp step; down at once (a step-down is never delayed).
    const currentLimitA = Math.max(0, Math.min(targetA, previousA + rampStepA));
    guns.push({
      id: gunConfig.id,
      clampedRequestKW: gun.clampedKW,
      budgetKW,
      setpointKW,
      modules: idsInIndexOrder(selected),
      islandSlots: alloc.islandSlots,
      voltageSetpointV,
      currentLimitA,
      reason: reasonFor(ctx, alloc, setpointKW, reasons),
    });
  }

  // Positions in record order: ring, each slot's MNs then its MC; matrix, every link; then the
  // GCs. Written into the chain's scratch list (PlanScratch), kept only when they changed.
  const positions = scratch.positions;
  let p = 0;
  if (config.topology === "ring") {
    const idle = ctx.active.length === 0;
    const bySlotId = allocation.requiredBySlotId;
    // The previous positions in this same record order, when the context has them: an MC's
    // previous position is then previousAt[p] (PlanContext.previousAt).
    const previousAt = ctx.previousAt;
    let moduleIndex = 0;
    for (let i = 0; i < config.slots.length; i++) {
      const slot = config.slots[i];
      for (let t = 0; t < slot.modules.length; t++) positions[p++] = isOn[moduleIndex++] ? "closed" : "open";
      const required = bySlotId !== undefined ? bySlotId[slot.id] : allocation.requiredPositions.get(slot.mc);
      positions[p] = required ?? (idle ? policy.idleRingMc : previousAt !== null ? previousAt[p] : ctx.previousPosition(slot.mc, true));
      p++;
    }
  } else {
    const usableById = new Map<string, ModuleCandidate>();
    for (let i = 0; i < ctx.usableAt.length; i++) {
      const c = ctx.usableAt[i];
      if (c !== undefined) usableById.set(c.id, c);
    }
    for (const row of config.matrix?.rows ?? []) {
      // Only usable modules are ever selected: an unusable one serves no gun.
      const c = usableById.get(row.moduleId);
      const servedGun = c === undefined ? -1 : moduleGun[c.index];
      for (const link of row.links) positions[p++] = servedGun === link.gunId ? "closed" : "open";
    }
  }
  // guns[] follows config.guns: GC closed only for a gun with power.
  for (let i = 0; i < config.guns.length; i++) positions[p++] = guns[i].setpointKW > 0 ? "closed" : "open";
  if (positions.length !== p) positions.length = p;
  const samePositions = !ctx.anyFault && before !== null && before.positions !== null && sameArray(positions, before.positions);
  const contactors = samePositions ? before!.contactors : contactorRecord(config, positions, ctx.faults);
  // What the share keeps to compare with (never the scratch list itself).
  const keptPositions = ctx.anyFault ? null : samePositions ? before!.positions : positions.slice();

  // In module index order: the order the context numbered them (config order). Into the
  // scratch lists too; new lists only when they differ from the previous plan's.
  const onIds = scratch.modulesOn;
  const onTimes = scratch.onSinceMs;
  let on = 0;
  if (onCount > 0) {
    let moduleIndex = 0;
    if (config.topology === "ring") {
      for (let i = 0; i < config.slots.length; i++) {
        const modules = config.slots[i].modules;
        for (let t = 0; t < modules.length; t++, moduleIndex++) {
          if (!isOn[moduleIndex]) continue;
          onIds[on] = modules[t].id;
          onTimes[on++] = onSince[moduleIndex];
        }
      }
    } else if (config.matrix) {
      const modules = config.matrix.modules;
      for (; moduleIndex < modules.length; moduleIndex++) {
        if (!isOn[moduleIndex]) continue;
        onIds[on] = modules[moduleIndex].id;
        onTimes[on++] = onSince[moduleIndex];
      }
    }
  }
  if (onIds.length !== on) {
    onIds.length = on;
    onTimes.length = on;
  }
  let modulesOn: string[];
  let onSinceList: number[];
  let moduleOnSinceMs: Record<string, number>;
  // By module index, for the share (see PlanShare.isOn): a function of the modules on and
  // their times in index order (on: true and its time; off: false and 0), so the previous
  // plan's lists when those are the same.
  let keptIsOn: readonly boolean[];
  let keptOnSince: readonly number[];
  if (before !== null && sameArray(onIds, before.modulesOn) && sameTimes(onTimes, before.onSinceMs)) {
    modulesOn = before.modulesOn;
    onSinceList = before.onSinceMs;
    moduleOnSinceMs = before.moduleOnSinceMs;
    keptIsOn = before.isOn;
    keptOnSince = before.onSince;
  } else {
    modulesOn = onIds.slice();
    onSinceList = onTimes.slice();
    moduleOnSinceMs = {};
    for (let i = 0; i < modulesOn.length; i++) moduleOnSinceMs[modulesOn[i]] = onSinceList[i];
    keptIsOn = isOn.slice();
    keptOnSince = onSince.slice();
  }
  const result: Plan = {
    nowMs,
    guns,
    contactors,
    modulesOn,
    totalKW,
    capacityKW: Math.max(0, Math.min(ctx.usableTotalKW, ctx.sharedLimitKW)),
    repartition,
    moduleOnSinceMs,
  };
  if (ctx.issues.length > 0) result.issues = ctx.issues;
  attachShare(result, {
    config, positions: keptPositions, contactors, modulesOn, onSinceMs: onSinceList, moduleOnSinceMs, ringGeometry,
    isOn: keptIsOn, onSince: keptOnSince, onCount, limitName: before !== null ? before.limitName : new LimitNameCache(), reasons, scratch,
  });
  return result;
}

/** The plan of a gun without allocation, exactly (what buildPlan writes for one; +0, not -0). */
function isIdleGunPlan(g: GunPlan, id: number): boolean {
  if (g.id !== id || g.modules.length !== 0 || g.islandSlots.length !== 0 || g.reason !== null) return false;
  if (g.clampedRequestKW !== 0 || g.budgetKW !== 0 || g.setpointKW !== 0 || g.voltageSetpointV !== 0 || g.currentLimitA !== 0) return false;
  // All five are ±0: 1 / +0 is +Infinity, 1 / -0 is -Infinity, and a sum with both is NaN.
  // So the sum is > 0 exactly when none is -0 (no call per field: calls cost in XS).
  return 1 / g.clampedRequestKW + 1 / g.budgetKW + 1 / g.setpointKW + 1 / g.voltageSetpointV + 1 / g.currentLimitA > 0;
}

/** The contactor record from positions in record order (see buildPlan), then what faults make physically true. */
function contactorRecord(config: CabinetConfig, positions: readonly ContactorPosition[], faults: PlanContext["faults"]): Record<string, ContactorPosition> {
  const contactors: Record<string, ContactorPosition> = {};
  let at = 0;
  if (config.topology === "ring") {
    for (let i = 0; i < config.slots.length; i++) {
      const slot = config.slots[i];
      for (let t = 0; t < slot.modules.length; t++) contactors[slot.modules[t].mn] = positions[at++];
      contactors[slot.mc] = positions[at++];
    }
  } else {
    for (const row of config.matrix?.rows ?? []) for (const link of row.links) contactors[link.contactor] = positions[at++];
  }
  for (let i = 0; i < config.guns.length; i++) contactors[config.guns[i].gc] = positions[at++];
  // The plan states what is physically true of faulted contactors.
  for (const id in faults) {
    if (!(id in contactors)) continue;
    const f = faults[id];
    if (f === "welded" || f === "feedbackFault") contactors[id] = "closed";
    else if (f === "stuckOpen") contactors[id] = "open";
  }
  return contactors;
}

/** Ids of the selected modules in module index order (insertion sort: a few modules per gun). */
function idsInIndexOrder(selected: readonly ModuleCandidate[]): string[] {
  const n = selected.length;
  // One or two modules (most guns): no sort list.
  if (n === 1) return [selected[0].id];
  if (n === 2) return selected[0].index > selected[1].index ? [selected[1].id, selected[0].id] : [selected[0].id, selected[1].id];
  const order: ModuleCandidate[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = selected[i];
    let j = i;
    while (j > 0 && order[j - 1].index > m.index) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = m;
  }
  const ids: string[] = new Array(n);
  for (let i = 0; i < n; i++) ids[i] = order[i].id;
  return ids;
}

/** Algorithms B + C with stability: fewest modules, but not dropped inside hold time or hysteresis. */
function chooseModules(ctx: PlanContext, alloc: GunAllocation, previousModules: readonly string[]): ModuleCandidate[] {
  if (alloc.assigned) return alloc.assigned;
  const { config } = ctx;
  const policy = config.policy;
  const budgetKW = alloc.budgetKW;
  let count = alloc.moduleCount;
  if (budgetKW > EPSILON_KW && previousModules.length > count) {
    const still = alloc.candidates.filter((c) => c.wasOn && previousModules.includes(c.id));
    if (still.length > count) {
      const withHysteresis = moduleCountFor(budgetKW, alloc.powersDesc, alloc.maxCount, alloc.active.cableCount, policy, config.modulePowerKW, policy.moduleHysteresisFraction);
      count = Math.max(count, Math.min(still.length, withHysteresis));
      const holdMs = policy.moduleHoldS * 1000;
      const held = still.filter((c) => c.onSinceMs >= 0 && ctx.nowMs - c.onSinceMs < holdMs).length;
      count = Math.max(count, Math.min(held, alloc.maxCount));
    }
  }
  // Ring candidates come in preference order (ring.ts ensureDetail).
  return selectModules(alloc.candidates, count, budgetKW, true);
}
