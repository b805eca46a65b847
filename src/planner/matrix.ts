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
import { EPSILON_KW, compareFairness, fairnessProfile, waterFill } from "./limits";
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
  /** Gun ids that a module with several welded links bridges together. */
  bridged: Map<number, string>;
  /** Modules welded to several guns: never energized. */
  multiWelded: Set<string>;
  /** Every matrix link contactor. */
  contactors: { id: string; moduleId: string; gunId: number }[];
}

export function matrixLayout(ctx: PlanContext): MatrixLayout {
  const links = new Map<string, Map<number, Link>>();
  const pinnedTo = new Map<string, number>();
  const bridged = new Map<number, string>();
  const multiWelded = new Set<string>();
  const contactors: MatrixLayout["contactors"] = [];
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
    if (welded.length > 1) multiWelded.add(row.moduleId);
    if (welded.length > 1) for (const g of welded) bridged.set(g, `${row.moduleId} links welded to guns ${welded.join(", ")}`);
  }
  return { links, pinnedTo, bridged, multiWelded, contactors };
}

export function matrixSearch(ctx: PlanContext, layout: MatrixLayout): Allocation {
  const { config } = ctx;
  const policy = config.policy;
  const sharedKW = ctx.sharedLimitKW;
  const active = ctx.active;
  const k = active.length;
  const pool: ModuleCandidate[] = [];
  for (const c of ctx.usable.values()) {
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
  // Hand-out order: largest request first, then config order.
  const handOut = active.map((_, i) => i).sort((a, b) => active[b].clampedKW - active[a].clampedKW || a - b);
  const counts = new Array<number>(k).fill(0);
  const prevClosed = layout.contactors.filter((c) => ctx.previousPosition(c.id, false) === "closed").length;

  const assign = (): { sets: ModuleCandidate[][]; caps: number[] } => {
    const taken = new Set<string>();
    const sets: ModuleCandidate[][] = active.map(() => []);
    const caps = new Array<number>(k).fill(0);
    for (const i of handOut) {
      const gunId = active[i].config.id;
      let sum = 0;
      for (const m of pool) {
        if (sets[i].length >= counts[i]) break;
        if (taken.has(m.id) || !canUse(m, gunId)) continue;
        taken.add(m.id);
        sets[i].push(m);
        sum += m.powerKW;
      }
      caps[i] = Math.min(active[i].clampedKW, sum);
    }
    return { sets, caps };
  };

  type Best = { total: number; fairness: number[]; modules: number; changes: number; sets: ModuleCandidate[][]; caps: number[]; budgets: number[]; used: number[] };
  let best: Best | null = null as Best | null;
  const leaf = () => {
    const { sets, caps } = assign();
    let sumCaps = 0;
    for (const c of caps) sumCaps += c;
    const total = Math.min(sharedKW, sumCaps);
    if (best && total < best.total - EPSILON_KW) return;
    const budgets = waterFill(caps, weights, sharedKW);
    const fairness = fairnessProfile(budgets, weights);
    if (best && total <= best.total + EPSILON_KW) {
      const c = compareFairness(fairness, best.fairness);
      if (c < 0) return;
      if (c === 0) {
        const used = usedCounts(sets, budgets);
        const modules = used.reduce((a, b) => a + b, 0);
        if (modules > best.modules) return;
        const changes = changesOf(sets, used);
        if (modules === best.modules && changes >= best.changes) return;
        best = { total, fairness, modules, changes, sets, caps, budgets, used };
        return;
      }
    }
    const used = usedCounts(sets, budgets);
    const modules = used.reduce((a, b) => a + b, 0);
    best = { total, fairness, modules, changes: changesOf(sets, used), sets, caps, budgets, used };
  };
  // Modules actually needed for the budget (strongest of the set first).
  const usedCounts = (sets: ModuleCandidate[][], budgets: number[]) =>
    sets.map((set, i) => {
      let sum = 0;
      let n = 0;
      while (n < set.length && sum < budgets[i] - EPSILON_KW) sum += set[n++].powerKW;
      return n;
    });
  const changesOf = (sets: ModuleCandidate[][], used: number[]): number => {
    let closedNow = 0;
    let keptClosed = 0;
    let gcChanges = 0;
    sets.forEach((set, i) => {
      const gunId = active[i].config.id;
      for (let j = 0; j < used[i]; j++) {
        closedNow++;
        const link = layout.links.get(set[j].id)!.get(gunId)!;
        if (ctx.previousPosition(link.contactor, false) === "closed") keptClosed++;
      }
      const gcWanted: ContactorPosition = used[i] > 0 ? "closed" : "open";
      if (ctx.previousPosition(active[i].config.gc, false) !== gcWanted) gcChanges++;
    });
    return prevClosed + closedNow - 2 * keptClosed + gcChanges;
  };
  const suffixNeed = new Array<number>(k + 1).fill(0);
  for (let i = k - 1; i >= 0; i--) suffixNeed[i] = suffixNeed[i + 1] + active[i].clampedKW * (need[i] > 0 ? 1 : 0);
  const dfs = (i: number, left: number, capBound: number) => {
    if (best && Math.min(sharedKW, capBound + suffixNeed[i]) < best.total - EPSILON_KW) return;
    if (i === k) {
      leaf();
      return;
    }
    const most = Math.min(need[i], left);
    for (let c = most; c >= 0; c--) {
      counts[i] = c;
      dfs(i + 1, left - c, capBound + (c > 0 ? active[i].clampedKW : 0));
    }
    counts[i] = 0;
  };
  dfs(0, pool.length, 0);

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
    const byRank = active.map((_, i) => i).sort((x, y) =>
      active[y].observation.priority - active[x].observation.priority || b.budgets[y] - b.budgets[x] || x - y);
    const assigned: ModuleCandidate[][] = b.sets.map((set, i) => set.slice(0, b.used[i]));
    for (const i of byRank) {
      if (b.budgets[i] <= EPSILON_KW) continue;
      const powers = assigned[i].map((m) => m.powerKW);
      const reach = pool.filter((m) => canUse(m, active[i].config.id) && (!taken.has(m.id) || assigned[i].includes(m)));
      const maxCount = Math.min(policy.maxModulesPerGun, reach.length);
      const want = moduleCountFor(b.budgets[i], powers.concat(reach.filter((m) => !taken.has(m.id)).map((m) => m.powerKW)).sort((x, y) => y - x), maxCount, active[i].cableCount, policy, config.modulePowerKW);
      for (const m of pool) {
        if (assigned[i].length >= want) break;
        if (taken.has(m.id) || !canUse(m, active[i].config.id)) continue;
        taken.add(m.id);
        assigned[i].push(m);
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
