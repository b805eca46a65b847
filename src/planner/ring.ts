/**
 * Algorithm D for the ring (seed 000 §7, §12.2): choose every active gun's island exactly.
 *
 * An island is an arc of slots around its gun, bounded by two open MCs (one when it is the
 * whole ring cut once, none when it is the closed ring). It never contains another active
 * gun's slot, a slot with a welded module contactor, or an idle gun whose GC is welded; its
 * boundaries are never welded (or unverifiable) MCs and its inner MCs are never stuck open.
 * Consecutive active guns compete only for the idle slots between them: each gun's island is
 * its (left, right) extent into the gaps beside it. Objective, in order:
 * (1) total served power, (2) weighted max-min fairness, (3) fewest modules on,
 * (4) fewest contactor changes against the previous plan.
 */
import type { ContactorPosition } from "./types";
import type { CabinetConfig } from "../config/types";
import type { PlanContext } from "./context";
import type { Allocation, GunAllocation } from "./allocation";
import { EPSILON_KW, compareFairness, fairnessProfileInto, waterFillInto } from "./limits";
import { moduleCountFor, moduleCountWithThreshold, preferenceOrder, thresholdCount, type ModuleCandidate } from "./modules";

const mod = (i: number, n: number) => ((i % n) + n) % n;

/**
 * Sorts a slot's modules in place: two at most on most cabinets, where one comparison
 * beats a sort call (Node); longer lists go to the engine's sort. Both orders used here
 * are strict, so any correct sort gives the same order.
 */
function sortShort<T>(list: T[], order: (a: T, b: T) => number): T[] {
  if (list.length === 2) {
    if (order(list[0], list[1]) > 0) {
      const first = list[0];
      list[0] = list[1];
      list[1] = first;
    }
    return list;
  }
  return list.length > 2 ? list.sort(order) : list;
}

/**
 * What the ring layout takes from the config alone (ring order of the slots, their ids,
 * MCs, modules, guns): built once per config object and handed on from plan to plan with
 * the geometry (ringPlanSolver). Read-only once built.
 */
export interface RingTables {
  config: CabinetConfig;
  slotAt: CabinetConfig["slots"];
  slotIdAt: number[];
  mcAt: string[];
  modulesAt: string[][];
  firstModuleAt: number[];
  /** The gun configured at each ring position, if any. */
  gunAt: (CabinetConfig["guns"][number] | undefined)[];
  /**
   * Record index (PlanContext.previousAt) of the MC at each ring position, and of the first
   * GC: each slot's MNs then its MC in config slot order, then the GCs in config gun order.
   */
  mcRecordAt: number[];
  gcRecordBase: number;
}

export function ringTables(config: CabinetConfig): RingTables {
  const slots = config.slots;
  // By slot id (small integers): an array, no Map.
  const slotById: (typeof slots)[number][] = [];
  // Modules are numbered in config order (buildContext): each slot's first number.
  const firstModuleById: number[] = [];
  // Contactor records list each slot's MNs then its MC (buildPlan): the MC's record index.
  const mcRecordById: number[] = [];
  let moduleIndex = 0;
  let recordIndex = 0;
  for (let i = 0; i < slots.length; i++) {
    slotById[slots[i].id] = slots[i];
    firstModuleById[slots[i].id] = moduleIndex;
    moduleIndex += slots[i].modules.length;
    recordIndex += slots[i].modules.length;
    mcRecordById[slots[i].id] = recordIndex++;
  }
  const ringSlots: (typeof slots)[number][] = [];
  if (slots.length > 0) {
    let current = slots[0];
    do {
      ringSlots.push(current);
      current = slotById[current.cw];
    } while (current.id !== slots[0].id && ringSlots.length < slots.length);
  }
  const gunBySlot: (CabinetConfig["guns"][number] | undefined)[] = [];
  for (let i = 0; i < config.guns.length; i++) {
    const g = config.guns[i];
    if (g.slotId !== undefined) gunBySlot[g.slotId] = g;
  }
  const size = ringSlots.length;
  const tables: RingTables = {
    config, slotAt: ringSlots, slotIdAt: new Array(size), mcAt: new Array(size), modulesAt: new Array(size),
    firstModuleAt: new Array(size), gunAt: new Array(size), mcRecordAt: new Array(size), gcRecordBase: recordIndex,
  };
  for (let i = 0; i < size; i++) {
    const slot = ringSlots[i];
    tables.slotIdAt[i] = slot.id;
    tables.mcAt[i] = slot.mc;
    const ids = new Array<string>(slot.modules.length);
    for (let t = 0; t < slot.modules.length; t++) ids[t] = slot.modules[t].id;
    tables.modulesAt[i] = ids;
    tables.firstModuleAt[i] = firstModuleById[slot.id];
    tables.gunAt[i] = gunBySlot[slot.id];
    tables.mcRecordAt[i] = mcRecordById[slot.id];
  }
  return tables;
}

export interface RingLayout {
  size: number;
  /** Config-only part (shared with `tables`, never written). */
  tables: RingTables;
  slotIdAt: number[];
  mcAt: string[];
  /** MC may be an island boundary (not welded / unverifiable). */
  cuttable: boolean[];
  /** MC is stuck open: it can never be inside an island. */
  stuckOpen: boolean[];
  /** Slot can never be part of an energized island, and why. */
  forbidden: (string | null)[];
  modulesAt: string[][];
  /** ModuleCandidate.index of the slot's first module (a slot's modules are numbered in a row). */
  firstModuleAt: number[];
  activeAt: number[];
}

/**
 * @param unserved indices into ctx.active of guns treated as idle here: the partners of a
 *   welded group that another member serves (see weldedGroups).
 * @param tables ringTables(ctx.config), when already at hand.
 */
export function ringLayout(ctx: PlanContext, unserved: ReadonlySet<number> | null = null, tables: RingTables | null = null): RingLayout {
  // Runs every plan (XS): indexed loops, no Map, no closures per slot.
  const { config } = ctx;
  const t = tables !== null && tables.config === config ? tables : ringTables(config);
  // No fault (most cycles): no lookups in an empty record.
  const faults = ctx.anyFault ? ctx.faults : null;
  const size = t.slotIdAt.length;
  // Active gun index by slot id (slot ids are small integers).
  const activeBySlot: number[] = [];
  for (let i = 0; i < ctx.active.length; i++) {
    const slotId = ctx.active[i].config.slotId;
    if (slotId !== undefined && !(unserved && unserved.has(i))) activeBySlot[slotId] = i;
  }
  const layout: RingLayout = {
    size, tables: t, slotIdAt: t.slotIdAt, mcAt: t.mcAt, cuttable: new Array(size), stuckOpen: new Array(size),
    forbidden: new Array(size), modulesAt: t.modulesAt, firstModuleAt: t.firstModuleAt, activeAt: new Array(size),
  };
  for (let i = 0; i < size; i++) {
    const active = activeBySlot[t.slotIdAt[i]];
    layout.activeAt[i] = active === undefined ? -1 : active;
    if (faults === null) {
      layout.cuttable[i] = true;
      layout.stuckOpen[i] = false;
      layout.forbidden[i] = null;
      continue;
    }
    const slot = t.slotAt[i];
    const mcFault = faults[slot.mc];
    layout.cuttable[i] = mcFault !== "welded" && mcFault !== "feedbackFault";
    layout.stuckOpen[i] = mcFault === "stuckOpen";
    let why: string | null = null;
    const modules = slot.modules;
    for (let m = 0; m < modules.length; m++) {
      const f = faults[modules[m].mn];
      if (f === "welded" || f === "feedbackFault") why = `${modules[m].mn} ${f}`;
    }
    const gun = t.gunAt[i];
    if (gun && active === undefined) {
      const f = faults[gun.gc];
      if (f === "welded" || f === "feedbackFault") why = `${gun.gc} of idle gun ${gun.id} ${f}`;
    }
    layout.forbidden[i] = why;
  }
  return layout;
}

