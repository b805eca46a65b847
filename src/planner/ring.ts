/**
 * Algorithm D for the ring (seed 000 §7, §12.2): choose every active gun's island exactly.
 *
 * An island is an arc of slots around its gun, bounded by two open MCs (one when it is the
 * whole ring cut once, none when it is the closed ring). It never contains another active
 * gun's slot, a slot with a welded module contactor, or an idle gun whose GC is welded; its
 * boundaries are never welded (or unverifiable) MCs and its inner MCs are never stuck open.
 * Consecutive active guns compete only for the idle slots between them, so the search runs
 * around the ring gun by gun, choosing each gun's (left, right) extent given its
 * neighbour's, with branch and bound on the served power. Objective, in order:
 * (1) total served power, (2) weighted max-min fairness, (3) fewest modules on,
 * (4) fewest contactor changes against the previous plan.
 */
import type { ContactorPosition } from "./types";
import type { PlanContext } from "./context";
import type { Allocation, GunAllocation } from "./allocation";
import { EPSILON_KW, compareFairness, fairnessProfileInto, waterFillInto } from "./limits";
import { moduleCountFor, preferenceOrder, topPowerKW, type ModuleCandidate } from "./modules";

interface RingOption {
  dead: boolean;
  deadReason: string | null;
  /** Idle slots taken on the counter-clockwise / clockwise side. */
  l: number;
  r: number;
  slotPositions: number[];
  openMcs: number[];
  innerMcs: number[];
  /** Usable modules it can use, in Algorithm C preference order. */
  candidates: ModuleCandidate[];
  powersDesc: number[];
  /** Prefix sums over the preference order: power, and modules already on. */
  preferredPowerPrefix: number[];
  preferredOnPrefix: number[];
  /** Modules already on among the n strongest (selectModules' fallback order). */
  strongestOnPrefix: number[];
  maxCount: number;
  capKW: number;
  /** Contactor changes on its own MCs against the previous plan. */
  mcChanges: number;
  /** 1 when its clockwise boundary MC changes (it may be shared with the next island). */
  rightBoundaryChange: number;
  /** Sorted slot ids: identifies the island across plans. */
  key: string;
}

export interface RingLayout {
  size: number;
  slotIdAt: number[];
  mcAt: string[];
  /** MC may be an island boundary (not welded / unverifiable). */
  cuttable: boolean[];
  /** MC is stuck open: it can never be inside an island. */
  stuckOpen: boolean[];
  /** Slot can never be part of an energized island, and why. */
  forbidden: (string | null)[];
  modulesAt: string[][];
  activeAt: number[];
}

const mod = (i: number, n: number) => ((i % n) + n) % n;

export function ringLayout(ctx: PlanContext): RingLayout {
  const { config, faults } = ctx;
  const slotById = new Map(config.slots.map((s) => [s.id, s]));
  const slotIdAt: number[] = [];
  if (config.slots.length > 0) {
    let current = config.slots[0].id;
    do {
      slotIdAt.push(current);
      current = slotById.get(current)!.cw;
    } while (current !== config.slots[0].id && slotIdAt.length < config.slots.length);
  }
  const size = slotIdAt.length;
  const activeSlot = new Map<number, number>();
  ctx.active.forEach((g, i) => {
    if (g.config.slotId !== undefined) activeSlot.set(g.config.slotId, i);
  });
  const gunBySlot = new Map(config.guns.filter((g) => g.slotId !== undefined).map((g) => [g.slotId!, g]));
  const layout: RingLayout = { size, slotIdAt, mcAt: [], cuttable: [], stuckOpen: [], forbidden: [], modulesAt: [], activeAt: [] };
  for (let i = 0; i < size; i++) {
    const slot = slotById.get(slotIdAt[i])!;
    const mcFault = faults[slot.mc];
    layout.mcAt.push(slot.mc);
    layout.cuttable.push(mcFault !== "welded" && mcFault !== "feedbackFault");
    layout.stuckOpen.push(mcFault === "stuckOpen");
    let why: string | null = null;
    for (const m of slot.modules) {
      const f = faults[m.mn];
      if (f === "welded" || f === "feedbackFault") why = `${m.mn} ${f}`;
    }
    const gun = gunBySlot.get(slot.id);
    const active = activeSlot.get(slot.id);
    if (gun && active === undefined) {
      const f = faults[gun.gc];
      if (f === "welded" || f === "feedbackFault") why = `${gun.gc} of idle gun ${gun.id} ${f}`;
    }
    layout.forbidden.push(why);
    layout.modulesAt.push(slot.modules.map((m) => m.id));
    layout.activeAt.push(active === undefined ? -1 : active);
  }
  return layout;
}

