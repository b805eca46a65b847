/**
 * The contactor sequencer: moves the plant from what it observes to what the
 * planner wants, one safe step at a time (seed 000 §7.3, C.1, C.2; issue 4).
 *
 *   island to start : isolate (open boundaries, close inner MCs and MNs, aux confirms)
 *                     -> modules on at zero current, precharge to the EV battery voltage
 *                     -> close GC (aux confirms) -> release the current ramp
 *   island to change: ramp to zero -> wait below the switching current -> modules off,
 *                     GC open -> re-segment -> restart   (stop -> re-segment -> restart)
 *
 * An energized island is locked: none of its contactors is touched until it has
 * been ramped down, so untouched islands keep charging. Every step goes through
 * one check (`checkStep`, DESIGN.md §5) and is refused if it would break an
 * invariant, whatever the plan says. All time comes from the injected clock.
 */
import type { Clock } from "../../hal/clock";
import type { ContactorBank } from "../../hal/contactors";
import { copyEvStatus, sameEvStatus, type EvLink, type EvStatus } from "../../hal/ev-link";
import type { Log } from "../../hal/log";
import type { ModuleBus, ModuleCommand, ModuleReading } from "../../hal/power-modules";
import type { GunMeasurement, Sensors } from "../../hal/sensors";
import type { Storage } from "../../hal/storage";
import { indexCabinet, type CabinetIndex } from "../config/cabinet-index";
import type { CabinetConfig, GunConfig } from "../config/types";
import { ContactorHealth } from "../contactors/health";
import { EventLog } from "../events/event-log";
import type { GunPlan, Plan } from "../planner/types";
import { FaultRegistry, fullScope, type Blocks, type FaultScope } from "../safety/faults";
import { checkState, checkStep, type SafetyView, type Step, type Violation } from "./invariants";
import { buildPowerGraph, islandBusNodes, islandRequirements, type PowerEdge, type PowerGraph } from "./topology";

export type GunPhase = "idle" | "isolating" | "precharging" | "ready" | "charging" | "rampingDown" | "faulted";

type Stage = "precharging" | "closingGc" | "charging" | "rampingDown" | "opening";

export interface GunStatus {
  gunId: number;
  phase: GunPhase;
  /** Slots of its energized island (ring), empty when it has none. */
  islandSlots: number[];
  /** Modules of its energized island. */
  modules: string[];
  /** Current limit the sequencer allows now (ramped); 0 unless charging or ramping down. */
  currentLimitA: number;
  voltageSetpointV: number;
  /** Why the gun is not where the plan wants it (refused step, blocked, waiting); null otherwise. */
  reason: string | null;
}

export interface SequencerOptions {
  config: CabinetConfig;
  /** Derived from config when absent. */
  index?: CabinetIndex;
  clock: Clock;
  contactors: ContactorBank;
  modules: ModuleBus;
  sensors: Sensors;
  ev: EvLink;
  storage: Storage;
  log: Log;
  /** Shared with the supervisor; created when absent. */
  events?: EventLog;
  health?: ContactorHealth;
  faults?: FaultRegistry;
  /** The step check; defaults to DESIGN.md §5 `checkStep`. Replaceable only to add checks. */
  check?: (view: SafetyView, step: Step) => Violation | null;
}

/** What the supervisor reads of an energized island (it never changes one). */
export interface EnergizedIsland {
  readonly gunId: number;
  /** Position of the gun in `config.guns`. */
  readonly gunPos: number;
  readonly modules: readonly string[];
  /** Position in `index.modules` of each of `modules` (-1: not a module of this cabinet). */
  readonly modulePos: readonly number[];
}

/**
 * This tick's readings by position (guns: `config.guns`, modules: `index.modules`, slot
 * buses: `config.slots`), written in place every fast tick. null: unreadable or not read
 * yet; NaN bus voltage: unknown or not a number.
 *
 * A gun measurement and an EV status are valid for their tick only: a HAL's `readGuns` /
 * `readStatuses` may refill the same record on the next read, so whoever keeps one past the
 * tick copies it (the supervisor, the sequencer and the control tick take the values at once;
 * the charging sessions keep EV statuses, and get them through `evReading`, which hands out
 * a copy they may keep). Module replies are never changed once read.
 */
export interface TickReadings {
  readonly guns: readonly (GunMeasurement | null)[];
  readonly ev: readonly (EvStatus | null)[];
  readonly modules: readonly (ModuleReading | null)[];
  readonly slotBusV: Float64Array;
}

interface Island extends EnergizedIsland {
  gunId: number;
  gunPos: number;
  gun: GunConfig;
  /** Its gun's GC (undefined: none in the graph). */
  gc: string | undefined;
  key: string;
  nodes: number[];
  slots: number[];
  modules: string[];
  modulePos: number[];
  stage: Stage;
  stageSinceMs: number;
  limitA: number;
  voltageV: number;
  fast: boolean;
  zeroSinceMs: number | null;
  /** Every contactor touching the island: untouchable while it is energized. */
  locked: string[];
  /**
   * `islandBlocked(island, blocksSeen)` (null: not judged yet). A `Blocks` object never
   * changes (the registry builds a new one whenever a fault comes or goes) and neither do an
   * island's gun, slots and modules: the answer holds while the blocks object is the same.
   */
  blocksSeen: Blocks | null;
  blocked: boolean;
}

interface Target {
  gunId: number;
  gunPos: number;
  key: string;
  nodes: number[];
  slots: number[];
  modules: string[];
  modulePos: number[];
  requirements: Map<string, boolean>;
  locked: string[];
  plan: GunPlan;
}

interface Readings {
  guns: (GunMeasurement | null)[];
  ev: (EvStatus | null)[];
  modules: (ModuleReading | null)[];
  slotBusV: Float64Array;
}

/**
 * Why each gun is not where the plan wants it, this step. By gun position (cleared and
 * refilled every step without Map stores); ids outside the cabinet (a bad plan) in a Map.
 *
 * Most steps clear the reasons and restore the same memo entries as the step before,
 * with nothing set in between: `clear` only marks the table, and a `restore` of the very
 * entries array the table already holds exactly (restored onto a cleared table, nothing set
 * since) drops the mark instead of rewriting every slot. Any other access clears for real.
 */
export class GunReasons {
  private readonly byPos: (string | null)[];
  private readonly stray = new Map<number, string>();
  /** `clear` was called and the table not yet emptied. */
  private clearPending = false;
  /** The entries the table holds exactly (restored onto a cleared table, nothing set since); null: unknown. */
  private heldExactly: readonly (readonly [number, string])[] | null = null;
  constructor(private readonly position: ReadonlyMap<number, number>, count: number) {
    this.byPos = filled<string | null>(count, null);
  }
  clear(): void {
    this.clearPending = true;
  }
  private applyClear(): void {
    if (!this.clearPending) return;
    this.clearPending = false;
    this.heldExactly = null;
    const byPos = this.byPos;
    for (let i = 0; i < byPos.length; i++) byPos[i] = null;
    if (this.stray.size > 0) this.stray.clear();
  }
  get(gunId: number): string | undefined {
    if (this.clearPending) return undefined;
    const i = this.position.get(gunId);
    if (i === undefined) return this.stray.get(gunId);
    return this.byPos[i] ?? undefined;
  }
  set(gunId: number, why: string): void {
    this.applyClear();
    this.heldExactly = null;
    const i = this.position.get(gunId);
    if (i === undefined) this.stray.set(gunId, why);
    else this.byPos[i] = why;
  }
  /** The reasons now, to `restore` on a later step. */
  entries(): [number, string][] {
    this.applyClear();
    const out: [number, string][] = [];
    this.position.forEach((i, gunId) => {
      const why = this.byPos[i];
      if (why !== null) out.push([gunId, why]);
    });
    this.stray.forEach((why, gunId) => out.push([gunId, why]));
    return out;
  }
  /** Set every entry (the caller keeps `entries` unchanged: it is compared by identity). */
  restore(entries: readonly (readonly [number, string])[]): void {
    if (this.clearPending && this.heldExactly === entries) {
      this.clearPending = false; // cleared and refilled with these same entries: what it holds
      return;
    }
    const ontoCleared = this.clearPending;
    this.applyClear();
    for (let k = 0; k < entries.length; k++) this.set(entries[k][0], entries[k][1]);
    this.heldExactly = ontoCleared ? entries : null;
  }
}

/** An array of `count` copies of `value`, built by appending (a packed array: `new Array(n)` makes a holey one, slower to read). */
function filled<T>(count: number, value: T): T[] {
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(value);
  return out;
}

/** Id -> last position in the list (a Map filled in order keeps the last duplicate, as a Map store would). */
function positions<K>(ids: readonly K[]): Map<K, number> {
  const out = new Map<K, number>();
  ids.forEach((id, i) => out.set(id, i));
  return out;
}

const OFF: ModuleCommand = { enabled: false, voltageV: 0, currentLimitA: 0 };

/**
 * What `buildTargets` computed for one set of its inputs. The targets depend only on
 * discrete state (the plan object, the latched-fault blocks, the islands, the
 * contactors' commands and verdicts, and each EV's plugged/ready/stop/paused/battery-known
 * bits), so while none of those changed the same targets and reasons are reused.
 */
interface TargetsMemo {
  /** `planShape` when computed, and the plan object the targets' `plan` fields point into. */
  planShape: number;
  plan: Plan | null;
  blocks: Blocks;
  islandsVersion: number;
  healthVersion: number;
  targets: Map<number, Target>;
  reasons: [number, string][];
}

/** A `driveContactors` pass that wanted no change: repeating it with the same inputs changes nothing either. */
interface DriveMemo {
  targets: Map<number, Target>;
  planShape: number;
  blocks: Blocks;
  islandsVersion: number;
  healthVersion: number;
  reasons: [number, string][];
}