interface RingOption {
  dead: boolean;
  deadReason: string | null;
  /** Idle slots taken on the counter-clockwise / clockwise side. */
  l: number;
  r: number;
  /** Island = `span` slots clockwise from ring position `start`. */
  start: number;
  span: number;
  /** Ring positions of its open MCs (2 for an arc, 1 for the ring cut once, 0 for the closed ring). */
  openMcs: number[];
  /** `candidates` is filled only for the chosen option (ensureDetail). */
  detailed: boolean;
  /** Usable modules it can use, in Algorithm C preference order. */
  candidates: ModuleCandidate[];
  /** Powers of its maxCount strongest modules, strongest first. */
  powersDesc: number[];
  /** Prefix sums over its first maxCount modules in preference order: power, modules already on. */
  preferredPowerPrefix: number[];
  preferredOnPrefix: number[];
  /** Modules already on among the n strongest (selectModules' fallback order). */
  strongestOnPrefix: number[];
  maxCount: number;
  capKW: number;
  /** Contactor changes on its own MCs (boundaries and inner) against the previous plan. */
  mcChanges: number;
  /** 1 when its clockwise boundary MC changes (it may be shared with the next island). */
  rightBoundaryChange: number;
}


function deadOption(reason: string): RingOption {
  return {
    dead: true, deadReason: reason, l: 0, r: 0, start: 0, span: 0, openMcs: [], detailed: true, candidates: [], powersDesc: [],
    preferredPowerPrefix: [0], preferredOnPrefix: [0], strongestOnPrefix: [0], maxCount: 0, capKW: 0, mcChanges: 0, rightBoundaryChange: 0,
  };
}

/** Island key (sorted slot ids), comparable across plans. */
export function islandKey(slots: readonly number[]): string {
  return slots.slice().sort((a, b) => a - b).join(",");
}

/** Same slots in any order (no allocation: islands hold a dozen slots at most). */
export function sameSlots(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (b.indexOf(a[i]) < 0) return false;
  return true;
}

/** What the chosen assignment scores on each objective (for tests and the bench). */
export interface RingObjective {
  totalKW: number;
  fairness: number[];
  modules: number;
  contactorChanges: number;
}

export type RingSearchMode = "fast" | "exhaustive";

/**
 * @param keep gun id -> island key: restrict those guns to that island when it is still
 *   possible (used to price a mid-session re-partition against staying put).
 * @param mode "fast" (default): exact two-phase search, see below. "exhaustive": every
 *   combination of islands, scored on all four objectives (the reference for tests).
 */
export function ringSearch(ctx: PlanContext, layout: RingLayout, keep: Map<number, readonly number[]> | null, mode: RingSearchMode = "fast"): RingAllocation {
  return ringSolver(ctx, layout).search(keep, mode);
}

export type RingAllocation = Allocation & { objective: RingObjective };

export interface RingSolver {
  /** keep: gun id -> the island (slot ids) it should keep when still possible. */
  search(keep: Map<number, readonly number[]> | null, mode?: RingSearchMode): RingAllocation;
}

/**
 * Active guns that no open MC can separate: between consecutive active guns (ring order)
 * every MC is welded or unverifiable. Such guns are one electrically connected region
 * whatever we command, so at most one of them can be served (invariant 1). Returns the
 * groups of two or more, each as ring positions in clockwise order starting after a
 * separable gap (the whole ring when no gap is separable).
 */
export function weldedGroups(layout: RingLayout): number[][] {
  const n = layout.size;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (layout.activeAt[i] >= 0) order.push(i);
  const k = order.length;
  if (k < 2) return [];
  // joined[j]: no cuttable MC between order[j] and the next active gun clockwise.
  const joined: boolean[] = [];
  let anyJoined = false;
  let firstSplit = -1;
  for (let j = 0; j < k; j++) {
    const from = order[j];
    const gap = mod(order[(j + 1) % k] - from, n);
    let cut = false;
    for (let s = 0; s < gap && !cut; s++) if (layout.cuttable[mod(from + s, n)]) cut = true;
    joined.push(!cut);
    if (!cut) anyJoined = true;
    else if (firstSplit < 0) firstSplit = j;
  }
  if (!anyJoined) return [];
  if (firstSplit < 0) return [order.slice()];
  const groups: number[][] = [];
  let current: number[] = [];
  for (let t = 1; t <= k; t++) {
    const j = (firstSplit + t) % k;
    current.push(order[j]);
    if (!joined[j]) {
      if (current.length > 1) groups.push(current);
      current = [];
    }
  }
  return groups;
}

function betterObjective(a: RingObjective, b: RingObjective): boolean {
  if (a.totalKW > b.totalKW + EPSILON_KW) return true;
  if (a.totalKW < b.totalKW - EPSILON_KW) return false;
  const c = compareFairness(a.fairness, b.fairness);
  if (c !== 0) return c > 0;
  return a.modules < b.modules || (a.modules === b.modules && a.contactorChanges < b.contactorChanges);
}

/**
 * Builds every gun's possible islands once; search() may then run with different restrictions.
 *
 * Welded groups (weldedGroups): every choice of the one served gun per group is searched
 * with the group's other guns treated as idle slots (their GCs open; an idle gun's slot
 * whose GC cannot open is forbidden, so a partner with a welded GC must be the served one),
 * and the best on the same four objectives wins, the partners' GC openings counted as
 * changes. The served gun's island must then hold the whole group (its boundaries cannot be
 * the welded MCs). This is the one case where an island holds another active gun's slot.
 */
