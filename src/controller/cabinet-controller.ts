/**
 * The cabinet controller: the main loop of seed 000 §10 over the HAL, shared by the
 * device build and the host simulator. One place for side effects: the HAL calls
 * happen in the sequencer and supervisor (outputs) and here (reads); every decision
 * below is a pure function (sessions' state machine, limits, planner).
 *
 * Tasks (DESIGN.md §4): fastTick every 10 ms (supervisor, then sequencer step),
 * controlTick every 100 ms (read -> sessions -> limits -> plan), telemetryTick every
 * 1 s (snapshot for dashboard/MQTT/OCPP). Nothing here throws into the scheduler:
 * a failure inside the safety path becomes a global High fault in the supervisor,
 * a failure in control is counted and the last plan stays in force.
 */
import type { CabinetHal } from "../../hal/index";
import type { EvStatus } from "../../hal/ev-link";
import type { GunMeasurement } from "../../hal/sensors";
import type { ModuleReading } from "../../hal/power-modules";
import { indexCabinet, type CabinetIndex } from "../config/cabinet-index";
import type { CabinetConfig, GunConfig } from "../config/types";
import { plan as planCabinet } from "../planner/plan";
import type { GunObservation, ModuleObservation, Plan, PlanObservation } from "../planner/types";
import { createSafetyCore, type SafetyCore } from "../safety/core";
import type { Blocks, Fault } from "../safety/faults";
import { LimitTracker, gunLimitOf, type GunLimitState, type LimitSnapshot } from "../limits/limit-tracker";
import { SessionManager, newSessionBrief, type SessionBrief } from "../sessions/session-manager";
import type { GunInput, PowerPathReport, SessionEvent, SessionHooks, SessionListener } from "../sessions/types";
import { standardTasks } from "../scheduler/standard-tasks";
import type { TaskSpec } from "../scheduler/types";
import type { CabinetSnapshot, ContactorView, EventView, FaultView, GunView, ModuleView } from "./snapshot";
import type { CabinetEvent, EventLog } from "../events/event-log";
import type { ContactorFault } from "../planner/types";

export interface ControllerOptions {
  config: CabinetConfig;
  hal: CabinetHal;
  /** Authorization / reservation hooks (OCPP, MQTT). */
  hooks?: SessionHooks;
  /** Free vend: sessions authorize themselves with this token (null = authorization required). */
  autoAuthorizeToken?: string | null;
  /** Operating hours already on each module (from storage), to spread wear. */
  moduleHours?: Record<string, number>;
  /** The planning function; default the exact planner. Benchmarks swap in the seeds' baselines. */
  planner?: PlanFunction;
}

/** The observation is the planner's to read: it is never written after the call (a planner may keep it). */
export type PlanFunction = (config: CabinetConfig, observed: PlanObservation, previousPlan: Plan | null) => Plan;

export interface CommandResult {
  ok: boolean;
  error?: string;
}

/** A limit set by an operator or scenario stays in force for a year unless replaced. */
const STANDING_LIMIT_MS = 365 * 24 * 3600 * 1000;

const NO_FAULTS: readonly Fault[] = Object.freeze([]);

/** No contactor verdict (the usual cycle): handed to every observation, never written. */
const NO_CONTACTOR_FAULTS: Record<string, ContactorFault> = Object.freeze({}) as Record<string, ContactorFault>;

const OFFLINE_READING: ModuleReading = { online: false, running: false, voltageV: 0, currentA: 0, tempC: 25, alarms: [], lastSeenMs: 0 };