export class ContactorSequencer {
  readonly config: CabinetConfig;
  readonly index: CabinetIndex;
  readonly graph: PowerGraph;
  readonly events: EventLog;
  readonly health: ContactorHealth;
  readonly faults: FaultRegistry;
  private readonly clock: Clock;
  private readonly moduleBus: ModuleBus;
  private readonly sensors: Sensors;
  private readonly ev: EvLink;
  private readonly log: Log;
  private readonly check: (view: SafetyView, step: Step) => Violation | null;

  private readonly islands = new Map<number, Island>();
  /**
   * The islands in insertion order (as the Map iterates), a new array on every change:
   * a loop over it works on a snapshot, and nothing is copied on a step that changes none.
   */
  private islandList: readonly Island[] = [];
  /** Island by gun position (undefined: none). */
  private readonly islandAt: (Island | undefined)[];
  /** Id -> position in `config.guns`, `index.modules`, `config.slots` (the last of a duplicated id, as a Map store keeps). */
  private readonly gunPosition: ReadonlyMap<number, number>;
  private readonly modulePosition: ReadonlyMap<string, number>;
  private readonly slotPosition: ReadonlyMap<number, number>;
  /** The ids in those orders (what `readAll` reads, by position). */
  private readonly gunIds: readonly number[];
  private readonly moduleIds: readonly string[];
  private readonly slotIds: readonly number[];
  /** Module -> gun of its island, rebuilt lazily when islands change. */
  private readonly owners = new Map<string, number>();
  private islandsVersion = 0;
  private ownersVersion = -1;
  /** Last command of a module id outside `index.modules` (none in practice: the targets hold cabinet modules only). */
  private readonly strayCmd = new Map<string, ModuleCommand>();
  /** Every module id appears once in `index.modules`: position i is then the mirror slot of `moduleIds[i]`. */
  private readonly moduleIdsUnique: boolean;
  /**
   * Per gun position, for `islandVoltageAt` on a ring: the `slotBusV` position of the gun's
   * slot (as `islandVoltage` finds it: -1 none), -2 when the gun is not in the index.
   */
  private readonly gunSlotBusPos: Int32Array;
  /** `moduleCommand` objects by module position, built on demand from the mirror (null: build again). */
  private readonly commandObjects: (ModuleCommand | null)[];
  /** Last current offered to each gun's EV, by gun position (NaN: none yet). */
  private readonly offerA: Float64Array;
  private readonly reasons: GunReasons;
  private readonly refusals = new Map<string, string>();
  private readonly requirementCache = new Map<string, { requirements: Map<string, boolean>; locked: string[] }>();
  private plan: Plan | null = null;
  /**
   * Bumped when a new plan differs from the previous one in what targets and contactor
   * positions are made of (guns, modules, island slots, whether current is planned,
   * contactor positions). The planner sends a new plan object every control tick; most
   * differ only in budgets and setpoints.
   */
  private planShape = 0;
  private lastTargets: ReadonlyMap<number, Target> = new Map();
  /** `lastTargets` as a list (its iteration order) and by gun position, rebuilt when the targets object changes. */
  private targetList: Target[] = [];
  private readonly targetAt: (Target | undefined)[];
  private targetListOf: ReadonlyMap<number, Target> | null = null;
  /**
   * The plan's entry for each gun position, as `plan.guns.find` by id would return it (the
   * first), for the guns array (and length) it was built from (see `planGunAt`).
   */
  private readonly planGuns: (GunPlan | undefined)[];
  private planGunsList: readonly GunPlan[] | null = null;
  private planGunsLength = -1;
  private readonly readings: Readings;
  /**
   * True while `readings.ev` may hold records the EV link refills (`readStatuses`): then
   * `evReading` hands out a copy. Per gun position, the last copy handed out (null: none):
   * handed out again while the status is field by field the same, so a keeper sees a new
   * object only when the status changed.
   */
  private evTableIsRegister = false;
  private readonly evSnapshots: (EvStatus | null)[];
  /** The module bus's `readingsVersion` at the last read of every module without a failure (NaN: read again; see `readModuleReplies`). */
  private modulesReadVersion = NaN;
  /** Bumped on every pass that writes `readings.modules` (see `moduleTableVersion`). */
  private moduleTableWrites = 0;
  /** One view for every §5 check: its functions read the live state. */
  private readonly view: SafetyView;
  private targetsMemo: TargetsMemo | null = null;
  private driveMemo: DriveMemo | null = null;
  /** Per gun (config order): the EV status bits the targets depend on (see `updateEvSignature`). */
  private readonly evSignature: Int32Array;
  /** Per gun position: the lower of the gun's and the modules' maximum voltage (config: fixed for the sequencer's life). */
  private readonly gunVoltageCapV: Float64Array;
  /** Scratch arrays for applyOutputs, by module position (no allocation per tick). */
  private readonly wantStamp: Int32Array;
  private readonly wantEnabled: Uint8Array;
  private readonly wantVoltageV: Float64Array;
  private readonly wantCurrentA: Float64Array;
  private outputStamp = 0;
  /** The last command sent to each module, by module position (enabled -1: nothing sent yet). */
  private readonly sentEnabled: Int8Array;
  private readonly sentVoltageV: Float64Array;
  private readonly sentCurrentA: Float64Array;
  /** Bumped whenever a module command is sent (the only writer of the `sent*` mirror). */
  private sendVersion = 0;
  /** Bumped whenever an EV offer changes (the only writer of `offerA`). */
  private offerVersion = 0;
  /**
   * What `applyOutputs` last derived from each island, by gun position, and the islands and
   * mirror it left behind: see `outputsSettled`.
   */
  private readonly appliedEnabled: Int8Array;
  private readonly appliedVoltageV: Float64Array;
  private readonly appliedCurrentA: Float64Array;
  private appliedIslandsVersion = -1;
  private appliedSendVersion = -1;
  /** `islandsVersion` and `offerVersion` after the last `offerIdleGuns` pass (every idle gun offered 0 then). */
  private idleOffersIslandsVersion = -1;
  private idleOffersVersion = -1;
  /** Modules whose mirror is exactly OFF (lets applyOutputs see without a pass that every module of no island is off). */
  private sentOffCount = 0;
  /** Bumped when a module command switches on/off, or a module's online/running bits change in a reading. */
  private moduleStateVersion = 0;
  private readonly moduleBits: Uint8Array;
  /** The last audit and the state it was computed on (see `audit`). */
  private auditKey: { atMs: number; positions: number; modules: number; islands: number; blocks: Blocks } | null = null;
  private auditResult: Violation[] = [];
  private lastStepMs: number | null = null;
  /** Clock time at which `beginTick` read the inputs for the step that follows (NaN: none pending). */
  private preparedAtMs = NaN;
  private readAtMs = NaN;
  private dtMs = 0;
  private closed = false;

  constructor(options: SequencerOptions) {
    this.config = options.config;
    this.index = options.index ?? indexCabinet(options.config);
    this.graph = buildPowerGraph(this.index);
    this.clock = options.clock;
    this.moduleBus = options.modules;
    this.sensors = options.sensors;
    this.ev = options.ev;
    this.log = options.log;
    this.events = options.events ?? new EventLog();
    this.health = options.health ?? new ContactorHealth({
      index: this.index, bank: options.contactors, storage: options.storage, clock: options.clock, events: this.events,
    });
    this.faults = options.faults ?? new FaultRegistry({ clock: options.clock, events: this.events });
    this.check = options.check ?? checkStep;
    const gunCount = this.config.guns.length;
    const moduleCount = this.index.modules.length;
    this.gunIds = this.config.guns.map((g) => g.id);
    this.moduleIds = this.index.modules.map((m) => m.id);
    this.slotIds = this.config.slots.map((sl) => sl.id);
    this.gunPosition = positions(this.gunIds);
    this.modulePosition = positions(this.moduleIds);
    this.slotPosition = positions(this.slotIds);
    this.readings = {
      guns: filled<GunMeasurement | null>(gunCount, null),
      ev: filled<EvStatus | null>(gunCount, null),
      modules: filled<ModuleReading | null>(moduleCount, null),
      slotBusV: new Float64Array(this.config.slots.length).fill(NaN),
    };
    this.evSnapshots = filled<EvStatus | null>(gunCount, null);
    this.islandAt = filled<Island | undefined>(gunCount, undefined);
    this.targetAt = filled<Target | undefined>(gunCount, undefined);
    this.offerA = new Float64Array(gunCount).fill(NaN);
    this.reasons = new GunReasons(this.gunPosition, gunCount);
    this.planGuns = filled<GunPlan | undefined>(gunCount, undefined);
    this.view = this.makeView();
    this.evSignature = new Int32Array(gunCount).fill(-1);
    this.gunVoltageCapV = Float64Array.from(this.config.guns, (gun) => Math.min(gun.maxVoltageV, this.config.moduleRating.maxVoltageV));
    this.wantStamp = new Int32Array(moduleCount);
    this.wantEnabled = new Uint8Array(moduleCount);
    this.wantVoltageV = new Float64Array(moduleCount);
    this.wantCurrentA = new Float64Array(moduleCount);
    this.moduleBits = new Uint8Array(moduleCount);
    this.sentEnabled = new Int8Array(moduleCount).fill(-1);
    this.commandObjects = filled<ModuleCommand | null>(moduleCount, null);
    this.moduleIdsUnique = this.modulePosition.size === moduleCount;
    this.gunSlotBusPos = Int32Array.from(this.gunIds, (gunId) => {
      const gun = this.index.gunById.get(gunId);
      return gun ? this.slotPosition.get(gun.slotId ?? -1) ?? -1 : -2;
    });
    this.appliedEnabled = new Int8Array(gunCount).fill(-1);
    this.appliedVoltageV = new Float64Array(gunCount);
    this.appliedCurrentA = new Float64Array(gunCount);
    this.sentVoltageV = new Float64Array(moduleCount);
    this.sentCurrentA = new Float64Array(moduleCount);
  }