export function ringSolver(ctx: PlanContext, layout: RingLayout): RingSolver {
  const groups = weldedGroups(layout);
  if (groups.length === 0) return islandSolver(ctx, ringGeometry(ctx, layout));
  // Every combination of one served member per group, in a fixed order (determinism).
  const combos: number[][] = [[]];
  for (const group of groups) {
    const next: number[][] = [];
    for (const c of combos) for (const p of group) next.push(c.concat([p]));
    combos.splice(0, combos.length, ...next);
  }
  const solvers: (RingSolver | null)[] = combos.map(() => null);
  const unservedOf = (combo: number[]): Set<number> => {
    const out = new Set<number>();
    groups.forEach((group, g) => {
      for (const p of group) if (p !== combo[g]) out.add(layout.activeAt[p]);
    });
    return out;
  };
  const gcWasClosed = (activeIndex: number) => ctx.previousPosition(ctx.active[activeIndex].config.gc, false) === "closed";
  /** Welded or unverifiable MCs between two members of a group (clockwise from the first). */
  const faultedBetween = (group: number[], a: number, b: number): string[] => {
    const out: string[] = [];
    const ia = group.indexOf(a);
    const ib = group.indexOf(b);
    const from = group[Math.min(ia, ib)];
    const to = group[Math.max(ia, ib)];
    for (let i = from; i !== to; i = mod(i + 1, layout.size)) {
      const f = ctx.faults[layout.mcAt[i]];
      if (f === "welded" || f === "feedbackFault") out.push(`${layout.mcAt[i]} ${f}`);
    }
    return out;
  };
  return {
    search(keep: Map<number, readonly number[]> | null, mode: RingSearchMode = "fast"): RingAllocation {
      // A kept (charging) gun of a group stays the served one when that is possible.
      let eligible = combos.map((_, c) => c);
      if (keep) {
        const keptServed = eligible.filter((c) =>
          groups.every((group, g) => group.every((p) => p === combos[c][g] || !keep.has(ctx.active[layout.activeAt[p]].config.id))),
        );
        if (keptServed.length > 0) eligible = keptServed;
      }
      let best: RingAllocation | null = null;
      let bestCombo = -1;
      for (const c of eligible) {
        const unserved = unservedOf(combos[c]);
        let solver = solvers[c];
        if (!solver) {
          const partial = ringLayout(ctx, unserved, layout.tables);
          solver = solvers[c] = islandSolver(ctx, ringGeometry(ctx, partial));
        }
        const result = solver.search(keep, mode);
        for (const i of unserved) if (gcWasClosed(i)) result.objective.contactorChanges++;
        if (!best || betterObjective(result.objective, best.objective)) {
          best = result;
          bestCombo = c;
        }
      }
      const result = best!;
      const combo = combos[bestCombo];
      groups.forEach((group, g) => {
        const servedGun = ctx.active[layout.activeAt[combo[g]]].config.id;
        for (const p of group) {
          if (p === combo[g]) continue;
          const a = result.guns[layout.activeAt[p]];
          a.weldedPartner = servedGun;
          a.deadReason = `${faultedBetween(group, p, combo[g]).join(", ")}: one island with gun ${servedGun}, which is served (one gun per island)`;
        }
      });
      return result;
    },
  };
}

/**
 * The Map of MC id -> required position of the chosen islands: inner MCs closed (every MC
 * of the closed ring), boundaries open, island by island. Built only when asked (tests,
 * tools): plan() reads the same positions by slot id.
 */
function requiredPositionsOf(layout: RingLayout, options: readonly RingOption[]): Map<string, ContactorPosition> {
  const n = layout.size;
  const out = new Map<string, ContactorPosition>();
  for (let j = 0; j < options.length; j++) {
    const o = options[j];
    if (o.dead) continue;
    for (let t = 0; t < o.span; t++) {
      const at = o.start + t < n ? o.start + t : o.start + t - n;
      if (o.openMcs.length === 0 || t < o.span - 1) out.set(layout.mcAt[at], "closed");
    }
    for (let t = 0; t < o.openMcs.length; t++) out.set(layout.mcAt[o.openMcs[t]], "open");
  }
  return out;
}

/**
 * A ring search's allocation. requiredPositions is a getter on the class (not on each
 * object: an accessor in an object literal makes every result a slow object in V8), built
 * on first read from the chosen islands.
 */
class RingSearchResult implements RingAllocation {
  private required: Map<string, ContactorPosition> | null = null;
  constructor(
    public guns: GunAllocation[],
    public totalKW: number,
    public objective: RingObjective,
    public requiredBySlotId: (ContactorPosition | undefined)[],
    private readonly layout: RingLayout,
    private readonly chosen: readonly RingOption[],
  ) {}
  get requiredPositions(): Map<string, ContactorPosition> {
    if (this.required === null) this.required = requiredPositionsOf(this.layout, this.chosen);
    return this.required;
  }
}

/** One possible island of a gun, without its modules: a function of the geometry only. */
interface IslandShell {
  l: number;
  r: number;
  start: number;
  span: number;
  openMcs: number[];
  mcChanges: number;
  rightBoundaryChange: number;
}

/**
 * The part of the island search that does not depend on powers, requests or module data:
 * which islands each active gun may take (their slots, open MCs and MC changes against the
 * previous plan). It reads only `layout`, the previous positions of the ring's MCs, the
 * policy (multi-slot islands) and each active gun's `blockedBy`: see ringGeometryMatches
 * for when it may be reused.
 */
export interface RingGeometry {
  /** Config and active guns (config gun index, ctx.active order) it was built for. */
  config: CabinetConfig;
  activeGunIndex: number[];
  layout: RingLayout;
  /** Previous MC position open, by ring position. */
  prevOpen: boolean[];
  order: number[];
  gaps: number[];
  /** Per active gun in ring order: why it cannot be served whatever the powers (GC fault, forbidden slot), or null. */
  blockedWhy: (string | null)[];
  /** Per active gun in ring order: its islands, in the order the search enumerates them. */
  shells: IslandShell[][];
}

/** Previous MC positions by ring position (an MC without a previous position rests closed). */
function previousMcOpen(ctx: PlanContext, layout: RingLayout): boolean[] {
  const out = new Array<boolean>(layout.size);
  const at = ctx.previousAt;
  if (at !== null) {
    // By record index (PlanContext.previousAt): the same positions, no key lookup.
    const record = layout.tables.mcRecordAt;
    for (let i = 0; i < layout.size; i++) out[i] = at[record[i]] === "open";
    return out;
  }
  for (let i = 0; i < layout.size; i++) out[i] = ctx.previousPosition(layout.mcAt[i], true) === "open";
  return out;
}

