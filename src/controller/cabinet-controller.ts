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
import { SessionManager } from "../sessions/session-manager";
import type { GunInput, PowerPathReport, SessionEvent, SessionHooks, SessionListener } from "../sessions/types";
import { standardTasks } from "../scheduler/standard-tasks";
import type { TaskSpec } from "../scheduler/types";
import type { CabinetSnapshot, ContactorView, FaultView, GunView, ModuleView } from "./snapshot";

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

export type PlanFunction = (config: CabinetConfig, observed: PlanObservation, previousPlan: Plan | null) => Plan;

export interface CommandResult {
  ok: boolean;
  error?: string;
}

/** A limit set by an operator or scenario stays in force for a year unless replaced. */
const STANDING_LIMIT_MS = 365 * 24 * 3600 * 1000;

const NO_FAULTS: readonly Fault[] = Object.freeze([]);

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
      for (let i = 0; i < guns.length; i++) {
        const gun = guns[i];
        evs[i] = fresh ? seq.evReading(gun.id) : safeRead(() => this.hal.ev.status(gun.id));
        meters[i] = fresh ? seq.gunReading(gun.id) : safeRead(() => this.hal.sensors.gun(gun.id));
      }
      const modules = this.index.modules;
      const readings = this.readings;
      for (let i = 0; i < modules.length; i++) {
        const m = modules[i];
        readings[i] = (fresh ? seq.moduleReading(m.id) : safeRead(() => this.hal.modules.read(m.id))) ?? OFFLINE_READING;
      }
      this.accumulateHours(readings, dtMs);
      // limits in force now (stale ones expire to zero or fall back to defaults)
      const limits = this.limits.evaluate(nowMs);
      this.latestLimits = limits;
      // 3) sessions
      const inputs = this.inputList;
      inputs.length = 0;
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
        input.grantedKW = planned ? plannedBudgetKW(planned, i, gun.id) : null;
        input.limitExpired = gunLimitAt(limits, i, gun.id).expired;
        input.meterEnergyWh = meter?.energyWh;
        inputs.push(input);
      }
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

  /** The planner's view of the cabinet this cycle (meters by config gun position, readings by module index). */
  private observe(nowMs: number, limits: LimitSnapshot, readings: readonly ModuleReading[], meters: readonly (GunMeasurement | null)[]): PlanObservation {
    const blocks = this.safety.faults.blocks();
    // Nothing blocked (most cycles): no Set lookups per gun and module.
    const free = blocks.none === true;
    const configGuns = this.config.guns;
    const guns: GunObservation[] = new Array(configGuns.length);
    for (let i = 0; i < configGuns.length; i++) {
      const gun = configGuns[i];
      const session = this.sessions.observationAt(i, gun.id);
      const blocked = !free && (blocks.global || blocks.guns.has(gun.id));
      guns[i] = {
        id: gun.id,
        active: session.active && !blocked,
        charging: session.charging,
        requestKW: session.requestKW,
        evVoltageV: session.evVoltageV,
        measuredVoltageV: meters[i]?.voltageV ?? 0,
        priority: this.priorityAt[i],
        externalLimitKW: gunLimitAt(limits, i, gun.id).limitKW,
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
    return {
      nowMs,
      guns,
      modules,
      contactorFaults: this.safety.health.faults(),
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
    for (let i = 0; i < hours.length; i++) if (readings[i].running) hours[i] += dtMs / 3_600_000;
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

  /** A snapshot of this instant (the dashboard uses it at 4–5 Hz). */
  buildSnapshot(): CabinetSnapshot {
    const nowMs = this.hal.clock.nowMs();
    const planned = this.latestPlan;
    const seq = this.safety.sequencer;
    const moduleOwner = new Map<string, number>();
    const guns: GunView[] = this.config.guns.map((gun, position) => {
      const view = this.sessions.view(gun.id);
      const status = seq.gunStatus(gun.id);
      const meter = safeRead(() => this.hal.sensors.gun(gun.id));
      const ev = safeRead(() => this.hal.ev.status(gun.id));
      const planGun = planned?.guns.find((g) => g.id === gun.id);
      for (const m of status.modules) moduleOwner.set(m, gun.id);
      const voltageV = meter?.voltageV ?? 0;
      const currentA = meter?.currentA ?? 0;
      return {
        id: gun.id,
        slotId: gun.slotId ?? null,
        gc: gun.gc,
        state: view?.state ?? "IDLE",
        phase: status.phase,
        plugged: ev?.plugged ?? false,
        socPct: ev?.socPct ?? null,
        voltageV,
        currentA,
        powerKW: (voltageV * currentA) / 1000,
        requestKW: view?.requestKW ?? 0,
        budgetKW: planGun?.budgetKW ?? 0,
        currentLimitA: status.currentLimitA,
        modules: status.modules,
        islandSlots: status.islandSlots,
        energyKWh: (view?.session?.energyWh ?? 0) / 1000,
        reason: ev?.plugged ? (planGun?.reason ?? status.reason ?? null) : null,
        priority: this.priorityAt[position],
      };
    });
    const blocks = this.safety.faults.blocks();
    const modules: ModuleView[] = this.index.modules.map((m) => {
      const r = safeRead(() => this.hal.modules.read(m.id)) ?? OFFLINE_READING;
      const failed = r.alarms.length > 0 || blocks.modules.has(m.id);
      return {
        id: m.id,
        slotId: m.slotId ?? null,
        state: !r.online ? "offline" : failed ? "failed" : r.running ? "on" : "off",
        tempC: r.tempC,
        powerKW: (r.voltageV * r.currentA) / 1000,
        gunId: moduleOwner.get(m.id) ?? null,
      };
    });
    const contactorFaults = this.safety.health.faults();
    const contactors: ContactorView[] = this.index.contactors.map((c) => {
      const counters = this.safety.health.counters(c.id);
      const aux = safeRead(() => this.hal.contactors.aux(c.id));
      return {
        id: c.id,
        kind: c.kind,
        gunId: c.gunId ?? null,
        moduleId: c.moduleId ?? null,
        commanded: this.hal.contactors.commanded(c.id) ? "closed" : "open",
        aux: aux?.closed ? "closed" : "open",
        fault: contactorFaults[c.id] ?? null,
        operations: counters.operations,
        breaksUnderLoad: counters.breaksUnderLoad,
      };
    });
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
    const events = this.safety.events.recent(60).map((e) => ({ atMs: e.atMs, kind: e.kind, text: `${e.source}: ${e.message}` }));
    const totalPowerKW = guns.reduce((sum, g) => sum + g.powerKW, 0);
    return {
      timeMs: nowMs,
      chargerId: this.config.chargerId,
      topology: this.config.topology,
      gridLimitKW: this.latestLimits?.gridLimitKW ?? this.config.siteLimits.gridPowerLimitKW,
      capacityKW: planned?.capacityKW ?? 0,
      totalPowerKW,
      gridPowerKW: safeRead(() => this.hal.sensors.gridPowerKW()) ?? 0,
      slots: this.config.slots.map((s) => ({ id: s.id, gunId: s.gunId, mc: s.mc, cw: s.cw, modules: s.modules.map((m) => m.id) })),
      guns,
      modules,
      contactors,
      faults,
      events,
    };
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

/** gunLimitOf, trying the gun's config position first (the tracker lists guns in config order). */
function gunLimitAt(limits: LimitSnapshot, gunIndex: number, gunId: number): GunLimitState {
  const at = limits.guns[gunIndex];
  return at !== undefined && at.gunId === gunId ? at : gunLimitOf(limits, gunId);
}

function safeRead<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

export type { SessionEvent };
