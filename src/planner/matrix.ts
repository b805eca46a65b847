/**
 * Module assignment for the full contactor matrix (seed 001): every module can be linked
 * to any gun, no module to two guns, at most policy.maxModulesPerGun per gun, same
 * objective order as the ring: (1) served power, (2) weighted max-min fairness,
 * (3) fewest modules, (4) fewest contactor changes. The search enumerates module counts
 * per gun (up to what each gun can use) with branch and bound; modules are handed out
 * strongest first to the guns with the largest requests. It is exact when the usable
 * modules have equal power (no temperature derating in play).
 */
import type { ContactorPosition } from "./types";
import type { PlanContext } from "./context";
import type { Allocation, GunAllocation } from "./allocation";
import { EPSILON_KW, compareFairness, fairnessProfile, fairnessProfileInto, waterFill, waterFillInto } from "./limits";
import { moduleCountFor, preferenceOrder, type ModuleCandidate } from "./modules";

interface Link {
  contactor: string;
  usable: boolean;
}

export interface MatrixLayout {
  /** moduleId -> gunId -> link. */
  links: Map<string, Map<number, Link>>;
  /** Module pinned to one gun by a welded (or unverifiable) link. */
  pinnedTo: Map<string, number>;
  /** Guns that cannot be energized because a module welded to several guns joins them, and why. */
  bridged: Map<number, string>;
  /** Modules welded to several guns and not usable by the served one: never energized. */
  multiWelded: Set<string>;
  /** Every matrix link contactor. */
  contactors: { id: string; moduleId: string; gunId: number }[];
  /** Active gun ids joined by modules welded to several guns, per group of two or more. */
  groups: number[][];
}

/**
 * A module welded (or unverifiable) to several guns joins their buses into one electrically
 * connected region, whatever we command. At most one gun of such a region may be served
 * (invariant 1); `served` names it (gun ids). A region with one active gun serves it; a
 * region with several serves the one in `served` (matrixPlan tries each) or none. The
 * served gun may use the joining modules whose link to it is welded (closed anyway); the
 * other guns of the region get no module and their GC stays open. A region holding another
 * gun whose GC cannot open (welded / unverifiable) is not energized at all.
 */
export function matrixLayout(ctx: PlanContext, served: ReadonlySet<number> | null = null): MatrixLayout {
  const links = new Map<string, Map<number, Link>>();
  const pinnedTo = new Map<string, number>();
  const bridged = new Map<number, string>();
  const multiWelded = new Set<string>();
  const contactors: MatrixLayout["contactors"] = [];
  const weldedTo = new Map<string, number[]>();
  // Regions: union-find over gun ids joined by multi-welded modules.
  const parent = new Map<number, number>();
  const root = (g: number): number => {
    let r = g;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const row of ctx.config.matrix?.rows ?? []) {
    const byGun = new Map<number, Link>();
    const welded: number[] = [];
    for (const link of row.links) {
      const f = ctx.faults[link.contactor];
      byGun.set(link.gunId, { contactor: link.contactor, usable: f === undefined || f === "welded" });
      if (f === "welded" || f === "feedbackFault") welded.push(link.gunId);
      contactors.push({ id: link.contactor, moduleId: row.moduleId, gunId: link.gunId });
    }
    links.set(row.moduleId, byGun);
    if (welded.length === 1) pinnedTo.set(row.moduleId, welded[0]);
    if (welded.length > 1) {
      multiWelded.add(row.moduleId);
      weldedTo.set(row.moduleId, welded);
      for (const g of welded) if (!parent.has(g)) parent.set(g, g);
      for (let i = 1; i < welded.length; i++) {
        const a = root(welded[0]);
        const b = root(welded[i]);
        if (a !== b) parent.set(b, a);
      }
    }
  }
  const groups: number[][] = [];
  if (multiWelded.size > 0) {
    const activeIds = new Set(ctx.active.map((g) => g.config.id));
    const gcOf = new Map(ctx.config.guns.map((g) => [g.id, g.gc]));
    const regions = new Map<number, number[]>();
    for (const g of ctx.config.guns) {
      if (!parent.has(g.id)) continue;
      const r = root(g.id);
      if (!regions.has(r)) regions.set(r, []);
      regions.get(r)!.push(g.id);
    }
    for (const members of regions.values()) {
      const activeHere = members.filter((g) => activeIds.has(g));
      if (activeHere.length > 1) groups.push(activeHere);
      let chosen: number | undefined = activeHere.length === 1 ? activeHere[0] : activeHere.find((g) => served !== null && served.has(g));
      let stuck: string | null = null;
      for (const g of members) {
        const f = ctx.faults[gcOf.get(g)!];
        if (g !== chosen && (f === "welded" || f === "feedbackFault")) stuck = `${gcOf.get(g)} ${f}`;
      }
      if (stuck !== null) chosen = undefined;
      const why = new Map<number, string>();
      for (const [moduleId, welded] of weldedTo) {
        if (!members.includes(welded[0])) continue;
        const text = `${moduleId} links welded to guns ${welded.join(", ")}`;
        for (const g of welded) if (!why.has(g)) why.set(g, text);
        if (chosen !== undefined && welded.includes(chosen) && ctx.faults[links.get(moduleId)!.get(chosen)!.contactor] === "welded") {
          multiWelded.delete(moduleId);
          pinnedTo.set(moduleId, chosen);
        }
      }
      for (const g of members) {
        if (g === chosen) continue;
        const base = why.get(g) ?? `joined by welded modules to guns ${members.join(", ")}`;
        bridged.set(g, chosen !== undefined ? `${base}: one island with gun ${chosen}, which is served (one gun per island)` : stuck !== null ? `${base}; ${stuck}` : base);
      }
    }
  }
  return { links, pinnedTo, bridged, multiWelded, contactors, groups };
}