export class CabinetController {
  readonly config: CabinetConfig;
  readonly index: CabinetIndex;
  readonly safety: SafetyCore;
  readonly sessions: SessionManager;
  readonly limits: LimitTracker;
  private readonly hal: CabinetHal;
  private readonly planner: PlanFunction;
  /** Each gun's priority by position in config.guns, and each gun id's position. */
  private readonly priorityAt: number[] = [];
  private readonly gunPositionById = new Map<number, number>();
  /**
   * Operating hours by module position (index.modules), and each id's position: the
   * control tick adds to every running module's hours, 10 times a second.
   */
  private readonly moduleHoursAt: Float64Array;
  private readonly modulePositionById = new Map<string, number>();
  /**
   * The control tick's readings by position (config.guns / index.modules), refilled each
   * tick: they never leave controlTick (observe copies what the planner needs).
   */
  private readonly evs: (EvStatus | null)[];
  private readonly meters: (GunMeasurement | null)[];
  private readonly readings: ModuleReading[];
  /**
   * The sessions' inputs, one object per gun position (each with its own power-path
   * report), refilled every tick: SessionManager.update reads them during the call and
   * keeps none of them (a GunSession copies what it keeps: the EV status reference, flags).
   */
  private readonly gunInputs: (GunInput | undefined)[] = [];
  private readonly inputList: GunInput[] = [];
  private latestPlan: Plan | null = null;
  private latestLimits: LimitSnapshot | null = null;
  private lastControlMs: number | null = null;
  private controlErrors = 0;
  private lastControlError: string | null = null;
  private cachedSnapshot: CabinetSnapshot | null = null;
  /** The controller's own scratch for the snapshot's session part (never handed out). */
  private readonly briefScratch: SessionBrief = newSessionBrief();
  /** The snapshot's slots: config only, built once and frozen (every snapshot shares them). */
  private snapshotSlots: CabinetSnapshot["slots"] | null = null;
  /**
   * Event views of the last snapshot, by event seq (seqs are never reused and an event
   * record is never rewritten, so a view is a pure function of its seq in this log, and
   * the newest `count` events are a function of the log's last seq).
   */
  private eventViewLog: EventLog | null = null;
  private eventViewFirstSeq = 0;
  private eventViewLastSeq = 0;
  private eventViews: readonly EventView[] = [];
  /** The seq of each of those views (the controller's own array, refilled). */
  private readonly eventViewSeqs: number[] = [];
  /** The last snapshot's module and contactor views by position (shared while unchanged). */
  private readonly lastModuleViews: (ModuleView | undefined)[] = [];
  private readonly lastContactorViews: (ContactorView | undefined)[] = [];
  /** Scratch: each module's gun by position while a snapshot is built (never handed out). */
  private readonly snapshotOwnerAt: (number | null)[];
  private closed = false;

  constructor(options: ControllerOptions) {
    this.config = options.config;
    this.hal = options.hal;
    this.planner = options.planner ?? planCabinet;
    this.index = indexCabinet(options.config);
    this.safety = createSafetyCore({ config: options.config, index: this.index, hal: options.hal });
    this.sessions = SessionManager.fromConfig(options.config, {
      log: options.hal.log,
      hooks: options.hooks,
      autoAuthorizeToken: options.autoAuthorizeToken === undefined ? null : options.autoAuthorizeToken,
    });
    this.limits = LimitTracker.fromConfig(options.config, options.hal.log);
    const guns = options.config.guns;
    for (let i = 0; i < guns.length; i++) {
      this.priorityAt.push(guns[i].priorityDefault);
      // Config gun ids are unique (validated): one position per id.
      if (!this.gunPositionById.has(guns[i].id)) this.gunPositionById.set(guns[i].id, i);
    }
    const modules = this.index.modules;
    this.moduleHoursAt = new Float64Array(modules.length);
    for (let i = 0; i < modules.length; i++) {
      this.moduleHoursAt[i] = options.moduleHours?.[modules[i].id] ?? 0;
      this.modulePositionById.set(modules[i].id, i);
    }
    this.evs = new Array<EvStatus | null>(options.config.guns.length).fill(null);
    this.meters = new Array<GunMeasurement | null>(options.config.guns.length).fill(null);
    this.readings = new Array<ModuleReading>(modules.length).fill(OFFLINE_READING);
    this.snapshotOwnerAt = new Array<number | null>(modules.length).fill(null);
  }

