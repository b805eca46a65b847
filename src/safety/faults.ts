/**
 * Latched faults: what happened (kind, cause, values), where (location, scope),
 * when, how bad (severity -> reaction) and how it may be cleared. The registry is
 * shared by the supervisor (which detects most faults) and the sequencer (which
 * detects sequencing faults such as a precharge timeout); both read `blocks()`.
 */
import type { Clock } from "../../hal/clock";
import type { EventLog } from "../events/event-log";

/** seed 003: High -> emergency shutdown; Medium/Low -> error shutdown. */
export type Severity = "high" | "medium" | "low";

export type FaultKind =
  | "estop"
  | "doorOpen"
  | "insulation"
  | "overVoltageEmergency"
  | "evOverVoltage"
  | "gunOverCurrent"
  | "islandOverCurrent"
  | "moduleOverTemp"
  | "connectorOverTemp"
  | "moduleCommsLost"
  | "moduleAlarm"
  | "sensorFault"
  | "evLinkLost"
  | "implausibleMeasurement"
  | "contactorWelded"
  | "contactorStuckOpen"
  | "contactorFeedback"
  | "prechargeTimeout"
  | "zeroCurrentTimeout"
  | "invariantViolation"
  | "internalError";

/** One bit per fault kind, for `FaultRegistry.latchedKinds`. */
export const FAULT_KIND_BIT: Readonly<Record<FaultKind, number>> = Object.freeze({
  estop: 1 << 0,
  doorOpen: 1 << 1,
  insulation: 1 << 2,
  overVoltageEmergency: 1 << 3,
  evOverVoltage: 1 << 4,
  gunOverCurrent: 1 << 5,
  islandOverCurrent: 1 << 6,
  moduleOverTemp: 1 << 7,
  connectorOverTemp: 1 << 8,
  moduleCommsLost: 1 << 9,
  moduleAlarm: 1 << 10,
  sensorFault: 1 << 11,
  evLinkLost: 1 << 12,
  implausibleMeasurement: 1 << 13,
  contactorWelded: 1 << 14,
  contactorStuckOpen: 1 << 15,
  contactorFeedback: 1 << 16,
  prechargeTimeout: 1 << 17,
  zeroCurrentTimeout: 1 << 18,
  invariantViolation: 1 << 19,
  internalError: 1 << 20,
});

/** How a latched fault may be cleared. In every rule the cause must be gone first. */
export type ClearRule =
  /** Clears by itself once the cause has been absent for `ms`. */
  | { rule: "causeGoneFor"; ms: number }
  /** Needs `operatorReset` (local console, OCPP Reset/ChangeAvailability) once the cause is gone. */
  | { rule: "operatorReset" }
  /** Clears when the cause is gone and the EV of every gun in scope is unplugged (new session). */
  | { rule: "unplug" };

/** What a fault switches off. `global` stops the whole cabinet (seed 000 §9.1 enter_global_fault). */
export interface FaultScope {
  global: boolean;
  guns: number[];
  slots: number[];
  modules: string[];
}

export interface Fault {
  id: number;
  kind: FaultKind;
  severity: Severity;
  scope: FaultScope;
  /** Where: "cabinet", "gun 3", "module M3_1", "MC_4". Unique per kind while active. */
  location: string;
  cause: string;
  values: Record<string, number>;
  raisedAtMs: number;
  clear: ClearRule;
  /** When the cause was last seen gone (null while present). */
  causeGoneSinceMs: number | null;
}

export interface FaultSpec {
  kind: FaultKind;
  severity: Severity;
  scope: Partial<FaultScope>;
  location: string;
  cause: string;
  values?: Record<string, number>;
  clear: ClearRule;
  /** One-shot faults (a timeout) have no lasting cause: gone at once. Default false. */
  oneShot?: boolean;
}