/** What an assignment scores on the four objectives (to compare welded-region choices). */
function matrixObjective(ctx: PlanContext, a: Allocation): { totalKW: number; fairness: number[]; modules: number; changes: number } {
  const budgets = a.guns.map((g) => g.budgetKW);
  const weights = a.guns.map((g) => g.active.weight);
  let modules = 0;
  let changes = 0;
  for (const g of a.guns) {
    modules += g.moduleCount;
    const gcClosed = ctx.previousPosition(g.active.config.gc, false) === "closed";
    if ((g.moduleCount > 0) !== gcClosed) changes++;
  }
  return { totalKW: a.totalKW, fairness: fairnessProfile(budgets, weights), modules, changes };
}

/**
 * Matrix allocation with welded regions: every choice of the served gun per region of
 * several active guns is searched and the best on the objective order wins (ties: fewer
 * GC changes, so a gun already charging keeps the region).
 */
export function matrixPlan(ctx: PlanContext): Allocation {
  const first = matrixLayout(ctx);
  if (first.groups.length === 0) return matrixSearch(ctx, first);
  let combos: number[][] = [[]];
  for (const group of first.groups) {
    const next: number[][] = [];
    for (const c of combos) for (const g of group) next.push(c.concat([g]));
    combos = next;
  }
  let best: Allocation | null = null;
  let bestScore: ReturnType<typeof matrixObjective> | null = null;
  for (const combo of combos) {
    const a = matrixSearch(ctx, matrixLayout(ctx, new Set(combo)));
    const score = matrixObjective(ctx, a);
    if (bestScore !== null) {
      if (score.totalKW < bestScore.totalKW - EPSILON_KW) continue;
      if (score.totalKW <= bestScore.totalKW + EPSILON_KW) {
        const c = compareFairness(score.fairness, bestScore.fairness);
        if (c < 0) continue;
        if (c === 0 && (score.modules > bestScore.modules || (score.modules === bestScore.modules && score.changes >= bestScore.changes))) continue;
      }
    }
    best = a;
    bestScore = score;
  }
  return best!;
}