  /** The four standard tasks for the scheduler (DESIGN.md §4). */
  tasks(extra: { comms?: () => void } = {}): TaskSpec[] {
    return standardTasks(this.config.timing, {
      safety: () => this.fastTick(),
      control: () => this.controlTick(),
      telemetry: () => this.telemetryTick(),
      comms: () => extra.comms?.(),
    });
  }

  /** Every 10 ms: protections first (they act within this tick), then the next safe switching steps. */
  fastTick(): void {
    if (this.closed) return;
    this.safety.supervisor.tick();
    this.safety.sequencer.step(this.latestPlan);
  }

  /** Every 100 ms: seed 000 §10 steps 1, 3–9 (safety runs in the fast tick). */
  controlTick(): void {
    if (this.closed) return;
    const nowMs = this.hal.clock.nowMs();
    try {
      const dtMs = this.lastControlMs === null ? 0 : Math.max(0, nowMs - this.lastControlMs);
      this.lastControlMs = nowMs;
      // 1) read: the fast tick that ran at this same instant has read every input already
      // (the safety task runs first); its readings are reused rather than read again.
      const seq = this.safety.sequencer;
      const fresh = seq.inputsReadAtMs === nowMs;
      // By position in config.guns / index.modules (arrays, not Maps: this runs every 100 ms).
      const guns = this.config.guns;
      const evs = this.evs;
      const meters = this.meters;
      const modules = this.index.modules;
      const readings = this.readings;
      // The sequencer's tick readings are by the same positions (it is built on this config
      // and this index): copied by position, no id lookups.
      const tick = fresh ? seq.tickReadings : null;
      if (tick !== null && tick.guns.length === guns.length && tick.ev.length === guns.length && tick.modules.length === modules.length) {
        for (let i = 0; i < guns.length; i++) {
          evs[i] = tick.ev[i];
          meters[i] = tick.guns[i];
        }
        for (let i = 0; i < modules.length; i++) readings[i] = tick.modules[i] ?? OFFLINE_READING;
      } else {
        for (let i = 0; i < guns.length; i++) {
          const gun = guns[i];
          evs[i] = fresh ? seq.evReading(gun.id) : this.readEvStatus(gun.id);
          meters[i] = fresh ? seq.gunReading(gun.id) : this.readGunMeter(gun.id);
        }
        for (let i = 0; i < modules.length; i++) {
          const m = modules[i];
          readings[i] = (fresh ? seq.moduleReading(m.id) : this.readModule(m.id)) ?? OFFLINE_READING;
        }
      }
      this.accumulateHours(readings, dtMs);
      // limits in force now (stale ones expire to zero or fall back to defaults)
      const limits = this.limits.evaluate(nowMs);
      this.latestLimits = limits;
      // 3) sessions
      const inputs = this.inputList;
      let inputCount = 0;
      const faultList = this.safety.faults.size > 0 ? this.safety.faults.list() : NO_FAULTS;
      const blocks = this.safety.faults.blocks();
      const planned = this.latestPlan;
      for (let i = 0; i < guns.length; i++) {
        const gun = guns[i];
        const ev = evs[i];
        if (!ev) continue;
        const meter = meters[i];
        const input = this.inputAt(i, gun.id, ev);
        input.ev = ev;
        this.fillPowerPathReport(input.power, gun, meter, faultList, blocks);
        // plannedBudgetKW and gunLimitAt with their by-position case inline (a call per gun costs in XS).
        const planGun = planned === null ? undefined : planned.guns[i];
        input.grantedKW = planned === null ? null : planGun !== undefined && planGun.id === gun.id ? planGun.budgetKW : plannedBudgetKW(planned, i, gun.id);
        const limit = limits.guns[i];
        input.limitExpired = (limit !== undefined && limit.gunId === gun.id ? limit : gunLimitAt(limits, i, gun.id)).expired;
        input.meterEnergyWh = meter?.energyWh;
        inputs[inputCount++] = input;
      }
      // Shortened only when a gun has no EV status (setting the length is not free).
      if (inputs.length !== inputCount) inputs.length = inputCount;
      this.sessions.update(nowMs, inputs);
      // 4–8) active guns, budgets, modules, islands and contactor plan
      this.latestPlan = this.planner(this.config, this.observe(nowMs, limits, readings, meters), this.latestPlan);
    } catch (error) {
      // The last plan stays in force; the sequencer and supervisor keep running.
      this.controlErrors++;
      this.lastControlError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      try {
        this.hal.log.write("error", `control: ${this.lastControlError}`);
      } catch {
        /* logging must not break the loop */
      }
    }
  }