  // ---------------------------------------------------------------- queries

  /** The gun's phase alone (no copies; `gunStatus` has the rest). */
  gunPhase(gunId: number): GunPhase {
    const island = this.islands.get(gunId);
    if (island) {
      return island.stage === "precharging" ? "precharging"
        : island.stage === "closingGc" ? "ready"
        : island.stage === "charging" ? "charging" : "rampingDown";
    }
    const blocks = this.faults.blocks();
    if (blocks.global || blocks.guns.has(gunId)) return "faulted";
    return this.lastTargets.has(gunId) ? "isolating" : "idle";
  }

  gunStatus(gunId: number): GunStatus {
    const island = this.islands.get(gunId);
    const phase = this.gunPhase(gunId);
    return {
      gunId,
      phase,
      islandSlots: island ? [...island.slots] : [],
      modules: island ? [...island.modules] : [],
      currentLimitA: island && (island.stage === "charging" || island.stage === "rampingDown") ? island.limitA : 0,
      voltageSetpointV: island ? island.voltageV : 0,
      reason: this.reasons.get(gunId) ?? null,
    };
  }

  gunStatuses(): GunStatus[] {
    return this.config.guns.map((g) => this.gunStatus(g.id));
  }

  /** Current limit the sequencer allows for a gun now (what the EV is offered). */
  allowedCurrentA(gunId: number): number {
    return this.gunStatus(gunId).currentLimitA;
  }

  /** Modules of a gun's energized island (read-only view, no copy), or [] when none. */
  islandModulesOf(gunId: number): readonly string[] {
    return this.islands.get(gunId)?.modules ?? NO_MODULES;
  }

  /** Whether the gun has an energized island (any stage). */
  isEnergized(gunId: number): boolean {
    return this.islands.has(gunId);
  }

  /**
   * The energized islands, oldest first (read-only). A new array whenever an island is
   * added or removed: a caller looping over it keeps the list it started with.
   */
  get energizedIslands(): readonly EnergizedIsland[] {
    return this.islandList;
  }

  /** The energized island of the gun at this position in `config.guns`, if any. */
  islandAtGun(gunPos: number): EnergizedIsland | undefined {
    return this.islandAt[gunPos];
  }

  /** `islandAtGun` for every position at once (read-only, updated in place as islands come and go). */
  get islandsByGun(): readonly (EnergizedIsland | undefined)[] {
    return this.islandAt;
  }

  /** Position of a slot in `config.slots` (-1: none), for `tickReadings.slotBusV`. */
  slotPositionOf(slotId: number | undefined): number {
    return slotId === undefined ? -1 : this.slotPosition.get(slotId) ?? -1;
  }

  /** Slots of a gun's energized island (for fault scoping), or [] when none. */
  islandSlotsOf(gunId: number): number[] {
    return this.islands.get(gunId)?.slots.slice() ?? [];
  }

  /** Gun whose energized island holds this module, or null. */
  moduleOwner(moduleId: string): number | null {
    if (this.ownersVersion !== this.islandsVersion) {
      this.owners.clear();
      for (const island of this.islands.values()) for (const m of island.modules) this.owners.set(m, island.gunId);
      this.ownersVersion = this.islandsVersion;
    }
    return this.owners.get(moduleId) ?? null;
  }

  /** Guns with an energized island (any stage). */
  energizedGuns(): number[] {
    return [...this.islands.keys()];
  }

  /** Last module command sent (what the sequencer wants the module to do). */
  moduleCommand(moduleId: string): ModuleCommand {
    const pos = this.modulePosition.get(moduleId);
    if (pos === undefined) return this.strayCmd.get(moduleId) ?? OFF;
    if (this.sentEnabled[pos] < 0) return OFF;
    let cmd = this.commandObjects[pos];
    if (cmd === null) {
      cmd = { enabled: this.sentEnabled[pos] === 1, voltageV: this.sentVoltageV[pos], currentLimitA: this.sentCurrentA[pos] };
      this.commandObjects[pos] = cmd;
    }
    return cmd;
  }

  /**
   * Start of a fast tick (the supervisor calls it first): scan the aux contacts and read
   * every input once. The supervisor judges these readings, and the `step` that follows
   * in the same tick (same clock time) acts on the same ones instead of reading again.
   * A `step` without a preceding `beginTick` reads for itself.
   */
  beginTick(): void {
    const now = this.clock.nowMs();
    this.health.update(now);
    this.readAll(now);
    this.preparedAtMs = now;
  }

  /** Clock time of the latest reading of every input (NaN: none yet). */
  get inputsReadAtMs(): number {
    return this.readAtMs;
  }

  /** This tick's reading of a gun's meter (null: unreadable; valid for this tick, see `TickReadings`). */
  gunReading(gunId: number): GunMeasurement | null {
    const i = this.gunPosition.get(gunId);
    return i === undefined ? null : this.readings.guns[i];
  }

  /**
   * This tick's EV status of a gun (null: unreadable), as an object the caller may keep
   * (charging sessions do): never one the EV link refills on the next read.
   */
  evReading(gunId: number): EvStatus | null {
    const i = this.gunPosition.get(gunId);
    if (i === undefined) return null;
    const ev = this.readings.ev[i];
    return ev === null || !this.evTableIsRegister ? ev : this.evSnapshotAt(i, ev);
  }

  /**
   * A keepable copy of `ev`, a status the link may refill: a frozen status is one it cannot
   * refill (e.g. a shared "nothing plugged"), handed out as it is; else the gun's last copy
   * while every field is still the same, or a new frozen copy.
   */
  private evSnapshotAt(gunPos: number, ev: EvStatus): EvStatus {
    if (Object.isFrozen(ev)) return ev;
    const kept = this.evSnapshots[gunPos];
    if (kept !== null && sameEvStatus(kept, ev)) return kept;
    const copy = Object.freeze(copyEvStatus(ev));
    this.evSnapshots[gunPos] = copy;
    return copy;
  }

  /** This tick's reply of a module (null: unreadable). */
  moduleReading(moduleId: string): ModuleReading | null {
    const i = this.modulePosition.get(moduleId);
    return i === undefined ? null : this.readings.modules[i];
  }

  /** This tick's slot bus voltage (NaN: unknown or not a number). */
  slotBusVoltageV(slotId: number): number {
    const i = this.slotPosition.get(slotId);
    return i === undefined ? NaN : this.readings.slotBusV[i];
  }

  /**
   * Changes whenever `tickReadings.modules` is written (the module replies are read again),
   * and only then: `readModuleReplies` is its one writer, and the replies it stores are never
   * changed once read. Same counter = same table, the same reply objects with the same values.
   */
  get moduleTableVersion(): number {
    return this.moduleTableWrites;
  }

  /** Every reading of this tick by position (read-only; see `TickReadings`): the supervisor's checks index it directly. */
  get tickReadings(): TickReadings {
    return this.readings;
  }

  /** The view the §5 checks use, built on the latest readings. */
  safetyView(): SafetyView {
    return this.view;
  }

  /**
   * Audit the present state against §5.1, §5.2, §5.5. The audit is a pure function of
   * which contactors possibly conduct, which modules are energized and healthy, and the
   * islands; while none of those changed, the last result is returned (the same array:
   * read-only, valid until the next audit; `audit()` copies it).
   */
  auditState(): readonly Violation[] {
    const now = this.clock.nowMs();
    const blocks = this.faults.blocks();
    const positions = this.health.positionVersion;
    const key = this.auditKey;
    // The audit reads: which contactors possibly conduct (commands, aux, verdicts and the
    // close-command windows), which modules are energized (commands, running bits) and
    // healthy (blocks, online bits), and the islands. Unchanged -> the same result.
    const same = key !== null && key.positions === positions && key.modules === this.moduleStateVersion &&
      key.islands === this.islandsVersion && key.blocks === blocks && !this.health.closeWindowOpen(key.atMs);
    if (!same) {
      this.auditResult = checkState(this.view);
      this.auditKey = { atMs: now, positions, modules: this.moduleStateVersion, islands: this.islandsVersion, blocks };
    }
    return this.auditResult;
  }

  /** `auditState`, as a copy the caller may keep. */
  audit(): Violation[] {
    const found = this.auditState();
    return found.length === 0 ? [] : found.slice();
  }

  // ---------------------------------------------------------------- the step

  /**
   * Advance toward the plan. Call every fast tick (10 ms; every control tick works
   * too, with coarser timeouts), after `SafetySupervisor.tick()`. Never throws:
   * an internal error becomes a global High fault.
   */
  step(plan: Plan | null): void {
    if (this.closed) return;
    const now = this.clock.nowMs();
    this.dtMs = this.lastStepMs === null ? 0 : Math.max(0, now - this.lastStepMs);
    this.lastStepMs = now;
    const previousPlan = this.plan;
    const newPlan = plan && plan !== previousPlan ? plan : null;
    if (plan) this.plan = plan;
    try {
      if (newPlan) {
        // Bumped first: a malformed plan that makes the comparison throw leaves every memo invalid.
        this.planShape += 1;
        if (previousPlan && samePlanShape(previousPlan, newPlan, this.graph.edges)) this.planShape -= 1;
      }
      if (this.preparedAtMs === now) {
        this.preparedAtMs = NaN; // inputs read by beginTick at this very time
      } else {
        this.health.update(now);
        this.readAll(now);
      }
      const blocks = this.faults.blocks();
      this.reasons.clear();
      const targets = this.buildTargets(blocks);
      this.lastTargets = targets;
      const list = this.indexTargets(targets);
      const targetAt = this.targetAt;
      // A snapshot (advancing one island may release it, or others in an emergency).
      const islands = this.islandList;
      for (let i = 0; i < islands.length; i++) this.advanceIsland(islands[i], targetAt[islands[i].gunPos], blocks, now);
      this.driveContactors(targets, blocks);
      for (let i = 0; i < list.length; i++) if (this.islandAt[list[i].gunPos] === undefined) this.tryEnergize(list[i], now);
      this.applyOutputs();
    } catch (error) {
      this.internalError(error);
    }
  }

