/**
 * Algorithm A building blocks (seed 000 §5.2): request clamping, temperature derating
 * and exact weighted water-filling. Pure functions, no allocation beyond their results.
 */
import type { GunConfig, ModuleRatingConfig } from "../config/types";

/** Power comparisons tolerate this much (kW): far below any meter's resolution. */
export const EPSILON_KW = 1e-6;

/** Fraction of nominal power a module may deliver at tempC: 1 up to derateStartTempC, 0 from tripTempC. */
export function deratingFactor(tempC: number, rating: ModuleRatingConfig): number {
  if (!(tempC > rating.derateStartTempC)) return 1;
  if (tempC >= rating.tripTempC) return 0;
  return (rating.tripTempC - tempC) / (rating.tripTempC - rating.derateStartTempC);
}

/**
 * Gun rating at the EV's voltage: Imax x V, V = EV voltage capped by the gun's max voltage
 * (default site voltage when the EV has not told us yet), and the optional nameplate cap.
 */
export function gunRatingKW(gun: GunConfig, evVoltageV: number, defaultVoltageV: number): number {
  const voltageV = Math.min(evVoltageV > 0 ? evVoltageV : defaultVoltageV, gun.maxVoltageV);
  const byCableKW = (gun.maxCurrentA * voltageV) / 1000;
  return gun.maxPowerKW === undefined ? byCableKW : Math.min(gun.maxPowerKW, byCableKW);
}

/**
 * Exact weighted water-filling with caps: budget_i = min(cap_i, level x weight_i) with the
 * level chosen so that the budgets sum to min(capacity, sum of caps). Unlike the seed's
 * round-based pseudocode it never overshoots the capacity when a gun reaches its cap
 * mid-round, and it never leaves power unallocated while a gun is below its cap.
 * Weights must be > 0.
 */
export function waterFill(capsKW: readonly number[], weights: readonly number[], capacityKW: number): number[] {
  const budgets = new Array<number>(capsKW.length);
  waterFillInto(capsKW, weights, capacityKW, budgets, new Array<number>(capsKW.length));
  return budgets;
}

/**
 * waterFill without allocation (the island search calls it per candidate): writes the
 * budgets into `budgets`, uses `order` as scratch. Returns the sum of the budgets.
 */
export function waterFillInto(capsKW: readonly number[], weights: readonly number[], capacityKW: number, budgets: number[], order: number[]): number {
  const n = capsKW.length;
  let sumCaps = 0;
  for (let i = 0; i < n; i++) sumCaps += capsKW[i] > 0 ? capsKW[i] : 0;
  if (sumCaps <= capacityKW) {
    for (let i = 0; i < n; i++) budgets[i] = capsKW[i] > 0 ? capsKW[i] : 0;
    return sumCaps;
  }
  if (!(capacityKW > 0)) {
    for (let i = 0; i < n; i++) budgets[i] = 0;
    return 0;
  }
  // Guns in order of the level at which they saturate (cap / weight): insertion sort,
  // n is a dozen at most. Each gun's level is kept in `budgets` meanwhile (every entry is
  // written again below), so that it is computed once, not per comparison.
  for (let i = 0; i < n; i++) {
    const level = Math.max(capsKW[i], 0) / weights[i];
    budgets[i] = level;
    let j = i;
    while (j > 0 && budgets[order[j - 1]] > level) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  let remainingKW = capacityKW;
  let remainingWeight = 0;
  for (let i = 0; i < n; i++) remainingWeight += weights[i];
  let k = 0;
  for (; k < n; k++) {
    const i = order[k];
    const cap = capsKW[i] > 0 ? capsKW[i] : 0;
    // Saturates below the common level: it takes its cap, the rest share what is left.
    if (cap * remainingWeight <= remainingKW * weights[i]) {
      budgets[i] = cap;
      remainingKW -= cap;
      remainingWeight -= weights[i];
    } else break;
  }
  const level = remainingKW / remainingWeight;
  let sum = 0;
  for (let j = k; j < n; j++) {
    const i = order[j];
    budgets[i] = level * weights[i];
    sum += budgets[i];
  }
  // Rounding could leave the sum a few ulps above the capacity: take them off the largest share.
  if (k < n && sum > remainingKW) {
    const last = order[n - 1];
    budgets[last] = Math.max(0, budgets[last] - (sum - remainingKW));
  }
  return capacityKW;
}

/**
 * Lexicographic comparison of two weighted max-min fairness profiles (budget / weight,
 * sorted ascending): > 0 when a is fairer.
 */
export function compareFairness(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d > EPSILON_KW) return 1;
    if (d < -EPSILON_KW) return -1;
  }
  return 0;
}

/** budget / weight of each gun, sorted ascending. */
export function fairnessProfile(budgetsKW: readonly number[], weights: readonly number[]): number[] {
  return fairnessProfileInto(budgetsKW, weights, new Array<number>(budgetsKW.length));
}

/** fairnessProfile into a caller's array (insertion sort: a dozen guns at most). */
export function fairnessProfileInto(budgetsKW: readonly number[], weights: readonly number[], profile: number[]): number[] {
  for (let i = 0; i < budgetsKW.length; i++) {
    const v = budgetsKW[i] / weights[i];
    let j = i;
    while (j > 0 && profile[j - 1] > v) {
      profile[j] = profile[j - 1];
      j--;
    }
    profile[j] = v;
  }
  return profile;
}