  /** Every second: refresh the snapshot that dashboards, MQTT and OCPP read. */
  telemetryTick(): void {
    if (this.closed) return;
    this.cachedSnapshot = this.buildSnapshot();
  }

  /**
   * The planner's view of the cabinet this cycle (meters by config gun position, readings by
   * module index). New objects each cycle: the planner (and tests) may keep an observation,
   * which is never written afterwards. (Sharing unchanged entries with the previous cycle was
   * tried: the comparisons cost more XS computrons than the objects they save, 12 guns charging.)
   */
  private observe(nowMs: number, limits: LimitSnapshot, readings: readonly ModuleReading[], meters: readonly (GunMeasurement | null)[]): PlanObservation {
    const blocks = this.safety.faults.blocks();
    // Nothing blocked (most cycles): no Set lookups per gun and module.
    const free = blocks.none === true;
    const configGuns = this.config.guns;
    const guns: GunObservation[] = new Array(configGuns.length);
    for (let i = 0; i < configGuns.length; i++) {
      const gun = configGuns[i];
      const session = this.sessions.observationAt(i, gun.id);
      // gunLimitAt with its by-position case inline.
      const limit = limits.guns[i];
      const blocked = !free && (blocks.global || blocks.guns.has(gun.id));
      guns[i] = {
        id: gun.id,
        active: session.active && !blocked,
        charging: session.charging,
        requestKW: session.requestKW,
        evVoltageV: session.evVoltageV,
        measuredVoltageV: meters[i]?.voltageV ?? 0,
        priority: this.priorityAt[i],
        externalLimitKW: (limit !== undefined && limit.gunId === gun.id ? limit : gunLimitAt(limits, i, gun.id)).limitKW,
      };
    }
    const indexModules = this.index.modules;
    const modules: ModuleObservation[] = new Array(indexModules.length);
    for (let i = 0; i < indexModules.length; i++) {
      const m = indexModules[i];
      const r = readings[i] ?? OFFLINE_READING;
      const blocked = !free && ((m.slotId !== undefined && blocks.slots.has(m.slotId)) || blocks.modules.has(m.id) || blocks.global);
      modules[i] = {
        id: m.id,
        healthy: r.online && r.alarms.length === 0 && !blocked,
        tempC: Number.isFinite(r.tempC) ? r.tempC : 25,
        operatingHours: this.moduleHoursAt[i],
      };
    }
    const health = this.safety.health;
    return {
      nowMs,
      guns,
      modules,
      // faults() walks every contactor and makes a record: only when one has a verdict.
      contactorFaults: health.hasFaults() ? health.faults() : NO_CONTACTOR_FAULTS,
      gridLimitKW: limits.gridLimitKW,
      siteExternalLimitKW: limits.siteExternalLimitKW,
    };
  }

  /** What the power path of a gun has reached, for its session state machine. */
  private inputAt(position: number, gunId: number, ev: EvStatus): GunInput {
    let input = this.gunInputs[position];
    if (input === undefined) {
      const power: PowerPathReport = {
        islandReady: false, precharged: false, gcClosed: false, currentAtZero: true, faulted: false, faultSeverity: undefined, faultDetail: undefined,
      };
      input = { gunId, ev, power, grantedKW: null, limitExpired: false, meterEnergyWh: undefined };
      this.gunInputs[position] = input;
    }
    return input;
  }