export interface Blocks {
  global: boolean;
  guns: ReadonlySet<number>;
  slots: ReadonlySet<number>;
  modules: ReadonlySet<string>;
  /** True when nothing at all is blocked (lets the fast tick skip every Set lookup). Absent: not known. */
  none?: boolean;
}

export function fullScope(scope: Partial<FaultScope>): FaultScope {
  return { global: scope.global ?? false, guns: scope.guns ?? [], slots: scope.slots ?? [], modules: scope.modules ?? [] };
}

const NONE_CLEARED: readonly Fault[] = Object.freeze([]);

export class FaultRegistry {
  private readonly clock: Clock;
  private readonly events: EventLog;
  /** Latched faults, in latch order (the order clears are applied and logged in). */
  private readonly active = new Set<Fault>();
  /**
   * The same faults by kind, then location: `causeGone` and `raise` run for every watched
   * item on every tick while a fault of the kind is latched, and a `kind@location` key
   * would be a new string to build and hash each time.
   */
  private readonly byKind = new Map<FaultKind, Map<string, Fault>>();
  /** `FAULT_KIND_BIT` of every kind with a latched fault (kept with `byKind`). */
  private kindMask = 0;
  /**
   * Per location, the `FAULT_KIND_BIT`s of its latched faults whose cause is present (the
   * ones a `causeGone` would mark), and a counter changed whenever any of these bits does:
   * lets a checker that holds the bits of a location skip every `causeGone` there until then.
   */
  private readonly presentAt = new Map<string, number>();
  private presentChanges = 0;
  private nextId = 1;
  private cachedBlocks: Blocks | null = null;

  constructor(options: { clock: Clock; events: EventLog }) {
    this.clock = options.clock;
    this.events = options.events;
  }

  /**
   * Latch a fault, or refresh the values of the same kind at the same location.
   * Returns the fault and whether it is new (new faults need their reaction).
   */
  raise(spec: FaultSpec): { fault: Fault; isNew: boolean } {
    const now = this.clock.nowMs();
    const existing = this.find(spec.kind, spec.location);
    if (existing) {
      existing.causeGoneSinceMs = spec.oneShot ? now : null;
      this.markPresent(existing, !spec.oneShot);
      if (spec.values) existing.values = { ...spec.values };
      return { fault: existing, isNew: false };
    }
    const fault: Fault = {
      id: this.nextId++,
      kind: spec.kind,
      severity: spec.severity,
      scope: fullScope(spec.scope),
      location: spec.location,
      cause: spec.cause,
      values: { ...(spec.values ?? {}) },
      raisedAtMs: now,
      clear: spec.clear,
      causeGoneSinceMs: spec.oneShot ? now : null,
    };
    this.active.add(fault);
    let atKind = this.byKind.get(fault.kind);
    if (atKind === undefined) this.byKind.set(fault.kind, (atKind = new Map()));
    atKind.set(fault.location, fault);
    this.kindMask |= FAULT_KIND_BIT[fault.kind];
    this.markPresent(fault, !spec.oneShot);
    this.cachedBlocks = null;
    this.events.push(now, "fault", fault.location, `${fault.severity} ${fault.kind}: ${fault.cause}`, fault.values);
    return { fault, isNew: true };
  }

  /** Report that the cause of (kind, location) is absent now, if it is latched. */
  causeGone(kind: FaultKind, location: string): void {
    if (this.active.size === 0) return;
    const f = this.find(kind, location);
    if (f && f.causeGoneSinceMs === null) {
      f.causeGoneSinceMs = this.clock.nowMs();
      this.markPresent(f, false);
    }
  }

  /**
   * The `FAULT_KIND_BIT`s of the faults latched at `location` whose cause is present:
   * `causeGone(kind, location)` does nothing for a kind whose bit is clear. Valid while
   * `presentVersion` is unchanged.
   */
  causesPresentAt(location: string): number {
    return this.presentAt.get(location) ?? 0;
  }