export function ringGeometry(ctx: PlanContext, layout: RingLayout): RingGeometry {
  const policy = ctx.config.policy;
  const n = layout.size;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (layout.activeAt[i] >= 0) order.push(i);
  const k = order.length;
  const gaps: number[] = [];
  for (let j = 0; j < k; j++) gaps.push(k === 1 ? n - 1 : mod(order[(j + 1) % k] - order[j] - 1, n));

  // Previous MC positions as prefix counts over the doubled ring: inner changes in O(1).
  const prevOpen = previousMcOpen(ctx, layout);
  const openPrefix = [0];
  for (let i = 0; i < 2 * n; i++) openPrefix.push(openPrefix[i] + (prevOpen[i % n] ? 1 : 0));
  const totalOpen = openPrefix[n];

  /** openLeft / openRight: ring positions of its open MCs, -1 when absent. */
  const makeShell = (p: number, l: number, r: number, openLeft: number, openRight: number): IslandShell => {
    const openCount = (openLeft >= 0 ? 1 : 0) + (openRight >= 0 ? 1 : 0);
    const openMcs = openCount === 2 ? [openLeft, openRight] : openCount === 1 ? [openRight] : [];
    const span = openCount === 0 ? n : l + r + 1;
    let start = openCount === 0 ? p : openCount === 1 ? openRight + 1 : p - l;
    if (start >= n) start -= n;
    else if (start < 0) start += n;
    // Boundaries must end up open, inner MCs closed.
    let mcChanges = 0;
    if (openCount === 0) mcChanges = totalOpen;
    else if (openCount === 1) mcChanges = (prevOpen[openRight] ? 0 : 1) + totalOpen - (prevOpen[openRight] ? 1 : 0);
    else mcChanges = (prevOpen[openLeft] ? 0 : 1) + (prevOpen[openRight] ? 0 : 1) + openPrefix[start + span - 1] - openPrefix[start];
    const rightBoundaryChange = openCount === 2 && !prevOpen[openRight] ? 1 : 0;
    return { l, r, start, span, openMcs, mcChanges, rightBoundaryChange };
  };

  const multi = policy.multiSlotIslands;
  const forbidden = layout.forbidden;
  const stuckOpen = layout.stuckOpen;
  const cuttable = layout.cuttable;
  const blockedWhy: (string | null)[] = [];
  const shells: IslandShell[][] = [];
  for (let j = 0; j < k; j++) {
    const p = order[j];
    const gun = ctx.active[layout.activeAt[p]];
    const list: IslandShell[] = [];
    let why: string | null = null;
    if (gun.blockedBy) why = gun.blockedBy;
    else if (forbidden[p]) why = `${forbidden[p]} in its slot`;
    blockedWhy.push(why);
    shells.push(list);
    if (why !== null) continue;
    const maxL = k === 1 ? n - 1 : gaps[mod(j - 1, k)];
    const maxR = k === 1 ? n - 1 : gaps[j];
    // Single-slot islands (seed default): only the smallest island the MCs allow.
    let minL = -1;
    let minR = -1;
    if (!multi) {
      for (let l = 0; l < n; l++) if (cuttable[mod(p - l - 1, n)]) { minL = l; break; }
      for (let r = 0; r < n; r++) if (cuttable[mod(p + r, n)]) { minR = r; break; }
    }
    for (let l = 0; l <= maxL; l++) {
      // pl: slot p - l; left: MC p - l - 1 (its counter-clockwise boundary).
      const pl = p - l < 0 ? p - l + n : p - l;
      const left = pl === 0 ? n - 1 : pl - 1;
      if (l > 0 && (forbidden[pl] || stuckOpen[pl])) break;
      if (!multi && l > minL) break;
      const rLimit = k === 1 ? n - 1 - l : maxR;
      for (let r = 0; r <= rLimit; r++) {
        // right: slot p + r, also its clockwise boundary MC.
        const right = p + r >= n ? p + r - n : p + r;
        if (r > 0 && (forbidden[right] || stuckOpen[right === 0 ? n - 1 : right - 1])) break;
        if (!multi && (l !== minL || r !== minR)) continue;
        if (k === 1 && l + r === n - 1) {
          if (cuttable[right]) list.push(makeShell(p, l, r, -1, right));
        } else if (cuttable[left] && cuttable[right]) {
          list.push(makeShell(p, l, r, left, right));
        }
      }
    }
    // The closed ring as one island (one active gun, no MC open).
    if (k === 1 && (multi ? true : minL < 0)) {
      let ok = true;
      for (let i = 0; i < n; i++) if (forbidden[i] || stuckOpen[i]) ok = false;
      if (ok) list.push(makeShell(p, n - 1, 0, -1, -1));
    }
  }
  const activeGunIndex = new Array<number>(ctx.active.length);
  for (let i = 0; i < ctx.active.length; i++) activeGunIndex[i] = ctx.active[i].gunIndex;
  return { config: ctx.config, activeGunIndex, layout, prevOpen, order, gaps, blockedWhy, shells };
}

/**
 * Whether `geometry` (built for an earlier plan) is the one ringGeometry(ctx, ringLayout(ctx))
 * would build now. Only reused without contactor faults (then no slot is forbidden, no MC
 * welded or stuck, no gun blocked, no welded group) and only for the same config object
 * (slots, guns, policy): what is left of its inputs is which guns are active (their config
 * indices, in order) and the previous position of every MC, both compared here.
 */
export function ringGeometryMatches(geometry: RingGeometry, ctx: PlanContext): boolean {
  if (ctx.anyFault || geometry.config !== ctx.config) return false;
  const active = ctx.active;
  const indices = geometry.activeGunIndex;
  if (indices.length !== active.length) return false;
  for (let i = 0; i < active.length; i++) if (indices[i] !== active[i].gunIndex) return false;
  const layout = geometry.layout;
  const prevOpen = geometry.prevOpen;
  const at = ctx.previousAt;
  if (at !== null) {
    // By record index (PlanContext.previousAt): the same positions, no key lookup.
    const record = layout.tables.mcRecordAt;
    for (let i = 0; i < layout.size; i++) if ((at[record[i]] === "open") !== prevOpen[i]) return false;
    return true;
  }
  for (let i = 0; i < layout.size; i++) if ((ctx.previousPosition(layout.mcAt[i], true) === "open") !== prevOpen[i]) return false;
  return true;
}

/**
 * The ring solver for a plan: the previous plan's geometry when it still matches (see
 * ringGeometryMatches), otherwise a new one. `geometry` is null when the solver had welded
 * groups (contactor faults): not kept then.
 */
export function ringPlanSolver(ctx: PlanContext, previous: RingGeometry | null): { solver: RingSolver; geometry: RingGeometry | null } {
  if (previous !== null && ringGeometryMatches(previous, ctx)) return { solver: islandSolver(ctx, previous), geometry: previous };
  // The config tables of the previous geometry serve as long as the config object is the same.
  const layout = ringLayout(ctx, null, previous !== null ? previous.layout.tables : null);
  if (weldedGroups(layout).length > 0) return { solver: ringSolver(ctx, layout), geometry: null };
  const geometry = ringGeometry(ctx, layout);
  return { solver: islandSolver(ctx, geometry), geometry: ctx.anyFault ? null : geometry };
}

/** Strongest first, ties in preference order. */
function strongestFirst(a: ModuleCandidate, b: ModuleCandidate): number {
  return b.powerKW - a.powerKW || preferenceOrder(a, b);
}

/** Running module summary of a growing island: best by preference, best by power, count. */
interface Reach { pref: ModuleCandidate[]; power: ModuleCandidate[]; count: number }

function copyReach(reach: Reach): Reach {
  return { pref: reach.pref.slice(), power: reach.power.slice(), count: reach.count };
}

/** Neighbouring islands fit in the gap between their guns. */
function fits(a: RingOption, b: RingOption, gap: number): boolean {
  return a.r + b.l <= gap;
}

/** A boundary MC two neighbouring islands share is counted once: a's change of it, given back. */
function bonus(a: RingOption, b: RingOption, gap: number): number {
  return !a.dead && !b.dead && a.r + b.l === gap ? a.rightBoundaryChange : 0;
}

/** out[j]: the sum of the largest caps of guns j..k-1 (a bound for branch and bound). */
function suffixMax(opts: RingOption[][], k: number): number[] {
  const out = new Array<number>(k + 1).fill(0);
  for (let j = k - 1; j >= 0; j--) {
    let m = 0;
    for (const o of opts[j]) if (o.capKW > m) m = o.capKW;
    out[j] = out[j + 1] + m;
  }
  return out;
}