  /** Writes every field of `report`: what the power path of a gun has reached, for its session state machine. */
  private fillPowerPathReport(report: PowerPathReport, gun: GunConfig, meter: GunMeasurement | null, faultList: readonly Fault[], blocks: Blocks): void {
    const gunId = gun.id;
    const phase = this.safety.sequencer.gunPhase(gunId);
    const gcClosed = this.hal.contactors.aux(gun.gc).closed;
    const gunFaults = faultList.length === 0 ? faultList : faultList.filter((f) => f.scope.global || f.scope.guns.includes(gunId));
    const faulted = phase === "faulted" || gunFaults.length > 0;
    const worst = gunFaults.length === 0 ? undefined : gunFaults.find((f) => f.severity === "high") ?? gunFaults[0];
    report.islandReady = phase === "precharging" || phase === "ready" || phase === "charging";
    report.precharged = phase === "ready" || phase === "charging";
    report.gcClosed = gcClosed;
    report.currentAtZero = Math.abs(meter?.currentA ?? 0) < this.config.policy.switchingCurrentA;
    report.faulted = faulted || blocks.global;
    report.faultSeverity = worst ? (worst.severity === "high" ? "emergency" : "error") : undefined;
    report.faultDetail = worst ? `${worst.kind} at ${worst.location}: ${worst.cause}` : undefined;
  }

  /** readings by module index (index.modules). */
  private accumulateHours(readings: readonly ModuleReading[], dtMs: number): void {
    if (dtMs <= 0) return;
    const hours = this.moduleHoursAt;
    // The same quotient for every module (computed once, the same double).
    const stepHours = dtMs / 3_600_000;
    for (let i = 0; i < hours.length; i++) if (readings[i].running) hours[i] += stepHours;
  }

  // ---- commands (operator, scenario, OCPP, MQTT). Each validates and never throws. ----

  setGridLimit(powerKW: number, validForMs = STANDING_LIMIT_MS): CommandResult {
    return this.limitResult(this.limits.setGridLimit(powerKW, this.hal.clock.nowMs(), validForMs));
  }

  setSiteExternalLimit(powerKW: number | null, validForMs = STANDING_LIMIT_MS): CommandResult {
    if (powerKW === null) {
      this.limits.clearSiteExternalLimit();
      return { ok: true };
    }
    return this.limitResult(this.limits.setSiteExternalLimit(powerKW, this.hal.clock.nowMs(), validForMs));
  }

  /** A per-gun limit from a named source (ocpp, mqtt, operator); null clears it. */
  setGunLimit(gunId: number, source: string, powerKW: number | null, validForMs = STANDING_LIMIT_MS): CommandResult {
    if (!this.index.gunById.has(gunId)) return { ok: false, error: `gunId: no gun ${String(gunId)} in this cabinet` };
    if (powerKW === null) return this.limitResult(this.limits.clearGunLimit(gunId, source));
    return this.limitResult(this.limits.setGunLimit(gunId, source, powerKW, this.hal.clock.nowMs(), validForMs));
  }

  setPriority(gunId: number, priority: number): CommandResult {
    if (!this.index.gunById.has(gunId)) return { ok: false, error: `gunId: no gun ${String(gunId)} in this cabinet` };
    if (typeof priority !== "number" || !Number.isInteger(priority) || priority < 0 || priority > 100) {
      return { ok: false, error: `priority: must be an integer 0..100, got ${String(priority)}` };
    }
    this.priorityAt[this.gunPositionById.get(gunId)!] = priority;
    return { ok: true };
  }

  remoteStop(gunId: number): CommandResult {
    return this.sessions.remoteStop(gunId);
  }