  /**
   * Emergency shutdown (severity High) for a scope, within the calling tick:
   * module outputs off and contactors commanded open, breaking under load if it
   * must (counted). Global scope opens every GC, MN, MX and MC (seed 000 §9.1).
   */
  emergencyShutdown(scope: Partial<FaultScope>, reason: string): void {
    const s = fullScope(scope);
    const now = this.clock.nowMs();
    this.readAllSafe();
    const estimates = s.global ? new Map(this.graph.edges.map((e) => [e.id, this.edgeCurrentEstimate(e.id)])) : null;
    for (const island of [...this.islands.values()]) {
      if (!this.inScope(island, s)) continue;
      for (const m of island.modules) this.sendModule(m, OFF);
      const gc = this.graph.gcOfGun.get(island.gunId);
      if (gc) this.health.command(gc, false, this.gunCurrent(island.gunId), `emergency: ${reason}`);
      for (const m of island.modules) {
        for (const e of this.graph.edges) {
          if ((e.kind === "MN" || e.kind === "MX") && this.graph.nodeModule.get(e.a) === m) {
            this.health.command(e.id, false, this.moduleCurrent(m), `emergency: ${reason}`);
          }
        }
      }
      this.setOffer(island.gunId, 0);
      this.removeIsland(island.gunId);
      this.events.push(now, "phase", `gun ${island.gunId}`, `emergency shutdown: ${reason}`);
    }
    if (s.global) {
      for (const m of this.index.modules) this.sendModule(m.id, OFF);
      for (const e of this.graph.edges) this.health.command(e.id, false, estimates?.get(e.id) ?? 0, `emergency: ${reason}`);
      for (const g of this.config.guns) this.setOffer(g.id, 0);
    }
  }

  /**
   * Error shutdown (severity Medium/Low): current limits to zero now, then the
   * normal ramp-down path opens contactors once the current is below threshold.
   */
  errorShutdown(scope: Partial<FaultScope>, reason: string): void {
    const s = fullScope(scope);
    const now = this.clock.nowMs();
    for (const island of this.islands.values()) {
      if (!this.inScope(island, s)) continue;
      this.startRampDown(island, true, now, reason);
    }
    this.applyOutputs();
  }

  /** Switch everything off (modules off, GC/MN/MX open) and stop stepping. */
  close(): void {
    if (this.closed) return;
    this.emergencyShutdown({ guns: [...this.islands.keys()] }, "sequencer closed");
    for (const m of this.index.modules) this.sendModule(m.id, OFF);
    for (const e of this.graph.edges) if (e.kind !== "MC") this.health.command(e.id, false, this.edgeCurrentEstimate(e.id), "sequencer closed");
    this.closed = true;
  }

  // ---------------------------------------------------------------- internals

  private addIsland(island: Island): void {
    this.islands.set(island.gunId, island);
    this.islandAt[island.gunPos] = island;
    this.islandsChanged();
  }

  private removeIsland(gunId: number): void {
    const island = this.islands.get(gunId);
    if (island && this.islandAt[island.gunPos] === island) this.islandAt[island.gunPos] = undefined;
    this.islands.delete(gunId);
    this.islandsChanged();
  }

  private islandsChanged(): void {
    this.islandsVersion += 1;
    this.islandList = [...this.islands.values()];
  }

  /**
   * The targets in their Map's order, as an array, and by gun position in `targetAt`: kept
   * until the targets object changes (a Map is never changed once built; the memo hands
   * back the same one).
   */
  private indexTargets(targets: ReadonlyMap<number, Target>): readonly Target[] {
    if (this.targetListOf !== targets) {
      this.targetList = [...targets.values()];
      const byPos = this.targetAt;
      for (let i = 0; i < byPos.length; i++) byPos[i] = undefined;
      for (const t of this.targetList) if (t.gunPos >= 0) byPos[t.gunPos] = t;
      this.targetListOf = targets;
    }
    return this.targetList;
  }

  private inScope(island: Island, s: FaultScope): boolean {
    return s.global || s.guns.includes(island.gunId) || island.slots.some((x) => s.slots.includes(x)) ||
      island.modules.some((m) => s.modules.includes(m));
  }

  private readAllSafe(): void {
    try {
      this.readAll();
    } catch {
      /* keep the last readings */
    }
  }

  /**
   * Read every input once per step (in place, by position: no allocation, no Map store),
   * in this order: gun meters, EV statuses, module replies, slot buses (a simulated HAL
   * draws its sensor noise in read order). Each kind is read in one batch call when the
   * HAL offers one, else id by id. Never throws for a read: an unreadable item gets its
   * fallback (null / NaN) and the others are still read.
   */
  private readAll(nowMs?: number): void {
    this.readAtMs = nowMs ?? this.clock.nowMs();
    this.readGunMeters();
    this.readEvStatuses();
    this.readModuleReplies();
    if (this.config.topology === "ring") this.readSlotBuses();
  }

  // One `try` per pass rather than per read in the id-by-id passes below: on XS a try costs
  // more than the read itself. A read that throws records its fallback and the pass resumes
  // after it. A batch that throws is read again id by id, so that only the items that really
  // fail get the fallback. Before a batch the table is reset to the fallback: an item a batch
  // skips is unreadable this tick, never last tick's value.

  private readGunMeters(): void {
    const into = this.readings.guns;
    const sensors = this.sensors;
    if (sensors.readGuns !== undefined) {
      into.fill(null);
      try {
        sensors.readGuns(this.gunIds, into);
        return;
      } catch {
        /* id by id below */
      }
    }
    const gunIds = this.gunIds;
    const n = gunIds.length;
    for (let i = 0; i < n; ) {
      try {
        for (; i < n; i++) into[i] = sensors.gun(gunIds[i]) ?? null;
      } catch {
        into[i++] = null;
      }
    }
  }

  /** EV statuses: the link's batch (register) read when it has one (see `evReading`), else id by id. */
  private readEvStatuses(): void {
    const into = this.readings.ev;
    const ev = this.ev;
    this.evTableIsRegister = false;
    if (ev.readStatuses !== undefined) {
      into.fill(null);
      try {
        this.evTableIsRegister = true;
        ev.readStatuses(this.gunIds, into);
        return;
      } catch {
        this.evTableIsRegister = false; // read again below
      }
    }
    const gunIds = this.gunIds;
    const n = gunIds.length;
    for (let i = 0; i < n; ) {
      try {
        for (; i < n; i++) into[i] = ev.status(gunIds[i]) ?? null;
      } catch {
        into[i++] = null;
      }
    }
  }

  /**
   * Module replies, and `moduleStateVersion` when a module's online/running bits change.
   * Skipped while the bus's `readingsVersion` is the one of the last complete read: the bus
   * changes it whenever any reply changes, so the table (and the bits computed from it)
   * would come out the same. A bus without the counter, or a read that failed, reads again.
   */
  private readModuleReplies(): void {
    const version = this.moduleBus.readingsVersion;
    if (version !== undefined && version === this.modulesReadVersion) return;
    const into = this.readings.modules;
    const moduleIds = this.moduleIds;
    const moduleCount = moduleIds.length;
    let failed = false;
    this.moduleTableWrites += 1;
    for (let i = 0; i < moduleCount; ) {
      try {
        for (; i < moduleCount; i++) into[i] = this.moduleBus.read(moduleIds[i]);
      } catch {
        into[i++] = null;
        failed = true;
      }
    }
    for (let i = 0; i < moduleCount; i++) {
      const reading = into[i];
      const bits = reading === null ? 4 : (reading.online ? 1 : 0) | (reading.running ? 2 : 0);
      if (bits !== this.moduleBits[i]) {
        this.moduleBits[i] = bits;
        this.moduleStateVersion += 1;
      }
    }
    this.modulesReadVersion = failed || version === undefined ? NaN : version;
  }

  /** Slot bus voltages (ring); NaN for unknown or not a number. */
  private readSlotBuses(): void {
    const busV = this.readings.slotBusV;
    const sensors = this.sensors;
    const slotIds = this.slotIds;
    if (sensors.readSlotBuses !== undefined) {
      busV.fill(NaN);
      try {
        sensors.readSlotBuses(slotIds, busV);
        for (let i = 0; i < busV.length; i++) if (!Number.isFinite(busV[i])) busV[i] = NaN;
        return;
      } catch {
        /* id by id below */
      }
    }
    for (let i = 0; i < slotIds.length; ) {
      try {
        for (; i < slotIds.length; i++) {
          const v = sensors.slotBus(slotIds[i]).voltageV;
          busV[i] = Number.isFinite(v) ? v : NaN;
        }
      } catch {
        busV[i++] = NaN;
      }
    }
  }

  /** Unknown readings count as large: never switch on a guess (§5.3). */
  private gunCurrent(gunId: number): number {
    const m = this.gunReading(gunId);
    if (!m || !Number.isFinite(m.currentA)) return Infinity;
    return Math.abs(m.currentA);
  }

  private moduleCurrent(id: string): number {
    const r = this.moduleReading(id);
    if (!r) return Infinity;
    if (!Number.isFinite(r.currentA)) return Infinity;
    return Math.abs(r.currentA);
  }

  private edgeCurrentEstimate(id: string): number {
    const e = this.graph.edgeById.get(id);
    if (!e) return 0;
    if (e.kind === "GC") return this.gunCurrent(this.graph.nodeGun.get(e.b)!);
    if (e.kind === "MN" || e.kind === "MX") return this.moduleCurrent(this.graph.nodeModule.get(e.a)!);
    let total = 0;
    for (const island of this.islands.values()) {
      if (island.nodes.includes(e.a) || island.nodes.includes(e.b)) for (const m of island.modules) total += this.moduleCurrent(m);
    }
    return total;
  }

