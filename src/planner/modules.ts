/**
 * Algorithms B and C: how many modules a budget needs and which ones carry it.
 */
import type { PolicyConfig } from "../config/types";
import { EPSILON_KW } from "./limits";

/** A module a gun could use, with what the planner knows about it. */
export interface ModuleCandidate {
  id: string;
  /** Position in the cabinet's module list (stable order for ties). */
  index: number;
  /** Derated power available now. */
  powerKW: number;
  tempC: number;
  operatingHours: number;
  /** On in the previous plan (its MN closed). */
  wasOn: boolean;
  /** Ms it has been on, or -1 when off. */
  onSinceMs: number;
}

/**
 * Threshold factor for n modules (seed 000 B.1): n modules suffice while the budget is at
 * most factor x modulePowerKW. Past the configured list the factors continue with the
 * spacing of the last two entries (0.8, 1.6 -> 2.4, 3.2, ...).
 */
export function thresholdFactor(thresholds: readonly number[], n: number): number {
  const count = thresholds.length;
  if (n <= count) return thresholds[n - 1];
  const step = count >= 2 ? thresholds[count - 1] - thresholds[count - 2] : thresholds[0];
  return thresholds[count - 1] + (n - count) * step;
}

/** Sum of the `count` largest powers of a list sorted descending. */
export function topPowerKW(powersDesc: readonly number[], count: number): number {
  let sum = 0;
  for (let i = 0; i < count && i < powersDesc.length; i++) sum += powersDesc[i];
  return sum;
}

/**
 * Smallest module count that delivers the budget and respects the policy:
 * - enough modules to carry the budget (derated powers, strongest first);
 * - at least the threshold count (headroom), but never more than the cable can use;
 * - at least policy.minModulesPerGun for a gun that gets power;
 * - at most maxCount (policy max, modules reachable in the island).
 * `hysteresisFraction` lowers the thresholds (used when stepping down from more modules).
 */
export function moduleCountFor(
  budgetKW: number,
  powersDesc: readonly number[],
  maxCount: number,
  cableCount: number,
  policy: PolicyConfig,
  modulePowerKW: number,
  hysteresisFraction = 0,
): number {
  if (budgetKW <= EPSILON_KW || maxCount <= 0) return 0;
  const byThreshold = thresholdCount(budgetKW, maxCount, policy, modulePowerKW, hysteresisFraction);
  return moduleCountWithThreshold(budgetKW, powersDesc, maxCount, cableCount, policy.minModulesPerGun, byThreshold);
}

/**
 * The threshold part of moduleCountFor: the smallest n in 1..upTo whose threshold covers
 * the budget, or upTo. It depends on the budget only, so a search computes it once per gun
 * and budget and hands it to moduleCountWithThreshold for each island.
 */
export function thresholdCount(budgetKW: number, upTo: number, policy: PolicyConfig, modulePowerKW: number, hysteresisFraction = 0): number {
  let n = 1;
  while (n < upTo && budgetKW > (thresholdFactor(policy.moduleCountThresholds, n) - hysteresisFraction) * modulePowerKW + EPSILON_KW) n++;
  return n;
}

/** moduleCountFor with the threshold count already known (thresholdCount with upTo >= maxCount). */
export function moduleCountWithThreshold(
  budgetKW: number,
  powersDesc: readonly number[],
  maxCount: number,
  cableCount: number,
  minModules: number,
  byThresholdCount: number,
): number {
  if (budgetKW <= EPSILON_KW || maxCount <= 0) return 0;
  let byPower = 0;
  let sum = 0;
  while (byPower < maxCount && sum < budgetKW - EPSILON_KW) sum += powersDesc[byPower++];
  const byThreshold = byThresholdCount < maxCount ? byThresholdCount : maxCount;
  let n = byPower;
  const headroom = byThreshold < cableCount ? byThreshold : cableCount;
  if (headroom > n) n = headroom;
  const least = minModules < maxCount ? minModules : maxCount;
  if (least > n) n = least;
  if (n > maxCount) n = maxCount;
  return n;
}

/**
 * Algorithm C: which `count` modules. Keep modules already on (no switching), then cooler
 * ones (derating and ageing), then fewer operating hours (spread wear), then config order.
 * If that choice cannot carry the budget (a running module got hot), take the strongest.
 * `inPreferenceOrder`: the caller guarantees candidates are sorted by preferenceOrder.
 */
export function selectModules(candidates: readonly ModuleCandidate[], count: number, budgetKW: number, inPreferenceOrder = false): ModuleCandidate[] {
  if (count <= 0) return [];
  // The ring hands its candidates over already in preference order: no sort per plan.
  const chosen = inPreferenceOrder ? candidates.slice(0, count) : candidates.slice().sort(preferenceOrder).slice(0, count);
  let sum = 0;
  for (let i = 0; i < chosen.length; i++) sum += chosen[i].powerKW;
  if (sum >= budgetKW - EPSILON_KW) return chosen;
  return candidates.slice().sort((a, b) => b.powerKW - a.powerKW || preferenceOrder(a, b)).slice(0, count);
}

export function preferenceOrder(a: ModuleCandidate, b: ModuleCandidate): number {
  if (a.wasOn !== b.wasOn) return a.wasOn ? -1 : 1;
  return a.tempC - b.tempC || a.operatingHours - b.operatingHours || a.index - b.index;
}