  /** Operator reset of latched faults whose cause is gone (all when no id). */
  resetFaults(faultId?: number): Fault[] {
    return this.safety.supervisor.operatorReset(faultId);
  }

  subscribe(listener: SessionListener): () => void {
    return this.sessions.subscribe(listener);
  }

  /** Lifetime operating hours of a module as this controller counts them. */
  moduleOperatingHours(moduleId: string): number {
    const i = this.modulePositionById.get(moduleId);
    return i === undefined ? 0 : this.moduleHoursAt[i];
  }

  plan(): Plan | null {
    return this.latestPlan;
  }

  stats(): { controlErrors: number; lastControlError: string | null } {
    return { controlErrors: this.controlErrors, lastControlError: this.lastControlError };
  }

  private limitResult(result: { ok: true } | { ok: false; error: string }): CommandResult {
    return result.ok ? { ok: true } : { ok: false, error: result.error };
  }

  // ---- snapshot ----

  /** The latest telemetry snapshot (built now if no telemetry tick ran yet). */
  snapshot(): CabinetSnapshot {
    if (!this.cachedSnapshot) this.cachedSnapshot = this.buildSnapshot();
    return this.cachedSnapshot;
  }

  /**
   * A snapshot of this instant (the dashboard uses it at 4–5 Hz). Every part is read anew
   * (the same sensor reads in the same order each time); a handed-out snapshot is never
   * written afterwards. Parts equal to the previous snapshot's (config slots, unchanged
   * module and contactor views, views of the same events) are shared with it.
   */
  buildSnapshot(): CabinetSnapshot {
    const nowMs = this.hal.clock.nowMs();
    const planned = this.latestPlan;
    const seq = this.safety.sequencer;
    const ownerAt = this.snapshotOwnerAt;
    ownerAt.fill(null);
    const modulePosition = this.modulePositionById;
    const configGuns = this.config.guns;
    const brief = this.briefScratch;
    const guns: GunView[] = new Array(configGuns.length);
    let totalPowerKW = 0;
    for (let position = 0; position < configGuns.length; position++) {
      const gun = configGuns[position];
      this.sessions.briefInto(position, gun.id, brief);
      const status = seq.gunStatus(gun.id);
      const meter = this.readGunMeter(gun.id);
      const ev = this.readEvStatus(gun.id);
      const planGun = planned === null ? undefined : planGunAt(planned, position, gun.id);
      const statusModules = status.modules;
      for (let k = 0; k < statusModules.length; k++) {
        const at = modulePosition.get(statusModules[k]);
        if (at !== undefined) ownerAt[at] = gun.id;
      }
      const voltageV = meter?.voltageV ?? 0;
      const currentA = meter?.currentA ?? 0;
      const powerKW = (voltageV * currentA) / 1000;
      totalPowerKW += powerKW;
      guns[position] = {
        id: gun.id,
        slotId: gun.slotId ?? null,
        gc: gun.gc,
        state: brief.state,
        phase: status.phase,
        plugged: ev?.plugged ?? false,
        socPct: ev?.socPct ?? null,
        voltageV,
        currentA,
        powerKW,
        requestKW: brief.requestKW,
        budgetKW: planGun?.budgetKW ?? 0,
        currentLimitA: status.currentLimitA,
        modules: statusModules,
        islandSlots: status.islandSlots,
        energyKWh: brief.energyWh / 1000,
        reason: ev?.plugged ? (planGun?.reason ?? status.reason ?? null) : null,
        priority: this.priorityAt[position],
      };
    }
    const blocks = this.safety.faults.blocks();
    const indexModules = this.index.modules;
    const modules: ModuleView[] = new Array(indexModules.length);
    for (let i = 0; i < indexModules.length; i++) {
      const m = indexModules[i];
      const r = this.readModule(m.id) ?? OFFLINE_READING;
      const failed = r.alarms.length > 0 || blocks.modules.has(m.id);
      modules[i] = this.moduleViewAt(
        i, m.id, m.slotId ?? null, !r.online ? "offline" : failed ? "failed" : r.running ? "on" : "off", r.tempC, (r.voltageV * r.currentA) / 1000, ownerAt[i],
      );
    }
    const health = this.safety.health;
    // faults() walks every contactor: only when one has a verdict (null: none has).
    const contactorFaults = health.hasFaults() ? health.faults() : null;
    const indexContactors = this.index.contactors;
    const contactors: ContactorView[] = new Array(indexContactors.length);
    for (let i = 0; i < indexContactors.length; i++) {
      const c = indexContactors[i];
      const counters = health.counters(c.id);
      const aux = this.readAux(c.id);
      contactors[i] = this.contactorViewAt(
        i, c, this.hal.contactors.commanded(c.id) ? "closed" : "open", aux?.closed ? "closed" : "open", contactorFaults === null ? null : contactorFaults[c.id] ?? null, counters.operations, counters.breaksUnderLoad,
      );
    }
    const faults: FaultView[] = this.safety.faults.list().map((f) => ({
      id: String(f.id),
      kind: f.kind,
      severity: f.severity,
      scope: f.scope.global ? "global" : "local",
      location: f.location,
      message: f.cause,
      atMs: f.raisedAtMs,
      active: true,
    }));
    const events = this.eventViewsOf(this.safety.events, 60);
    return {
      timeMs: nowMs,
      chargerId: this.config.chargerId,
      topology: this.config.topology,
      gridLimitKW: this.latestLimits?.gridLimitKW ?? this.config.siteLimits.gridPowerLimitKW,
      capacityKW: planned?.capacityKW ?? 0,
      totalPowerKW,
      gridPowerKW: this.readGridPowerKW() ?? 0,
      slots: this.slotViews(),
      guns,
      modules,
      contactors,
      faults,
      events,
    };
  }

