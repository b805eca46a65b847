/**
 * GunPlan.reason: a short reason for every active gun that gets less than it asked for.
 *
 * The text is made of a few parts (a limit with its value, a dead reason, the modules, the
 * shared limit), each a function of a handful of numbers and strings. Most cycles a limited
 * gun is limited for the same reason as in the previous cycle, so the parts are compared
 * with the previous plan's (ReasonCache, handed on from plan to plan with the plan share)
 * and the text is printed again only when one of them changed: the text is a pure function
 * of the key compared, so a kept text is the text that would be built.
 */
import type { GunAllocation } from "./allocation";
import type { PlanContext } from "./context";
import { EPSILON_KW } from "./limits";

const NO_LIMIT = 0;
const EXTERNAL_LIMIT = 1;
const GUN_RATING = 2;

const NO_MODULE_PART = 0;
const POLICY_MAX = 1;
const USABLE_COUNT = 2;

const NO_SHARED_PART = 0;
const SHARED_LIMIT = 1;
const SHARED_CAPACITY = 2;

/** Everything the text is built from. */
interface ReasonKey {
  limitKind: number;
  /** round1 of the limit's value (the number printed). */
  limitKW: number;
  /** The allocation's dead reason when it is part of the text, else null. */
  dead: string | null;
  moduleKind: number;
  /** Policy max or usable module count (the number printed). */
  moduleCount: number;
  derated: boolean;
  sharedKind: number;
  sharedName: string;
  /** "modules cannot carry the budget" when no other part applies. */
  cannotCarry: boolean;
}

/** The last key and text of each gun (by config gun index). Never shared outside the planner. */
export class ReasonCache {
  private readonly keys: (ReasonKey | undefined)[] = [];
  private readonly texts: string[] = [];

  /** The text for `key`, from the last call for this gun when its key was the same. */
  textFor(gunIndex: number, key: ReasonKey, where: string): string {
    const last = this.keys[gunIndex];
    if (last !== undefined && sameKey(last, key)) return this.texts[gunIndex];
    const text = reasonText(key, where);
    this.keys[gunIndex] = key;
    this.texts[gunIndex] = text;
    return text;
  }
}

function sameKey(a: ReasonKey, b: ReasonKey): boolean {
  return a.limitKind === b.limitKind && a.limitKW === b.limitKW && a.dead === b.dead && a.moduleKind === b.moduleKind &&
    a.moduleCount === b.moduleCount && a.derated === b.derated && a.sharedKind === b.sharedKind && a.sharedName === b.sharedName &&
    a.cannotCarry === b.cannotCarry;
}

/**
 * The reason of an active gun (null when it gets what it asked for). `cache`: the chain's
 * ReasonCache, or null to build the text every time.
 */
export function reasonFor(ctx: PlanContext, alloc: GunAllocation, setpointKW: number, cache: ReasonCache | null): string | null {
  const gun = alloc.active;
  const requestKW = gun.observation.requestKW;
  if (setpointKW >= requestKW - 1e-3) return null;
  const config = ctx.config;
  const key: ReasonKey = {
    limitKind: NO_LIMIT, limitKW: 0, dead: null, moduleKind: NO_MODULE_PART, moduleCount: 0, derated: false,
    sharedKind: NO_SHARED_PART, sharedName: "", cannotCarry: false,
  };
  if (gun.clampedKW < requestKW - EPSILON_KW) {
    const limitKW = gun.observation.externalLimitKW;
    if (limitKW !== null && limitKW <= gun.ratingKW && limitKW < requestKW) {
      key.limitKind = EXTERNAL_LIMIT;
      key.limitKW = round1(limitKW);
    } else {
      key.limitKind = GUN_RATING;
      key.limitKW = round1(gun.ratingKW);
    }
  }
  if (alloc.deadReason) {
    if (alloc.deadReason !== "nothing requested" || key.limitKind === NO_LIMIT) key.dead = alloc.deadReason;
  } else if (alloc.capKW < gun.clampedKW - EPSILON_KW) {
    const policyMax = config.policy.maxModulesPerGun;
    if ((alloc.assigned === null && alloc.candidates.length >= policyMax) || (alloc.assigned !== null && alloc.maxCount >= policyMax)) {
      key.moduleKind = POLICY_MAX;
      key.moduleCount = policyMax;
    } else {
      key.moduleKind = USABLE_COUNT;
      key.moduleCount = alloc.assigned === null ? alloc.candidates.length : alloc.assigned.length;
    }
    for (let i = 0; i < alloc.candidates.length && !key.derated; i++) if (alloc.candidates[i].powerKW < config.modulePowerKW - EPSILON_KW) key.derated = true;
  }
  if (alloc.budgetKW < alloc.capKW - EPSILON_KW) {
    if (ctx.sharedLimitKW <= ctx.usableTotalKW) {
      key.sharedKind = SHARED_LIMIT;
      key.sharedName = ctx.sharedLimitName;
    } else key.sharedKind = SHARED_CAPACITY;
  }
  const anyPart = key.limitKind !== NO_LIMIT || key.dead !== null || key.moduleKind !== NO_MODULE_PART || key.sharedKind !== NO_SHARED_PART;
  key.cannotCarry = !anyPart && setpointKW < alloc.budgetKW - EPSILON_KW;
  const where = config.topology === "ring" ? (config.policy.multiSlotIslands ? "in its island" : "in its slot") : "free";
  return cache !== null ? cache.textFor(gun.gunIndex, key, where) : reasonText(key, where);
}

/** The text of a key: its parts joined with "; " in a fixed order ("limited" when none). */
function reasonText(key: ReasonKey, where: string): string {
  let text = "";
  if (key.limitKind === EXTERNAL_LIMIT) text = `external limit ${key.limitKW} kW`;
  else if (key.limitKind === GUN_RATING) text = `gun rating ${key.limitKW} kW`;
  if (key.dead !== null) text = joinPart(text, key.dead);
  if (key.moduleKind === POLICY_MAX) text = joinPart(text, `policy max ${key.moduleCount} modules`);
  else if (key.moduleKind === USABLE_COUNT) text = joinPart(text, `${key.moduleCount} usable module${key.moduleCount === 1 ? "" : "s"} ${where}`);
  if (key.derated) text = joinPart(text, "modules derated by temperature");
  if (key.sharedKind === SHARED_LIMIT) text = joinPart(text, `shared ${key.sharedName}`);
  else if (key.sharedKind === SHARED_CAPACITY) text = joinPart(text, "shared module capacity");
  if (key.cannotCarry) text = "modules cannot carry the budget";
  return text !== "" ? text : "limited";
}

/** Reason parts are never empty strings: "" means no part yet. */
function joinPart(text: string, part: string): string {
  return text === "" ? part : text + "; " + part;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
