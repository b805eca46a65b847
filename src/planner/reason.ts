/**
 * GunPlan.reason: a short reason for every active gun that gets less than it asked for.
 *
 * Most cycles a limited gun is limited by its rating or an external limit, and the text
 * then prints that value; printing a number is the costly part of the text, and the value
 * (rounded to 0.1 kW) rarely changes from one cycle to the next. ReasonMemo keeps, per gun,
 * the last value printed and its text, and is handed on from plan to plan with the plan
 * share: a kept text is the text of the value compared, so the reason is the same string.
 */
import type { GunAllocation } from "./allocation";
import type { PlanContext } from "./context";
import { EPSILON_KW } from "./limits";

/** Per config gun index: the last rounded value printed and its text. Only the planner writes it. */
export class ReasonMemo {
  readonly ratingKW: number[] = [];
  readonly ratingText: string[] = [];
  readonly externalKW: number[] = [];
  readonly externalText: string[] = [];
  /**
   * Per config gun index: the parts of the last reason composed (see reasonFor) and its
   * text. A reason is its non-empty parts joined with "; " in order, so equal parts (===:
   * same characters) give the same text.
   */
  readonly partA: string[] = [];
  readonly partB: string[] = [];
  readonly partC: string[] = [];
  readonly partD: string[] = [];
  readonly composed: string[] = [];
  /** The last `policy max N modules` text and its N; the last `shared <limit>` text and its limit name. */
  policyMax = NaN;
  policyText = "";
  sharedName: string | null = null;
  sharedText = "";
}

/** The reason of an active gun (null when it gets what it asked for). `memo`: the chain's, or null. */
export function reasonFor(ctx: PlanContext, alloc: GunAllocation, setpointKW: number, memo: ReasonMemo | null): string | null {
  const gun = alloc.active;
  const requestKW = gun.observation.requestKW;
  if (setpointKW >= requestKW - 1e-3) return null;
  // Parts joined with "; " as they come (this runs for every limited gun every cycle: no array, no join).
  let text = "";
  if (gun.clampedKW < requestKW - EPSILON_KW) {
    const limitKW = gun.observation.externalLimitKW;
    const at = gun.gunIndex;
    // Memo reads inline (no call per gun: calls cost in XS). === on the rounded values:
    // NaN never matches (printed again), and -0 prints as 0 does.
    const external = limitKW !== null && limitKW <= gun.ratingKW && limitKW < requestKW;
    const valueKW = round1(external ? limitKW : gun.ratingKW);
    const values = memo === null ? null : external ? memo.externalKW : memo.ratingKW;
    const texts = memo === null ? null : external ? memo.externalText : memo.ratingText;
    if (values !== null && texts !== null && values[at] === valueKW) text = texts[at];
    else {
      text = external ? `external limit ${valueKW} kW` : `gun rating ${valueKW} kW`;
      if (values !== null && texts !== null) {
        values[at] = valueKW;
        texts[at] = text;
      }
    }
  }
  // The other parts, each "" when absent: a dead reason or the module limit (b), derating
  // (c), the shared limit (d). The reason is the non-empty ones joined with "; ".
  let b = "";
  let c = "";
  let d = "";
  if (alloc.deadReason) {
    if (alloc.deadReason !== "nothing requested" || text === "") b = alloc.deadReason;
  } else if (alloc.capKW < gun.clampedKW - EPSILON_KW) {
    const policyMax = ctx.config.policy.maxModulesPerGun;
    const where = ctx.config.topology === "ring" ? (ctx.config.policy.multiSlotIslands ? "in its island" : "in its slot") : "free";
    if ((alloc.assigned === null && alloc.candidates.length >= policyMax) || (alloc.assigned !== null && alloc.maxCount >= policyMax)) {
      if (memo !== null && memo.policyMax === policyMax) b = memo.policyText;
      else {
        b = `policy max ${policyMax} modules`;
        if (memo !== null) {
          memo.policyMax = policyMax;
          memo.policyText = b;
        }
      }
    } else {
      const count = alloc.assigned === null ? alloc.candidates.length : alloc.assigned.length;
      b = `${count} usable module${count === 1 ? "" : "s"} ${where}`;
    }
    let derated = false;
    for (let i = 0; i < alloc.candidates.length && !derated; i++) if (alloc.candidates[i].powerKW < ctx.config.modulePowerKW - EPSILON_KW) derated = true;
    if (derated) c = "modules derated by temperature";
  }
  if (alloc.budgetKW < alloc.capKW - EPSILON_KW) {
    if (!(ctx.sharedLimitKW <= ctx.usableTotalKW)) d = "shared module capacity";
    else if (memo !== null && memo.sharedName === ctx.sharedLimitName) d = memo.sharedText;
    else {
      d = `shared ${ctx.sharedLimitName}`;
      if (memo !== null) {
        memo.sharedName = ctx.sharedLimitName;
        memo.sharedText = d;
      }
    }
  }
  if (text === "" && b === "" && c === "" && d === "") return setpointKW < alloc.budgetKW - EPSILON_KW ? "modules cannot carry the budget" : "limited";
  // The same parts as the gun's last reason (the usual cycle): the same text, not joined again.
  const at = gun.gunIndex;
  if (memo !== null && memo.partA[at] === text && memo.partB[at] === b && memo.partC[at] === c && memo.partD[at] === d) return memo.composed[at];
  const a = text;
  if (b !== "") text = joinPart(text, b);
  if (c !== "") text = joinPart(text, c);
  if (d !== "") text = joinPart(text, d);
  if (memo !== null) {
    memo.partA[at] = a;
    memo.partB[at] = b;
    memo.partC[at] = c;
    memo.partD[at] = d;
    memo.composed[at] = text;
  }
  return text;
}

/** Reason parts are never empty strings: "" means no part yet. */
function joinPart(text: string, part: string): string {
  return text === "" ? part : text + "; " + part;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