  /** The previous snapshot's view of module `i` when every field is the same (it is never written), else a new one. */
  private moduleViewAt(i: number, id: string, slotId: number | null, state: ModuleView["state"], tempC: number, powerKW: number, gunId: number | null): ModuleView {
    const last = this.lastModuleViews[i];
    if (
      last !== undefined && last.powerKW === powerKW && last.tempC === tempC && last.state === state && last.gunId === gunId && last.id === id && last.slotId === slotId &&
      (powerKW !== 0 || 1 / last.powerKW === 1 / powerKW) && (tempC !== 0 || 1 / last.tempC === 1 / tempC)
    ) {
      return last;
    }
    const made: ModuleView = { id, slotId, state, tempC, powerKW, gunId };
    this.lastModuleViews[i] = made;
    return made;
  }

  /** The previous snapshot's view of contactor `i` when every field is the same (it is never written), else a new one. */
  private contactorViewAt(
    i: number, c: CabinetIndex["contactors"][number], commanded: ContactorView["commanded"], aux: ContactorView["aux"], fault: ContactorView["fault"],
    operations: number, breaksUnderLoad: number,
  ): ContactorView {
    const last = this.lastContactorViews[i];
    if (
      last !== undefined && last.id === c.id && last.commanded === commanded && last.aux === aux && last.fault === fault &&
      // Counters are whole counts from zero: never -0.
      last.operations === operations && last.breaksUnderLoad === breaksUnderLoad
    ) {
      return last;
    }
    const made: ContactorView = {
      id: c.id, kind: c.kind, gunId: c.gunId ?? null, moduleId: c.moduleId ?? null, commanded, aux, fault, operations, breaksUnderLoad,
    };
    this.lastContactorViews[i] = made;
    return made;
  }