export function matrixSearch(ctx: PlanContext, layout: MatrixLayout): Allocation {
  const { config } = ctx;
  const policy = config.policy;
  const sharedKW = ctx.sharedLimitKW;
  const active = ctx.active;
  const k = active.length;
  const pool: ModuleCandidate[] = [];
  for (let i = 0; i < ctx.usableAt.length; i++) {
    const c = ctx.usableAt[i];
    if (c === undefined) continue;
    const byGun = layout.links.get(c.id);
    if (byGun && !layout.multiWelded.has(c.id)) pool.push(c);
  }
  pool.sort((a, b) => b.powerKW - a.powerKW || preferenceOrder(a, b));

  const canUse = (m: ModuleCandidate, gunId: number): boolean => {
    const link = layout.links.get(m.id)?.get(gunId);
    if (!link || !link.usable) return false;
    const pin = layout.pinnedTo.get(m.id);
    return pin === undefined || pin === gunId;
  };

  const deadReason: (string | null)[] = active.map((g) => {
    if (g.blockedBy) return g.blockedBy;
    const bridge = layout.bridged.get(g.config.id);
    if (bridge) return bridge;
    if (sharedKW <= EPSILON_KW) return ctx.sharedLimitName;
    if (g.clampedKW <= EPSILON_KW) return "nothing requested";
    return null;
  });
  // Most modules a gun can use: enough to carry its clamped request, within policy.
  const need = active.map((g, i) => {
    if (deadReason[i]) return 0;
    let count = 0;
    let sum = 0;
    for (const m of pool) {
      if (count >= policy.maxModulesPerGun || sum >= g.clampedKW - EPSILON_KW) break;
      if (canUse(m, g.config.id)) {
        count++;
        sum += m.powerKW;
      }
    }
    return count;
  });
  const weights = active.map((g) => g.weight);
  // Each gun's reachable modules, strongest first, and its cap with its c strongest,
  // ignoring the other guns (exact when the module powers are equal).
  const reach = active.map((g, i) => (deadReason[i] ? [] : pool.filter((m) => canUse(m, g.config.id))));
  const capAt = active.map((g, i) => {
    const out = [0];
    let sum = 0;
    for (let c = 0; c < need[i]; c++) {
      sum += reach[i][c].powerKW;
      out.push(Math.min(g.clampedKW, sum));
    }
    return out;
  });
  /** Fewest modules whose cap carries budget b. */
  const usedFor = (i: number, b: number) => {
    let c = 0;
    while (c < need[i] && capAt[i][c] < b - EPSILON_KW) c++;
    return c;
  };
  const wasLinked = (m: ModuleCandidate, gunId: number) =>
    ctx.previousPosition(layout.links.get(m.id)!.get(gunId)!.contactor, false) === "closed";
  /**
   * Hands out `counts` modules: most constrained guns first; each keeps the modules it had
   * (no contactor change), then takes the strongest free ones. Null if contention (pinned
   * or missing links) leaves a gun short.
   */
  const assignSets = (counts: number[], budgets: number[]): ModuleCandidate[][] | null => {
    const taken = new Set<string>();
    const sets: ModuleCandidate[][] = active.map(() => []);
    const orderOf = active.map((_, i) => i).sort((x, y) => reach[x].length - reach[y].length || counts[y] - counts[x] || x - y);
    for (const i of orderOf) {
      const gunId = active[i].config.id;
      for (const m of reach[i]) {
        if (sets[i].length >= counts[i]) break;
        if (!taken.has(m.id) && m.wasOn && wasLinked(m, gunId)) {
          taken.add(m.id);
          sets[i].push(m);
        }
      }
      for (const m of reach[i]) {
        if (sets[i].length >= counts[i]) break;
        if (!taken.has(m.id)) {
          taken.add(m.id);
          sets[i].push(m);
        }
      }
      let sum = 0;
      for (const m of sets[i]) sum += m.powerKW;
      if (sets[i].length < counts[i] || sum < budgets[i] - EPSILON_KW) return null;
      sets[i].sort((x, y) => y.powerKW - x.powerKW || preferenceOrder(x, y));
    }
    return sets;
  };

  type Best = { total: number; fairness: number[]; modules: number; sets: ModuleCandidate[][]; caps: number[]; budgets: number[]; used: number[] };
  let best: Best | null = null as Best | null;
  // Shortcut: water-fill every gun's best cap; if the modules go round, that is the optimum.
  {
    const caps = capAt.map((a) => a[a.length - 1]);
    const budgets = waterFill(caps, weights, sharedKW);
    const used = budgets.map((b, i) => usedFor(i, b));
    const sets = assignSets(used, budgets);
    if (sets) {
      best = { total: budgets.reduce((x, y) => x + y, 0), fairness: fairnessProfile(budgets, weights), modules: used.reduce((x, y) => x + y, 0), sets, caps, budgets, used };
    }
  }
  if (!best) {
    // Modules are short: branch and bound over module counts per gun.
    const counts = new Array<number>(k).fill(0);
    const caps = new Array<number>(k).fill(0);
    const budgets = new Array<number>(k);
    const scratch = new Array<number>(k);
    const fairness = new Array<number>(k);
    const restTop = new Array<number>(k + 1).fill(0);
    for (let i = k - 1; i >= 0; i--) restTop[i] = restTop[i + 1] + capAt[i][need[i]];
    const leaf = (sumCaps: number) => {
      const total = Math.min(sharedKW, sumCaps);
      if (best && total < best.total - EPSILON_KW) return;
      waterFillInto(caps, weights, sharedKW, budgets, scratch);
      let modules = 0;
      for (let i = 0; i < k; i++) {
        const u = usedFor(i, budgets[i]);
        if (u < counts[i]) return; // the same budgets with fewer modules are visited too
        modules += u;
      }
      fairnessProfileInto(budgets, weights, fairness);
      if (best && total <= best.total + EPSILON_KW) {
        const c = compareFairness(fairness, best.fairness);
        if (c < 0 || (c === 0 && modules >= best.modules)) return;
      }
      const sets = assignSets(counts, budgets);
      if (!sets) return;
      best = { total, fairness: fairness.slice(), modules, sets, caps: caps.slice(), budgets: budgets.slice(), used: counts.slice() };
    };
    const dfs = (i: number, left: number, sumCaps: number): void => {
      if (best && Math.min(sharedKW, sumCaps + restTop[i]) < best.total - EPSILON_KW) return;
      if (i === k) return leaf(sumCaps);
      for (let c = Math.min(need[i], left); c >= 0; c--) {
        counts[i] = c;
        caps[i] = capAt[i][c];
        dfs(i + 1, left - c, sumCaps + caps[i]);
      }
      counts[i] = 0;
      caps[i] = 0;
    };
    dfs(0, pool.length, 0);
  }
  if (best) {
    // With unequal (derated) modules the handed-out sets may carry less than estimated:
    // water-fill again on what they can really deliver.
    const real = best.sets.map((set, i) => Math.min(active[i].clampedKW, set.reduce((x, m) => x + m.powerKW, 0)));
    if (real.some((x, i) => x < best!.caps[i] - EPSILON_KW)) {
      best.caps = real;
      best.budgets = waterFill(real, weights, sharedKW);
    }
  }

  const guns: GunAllocation[] = active.map((g, i) => ({
    active: g, capKW: 0, budgetKW: 0, candidates: [], powersDesc: [], maxCount: 0, moduleCount: 0, assigned: [], islandSlots: [], deadReason: deadReason[i],
  }));
  let totalKW = 0;
  if (best) {
    const b = best;
    // Headroom (threshold) modules from what is left, downgrading by (priority, budget)
    // ascending when the pool is short (seed 000 B.2 stage 1).
    const taken = new Set<string>();
    b.sets.forEach((set, i) => set.slice(0, b.used[i]).forEach((m) => taken.add(m.id)));
    const previousModules = new Map((ctx.previous?.guns ?? []).map((g) => [g.id, g.modules]));
    const byRank = active.map((_, i) => i).sort((x, y) =>
      active[y].observation.priority - active[x].observation.priority || b.budgets[y] - b.budgets[x] || x - y);
    const assigned: ModuleCandidate[][] = b.sets.map((set, i) => set.slice(0, b.used[i]));
    for (const i of byRank) {
      if (b.budgets[i] <= EPSILON_KW) continue;
      const powers = assigned[i].map((m) => m.powerKW);
      const reach = pool.filter((m) => canUse(m, active[i].config.id) && (!taken.has(m.id) || assigned[i].includes(m)));
      const maxCount = Math.min(policy.maxModulesPerGun, reach.length);
      const reachPowers = powers.concat(reach.filter((m) => !taken.has(m.id)).map((m) => m.powerKW)).sort((x, y) => y - x);
      let want = moduleCountFor(b.budgets[i], reachPowers, maxCount, active[i].cableCount, policy, config.modulePowerKW);
      // Stability, as on the ring: modules this gun had stay on inside the hysteresis band
      // and within their hold time (they add headroom, never power).
      const mine = previousModules.get(active[i].config.id) ?? [];
      const still = reach.filter((m) => m.wasOn && mine.includes(m.id));
      if (still.length > want) {
        const withHysteresis = moduleCountFor(b.budgets[i], reachPowers, maxCount, active[i].cableCount, policy, config.modulePowerKW, policy.moduleHysteresisFraction);
        const held = still.filter((m) => m.onSinceMs >= 0 && ctx.nowMs - m.onSinceMs < policy.moduleHoldS * 1000).length;
        want = Math.max(want, Math.min(still.length, withHysteresis), Math.min(held, maxCount));
      }
      for (const preferMine of [true, false]) {
        for (const m of pool) {
          if (assigned[i].length >= want) break;
          if (taken.has(m.id) || !canUse(m, active[i].config.id) || (preferMine && !mine.includes(m.id))) continue;
          taken.add(m.id);
          assigned[i].push(m);
        }
      }
    }
    active.forEach((g, i) => {
      const alloc = guns[i];
      alloc.capKW = b.caps[i];
      alloc.budgetKW = b.budgets[i];
      alloc.assigned = assigned[i];
      alloc.candidates = assigned[i];
      alloc.powersDesc = assigned[i].map((m) => m.powerKW).sort((x, y) => y - x);
      alloc.maxCount = Math.min(policy.maxModulesPerGun, need[i]);
      alloc.moduleCount = assigned[i].length;
      if (!alloc.deadReason && need[i] === 0) alloc.deadReason = "no usable module linked";
      totalKW += b.budgets[i];
    });
  }
  return { guns, totalKW, requiredPositions: new Map() };
}