  /** `islandVoltage` of the gun at this position in `config.guns` (a ring reads its slot bus without lookups). */
  private islandVoltageAt(gunPos: number, gunId: number): number {
    if (this.config.topology !== "ring") return this.islandVoltage(gunId);
    const slotPos = this.gunSlotBusPos[gunPos];
    return slotPos >= 0 ? this.readings.slotBusV[slotPos] : NaN;
  }

  private islandVoltage(gunId: number): number {
    const gun = this.index.gunById.get(gunId);
    if (!gun) return NaN;
    if (this.config.topology === "ring") return this.slotBusVoltageV(gun.slotId ?? -1);
    const island = this.islands.get(gunId);
    let v = NaN;
    for (const m of island?.modules ?? []) {
      const r = this.moduleReading(m);
      if (r && Number.isFinite(r.voltageV)) v = Number.isNaN(v) ? r.voltageV : Math.max(v, r.voltageV);
    }
    return v;
  }

  /** This tick's EV status, for use within the tick (it may be a record the link refills: never kept). */
  private evStatus(gunId: number): EvStatus | null {
    const i = this.gunPosition.get(gunId);
    return i === undefined ? null : this.readings.ev[i];
  }

  private gunConfig(gunId: number): GunConfig | undefined {
    return this.index.gunById.get(gunId);
  }

  /**
   * The plan's entry for the gun at this position: what `plan.guns.find((g) => g.id === id)`
   * returns. Indexed once per plan: the table is a pure function of the plan's guns array,
   * compared by identity and length (the planner hands over a new plan, with new arrays,
   * every control tick; nothing edits a plan's entries once handed to `step`).
   */
  private planGunAt(gunPos: number): GunPlan | undefined {
    const plan = this.plan;
    if (plan === null) return undefined;
    if (plan.guns !== this.planGunsList || plan.guns.length !== this.planGunsLength) this.indexPlanGuns(plan.guns);
    return this.planGuns[gunPos];
  }

  private indexPlanGuns(guns: readonly GunPlan[]): void {
    this.planGunsList = null; // until complete (a malformed plan may throw below)
    const table = this.planGuns;
    for (let i = 0; i < table.length; i++) table[i] = undefined;
    // Backwards, so that the first entry of a gun listed twice wins (as `find` would).
    for (let k = guns.length - 1; k >= 0; k--) {
      const pos = this.gunPosition.get(guns[k].id);
      if (pos !== undefined) table[pos] = guns[k];
    }
    this.planGunsList = guns;
    this.planGunsLength = guns.length;
  }

  /** min(cable, EV max, EV request, plan) (§5.6). */
  private ceilingA(gunId: number): number {
    const pos = this.gunPosition.get(gunId);
    return pos === undefined ? 0 : this.ceilingAt(pos);
  }

  /** `ceilingA` for the gun at this position in `config.guns`. */
  private ceilingAt(gunPos: number): number {
    return currentCeilingA(this.config.guns[gunPos], this.readings.ev[gunPos], this.planGunAt(gunPos));
  }

  private makeView(): SafetyView {
    const policy = this.config.policy;
    return {
      graph: this.graph,
      switchingCurrentA: policy.switchingCurrentA,
      prechargeToleranceV: policy.prechargeToleranceV,
      possiblyClosed: (id) => this.health.possiblyClosed(id),
      moduleEnergized: (id) => this.moduleEnergized(id),
      // The blocks of now: faults latch and clear while this one view lives.
      moduleHealthy: (id) => {
        const blocks = this.faults.blocks();
        return !blocks.modules.has(id) && !blocks.global && (this.moduleReading(id)?.online ?? false);
      },
      moduleOwner: (id) => this.moduleOwner(id),
      islandNodes: (g) => this.islands.get(g)?.nodes ?? null,
      gunCurrentA: (g) => this.gunCurrent(g),
      moduleCurrentA: (m) => this.moduleCurrent(m),
      islandVoltageV: (g) => this.islandVoltage(g),
      busVoltageV: (n) => this.slotBusVoltageV(this.graph.nodeSlot.get(n) ?? -1),
      evBatteryVoltageV: (g) => this.evStatus(g)?.batteryVoltageV ?? NaN,
      currentCeilingA: (g) => this.ceilingA(g),
      currentLimitA: (g) => this.islands.get(g)?.limitA ?? 0,
      maxRampStepA: () => (policy.currentRampAPerS * this.dtMs) / 1000,
    };
  }

  /** Output commanded on, or running while it may still be connected (a running module behind an open MN energizes nothing). */
  private moduleEnergized(id: string): boolean {
    const pos = this.modulePosition.get(id);
    if (pos === undefined ? this.strayCmd.get(id)?.enabled : this.sentEnabled[pos] === 1) return true;
    if (!(this.moduleReading(id)?.running ?? false)) return false;
    for (const e of this.graph.moduleEdges.get(id) ?? []) if (this.health.possiblyClosed(e)) return true;
    return false;
  }

  /** Emit a step through the §5 check. Returns true when emitted. */
  private emit(step: Step, reason: string, view?: SafetyView): boolean {
    const v = this.check(view ?? this.view, step);
    if (v) {
      const key = stepKey(step);
      const text = `§5.${v.invariant}: ${v.message}`;
      if (this.refusals.get(key) !== text) {
        this.refusals.set(key, text);
        this.events.push(this.clock.nowMs(), "refused", stepSource(step), `${describeStep(step)} refused (${reason}): ${text}`);
      }
      return false;
    }
    if (this.refusals.size > 0) this.refusals.delete(stepKey(step));
    if (step.kind === "contactor") {
      this.health.command(step.id, step.closed, this.edgeCurrentEstimate(step.id), reason);
    }
    return true;
  }

  /** The targets for this step; reused (with their reasons) while their inputs are unchanged. */
  private buildTargets(blocks: Blocks): Map<number, Target> {
    const evChanged = this.updateEvSignature();
    const memo = this.targetsMemo;
    const healthVersion = this.health.stateVersion;
    if (memo && !evChanged && memo.planShape === this.planShape && memo.blocks === blocks && memo.islandsVersion === this.islandsVersion &&
      memo.healthVersion === healthVersion) {
      if (memo.plan !== this.plan && this.plan) {
        // Same shape, new setpoints: the targets follow the new plan's entries.
        for (const gp of this.plan.guns) {
          const t = memo.targets.get(gp.id);
          if (t) t.plan = gp;
        }
        memo.plan = this.plan;
      }
      this.reasons.restore(memo.reasons);
      return memo.targets;
    }
    // `reasons` was cleared by the caller: what is in it afterwards came from computeTargets.
    const targets = this.computeTargets(blocks);
    this.targetsMemo = { planShape: this.planShape, plan: this.plan, blocks, islandsVersion: this.islandsVersion, healthVersion, targets, reasons: this.reasons.entries() };
    return targets;
  }

  /** Stores each gun's EV status bits; true when any changed since the last call. */
  private updateEvSignature(): boolean {
    let changed = false;
    const ev = this.readings.ev;
    for (let i = 0; i < ev.length; i++) {
      const e = ev[i];
      // The EV status bits the targets depend on: known, plugged, ready, stop requested, paused, battery voltage known.
      const bits = !e ? 0 : 1 | (e.plugged ? 2 : 0) | (e.ready ? 4 : 0) | (e.stopRequested ? 8 : 0) | (e.paused ? 16 : 0) | (e.batteryVoltageV > 0 ? 32 : 0);
      if (bits !== this.evSignature[i]) {
        this.evSignature[i] = bits;
        changed = true;
      }
    }
    return changed;
  }

  private computeTargets(blocks: Blocks): Map<number, Target> {
    const out = new Map<number, Target>();
    const plan = this.plan;
    if (!plan || blocks.global) return out;
    const claimedNodes = new Map<number, number>();
    const claimedModules = new Map<string, number>();
    for (const island of this.islands.values()) {
      for (const n of island.nodes) claimedNodes.set(n, island.gunId);
      for (const m of island.modules) claimedModules.set(m, island.gunId);
    }
    // Islands keep their claim first; other guns follow in plan order.
    const order = [...plan.guns].sort((a, b) => Number(!this.islands.has(a.id)) - Number(!this.islands.has(b.id)));
    for (const gp of order) {
      const why = this.targetProblem(gp, blocks);
      if (why) {
        this.reasons.set(gp.id, why);
        continue;
      }
      const nodes = islandBusNodes(this.graph, this.index, gp.id, gp.islandSlots);
      if (typeof nodes === "string") {
        this.reasons.set(gp.id, `bad plan: ${nodes}`);
        continue;
      }
      const modules = gp.modules.filter((m) => !blocks.modules.has(m));
      if (modules.length === 0) {
        this.reasons.set(gp.id, "no healthy module planned");
        continue;
      }
      const builtKey = `${[...nodes].sort((a, b) => a - b).join(",")}|${[...modules].sort().join(",")}`;
      // The energized island's own key string when equal: every fast tick compares the two
      // (`advanceIsland`), and the same string object compares without reading its characters.
      const islandKey = this.islands.get(gp.id)?.key;
      const key = islandKey === builtKey ? islandKey : builtKey;
      let cached = this.requirementCache.get(key);
      if (!cached) {
        const requirements = islandRequirements(this.graph, nodes, modules);
        const locked = this.graph.edges.filter((e) => requirements.has(e.id) || (e.kind === "GC" && nodes.includes(e.a))).map((e) => e.id);
        cached = { requirements, locked };
        if (this.requirementCache.size > 256) this.requirementCache.clear();
        this.requirementCache.set(key, cached);
      }
      const { requirements, locked } = cached;
      const problem = this.requirementProblem(gp.id, nodes, modules, requirements, claimedNodes, claimedModules);
      if (problem) {
        this.reasons.set(gp.id, problem);
        continue;
      }
      for (const n of nodes) claimedNodes.set(n, gp.id);
      for (const m of modules) claimedModules.set(m, gp.id);
      const slots = nodes.map((n) => this.graph.nodeSlot.get(n)).filter((s): s is number => s !== undefined);
      // Positions for the fast tick (targetProblem made sure the gun and its modules are in the cabinet).
      const gunPos = this.gunPosition.get(gp.id) ?? -1;
      const modulePos = modules.map((m) => this.modulePosition.get(m) ?? -1);
      out.set(gp.id, { gunId: gp.id, gunPos, key, nodes, slots, modules, modulePos, requirements, locked, plan: gp });
    }
    return out;
  }

