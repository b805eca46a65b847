/**
 * What a plan can share with the previous one. A Plan is a value that nobody mutates (the
 * sequencer, supervisor, controller and telemetry only read it), so when this cycle's
 * contactor positions are the previous plan's, its record object is handed on instead of a
 * new one built key by key (48 keys on ring-12x2: the costliest part of buildPlan), and
 * likewise the modules-on list and their on-since times. The comparison is element by
 * element over everything the record is built from, so a shared record is the record
 * buildPlan would build. It travels as a hidden property of the plan (a symbol, not
 * enumerable: JSON and deep equality do not see it); a plan without it (a copy, a plan
 * from elsewhere) just means the records are built again.
 */
import type { CabinetConfig } from "../config/types";
import type { ContactorPosition, Plan } from "./types";
import type { RingGeometry } from "./ring";
import type { LimitNameCache } from "./context";
import type { ReasonMemo } from "./reason";
import type { ActiveGun } from "./context";
import type { ModuleCandidate } from "./modules";

export interface PlanShare {
  config: CabinetConfig;
  /** Contactor positions in record order; null when contactor faults took part (not shared then). */
  positions: ContactorPosition[] | null;
  contactors: Record<string, ContactorPosition>;
  modulesOn: string[];
  /** On-since time of each module of modulesOn, same order. */
  onSinceMs: number[];
  moduleOnSinceMs: Record<string, number>;
  /** The ring geometry this plan was searched on (ring.ts ringPlanSolver); null when not kept. */
  ringGeometry: RingGeometry | null;
  /**
   * By module index (ModuleCandidate.index, config order): on in this plan, and since when
   * (its moduleOnSinceMs entry; 0 when off). The next plan's context reads them instead of
   * looking ids up in modulesOn and moduleOnSinceMs. Never written after buildPlan.
   */
  isOn: readonly boolean[];
  onSince: readonly number[];
  /** Modules on (the length of modulesOn). */
  onCount: number;
  /** The shared limit's name, handed on from plan to plan (context.ts). */
  limitName: LimitNameCache;
  /** Reason texts, handed on from plan to plan (reason.ts). */
  reasons: ReasonMemo;
  /** buildPlan's working lists, handed on from plan to plan. */
  scratch: PlanScratch;
}

/**
 * Lists buildPlan fills during one call and then compares with the previous plan's: kept
 * and refilled from plan to plan instead of allocated each time. Nothing outside that one
 * call ever holds them (a plan or share keeps a copy, or the previous plan's own list).
 */
export class PlanScratch {
  readonly positions: ContactorPosition[] = [];
  readonly modulesOn: string[] = [];
  readonly onSinceMs: number[] = [];
  /** By module index: on, since when, which gun it serves (buildPlan). */
  readonly isOn: boolean[] = [];
  readonly onSince: number[] = [];
  readonly moduleGun: number[] = [];
  /** buildContext's working objects (see ContextPool). */
  readonly context = new ContextPool();
}

/**
 * The objects buildContext fills for one plan: ctx.active and ctx.usableAt, and the
 * ActiveGun / ModuleCandidate entries in them, by config gun index and module index. Every
 * field is written each plan. They serve the search and buildPlan of that one plan() call;
 * nothing a plan or share keeps refers to them (GunPlan copies values and ids), so the next
 * plan of the chain (or another plan from the same previous plan: calls never overlap) may
 * write them again.
 */
export class ContextPool {
  readonly active: ActiveGun[] = [];
  readonly activeByGun: (ActiveGun | undefined)[] = [];
  readonly usableAt: (ModuleCandidate | undefined)[] = [];
  readonly candidateAt: (ModuleCandidate | undefined)[] = [];
}

const PLAN_SHARE = Symbol("plan share");

interface PlanWithShare {
  [PLAN_SHARE]?: PlanShare;
}

/** The previous plan's share when it was built for this same config. */
export function previousShare(previous: Plan | null, config: CabinetConfig): PlanShare | null {
  if (previous === null) return null;
  const share = (previous as PlanWithShare)[PLAN_SHARE];
  return share !== undefined && share.config === config ? share : null;
}

export function attachShare(plan: Plan, share: PlanShare): void {
  // Not enumerable, not writable, not configurable: the defaults of a new property.
  Object.defineProperty(plan, PLAN_SHARE, { value: share });
}

export function sameArray<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same numbers, -0 and 0 told apart (as Object.is; NaN never same): a shared record must be the very record. */
export function sameTimes(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== b[i] || (x === 0 && 1 / x !== 1 / b[i])) return false;
  }
  return true;
}