  /**
   * The newest `count` events as views, frozen. No new event since the previous snapshot:
   * its list (the same events); else a view made by the previous snapshot for the same
   * seq is reused.
   */
  private eventViewsOf(log: EventLog, count: number): EventView[] {
    if (this.eventViewLog === log && log.lastSeq === this.eventViewLastSeq) return this.eventViews as EventView[];
    const recent = log.recent(count);
    const previous = this.eventViewLog === log ? this.eventViews : NO_EVENT_VIEWS;
    const firstSeq = this.eventViewFirstSeq;
    const views: EventView[] = new Array(recent.length);
    for (let i = 0; i < recent.length; i++) {
      const e = recent[i];
      const at = e.seq - firstSeq;
      const kept = at >= 0 && at < previous.length ? previous[at] : undefined;
      views[i] = kept !== undefined && this.eventViewSeqs[at] === e.seq ? kept : eventViewOf(e);
    }
    Object.freeze(views);
    this.eventViewLog = log;
    this.eventViews = views;
    this.eventViewLastSeq = log.lastSeq;
    const seqs = this.eventViewSeqs;
    seqs.length = recent.length;
    for (let i = 0; i < recent.length; i++) seqs[i] = recent[i].seq;
    this.eventViewFirstSeq = recent.length > 0 ? recent[0].seq : 0;
    return views;
  }

  /** Config slots: built at the first snapshot and frozen, shared by every snapshot. */
  private slotViews(): CabinetSnapshot["slots"] {
    if (this.snapshotSlots === null) {
      this.snapshotSlots = Object.freeze(this.config.slots.map((s) => Object.freeze({ id: s.id, gunId: s.gunId, mc: s.mc, cw: s.cw, modules: Object.freeze(s.modules.map((m) => m.id)) as string[] }))) as CabinetSnapshot["slots"];
    }
    return this.snapshotSlots;
  }

  // HAL reads that never throw (null: unreadable), without a closure per read.

  private readGunMeter(gunId: number): GunMeasurement | null {
    try {
      return this.hal.sensors.gun(gunId);
    } catch {
      return null;
    }
  }

  private readEvStatus(gunId: number): EvStatus | null {
    try {
      return this.hal.ev.status(gunId);
    } catch {
      return null;
    }
  }

  private readModule(moduleId: string): ModuleReading | null {
    try {
      return this.hal.modules.read(moduleId);
    } catch {
      return null;
    }
  }

  private readAux(contactorId: string): { closed: boolean } | null {
    try {
      return this.hal.contactors.aux(contactorId);
    } catch {
      return null;
    }
  }

  private readGridPowerKW(): number | null {
    try {
      return this.hal.sensors.gridPowerKW();
    } catch {
      return null;
    }
  }

  /** Everything off (modules off, GC/MN/MX open); later ticks do nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.safety.sequencer.close();
  }
}

/** The budget the plan gave a gun; plans list guns in config order, so its position is tried first. */
function plannedBudgetKW(plan: Plan, gunIndex: number, gunId: number): number {
  const at = plan.guns[gunIndex];
  if (at !== undefined && at.id === gunId) return at.budgetKW;
  return plan.guns.find((g) => g.id === gunId)?.budgetKW ?? 0;
}

/** The plan's record of a gun; plans list guns in config order, so its position is tried first. */
function planGunAt(plan: Plan, gunIndex: number, gunId: number): Plan["guns"][number] | undefined {
  const at = plan.guns[gunIndex];
  if (at !== undefined && at.id === gunId) return at;
  return plan.guns.find((g) => g.id === gunId);
}

const NO_EVENT_VIEWS: readonly EventView[] = Object.freeze([]);

function eventViewOf(e: CabinetEvent): EventView {
  return { atMs: e.atMs, kind: e.kind, text: `${e.source}: ${e.message}` };
}

/** gunLimitOf, trying the gun's config position first (the tracker lists guns in config order). */
function gunLimitAt(limits: LimitSnapshot, gunIndex: number, gunId: number): GunLimitState {
  const at = limits.guns[gunIndex];
  return at !== undefined && at.gunId === gunId ? at : gunLimitOf(limits, gunId);
}

export type { SessionEvent };