  private targetProblem(gp: GunPlan, blocks: Blocks): string | null {
    if (!this.gunConfig(gp.id)) return `bad plan: gun ${gp.id} is not in the cabinet`;
    if (gp.modules.length === 0) return "not requested";
    if (blocks.guns.has(gp.id)) return "blocked by a latched fault";
    if (gp.islandSlots.some((s) => blocks.slots.has(s))) return "island slot blocked by a latched fault";
    const gun = this.gunConfig(gp.id)!;
    if (this.config.topology === "ring" && gp.islandSlots.length === 0 && blocks.slots.has(gun.slotId ?? -1)) return "slot blocked by a latched fault";
    const ev = this.evStatus(gp.id);
    if (!ev) return "no EV status";
    if (!ev.plugged) return "EV unplugged";
    if (!ev.ready || ev.stopRequested || ev.paused) return "EV not requesting";
    if (!(ev.batteryVoltageV > 0)) return "EV battery voltage unknown";
    if (!(gp.currentLimitA > 0)) return "no current planned";
    for (const m of gp.modules) if (!this.index.moduleById.has(m)) return `bad plan: module ${m} is not in the cabinet`;
    return null;
  }

  private requirementProblem(
    gunId: number,
    nodes: number[],
    modules: string[],
    req: Map<string, boolean>,
    claimedNodes: Map<number, number>,
    claimedModules: Map<string, number>,
  ): string | null {
    for (const n of nodes) {
      const other = claimedNodes.get(n);
      if (other !== undefined && other !== gunId) return `overlaps the island of gun ${other}`;
    }
    for (const m of modules) {
      const other = claimedModules.get(m);
      if (other !== undefined && other !== gunId) return `module ${m} belongs to the island of gun ${other}`;
      const mn = this.graph.moduleNode.get(m)!;
      const joins = this.graph.edges.some((e) => e.a === mn && req.get(e.id) === true);
      if (!joins) return `bad plan: module ${m} cannot reach the island`;
    }
    for (const [id, closed] of req) {
      const f = this.health.fault(id);
      if (f === "welded" && !closed) return `${id} is welded: it cannot be a boundary (§5.9)`;
      if (f === "feedbackFault") return `${id} has unreliable feedback`;
      if (f === "stuckOpen" && closed) return `${id} is stuck open`;
    }
    const gc = this.graph.gcOfGun.get(gunId);
    if (gc && this.health.fault(gc)) return `${gc} is ${this.health.fault(gc)}`;
    return null;
  }

  private startRampDown(island: Island, fast: boolean, now: number, reason: string): void {
    if (island.stage === "opening") return;
    if (island.stage === "rampingDown") {
      if (fast && !island.fast) {
        island.fast = true;
        island.limitA = 0;
      }
      return;
    }
    const wasCharging = island.stage === "charging";
    island.stage = "rampingDown";
    island.stageSinceMs = now;
    island.fast = fast || !wasCharging;
    if (island.fast) island.limitA = 0;
    island.zeroSinceMs = null;
    this.events.push(now, "phase", `gun ${island.gunId}`, `ramping down (${fast ? "fast" : "ramp"}): ${reason}`);
  }

  private advanceIsland(island: Island, target: Target | undefined, blocks: Blocks, now: number): void {
    const policy = this.config.policy;
    const g = island.gunId;
    if (blocks.none !== true && this.blockedNow(island, blocks)) this.startRampDown(island, true, now, "latched fault");
    else if (!target || target.key !== island.key) {
      const why = !target ? this.reasons.get(g) ?? "not planned" : "island changes (stop -> re-segment -> restart)";
      // The EV left or asked to stop: nothing to ramp for (seed 000 §11.10). A plan change ramps.
      const evGone = !target && (why === "EV unplugged" || why === "EV not requesting" || why === "no EV status");
      this.startRampDown(island, evGone, now, why);
    }
    const ev = this.readings.ev[island.gunPos];
    const gc = island.gc;
    switch (island.stage) {
      case "precharging": {
        const vEv = ev?.batteryVoltageV ?? NaN;
        island.voltageV = this.clampVoltageAt(island.gunPos, vEv);
        const dv = Math.abs(this.islandVoltage(g) - vEv);
        if (dv <= policy.prechargeToleranceV && gc) {
          if (this.emit({ kind: "contactor", id: gc, closed: true }, "precharged")) {
            island.stage = "closingGc";
            island.stageSinceMs = now;
            this.events.push(now, "phase", `gun ${g}`, "precharged, GC closing", { islandV: this.islandVoltage(g), evV: vEv });
          }
        } else if (now - island.stageSinceMs > policy.prechargeTimeoutMs) {
          this.raiseLocal("prechargeTimeout", g, `island ${this.islandVoltage(g).toFixed(0)} V never reached EV ${vEv.toFixed(0)} V ±${policy.prechargeToleranceV} V`, { islandV: this.islandVoltage(g), evV: vEv });
          this.startRampDown(island, true, now, "precharge timeout");
        }
        break;
      }
      case "closingGc": {
        if (gc && this.health.confirmed(gc, true)) {
          island.stage = "charging";
          island.stageSinceMs = now;
          island.limitA = 0;
          this.events.push(now, "phase", `gun ${g}`, "charging: current ramp released");
        } else if (gc && this.health.fault(gc) === "stuckOpen") {
          this.raiseLocal("contactorStuckOpen", g, `${gc} did not close`, {});
          this.startRampDown(island, true, now, `${gc} stuck open`);
        }
        break;
      }
      case "charging": {
        const plan = target?.plan;
        const gunPos = island.gunPos;
        island.voltageV = clampVoltage(island.gun, this.gunVoltageCapV[gunPos], ev, plan && plan.voltageSetpointV > 0 ? plan.voltageSetpointV : ev?.requestVoltageV ?? 0);
        const ceiling = currentCeilingA(island.gun, ev, this.planGunAt(gunPos));
        const rise = (policy.currentRampAPerS * this.dtMs) / 1000;
        const wanted = ceiling < island.limitA ? ceiling : Math.min(ceiling, island.limitA + rise);
        if (wanted !== island.limitA && this.emit({ kind: "currentLimit", gunId: g, currentA: wanted }, "ramp")) island.limitA = wanted;
        break;
      }
      case "rampingDown": {
        if (!island.fast) island.limitA = Math.max(0, island.limitA - (policy.currentRampAPerS * this.dtMs) / 1000);
        if (island.limitA > 0) break;
        if (island.zeroSinceMs === null) island.zeroSinceMs = now;
        const quiet = this.gunCurrent(g) < policy.switchingCurrentA &&
          island.modules.every((m) => this.moduleCurrent(m) < policy.switchingCurrentA);
        if (quiet) {
          for (const m of island.modules) this.sendModule(m, OFF);
          if (gc) this.emit({ kind: "contactor", id: gc, closed: false }, "ramped down");
          island.stage = "opening";
          island.stageSinceMs = now;
        } else if (now - island.zeroSinceMs > policy.zeroCurrentTimeoutMs) {
          const spec = { kind: "zeroCurrentTimeout" as const, severity: "high" as const, scope: { guns: [g], slots: island.slots },
            location: `gun ${g}`, cause: `current stayed above ${policy.switchingCurrentA} A for ${policy.zeroCurrentTimeoutMs} ms at zero limit`,
            values: { gunCurrentA: this.gunCurrent(g) }, clear: { rule: "unplug" as const }, oneShot: true };
          this.faults.raise(spec);
          this.emergencyShutdown(spec.scope, "zero-current timeout");
        }
        break;
      }
      case "opening": {
        if (gc && this.health.commanded(gc)) this.emit({ kind: "contactor", id: gc, closed: false }, "ramped down");
        const gcDone = !gc || this.health.confirmed(gc, false) || this.health.fault(gc) !== null;
        // A module that keeps running after it was switched off is cut off by its MN
        // (below the switching current) before the island is released.
        const lingering = island.modules.filter((m) => this.moduleEnergized(m));
        if (lingering.length > 0 && now - island.stageSinceMs > 4 * policy.contactorFeedbackTimeoutMs) {
          for (const m of lingering) {
            const n = this.graph.moduleNode.get(m);
            for (const e of this.graph.edges) if (e.a === n && this.health.commanded(e.id)) this.emit({ kind: "contactor", id: e.id, closed: false }, "module still running");
          }
        }
        if (gcDone && lingering.length === 0) {
          this.removeIsland(g);
          this.setOffer(g, 0);
          this.events.push(now, "phase", `gun ${g}`, "island released");
        }
        break;
      }
    }
  }

  /** `islandBlocked`, judged again only when the blocks object changed (see `Island.blocksSeen`). */
  private blockedNow(island: Island, blocks: Blocks): boolean {
    if (island.blocksSeen !== blocks) {
      island.blocked = islandBlocked(island, blocks);
      island.blocksSeen = blocks;
    }
    return island.blocked;
  }