function deadOption(reason: string): RingOption {
  return {
    dead: true, deadReason: reason, l: 0, r: 0, slotPositions: [], openMcs: [], innerMcs: [], candidates: [], powersDesc: [],
    preferredPowerPrefix: [0], preferredOnPrefix: [0], strongestOnPrefix: [0], maxCount: 0, capKW: 0, mcChanges: 0, rightBoundaryChange: 0, key: "",
  };
}

/**
 * @param keep gun id -> island key: restrict those guns to that island when it is still
 *   possible (used to price a mid-session re-partition against staying put).
 */
export function ringSearch(ctx: PlanContext, layout: RingLayout, keep: Map<number, string> | null): Allocation {
  const { config } = ctx;
  const policy = config.policy;
  const n = layout.size;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (layout.activeAt[i] >= 0) order.push(i);
  const k = order.length;
  const gaps: number[] = [];
  for (let j = 0; j < k; j++) gaps.push(k === 1 ? n - 1 : mod(order[(j + 1) % k] - order[j] - 1, n));
  const sharedKW = ctx.sharedLimitKW;

  const mcPrev = (i: number): ContactorPosition => ctx.previousPosition(layout.mcAt[i], true);
  // Every usable module of the ring, once in Algorithm C preference order and once strongest
  // first (selectModules' fallback), with its slot position: options filter these lists.
  const positionOf = new Map<string, number>();
  for (let i = 0; i < n; i++) for (const id of layout.modulesAt[i]) positionOf.set(id, i);
  const byPreference: ModuleCandidate[] = [];
  for (const c of ctx.usable.values()) if (positionOf.has(c.id)) byPreference.push(c);
  byPreference.sort(preferenceOrder);
  const byPower = byPreference.slice().sort((a, b) => b.powerKW - a.powerKW || preferenceOrder(a, b));
  const byPreferencePos = byPreference.map((c) => positionOf.get(c.id)!);
  const byPowerPos = byPower.map((c) => positionOf.get(c.id)!);
  const makeOption = (p: number, l: number, r: number, openMcs: number[], innerMcs: number[], gunIdx: number): RingOption => {
    const gun = ctx.active[gunIdx];
    const slotPositions: number[] = [];
    const span = openMcs.length === 0 ? n : l + r + 1;
    const start = openMcs.length === 0 ? p : mod(p - l, n);
    for (let s = 0; s < span; s++) slotPositions.push(mod(start + s, n));
    // Modules come from the island's slots (multi-slot) or the gun's own slot only.
    const inSources = (pos: number) => (policy.multiSlotIslands ? mod(pos - start, n) < span : pos === p);
    const candidates: ModuleCandidate[] = [];
    const preferredPowerPrefix = [0];
    const preferredOnPrefix = [0];
    for (let i = 0; i < byPreference.length; i++) {
      if (!inSources(byPreferencePos[i])) continue;
      const c = byPreference[i];
      candidates.push(c);
      preferredPowerPrefix.push(preferredPowerPrefix[preferredPowerPrefix.length - 1] + c.powerKW);
      preferredOnPrefix.push(preferredOnPrefix[preferredOnPrefix.length - 1] + (c.wasOn ? 1 : 0));
    }
    const powersDesc: number[] = [];
    const strongestOnPrefix = [0];
    for (let i = 0; i < byPower.length; i++) {
      if (!inSources(byPowerPos[i])) continue;
      powersDesc.push(byPower[i].powerKW);
      strongestOnPrefix.push(strongestOnPrefix[strongestOnPrefix.length - 1] + (byPower[i].wasOn ? 1 : 0));
    }
    const maxCount = Math.min(policy.maxModulesPerGun, candidates.length);
    const capKW = Math.min(gun.clampedKW, topPowerKW(powersDesc, maxCount));
    let mcChanges = 0;
    for (const m of openMcs) if (mcPrev(m) !== "open") mcChanges++;
    for (const m of innerMcs) if (mcPrev(m) !== "closed") mcChanges++;
    const right = mod(p + r, n);
    const rightBoundaryChange = openMcs.length === 2 && mcPrev(right) !== "open" ? 1 : 0;
    const key = slotPositions.map((s) => layout.slotIdAt[s]).sort((a, b) => a - b).join(",");
    return {
      dead: false, deadReason: null, l, r, slotPositions, openMcs, innerMcs, candidates, powersDesc,
      preferredPowerPrefix, preferredOnPrefix, strongestOnPrefix, maxCount, capKW, mcChanges, rightBoundaryChange, key,
    };
  };

  const options: RingOption[][] = [];
  for (let j = 0; j < k; j++) {
    const p = order[j];
    const gunIdx = layout.activeAt[p];
    const gun = ctx.active[gunIdx];
    const list: RingOption[] = [];
    let why: string | null = null;
    if (gun.blockedBy) why = gun.blockedBy;
    else if (layout.forbidden[p]) why = `${layout.forbidden[p]} in its slot`;
    else if (sharedKW <= EPSILON_KW) why = `${ctx.sharedLimitName}`;
    else if (gun.clampedKW <= EPSILON_KW) why = "nothing requested";
    if (why === null) {
      const maxL = k === 1 ? n - 1 : gaps[mod(j - 1, k)];
      const maxR = k === 1 ? n - 1 : gaps[j];
      // Single-slot islands (seed default): only the smallest island the MCs allow.
      let minL = -1;
      let minR = -1;
      if (!policy.multiSlotIslands) {
        for (let l = 0; l < n; l++) if (layout.cuttable[mod(p - l - 1, n)]) { minL = l; break; }
        for (let r = 0; r < n; r++) if (layout.cuttable[mod(p + r, n)]) { minR = r; break; }
      }
      for (let l = 0; l <= maxL; l++) {
        if (l > 0 && (layout.forbidden[mod(p - l, n)] || layout.stuckOpen[mod(p - l, n)])) break;
        const rLimit = k === 1 ? n - 1 - l : maxR;
        for (let r = 0; r <= rLimit; r++) {
          if (r > 0 && (layout.forbidden[mod(p + r, n)] || layout.stuckOpen[mod(p + r - 1, n)])) break;
          if (!policy.multiSlotIslands && (l !== minL || r !== minR)) continue;
          const right = mod(p + r, n);
          const left = mod(p - l - 1, n);
          const inner: number[] = [];
          for (let s = -l; s < r; s++) inner.push(mod(p + s, n));
          if (k === 1 && l + r === n - 1) {
            if (layout.cuttable[right]) list.push(makeOption(p, l, r, [right], inner, gunIdx));
          } else if (layout.cuttable[left] && layout.cuttable[right]) {
            list.push(makeOption(p, l, r, [left, right], inner, gunIdx));
          }
        }
      }
      // The closed ring as one island (one active gun, no MC open).
      if (k === 1 && (policy.multiSlotIslands ? true : minL < 0)) {
        let ok = true;
        for (let i = 0; i < n; i++) if (layout.forbidden[i] || layout.stuckOpen[i]) ok = false;
        if (ok) {
          const inner: number[] = [];
          for (let i = 0; i < n; i++) inner.push(i);
          list.push(makeOption(p, n - 1, 0, [], inner, gunIdx));
        }
      }
      if (list.length === 0) why = "no island can be isolated (welded or faulted contactor on the way to the next island)";
      else if (list.every((o) => o.capKW <= EPSILON_KW)) why = "no usable module reachable";
    }
    if (why !== null) {
      options.push([deadOption(why)]);
      continue;
    }
    const wanted = keep ? keep.get(gun.config.id) : undefined;
    const kept = wanted === undefined ? [] : list.filter((o) => o.key === wanted);
    options.push(kept.length > 0 ? kept : list);
  }

  const suffixMax = new Array<number>(k + 1).fill(0);
  for (let j = k - 1; j >= 0; j--) {
    let m = 0;
    for (const o of options[j]) if (o.capKW > m) m = o.capKW;
    suffixMax[j] = suffixMax[j + 1] + m;
  }

  const weights = order.map((p) => ctx.active[layout.activeAt[p]].weight);
  const cableCounts = order.map((p) => ctx.active[layout.activeAt[p]].cableCount);
  const previousOnCount = ctx.previousOn.size;
  const chosen = new Array<RingOption>(k);
  const caps = new Array<number>(k);
  const counts = new Array<number>(k);
  type Best = { total: number; fairness: number[] | null; modules: number; changes: number; options: RingOption[]; budgets: number[]; counts: number[] };
  let best: Best | null = null as Best | null;

  const countModules = (budgets: number[]): number => {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const o = chosen[j];
      counts[j] = o.dead ? 0 : moduleCountFor(budgets[j], o.powersDesc, o.maxCount, cableCounts[j], policy, config.modulePowerKW);
      sum += counts[j];
    }
    return sum;
  };
  const countChanges = (budgets: number[], modulesOn: number): number => {
    let changes = 0;
    let kept = 0;
    for (let j = 0; j < k; j++) {
      const o = chosen[j];
      changes += o.mcChanges;
      if (k > 1 && !o.dead) {
        const next = chosen[(j + 1) % k];
        if (!next.dead && o.r + next.l === gaps[j]) changes -= o.rightBoundaryChange;
      }
      const gc = ctx.active[layout.activeAt[order[j]]].config.gc;
      const gcWanted: ContactorPosition = counts[j] > 0 ? "closed" : "open";
      if (ctx.previousPosition(gc, false) !== gcWanted) changes++;
      // Same choice as selectModules: preference order unless it cannot carry the budget.
      const c = counts[j];
      if (c > 0) kept += o.preferredPowerPrefix[c] >= budgets[j] - EPSILON_KW ? o.preferredOnPrefix[c] : o.strongestOnPrefix[c];
    }
    return changes + previousOnCount + modulesOn - 2 * kept;
  };

  const budgets = new Array<number>(k);
  const scratch = new Array<number>(k);
  const fairness = new Array<number>(k);
  const leaf = (sumCaps: number) => {
    const total = Math.min(sharedKW, sumCaps);
    if (best && total < best.total - EPSILON_KW) return;
    waterFillInto(caps, weights, sharedKW, budgets, scratch);
    if (best && total <= best.total + EPSILON_KW) {
      fairnessProfileInto(budgets, weights, fairness);
      if (best.fairness === null) best.fairness = fairnessProfileInto(best.budgets, weights, new Array<number>(k));
      const c = compareFairness(fairness, best.fairness);
      if (c < 0) return;
      if (c === 0) {
        const modules = countModules(budgets);
        if (modules > best.modules) return;
        if (modules === best.modules) {
          const changes = countChanges(budgets, modules);
          if (changes >= best.changes) return;
          best = { total, fairness: fairness.slice(), modules, changes, options: chosen.slice(), budgets: budgets.slice(), counts: counts.slice() };
          return;
        }
      }
    }
    const modules = countModules(budgets);
    const changes = countChanges(budgets, modules);
    best = { total, fairness: null, modules, changes, options: chosen.slice(), budgets: budgets.slice(), counts: counts.slice() };
  };

  const fits = (a: RingOption, b: RingOption, gap: number) => a.r + b.l <= gap;
  const dfs = (j: number, sumCaps: number): void => {
    if (j === k) {
      leaf(sumCaps);
      return;
    }
    if (best && Math.min(sharedKW, sumCaps + suffixMax[j]) < best.total - EPSILON_KW) return;
    for (const o of options[j]) {
      if (j > 0 && !fits(chosen[j - 1], o, gaps[j - 1])) continue;
      if (j === k - 1 && k > 1 && !fits(o, chosen[0], gaps[k - 1])) continue;
      chosen[j] = o;
      caps[j] = o.capKW;
      dfs(j + 1, sumCaps + o.capKW);
    }
  };
  dfs(0, 0);

  const guns: GunAllocation[] = ctx.active.map((active) => ({
    active, capKW: 0, budgetKW: 0, candidates: [], powersDesc: [], maxCount: 0, moduleCount: 0, assigned: null, islandSlots: [], deadReason: null,
  }));
  const requiredPositions = new Map<string, ContactorPosition>();
  let totalKW = 0;
  if (best) {
    const b = best;
    b.options.forEach((o, j) => {
      const g = guns[layout.activeAt[order[j]]];
      g.capKW = o.capKW;
      g.budgetKW = b.budgets[j];
      g.candidates = o.candidates;
      g.powersDesc = o.powersDesc;
      g.maxCount = o.maxCount;
      g.moduleCount = b.counts[j];
      g.islandSlots = o.slotPositions.map((s) => layout.slotIdAt[s]);
      g.deadReason = o.deadReason;
      for (const m of o.openMcs) requiredPositions.set(layout.mcAt[m], "open");
      for (const m of o.innerMcs) requiredPositions.set(layout.mcAt[m], "closed");
      totalKW += b.budgets[j];
    });
  }
  return { guns, totalKW, requiredPositions };
}

/** Island key (sorted slot ids) as ringSearch uses it. */
export function islandKey(slots: readonly number[]): string {
  return slots.slice().sort((a, b) => a - b).join(",");
}