/** Island search for guns that open MCs can separate (no welded groups in the geometry's layout). */
function islandSolver(ctx: PlanContext, geometry: RingGeometry): RingSolver {
  const { config } = ctx;
  const policy = config.policy;
  const layout = geometry.layout;
  const n = layout.size;
  const order = geometry.order;
  const k = order.length;
  const gaps = geometry.gaps;
  const sharedKW = ctx.sharedLimitKW;

  const multiSlot = policy.multiSlotIslands;
  const prefRank: number[] = [];
  const powerRank: number[] = [];
  const modulesAtPos: ModuleCandidate[][] = [];
  /** Single-slot islands: each slot's usable modules strongest first (ties in preference order). */
  const strongestAtPos: ModuleCandidate[][] = [];
  let byPreference: ModuleCandidate[] = [];
  let byPreferencePos: number[] = [];
  if (multiSlot) {
    // Hot path (XS): indexed loops, no Map, no closures per element.
    const positionOf: number[] = [];
    for (let i = 0; i < n; i++) {
      const first = layout.firstModuleAt[i];
      const count = layout.modulesAt[i].length;
      for (let t = 0; t < count; t++) {
        const c = ctx.usableAt[first + t];
        if (c === undefined) continue;
        byPreference.push(c);
        positionOf[c.index] = i;
      }
    }
    byPreference.sort(preferenceOrder);
    const count = byPreference.length;
    byPreferencePos = new Array<number>(count);
    let samePower = true;
    for (let i = 0; i < count; i++) {
      const c = byPreference[i];
      prefRank[c.index] = i;
      byPreferencePos[i] = positionOf[c.index];
      if (c.powerKW !== byPreference[0].powerKW) samePower = false;
    }
    // Strongest first, ties in preference order: the same order when no module is derated;
    // otherwise a stable sort by power alone keeps the preference order among equals.
    const byPower = samePower ? byPreference : byPreference.slice().sort((a, b) => b.powerKW - a.powerKW);
    for (let i = 0; i < count; i++) powerRank[byPower[i].index] = i;
    for (let i = 0; i < n; i++) modulesAtPos.push([]);
    for (let i = 0; i < count; i++) modulesAtPos[byPreferencePos[i]].push(byPreference[i]);
  } else {
    // Single-slot islands read the modules of the active guns' slots only, and no ranks
    // (insertTop, which uses them, is for multi-slot islands).
    for (let j = 0; j < k; j++) {
      const i = order[j];
      const first = layout.firstModuleAt[i];
      const count = layout.modulesAt[i].length;
      // Sized to the slot (a list grown by push starts with room for 16).
      const here = new Array<ModuleCandidate>(count);
      let usable = 0;
      for (let t = 0; t < count; t++) {
        const c = ctx.usableAt[first + t];
        if (c !== undefined) here[usable++] = c;
      }
      if (usable !== count) here.length = usable;
      let strong = here;
      if (here.length === 2) {
        // Two modules (most cabinets): one comparison each way, no sort, no copy when the
        // preferred one is also at least as strong (byStrength then agrees with it).
        if (preferenceOrder(here[0], here[1]) > 0) {
          const swap = here[0];
          here[0] = here[1];
          here[1] = swap;
        }
        if (here[0].powerKW < here[1].powerKW) strong = [here[1], here[0]];
      } else if (here.length > 2) {
        here.sort(preferenceOrder);
        strong = here.slice().sort(strongestFirst);
      }
      modulesAtPos[i] = here;
      strongestAtPos[i] = strong;
    }
  }
  const limit = policy.maxModulesPerGun;
  /** Keeps `list` the best `limit` modules by `rank` (insertion; lists are a few long). */
  const insertTop = (list: ModuleCandidate[], m: ModuleCandidate, rank: number[]) => {
    const r = rank[m.index];
    let i = list.length;
    if (i >= limit) {
      if (limit === 0 || rank[list[limit - 1].index] <= r) return;
      i = limit - 1;
    }
    while (i > 0 && rank[list[i - 1].index] > r) {
      list[i] = list[i - 1];
      i--;
    }
    list[i] = m;
  };
  const addSlot = (reach: Reach, pos: number) => {
    const here = modulesAtPos[pos];
    for (let t = 0; t < here.length; t++) {
      insertTop(reach.pref, here[t], prefRank);
      insertTop(reach.power, here[t], powerRank);
    }
    reach.count += here.length;
  };
  const noCandidates: ModuleCandidate[] = [];

  /**
   * An island of the geometry with the modules it reaches now: `pref` and `power` its best
   * modules by preference and by strength (at least min(limit, count) of each), `count` all
   * of them.
   */
  const makeOption = (shell: IslandShell, clampedKW: number, pref: readonly ModuleCandidate[], power: readonly ModuleCandidate[], count: number): RingOption => {
    const maxCount = limit < count ? limit : count;
    const powersDesc = new Array<number>(maxCount);
    const strongestOnPrefix = new Array<number>(maxCount + 1);
    const preferredPowerPrefix = new Array<number>(maxCount + 1);
    const preferredOnPrefix = new Array<number>(maxCount + 1);
    strongestOnPrefix[0] = 0;
    preferredPowerPrefix[0] = 0;
    preferredOnPrefix[0] = 0;
    let topKW = 0;
    let strongOn = 0;
    let prefKW = 0;
    let prefOn = 0;
    for (let i = 0; i < maxCount; i++) {
      const m = power[i];
      powersDesc[i] = m.powerKW;
      topKW += m.powerKW;
      if (m.wasOn) strongOn++;
      strongestOnPrefix[i + 1] = strongOn;
      const q = pref[i];
      prefKW += q.powerKW;
      if (q.wasOn) prefOn++;
      preferredPowerPrefix[i + 1] = prefKW;
      preferredOnPrefix[i + 1] = prefOn;
    }
    const capKW = clampedKW < topKW ? clampedKW : topKW;
    return {
      dead: false, deadReason: null, l: shell.l, r: shell.r, start: shell.start, span: shell.span, openMcs: shell.openMcs,
      detailed: false, candidates: noCandidates, powersDesc, preferredPowerPrefix, preferredOnPrefix, strongestOnPrefix,
      maxCount, capKW, mcChanges: shell.mcChanges, rightBoundaryChange: shell.rightBoundaryChange,
    };
  };

  /** Fills the full candidate list (preference order) of a chosen option. */
  const ensureDetail = (o: RingOption, p: number): RingOption => {
    if (o.detailed) return o;
    o.detailed = true;
    if (!multiSlot) {
      // This plan's own list, never written after it was sorted: handed over as it is.
      o.candidates = modulesAtPos[p];
      return o;
    }
    const out: ModuleCandidate[] = [];
    for (let i = 0; i < byPreference.length; i++) {
      let d = byPreferencePos[i] - o.start;
      if (d < 0) d += n;
      if (d < o.span) out.push(byPreference[i]);
    }
    o.candidates = out;
    return o;
  };

  const allOptions = new Array<RingOption[]>(k);
  /** A gun without islands (never written: a dead gun gets a list of its own). */
  const noOptions: RingOption[] = [];
  for (let j = 0; j < k; j++) {
    const p = order[j];
    const gun = ctx.active[layout.activeAt[p]];
    let list: RingOption[] = noOptions;
    let why = geometry.blockedWhy[j];
    if (why === null) {
      if (sharedKW <= EPSILON_KW) why = `${ctx.sharedLimitName}`;
      else if (gun.clampedKW <= EPSILON_KW) why = "nothing requested";
    }
    if (why === null) {
      const shells = geometry.shells[j];
      if (!multiSlot) {
        // Every island of a single-slot policy holds its gun's slot only: one option per
        // shell, in a list of that size.
        // A single slot's lists are already in preference and strength order, and makeOption
        // reads only their first min(limit, count) entries, which are what insertTop would keep.
        const here = modulesAtPos[p];
        const strong = strongestAtPos[p];
        list = new Array<RingOption>(shells.length);
        for (let t = 0; t < shells.length; t++) list[t] = makeOption(shells[t], gun.clampedKW, here, strong, here.length);
      } else {
        list = [];
        // Islands come by growing left extent, then growing right extent (ringGeometry):
        // the module summary grows with them. A summary depends only on the set of slots
        // (insertTop keeps the best `limit` by a strict rank), not on the order added.
        const base: Reach = { pref: [], power: [], count: 0 };
        addSlot(base, p);
        let baseL = 0;
        let reach: Reach | null = null;
        let reachL = -1;
        let reachR = 0;
        for (let t = 0; t < shells.length; t++) {
          const shell = shells[t];
          if (shell.openMcs.length === 0) {
            // The closed ring: every slot.
            const all: Reach = { pref: [], power: [], count: 0 };
            for (let i = 0; i < n; i++) addSlot(all, i);
            list.push(makeOption(shell, gun.clampedKW, all.pref, all.power, all.count));
            continue;
          }
          while (baseL < shell.l) {
            baseL++;
            addSlot(base, p - baseL < 0 ? p - baseL + n : p - baseL);
          }
          if (reach === null || reachL !== shell.l) {
            reach = copyReach(base);
            reachL = shell.l;
            reachR = 0;
          }
          while (reachR < shell.r) {
            reachR++;
            addSlot(reach, p + reachR >= n ? p + reachR - n : p + reachR);
          }
          list.push(makeOption(shell, gun.clampedKW, reach.pref, reach.power, reach.count));
        }
      }
      if (list.length === 0) why = "no island can be isolated (welded or faulted contactor on the way to the next island)";
      else {
        let anyCap = false;
        for (let t = 0; t < list.length && !anyCap; t++) if (list[t].capKW > EPSILON_KW) anyCap = true;
        if (!anyCap) why = "no usable module reachable";
      }
    }
    allOptions[j] = why !== null ? [deadOption(why)] : list;
  }
  let options = allOptions;
  /** Restricts the kept guns to their island when it is still one of their options. */
  const keepOnly = (keep: Map<number, readonly number[]> | null): RingOption[][] =>
    !keep ? allOptions : allOptions.map((list, j) => {
      const wanted = keep.get(ctx.active[layout.activeAt[order[j]]].config.id);
      if (wanted === undefined) return list;
      const kept = list.filter((o) => {
        if (o.dead || o.span !== wanted.length) return false;
        for (let s = 0; s < o.span; s++) if (wanted.indexOf(layout.slotIdAt[mod(o.start + s, n)]) < 0) return false;
        return true;
      });
      return kept.length > 0 ? kept : list;
    });

  // Per active gun in ring order (one indexed loop: callbacks cost a call each in XS).
  const weights = new Array<number>(k);
  const cableCounts = new Array<number>(k);
  const gcWasClosed = new Array<boolean>(k);
  // Previous GC positions by record index when the context has them (PlanContext.previousAt).
  const previousAt = ctx.previousAt;
  const gcRecordBase = layout.tables.gcRecordBase;
  for (let j = 0; j < k; j++) {
    const gun = ctx.active[layout.activeAt[order[j]]];
    weights[j] = gun.weight;
    cableCounts[j] = gun.cableCount;
    gcWasClosed[j] = (previousAt !== null ? previousAt[gcRecordBase + gun.gunIndex] : ctx.previousPosition(gun.config.gc, false)) === "closed";
  }
  const previousOnCount = ctx.previousOnCount;

  /** Modules the option needs for budget b (Algorithm B). */
  const countFor = (j: number, o: RingOption, b: number) =>
    o.dead ? 0 : moduleCountFor(b, o.powersDesc, o.maxCount, cableCounts[j], policy, config.modulePowerKW);
  /** countFor with thresholdCount(b, limit) computed once for the gun. */
  const countWith = (j: number, o: RingOption, b: number, byThreshold: number) =>
    o.dead ? 0 : moduleCountWithThreshold(b, o.powersDesc, o.maxCount, cableCounts[j], policy.minModulesPerGun, byThreshold);
  /**
   * Contactor changes the option accounts for with `count` modules: its MCs, its GC, and
   * its part of the MN changes (prevOn + on - 2 kept, summed over guns).
   */
  const changesFor = (j: number, o: RingOption, count: number, b: number): number => {
    const gcChange = (count > 0) !== gcWasClosed[j] ? 1 : 0;
    const kept = count === 0 ? 0 : o.preferredPowerPrefix[count] >= b - EPSILON_KW ? o.preferredOnPrefix[count] : o.strongestOnPrefix[count];
    return o.mcChanges + gcChange + count - 2 * kept;
  };

  const caps = new Array<number>(k);
  const chosen = new Array<RingOption>(k);
  const scratch = new Array<number>(k);
  const budgets = new Array<number>(k);
  const fairness = new Array<number>(k);

  interface Result { options: RingOption[]; budgets: number[]; counts: number[]; objective: RingObjective }
  function search(keep: Map<number, readonly number[]> | null, mode: RingSearchMode = "fast"): RingAllocation {
  options = keepOnly(keep);
  let result: Result | null = null;
  if (k > 0 && mode === "exhaustive") {
    // Reference: every combination, all four objectives compared at each leaf.
    const bound = suffixMax(options, k);
    let best: Result | null = null as Result | null;
    const counts = new Array<number>(k);
    const leaf = (sumCaps: number) => {
      const total = Math.min(sharedKW, sumCaps);
      if (best && total < best.objective.totalKW - EPSILON_KW) return;
      waterFillInto(caps, weights, sharedKW, budgets, scratch);
      fairnessProfileInto(budgets, weights, fairness);
      let modules = 0;
      let changes = previousOnCount;
      for (let j = 0; j < k; j++) {
        counts[j] = countFor(j, chosen[j], budgets[j]);
        modules += counts[j];
        changes += changesFor(j, chosen[j], counts[j], budgets[j]);
        if (k > 1) changes -= bonus(chosen[j], chosen[(j + 1) % k], gaps[j]);
      }
      if (best) {
        const o = best.objective;
        if (total <= o.totalKW + EPSILON_KW) {
          const c = compareFairness(fairness, o.fairness);
          if (c < 0) return;
          if (c === 0 && (modules > o.modules || (modules === o.modules && changes >= o.contactorChanges))) return;
        }
      }
      best = { options: chosen.slice(), budgets: budgets.slice(), counts: counts.slice(), objective: { totalKW: total, fairness: fairness.slice(), modules, contactorChanges: changes } };
    };
    const dfs = (j: number, sumCaps: number): void => {
      if (j === k) return leaf(sumCaps);
      if (best && Math.min(sharedKW, sumCaps + bound[j]) < best.objective.totalKW - EPSILON_KW) return;
      for (const o of options[j]) {
        if (j > 0 && !fits(chosen[j - 1], o, gaps[j - 1])) continue;
        if (j === k - 1 && k > 1 && !fits(o, chosen[0], gaps[k - 1])) continue;
        chosen[j] = o;
        caps[j] = o.capKW;
        dfs(j + 1, sumCaps + o.capKW);
      }
    };
    dfs(0, 0);
    result = best;
  } else if (k > 0) {
    result = twoPhase();
  }
  const activeCount = ctx.active.length;
  const guns: GunAllocation[] = new Array(activeCount);
  // The islands' MC positions by slot id, for plan(); the Map view (requiredPositionsOf)
  // is built only when asked.
  const requiredBySlotId: (ContactorPosition | undefined)[] = [];
  let totalKW = 0;
  if (result) {
    const res = result;
    for (let j = 0; j < res.options.length; j++) {
      const o = res.options[j];
      const i = layout.activeAt[order[j]];
      ensureDetail(o, order[j]);
      const g: GunAllocation = {
        active: ctx.active[i], capKW: o.capKW, budgetKW: res.budgets[j], candidates: o.candidates, powersDesc: o.powersDesc,
        maxCount: o.maxCount, moduleCount: res.counts[j], assigned: null, islandSlots: [], deadReason: o.deadReason,
      };
      guns[i] = g;
      totalKW += res.budgets[j];
      if (o.dead) continue;
      const slots = new Array<number>(o.span);
      for (let t = 0; t < o.span; t++) {
        const at = o.start + t < n ? o.start + t : o.start + t - n;
        slots[t] = layout.slotIdAt[at];
        // Inner MCs closed: every MC of the closed ring, otherwise all but the last slot's.
        if (o.openMcs.length === 0 || t < o.span - 1) requiredBySlotId[layout.slotIdAt[at]] = "closed";
      }
      g.islandSlots = slots;
      for (let t = 0; t < o.openMcs.length; t++) requiredBySlotId[layout.slotIdAt[o.openMcs[t]]] = "open";
    }
  }
  // Active guns the search did not place (none without a result): nothing for them.
  for (let i = 0; i < activeCount; i++) {
    if (guns[i] !== undefined) continue;
    guns[i] = { active: ctx.active[i], capKW: 0, budgetKW: 0, candidates: [], powersDesc: [], maxCount: 0, moduleCount: 0, assigned: null, islandSlots: [], deadReason: null };
  }
  const objective = result ? result.objective : { totalKW: 0, fairness: [], modules: 0, contactorChanges: previousOnCount };
  return new RingSearchResult(guns, totalKW, objective, requiredBySlotId, layout, result !== null ? result.options : []);
  }

  /**
   * Exact two-phase search.
   * Phase 1 finds the best (served power, fairness) over each gun's Pareto-minimal islands
   * (no smaller island of it has at least the same cap): swapping an island for a smaller
   * one with no less cap never hurts a neighbour and, water-filling being monotone in the
   * caps, never hurts (1) or (2). It collects every distinct optimal budget vector.
   * Phase 2, for each such vector b: an assignment reaches the optimum with budgets b
   * exactly when every gun's cap is >= b (the weighted max-min point of a box is unique),
   * so (3) modules and (4) contactor changes become sums over guns plus a term per pair of
   * neighbours (a shared boundary MC): a dynamic programme around the ring, the cycle cut
   * at the gun with the smallest left gap.
   */
  function twoPhase(): Result | null {
    // Shortcut: water-fill every gun's best cap as if neighbours did not compete. That is
    // the best (1)+(2) over a relaxation; if one assignment covers it, it is the optimum.
    const topCaps = new Array<number>(k);
    for (let j = 0; j < k; j++) {
      const list = options[j];
      let top = 0;
      for (let i = 0; i < list.length; i++) if (list[i].capKW > top) top = list[i].capKW;
      topCaps[j] = top;
    }
    const relaxed = new Array<number>(k);
    waterFillInto(topCaps, weights, sharedKW, relaxed, scratch);
    const direct = cheapestAssignment(relaxed);
    if (direct) {
      let total = 0;
      for (let j = 0; j < k; j++) total += relaxed[j];
      return {
        options: direct.options,
        budgets: relaxed,
        counts: direct.counts,
        objective: { totalKW: total, fairness: fairnessProfileInto(relaxed, weights, new Array<number>(k)), modules: direct.modules, contactorChanges: direct.changes },
      };
    }
    const byExtent = (list: RingOption[], l: number, r: number) => list.find((o) => o.l === l && o.r === r)!;
    const reduced: RingOption[][] = options.map((list, j) => {
      if (k === 1) {
        let top = 0;
        for (const o of list) if (o.capKW > top) top = o.capKW;
        return list.filter((o) => o.capKW >= top - EPSILON_KW).slice(0, 1);
      }
      if (list.length === 1) return list;
      // best[l][r] = largest cap of an island with extents <= (l, r); an island is dominated
      // when a strictly smaller one already reaches its cap.
      const maxL = gaps[mod(j - 1, k)];
      const maxR = gaps[j];
      const width = maxR + 1;
      const best = new Array<number>((maxL + 1) * width).fill(-1);
      for (const o of list) if (!o.dead) best[o.l * width + o.r] = o.capKW;
      const kept: RingOption[] = [];
      for (let l = 0; l <= maxL; l++) {
        for (let r = 0; r <= maxR; r++) {
          const own = best[l * width + r];
          const below = Math.max(l > 0 ? best[(l - 1) * width + r] : -1, r > 0 ? best[l * width + r - 1] : -1);
          if (own > below) best[l * width + r] = own;
          else best[l * width + r] = below;
          if (own >= 0 && !(below >= own - EPSILON_KW)) kept.push(byExtent(list, l, r));
        }
      }
      return kept;
    });
    const bound = suffixMax(reduced, k);
    let bestTotal = -1;
    let bestFairness: number[] = [];
    const vectors: number[][] = [];
    const leaf = (sumCaps: number) => {
      const total = Math.min(sharedKW, sumCaps);
      if (total < bestTotal - EPSILON_KW) return;
      waterFillInto(caps, weights, sharedKW, budgets, scratch);
      fairnessProfileInto(budgets, weights, fairness);
      if (total <= bestTotal + EPSILON_KW) {
        const c = compareFairness(fairness, bestFairness);
        if (c < 0) return;
        if (c === 0) {
          for (const v of vectors) {
            let same = true;
            for (let j = 0; j < k && same; j++) if (Math.abs(v[j] - budgets[j]) > EPSILON_KW) same = false;
            if (same) return;
          }
          vectors.push(budgets.slice());
          return;
        }
      }
      bestTotal = total;
      bestFairness = fairness.slice();
      vectors.length = 0;
      vectors.push(budgets.slice());
    };
    const dfs = (j: number, sumCaps: number): void => {
      if (j === k) return leaf(sumCaps);
      if (Math.min(sharedKW, sumCaps + bound[j]) < bestTotal - EPSILON_KW) return;
      for (const o of reduced[j]) {
        if (j > 0 && !fits(chosen[j - 1], o, gaps[j - 1])) continue;
        if (j === k - 1 && k > 1 && !fits(o, chosen[0], gaps[k - 1])) continue;
        chosen[j] = o;
        caps[j] = o.capKW;
        dfs(j + 1, sumCaps + o.capKW);
      }
    };
    dfs(0, 0);

    let best: Result | null = null;
    for (const b of vectors) {
      const picked = cheapestAssignment(b);
      if (!picked) continue;
      if (best && (picked.modules > best.objective.modules || (picked.modules === best.objective.modules && picked.changes >= best.objective.contactorChanges))) continue;
      best = {
        options: picked.options,
        budgets: b,
        counts: picked.counts,
        objective: { totalKW: bestTotal, fairness: bestFairness, modules: picked.modules, contactorChanges: picked.changes },
      };
    }
    return best;
  }

  /**
   * Phase 2's per-gun lists of allowed options, flat: gun j's entries are at
   * flatBase[j] .. flatBase[j] + allowedLen[j] - 1 (option, module count, cost). Sized once
   * per solver from allOptions (a search's lists are never longer) on first use and
   * refilled by each cheapestAssignment call: no list per gun per call.
   */
  let flatBase: number[] | null = null;
  let flatOption: RingOption[] = [];
  let flatCost: number[] = [];
  let flatCount: number[] = [];
  let allowedLen: number[] = [];
  const ensureFlat = (): number[] => {
    if (flatBase !== null) return flatBase;
    const base = new Array<number>(k);
    let total = 0;
    for (let j = 0; j < k; j++) {
      base[j] = total;
      total += allOptions[j].length;
    }
    flatOption = new Array<RingOption>(total);
    flatCost = new Array<number>(total);
    flatCount = new Array<number>(total);
    allowedLen = new Array<number>(k);
    flatBase = base;
    return base;
  };

  /** Phase 2: fewest modules, then fewest changes, among assignments whose caps cover b. */
  function cheapestAssignment(b: number[]): { options: RingOption[]; modules: number; changes: number; counts: number[] } | null {
    // Hot path (XS): indexed loops, no closures per option, flat state arrays sized once.
    const SCALE = 1_000_000; // modules first, then changes (both small integers)
    const base = ensureFlat();
    for (let j = 0; j < k; j++) {
      const list = options[j];
      const bj = b[j];
      const at = base[j];
      let len = 0;
      const byThreshold = thresholdCount(bj, limit, policy, config.modulePowerKW);
      for (let i = 0; i < list.length; i++) {
        const o = list[i];
        if (o.capKW < bj - 1e-7) continue;
        const count = countWith(j, o, bj, byThreshold);
        flatOption[at + len] = o;
        flatCount[at + len] = count;
        flatCost[at + len] = count * SCALE + changesFor(j, o, count, bj);
        len++;
      }
      if (len === 0) return null;
      allowedLen[j] = len;
    }
    if (k === 1) {
      let at = 0;
      for (let i = 1; i < allowedLen[0]; i++) if (flatCost[i] < flatCost[at]) at = i;
      return finish([flatOption[at]], [flatCount[at]], flatCost[at]);
    }
    // One allowed island per gun (single-slot islands, the default): the chain below would
    // carry a single state per gun, so its answer is that assignment when every pair of
    // neighbours around the ring fits (the closing pair included), and none otherwise.
    let single = true;
    for (let j = 0; j < k && single; j++) if (allowedLen[j] !== 1) single = false;
    if (single) {
      let cost = 0;
      for (let j = 0; j < k; j++) {
        const a = flatOption[base[j]];
        const b = flatOption[base[j + 1 < k ? j + 1 : 0]];
        const reach = a.r + b.l;
        if (reach > gaps[j]) return null;
      }
      const pick = new Array<RingOption>(k);
      const counts = new Array<number>(k);
      for (let j = 0; j < k; j++) {
        pick[j] = flatOption[base[j]];
        counts[j] = flatCount[base[j]];
        cost += flatCost[base[j]];
      }
      for (let j = 0; j < k; j++) {
        const a = pick[j];
        const b = pick[j + 1 < k ? j + 1 : 0];
        // A boundary MC shared with the next island is counted once.
        if (!a.dead && !b.dead && a.r + b.l === gaps[j]) cost -= a.rightBoundaryChange;
      }
      return finish(pick, counts, cost);
    }
    // Cut the cycle at the gun with the smallest left gap: few values of its left extent.
    let anchor = 0;
    for (let j = 1; j < k; j++) if (gaps[mod(j - 1, k)] < gaps[mod(anchor - 1, k)]) anchor = j;
    const seq = new Array<number>(k);
    for (let t = 0; t < k; t++) seq[t] = (anchor + t) % k;
    const closingGap = gaps[seq[k - 1]];
    let bestCost = Infinity;
    let bestPick: RingOption[] | null = null;
    let bestCounts: number[] | null = null;
    // State of a gun in the chain: its right extent r (0..gap) or "dead" (index gap + 1).
    // stateCost[t][s]: cheapest chain up to seq[t] ending in state s; stateOption: its option
    // index among gun seq[t]'s allowed ones (flat lists); stateFrom: the previous gun's state.
    const stateCost: number[][] = new Array(k);
    const stateOption: number[][] = new Array(k);
    const stateFrom: number[][] = new Array(k);
    for (let t = 0; t < k; t++) {
      const width = gaps[seq[t]] + 2;
      stateCost[t] = new Array<number>(width);
      stateOption[t] = new Array<number>(width);
      stateFrom[t] = new Array<number>(width);
    }
    const anchorAt = base[anchor];
    const anchorLen = allowedLen[anchor];
    let anchorHasDead = false;
    for (let i = 0; i < anchorLen; i++) if (flatOption[anchorAt + i].dead) anchorHasDead = true;
    const maxLA = gaps[mod(anchor - 1, k)];
    for (let lA = 0; lA <= maxLA; lA++) {
      for (let d = 0; d < 2; d++) {
        const deadA = d === 1;
        if (deadA && (!anchorHasDead || lA !== 0)) continue;
        const init = stateCost[0];
        const initOpt = stateOption[0];
        init.fill(Infinity);
        initOpt.fill(-1);
        stateFrom[0].fill(-1);
        let any = false;
        for (let i = 0; i < anchorLen; i++) {
          const o = flatOption[anchorAt + i];
          if (o.dead !== deadA || (!o.dead && o.l !== lA)) continue;
          const key = o.dead ? gaps[anchor] + 1 : o.r;
          if (flatCost[anchorAt + i] < init[key]) {
            init[key] = flatCost[anchorAt + i];
            initOpt[key] = i;
            any = true;
          }
        }
        if (!any) continue;
        const anchorL = deadA ? 0 : lA;
        for (let t = 1; t < k; t++) {
          const j = seq[t];
          const prev = seq[t - 1];
          const prevGap = gaps[prev];
          const prevCost = stateCost[t - 1];
          const prevOpt = stateOption[t - 1];
          const prevAt = base[prev];
          const cost = stateCost[t];
          const opt = stateOption[t];
          const from = stateFrom[t];
          cost.fill(Infinity);
          opt.fill(-1);
          from.fill(-1);
          const at = base[j];
          const len = allowedLen[j];
          const last = t === k - 1;
          for (let i = 0; i < len; i++) {
            const o = flatOption[at + i];
            if (last && o.r + anchorL > closingGap) continue;
            let bestIn = Infinity;
            let bestS = -1;
            for (let st = 0; st < prevCost.length; st++) {
              const pc = prevCost[st];
              if (pc === Infinity) continue;
              const po = flatOption[prevAt + prevOpt[st]];
              const reach = po.r + o.l;
              if (reach > prevGap) continue;
              // A boundary MC shared with the previous island is counted once.
              const v = !po.dead && !o.dead && reach === prevGap ? pc - po.rightBoundaryChange : pc;
              if (v < bestIn) {
                bestIn = v;
                bestS = st;
              }
            }
            if (bestS < 0) continue;
            let v = bestIn + flatCost[at + i];
            if (last && !o.dead && !deadA && o.r + lA === closingGap) v -= o.rightBoundaryChange;
            const key = o.dead ? gaps[j] + 1 : o.r;
            if (v < cost[key]) {
              cost[key] = v;
              opt[key] = i;
              from[key] = bestS;
            }
          }
        }
        const lastCost = stateCost[k - 1];
        let end = -1;
        for (let st = 0; st < lastCost.length; st++) if (lastCost[st] < (end < 0 ? Infinity : lastCost[end])) end = st;
        if (end < 0 || lastCost[end] >= bestCost) continue;
        bestCost = lastCost[end];
        const pick = new Array<RingOption>(k);
        const counts = new Array<number>(k);
        let st = end;
        for (let t = k - 1; t >= 0; t--) {
          pick[seq[t]] = flatOption[base[seq[t]] + stateOption[t][st]];
          counts[seq[t]] = flatCount[base[seq[t]] + stateOption[t][st]];
          st = stateFrom[t][st];
        }
        bestPick = pick;
        bestCounts = counts;
      }
    }
    return bestPick && bestCounts ? finish(bestPick, bestCounts, bestCost) : null;

    /**
     * counts: each picked option's module count for its budget as costed above, which is
     * countFor's value: with maxCount <= limit, min(thresholdCount(b, limit), maxCount) is
     * thresholdCount(b, maxCount).
     */
    function finish(pick: RingOption[], counts: number[], cost: number) {
      const modules = Math.round(cost / SCALE);
      return { options: pick, modules, changes: cost - modules * SCALE + previousOnCount, counts };
    }
  }

  return { search };
}