  private raiseLocal(kind: "prechargeTimeout" | "contactorStuckOpen", gunId: number, cause: string, values: Record<string, number>): void {
    this.faults.raise({ kind, severity: "medium", scope: { guns: [gunId] }, location: `gun ${gunId}`, cause, values, clear: { rule: "unplug" }, oneShot: true });
  }

  private clampVoltage(gunId: number, v: number): number {
    const pos = this.gunPosition.get(gunId);
    return pos === undefined ? 0 : this.clampVoltageAt(pos, v);
  }

  /** `clampVoltage` for the gun at this position in `config.guns`. */
  private clampVoltageAt(gunPos: number, v: number): number {
    return clampVoltage(this.config.guns[gunPos], this.gunVoltageCapV[gunPos], this.readings.ev[gunPos], v);
  }

  /** Every contactor not locked by an energized island goes where the targets, the plan or the idle policy want. */
  private driveContactors(targets: Map<number, Target>, blocks: Blocks): void {
    const memo = this.driveMemo;
    const healthVersion = this.health.stateVersion;
    if (memo && memo.targets === targets && memo.planShape === this.planShape && memo.blocks === blocks && memo.islandsVersion === this.islandsVersion &&
      memo.healthVersion === healthVersion) {
      if (memo.reasons.length > 0) this.reasons.restore(memo.reasons);
      return;
    }
    const waiting: [number, string][] = [];
    const locked = new Set<string>();
    for (const island of this.islands.values()) for (const id of island.locked) locked.add(id);
    const desired = new Map<string, boolean>();
    if (blocks.global) {
      for (const e of this.graph.edges) desired.set(e.id, false);
    } else {
      for (const t of targets.values()) {
        if (this.islands.has(t.gunId)) continue;
        let conflict = false;
        for (const id of t.requirements.keys()) if (locked.has(id)) conflict = t.requirements.get(id) !== this.health.commanded(id) || conflict;
        if (conflict) {
          this.reasons.set(t.gunId, "waits for a neighbouring island to stop");
          waiting.push([t.gunId, "waits for a neighbouring island to stop"]);
          continue;
        }
        for (const [id, closed] of t.requirements) if (!desired.has(id)) desired.set(id, closed);
        const gc = this.graph.gcOfGun.get(t.gunId);
        if (gc) desired.set(gc, false);
      }
      // Idle means nothing planned at all: a gun that is planned but cannot start this step
      // (waiting for a neighbour to release) must not make the ring flip to its idle position.
      const idle = targets.size === 0 && this.islands.size === 0 && !(this.plan?.guns.some((g) => g.modules.length > 0) ?? false);
      const idleMc = this.config.policy.idleRingMc === "closed";
      for (const e of this.graph.edges) {
        if (desired.has(e.id) || locked.has(e.id)) continue;
        if (e.kind !== "MC") desired.set(e.id, false);
        else if (idle) desired.set(e.id, idleMc);
        else {
          const p = this.plan?.contactors[e.id];
          if (p === "open" || p === "closed") desired.set(e.id, p === "closed");
        }
      }
    }
    const changes = [...desired].filter(([id, closed]) => !locked.has(id) && this.health.commanded(id) !== closed);
    // Nothing to switch: the same inputs next step would want nothing either.
    this.driveMemo = changes.length === 0
      ? { targets, planShape: this.planShape, blocks, islandsVersion: this.islandsVersion, healthVersion, reasons: waiting }
      : null;
    // Opens first: boundaries separate before anything joins.
    changes.sort((a, b) => Number(a[1]) - Number(b[1]));
    for (const [id, closed] of changes) this.emit({ kind: "contactor", id, closed }, closed ? "plan: close" : "plan: open");
  }

  private tryEnergize(target: Target, now: number): void {
    const g = target.gunId;
    const gc = this.graph.gcOfGun.get(g);
    // Inner MCs and MNs must be confirmed closed (modules come up on a joined bus);
    // boundaries need only be commanded open here: that they really are open (aux) is
    // exactly what the §5.2 check on the module steps below verifies.
    for (const [id, closed] of target.requirements) {
      const ready = closed ? this.health.confirmed(id, true) : !this.health.commanded(id);
      if (!ready) {
        this.reasons.set(g, this.reasons.get(g) ?? `isolating: ${id} not yet ${closed ? "closed" : "open"}`);
        return;
      }
    }
    if (gc && this.health.commanded(gc)) return;
    const island: Island = {
      gunId: g, gunPos: target.gunPos, gun: this.config.guns[target.gunPos], gc, key: target.key, nodes: target.nodes, slots: target.slots,
      modules: target.modules, modulePos: target.modulePos, stage: "precharging", stageSinceMs: now, limitA: 0, voltageV: this.clampVoltage(g, this.evStatus(g)?.batteryVoltageV ?? NaN),
      fast: false, zeroSinceMs: null, locked: target.locked, blocksSeen: null, blocked: false,
    };
    this.addIsland(island);
    const view = this.view;
    for (const m of target.modules) {
      if (!this.emit({ kind: "module", id: m, enabled: true }, "energize island", view)) {
        this.removeIsland(g);
        this.reasons.set(g, `isolating: ${this.refusals.get(stepKey({ kind: "module", id: m, enabled: true })) ?? "energizing refused"}`);
        return;
      }
    }
    this.events.push(now, "phase", `gun ${g}`, `island [${target.slots.join(",")}] energized: modules ${target.modules.join(",")} precharging`);
  }

  /**
   * Module commands and EV offers from the islands (scratch arrays: nothing allocated unless
   * a command changes). Most ticks no island's output changed: then the module pass is skipped.
   */
  private applyOutputs(): void {
    if (this.outputsSettled()) return this.offerIdleGuns();
    const precharge = this.config.safety.cableCheckCurrentLimitA;
    const stamp = ++this.outputStamp;
    // Locals: this runs every fast tick, and on XS every `this.` is a property lookup.
    const wantStamp = this.wantStamp;
    const wantEnabled = this.wantEnabled;
    const wantVoltageV = this.wantVoltageV;
    const wantCurrentA = this.wantCurrentA;
    const offerA = this.offerA;
    const sentEnabled = this.sentEnabled;
    const sentVoltageV = this.sentVoltageV;
    const sentCurrentA = this.sentCurrentA;
    let changed = false;
    let wantedCount = 0;
    let wantedOff = 0;
    const islands = this.islandList;
    for (let j = 0; j < islands.length; j++) {
      const island = islands[j];
      const stage = island.stage;
      const modulePos = island.modulePos;
      const n = modulePos.length;
      const on = stage !== "opening";
      const voltageV = on ? island.voltageV : 0;
      const currentA = !on ? 0 : stage === "precharging" || stage === "closingGc" ? precharge / n : island.limitA / n;
      const enabled = on ? 1 : 0;
      this.appliedEnabled[island.gunPos] = enabled;
      this.appliedVoltageV[island.gunPos] = voltageV;
      this.appliedCurrentA[island.gunPos] = currentA;
      for (let k = 0; k < n; k++) {
        const i = modulePos[k];
        if (i < 0) continue; // not a module of this cabinet: nothing to command
        if (wantStamp[i] === stamp) changed = true; // wanted twice: let the full pass below sort it out
        wantStamp[i] = stamp;
        wantEnabled[i] = enabled;
        wantVoltageV[i] = voltageV;
        wantCurrentA[i] = currentA;
        wantedCount++;
        if (sentEnabled[i] !== enabled || sentVoltageV[i] !== voltageV || sentCurrentA[i] !== currentA) changed = true;
        else if (enabled === 0 && voltageV === 0 && currentA === 0) wantedOff++;
      }
      const offer = stage === "charging" || stage === "rampingDown" ? island.limitA : 0;
      if (offerA[island.gunPos] !== offer) this.setOfferAt(island.gunPos, island.gunId, offer);
    }
    const moduleIds = this.moduleIds;
    // Every module of an island already has what it wants, and every other one is off
    // (the OFF mirrors not accounted for by islands cover all the rest): nothing to send.
    if (changed || this.sentOffCount - wantedOff !== moduleIds.length - wantedCount) {
      for (let i = 0; i < moduleIds.length; i++) {
        const wanted = wantStamp[i] === stamp;
        const enabled = wanted ? wantEnabled[i] : 0;
        const voltageV = wanted ? wantVoltageV[i] : 0;
        const currentA = wanted ? wantCurrentA[i] : 0;
        if (sentEnabled[i] === enabled && sentVoltageV[i] === voltageV && sentCurrentA[i] === currentA) continue; // already sent
        const cmd = enabled === 1 ? { enabled: true, voltageV, currentLimitA: currentA } : OFF;
        if (this.moduleIdsUnique) this.sendAt(i, moduleIds[i], cmd);
        else this.sendModule(moduleIds[i], cmd);
      }
    }
    // Every module now has what this pass wants: a pass over the same islands, outputs and mirror would send nothing.
    this.appliedIslandsVersion = this.islandsVersion;
    this.appliedSendVersion = this.sendVersion;
    this.offerIdleGuns();
  }

  /**
   * True when this tick's module pass would send nothing: the islands are the ones of the
   * last completed pass, each derives the same output (enabled, voltage, current per module)
   * as then, and no command was sent since (the mirror is what that pass left). A pass leaves
   * every module with what it wants, so a pass on the same inputs sends nothing. A NaN output
   * never compares equal: it takes the full pass, as before. Each island's EV offer is made
   * here in island order, as the full pass makes them before any module command (the full
   * pass then finds them made).
   */
  private outputsSettled(): boolean {
    if (this.appliedIslandsVersion !== this.islandsVersion || this.appliedSendVersion !== this.sendVersion) return false;
    const islands = this.islandList;
    const precharge = this.config.safety.cableCheckCurrentLimitA;
    const appliedEnabled = this.appliedEnabled;
    const appliedVoltageV = this.appliedVoltageV;
    const appliedCurrentA = this.appliedCurrentA;
    const offerA = this.offerA;
    let settled = true;
    for (let j = 0; j < islands.length; j++) {
      const island = islands[j];
      const stage = island.stage;
      const on = stage !== "opening";
      const gunPos = island.gunPos;
      if (settled) {
        const n = island.modulePos.length;
        const voltageV = on ? island.voltageV : 0;
        const currentA = !on ? 0 : stage === "precharging" || stage === "closingGc" ? precharge / n : island.limitA / n;
        settled = appliedEnabled[gunPos] === (on ? 1 : 0) && appliedVoltageV[gunPos] === voltageV && appliedCurrentA[gunPos] === currentA;
      }
      const offer = stage === "charging" || stage === "rampingDown" ? island.limitA : 0;
      if (offerA[gunPos] !== offer) this.setOfferAt(gunPos, island.gunId, offer);
    }
    return settled;
  }