  /** Changes whenever a bit of `causesPresentAt` does, for any location. */
  get presentVersion(): number {
    return this.presentChanges;
  }

  private markPresent(f: Fault, present: boolean): void {
    const before = this.presentAt.get(f.location) ?? 0;
    const bit = FAULT_KIND_BIT[f.kind];
    const after = present ? before | bit : before & ~bit;
    if (after === before) return;
    if (after === 0) this.presentAt.delete(f.location);
    else this.presentAt.set(f.location, after);
    this.presentChanges += 1;
  }

  private find(kind: FaultKind, location: string): Fault | undefined {
    return this.byKind.get(kind)?.get(location);
  }

  /** Number of latched faults. */
  get size(): number {
    return this.active.size;
  }

  /**
   * The kinds with a latched fault, as `FAULT_KIND_BIT`s: `causeGone(kind, ...)` does nothing
   * for a kind whose bit is clear. Changes only in `raise`, `evaluateClears` and `operatorReset`.
   */
  get latchedKinds(): number {
    return this.kindMask;
  }

  list(): Fault[] {
    return [...this.active.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * Apply the automatic clearing rules. `unplugged(gunId)` tells whether a gun's
   * EV is unplugged now.
   */
  evaluateClears(unplugged: (gunId: number) => boolean): readonly Fault[] {
    // Called every fast tick: nothing latched, nothing to clear, nothing allocated.
    if (this.active.size === 0) return NONE_CLEARED;
    const now = this.clock.nowMs();
    const cleared: Fault[] = [];
    for (const f of this.active) {
      if (f.causeGoneSinceMs === null) continue;
      let ok = false;
      if (f.clear.rule === "causeGoneFor") ok = now - f.causeGoneSinceMs >= f.clear.ms;
      else if (f.clear.rule === "unplug") ok = f.scope.guns.every((g) => unplugged(g));
      if (ok) {
        this.forget(f);
        cleared.push(f);
        this.events.push(now, "clear", f.location, `${f.kind} cleared (${f.clear.rule})`);
      }
    }
    if (cleared.length) this.cachedBlocks = null;
    return cleared;
  }

  /**
   * Operator reset: clears the given fault (or every fault when id is omitted) whose
   * cause is gone, whatever its rule. Faults whose cause persists stay latched.
   */
  operatorReset(id?: number): Fault[] {
    const now = this.clock.nowMs();
    const cleared: Fault[] = [];
    for (const f of this.active) {
      if (id !== undefined && f.id !== id) continue;
      if (f.causeGoneSinceMs === null) {
        this.events.push(now, "refused", f.location, `reset of ${f.kind} refused: cause still present`);
        continue;
      }
      this.forget(f);
      cleared.push(f);
      this.events.push(now, "clear", f.location, `${f.kind} cleared by operator reset`);
    }
    if (cleared.length) this.cachedBlocks = null;
    return cleared;
  }

  private forget(f: Fault): void {
    this.active.delete(f);
    this.markPresent(f, false);
    const atKind = this.byKind.get(f.kind);
    atKind?.delete(f.location);
    if (!atKind || atKind.size === 0) this.kindMask &= ~FAULT_KIND_BIT[f.kind];
  }

  /** What the latched faults switch off, merged. */
  blocks(): Blocks {
    if (this.cachedBlocks) return this.cachedBlocks;
    let global = false;
    const guns = new Set<number>();
    const slots = new Set<number>();
    const modules = new Set<string>();
    for (const f of this.active.values()) {
      if (f.scope.global) global = true;
      for (const g of f.scope.guns) guns.add(g);
      for (const s of f.scope.slots) slots.add(s);
      for (const m of f.scope.modules) modules.add(m);
    }
    const none = !global && guns.size === 0 && slots.size === 0 && modules.size === 0;
    this.cachedBlocks = { global, guns, slots, modules, none };
    return this.cachedBlocks;
  }
}