  /**
   * No current offered to a gun without an island. After a pass every gun without an island
   * is offered 0; that holds until an island comes or goes or an offer changes (`setOfferAt`).
   */
  private offerIdleGuns(): void {
    if (this.idleOffersIslandsVersion === this.islandsVersion && this.idleOffersVersion === this.offerVersion) return;
    const islandAt = this.islandAt;
    const offerA = this.offerA;
    const gunIds = this.gunIds;
    for (let k = 0; k < gunIds.length; k++) if (islandAt[k] === undefined && offerA[k] !== 0) this.setOfferAt(k, gunIds[k], 0);
    this.idleOffersIslandsVersion = this.islandsVersion;
    this.idleOffersVersion = this.offerVersion;
  }

  /** Send a command unless it is the module's last one; the mirror (`sent*` by position) records it. */
  private sendModule(id: string, cmd: ModuleCommand): void {
    const slot = this.modulePosition.get(id);
    if (slot === undefined) this.sendStray(id, cmd);
    else this.sendAt(slot, id, cmd);
  }

  /** `sendModule` for the module whose mirror slot is `slot`. */
  private sendAt(slot: number, id: string, cmd: ModuleCommand): void {
    const lastEnabled = this.sentEnabled[slot]; // -1: nothing sent yet
    if (lastEnabled === (cmd.enabled ? 1 : 0) && this.sentVoltageV[slot] === cmd.voltageV && this.sentCurrentA[slot] === cmd.currentLimitA) return;
    this.commandBus(id, cmd);
    const wasOff = this.sentOff(slot);
    this.sentEnabled[slot] = cmd.enabled ? 1 : 0;
    this.sentVoltageV[slot] = cmd.voltageV;
    this.sentCurrentA[slot] = cmd.currentLimitA;
    this.commandObjects[slot] = null;
    this.sendVersion += 1;
    const isOff = this.sentOff(slot);
    if (wasOff !== isOff) this.sentOffCount += isOff ? 1 : -1;
    this.commandSent(id, lastEnabled < 0 ? null : lastEnabled === 1, cmd);
  }

  /** `sendModule` for an id outside `index.modules` (kept by id). */
  private sendStray(id: string, cmd: ModuleCommand): void {
    const last = this.strayCmd.get(id);
    if (last && last.enabled === cmd.enabled && last.voltageV === cmd.voltageV && last.currentLimitA === cmd.currentLimitA) return;
    this.commandBus(id, cmd);
    this.strayCmd.set(id, { ...cmd });
    this.sendVersion += 1;
    this.commandSent(id, last ? last.enabled : null, cmd);
  }

  private commandBus(id: string, cmd: ModuleCommand): void {
    try {
      this.moduleBus.command(id, cmd);
    } catch (error) {
      this.events.push(this.clock.nowMs(), "refused", `module ${id}`, `module bus refused command: ${String(error)}`);
    }
  }

  /** Versions and the on/off event after a command (`lastEnabled` null: the module's first command). */
  private commandSent(id: string, lastEnabled: boolean | null, cmd: ModuleCommand): void {
    if ((lastEnabled ?? false) !== cmd.enabled) this.moduleStateVersion += 1;
    if (lastEnabled !== null ? lastEnabled !== cmd.enabled : cmd.enabled) {
      this.events.push(this.clock.nowMs(), "module", `module ${id}`, cmd.enabled ? `on at ${cmd.voltageV.toFixed(0)} V` : "off");
    }
  }

  /** The mirror of this module says exactly OFF (what applyOutputs wants for a module of no island). */
  private sentOff(slot: number): boolean {
    return this.sentEnabled[slot] === 0 && this.sentVoltageV[slot] === 0 && this.sentCurrentA[slot] === 0;
  }

  private setOffer(gunId: number, currentA: number): void {
    const pos = this.gunPosition.get(gunId);
    if (pos !== undefined) this.setOfferAt(pos, gunId, currentA);
  }

  /** Offer a current to the EV of the gun at this position, unless it was the last offer. */
  private setOfferAt(gunPos: number, gunId: number, currentA: number): void {
    if (this.offerA[gunPos] === currentA) return;
    this.offerA[gunPos] = currentA;
    this.offerVersion += 1;
    const v = this.islandVoltageAt(gunPos, gunId);
    try {
      this.ev.offer(gunId, currentA, Number.isFinite(v) ? v : 0);
    } catch (error) {
      this.events.push(this.clock.nowMs(), "refused", `gun ${gunId}`, `EV link refused offer: ${String(error)}`);
    }
  }

  private internalError(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    try {
      this.log.write("error", `sequencer: ${message}`);
    } catch {
      /* the log must not stop the shutdown */
    }
    const spec = { kind: "internalError" as const, severity: "high" as const, scope: { global: true }, location: "sequencer",
      cause: message, clear: { rule: "operatorReset" as const }, oneShot: true };
    try {
      this.faults.raise(spec);
      this.emergencyShutdown(spec.scope, "sequencer internal error");
    } catch {
      // Last resort: outputs off, whatever else failed.
      for (const m of this.index.modules) attempt(() => this.moduleBus.command(m.id, OFF));
    }
  }
}

const NO_MODULES: readonly string[] = Object.freeze([]);

/**
 * min(cable, EV max, EV request, plan) (§5.6): 0 without a gun, an EV status or a plan
 * entry, or when not a positive number. Callers pass what they already hold.
 */
function currentCeilingA(gun: GunConfig | undefined, ev: EvStatus | null, plan: GunPlan | undefined): number {
  if (!gun || !ev || !plan) return 0;
  let c = Math.min(gun.maxCurrentA, plan.currentLimitA, ev.requestCurrentA);
  if (ev.maxCurrentA > 0) c = Math.min(c, ev.maxCurrentA);
  return Number.isFinite(c) && c > 0 ? c : 0;
}

/** `v` within [0, min(`capV` (gun and modules), EV maximum)]; 0 without a gun or when `v` is not a number. */
function clampVoltage(gun: GunConfig | undefined, capV: number, ev: EvStatus | null, v: number): number {
  if (!gun || !Number.isFinite(v)) return 0;
  let hi = capV;
  if (ev && ev.maxVoltageV > 0) hi = Math.min(hi, ev.maxVoltageV);
  return Math.max(0, Math.min(hi, v));
}

/** Does a latched fault block the island (its gun, a slot or a module)? No Set is consulted while the blocks are empty. */
function islandBlocked(island: Island, blocks: Blocks): boolean {
  if (blocks.global || (blocks.guns.size > 0 && blocks.guns.has(island.gunId))) return true;
  if (blocks.slots.size > 0) for (let i = 0; i < island.slots.length; i++) if (blocks.slots.has(island.slots[i])) return true;
  if (blocks.modules.size > 0) for (let i = 0; i < island.modules.length; i++) if (blocks.modules.has(island.modules[i])) return true;
  return false;
}

/**
 * Do two plans ask for the same islands and contactor positions (budgets and setpoints
 * aside)? Contactor positions are compared for the cabinet's contactors (`edges`):
 * those are the only entries the sequencer reads (`driveContactors`).
 */
function samePlanShape(a: Plan, b: Plan, edges: readonly PowerEdge[]): boolean {
  if (a.guns.length !== b.guns.length) return false;
  for (let i = 0; i < a.guns.length; i++) {
    const ga = a.guns[i];
    const gb = b.guns[i];
    if (ga.id !== gb.id || (ga.currentLimitA > 0) !== (gb.currentLimitA > 0)) return false;
    if (!sameList(ga.modules, gb.modules) || !sameList(ga.islandSlots, gb.islandSlots)) return false;
  }
  const ca = a.contactors;
  const cb = b.contactors;
  if (ca === cb) return true;
  if (typeof ca !== "object" || typeof cb !== "object" || ca === null || cb === null) return sameEntries(ca, cb);
  for (let i = 0; i < edges.length; i++) if (ca[edges[i].id] !== cb[edges[i].id]) return false;
  return true;
}

/** Same own and inherited enumerable entries (a malformed plan's contactors: whatever they are, never thrown on). */
function sameEntries(a: Plan["contactors"], b: Plan["contactors"]): boolean {
  let count = 0;
  for (const id in a) {
    if (a[id] !== b[id]) return false;
    count++;
  }
  for (const _id in b) count--;
  return count === 0;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

function stepKey(step: Step): string {
  if (step.kind === "contactor") return `c:${step.id}:${step.closed}`;
  if (step.kind === "module") return `m:${step.id}:${step.enabled}`;
  return `i:${step.gunId}`;
}

function stepSource(step: Step): string {
  if (step.kind === "contactor") return step.id;
  if (step.kind === "module") return `module ${step.id}`;
  return `gun ${step.gunId}`;
}

function describeStep(step: Step): string {
  if (step.kind === "contactor") return `${step.closed ? "close" : "open"} ${step.id}`;
  if (step.kind === "module") return `${step.enabled ? "enable" : "disable"} module ${step.id}`;
  return `gun ${step.gunId} limit ${step.currentA.toFixed(1)} A`;
}
