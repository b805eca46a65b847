/**
 * The safety supervisor: run every fast tick (10 ms). Reads the protections,
 * latches faults in the shared registry and reacts within the same tick:
 *   High   -> emergency shutdown: module outputs off, contactors commanded open
 *   Medium -> error shutdown: current limit to zero now, contactors open once the
 *   Low       current is below the switching threshold (sequencer ramp-down path)
 * Scope is island-local where the cause is local (seed 000 §11.7, §11.8) and
 * global where it is not (§9.1). See docs/safety.md for the fault catalogue.
 */
import type { Clock } from "../../hal/clock";
import type { EvLink, EvStatus } from "../../hal/ev-link";
import type { SafetyInputs } from "../../hal/inputs";
import type { Log } from "../../hal/log";
import type { ModuleBus, ModuleReading } from "../../hal/power-modules";
import type { GunMeasurement, Sensors } from "../../hal/sensors";
import type { CabinetConfig, OverVoltageBand } from "../config/types";
import type { ContactorSequencer } from "../sequencer/sequencer";
import type { Fault, FaultKind, FaultScope, FaultSpec, Severity } from "./faults";

export interface SupervisorOptions {
  /** The sequencer it overrides; its health, fault registry and event log are shared. */
  sequencer: ContactorSequencer;
  clock: Clock;
  sensors: Sensors;
  modules: ModuleBus;
  inputs: SafetyInputs;
  ev: EvLink;
  log: Log;
  /** Implausible-measurement debounce (the bus and a module may disagree while switching). Default 100 ms. */
  implausibleDebounceMs?: number;
  /** Temperatures must fall this far below the trip before the cause counts as gone. Default 5 °C. */
  tempHysteresisC?: number;
}

export interface TickResult {
  raised: Fault[];
  cleared: Fault[];
}

/** The emergency over-voltage threshold for a negotiated EV maximum (IEC 61851-23 bands). */
export function overVoltageTripV(bands: readonly OverVoltageBand[], evMaxVoltageV: number): number {
  for (const b of bands) if (b.evMaxVoltageUpToV === null || evMaxVoltageV <= b.evMaxVoltageUpToV) return b.emergencyTripV;
  return bands.length ? bands[bands.length - 1].emergencyTripV : Infinity;
}

/** What a check reports: a fault specification with a lasting cause. */
type Detection = Omit<FaultSpec, "oneShot">;

export class SafetySupervisor {
  private readonly seq: ContactorSequencer;
  private readonly config: CabinetConfig;
  private readonly clock: Clock;
  private readonly sensors: Sensors;
  private readonly moduleBus: ModuleBus;
  private readonly inputs: SafetyInputs;
  private readonly ev: EvLink;
  private readonly log: Log;
  private readonly debounceMs: number;
  private readonly hysteresisC: number;
  /** When a debounced condition was first seen (key -> ms). */
  private readonly since = new Map<string, number>();
  private raisedThisTick: Fault[] = [];
  /** Fixed strings per gun and module, built once (the checks run 100 times a second). */
  private readonly gunNames = new Map<number, { location: string; ov: string; evov: string; implausible: string; tripForEvMaxV: number; tripV: number }>();
  private readonly moduleLocations = new Map<string, string>();
  /** This tick's EV status per gun (for the unplug clear rule). */
  private readonly evs = new Map<number, EvStatus | null>();
  private readonly unplugged = (gunId: number): boolean => this.evs.get(gunId)?.plugged === false;

  constructor(options: SupervisorOptions) {
    this.seq = options.sequencer;
    this.config = options.sequencer.config;
    this.clock = options.clock;
    this.sensors = options.sensors;
    this.moduleBus = options.modules;
    this.inputs = options.inputs;
    this.ev = options.ev;
    this.log = options.log;
    this.debounceMs = options.implausibleDebounceMs ?? 100;
    this.hysteresisC = options.tempHysteresisC ?? 5;
    for (const g of this.config.guns) {
      this.gunNames.set(g.id, { location: `gun ${g.id}`, ov: `ov:${g.id}`, evov: `evov:${g.id}`, implausible: `implausible:${g.id}`, tripForEvMaxV: NaN, tripV: 0 });
    }
    for (const m of this.seq.index.modules) this.moduleLocations.set(m.id, `module ${m.id}`);
  }

  /** Latched faults, oldest first. */
  faults(): Fault[] {
    return this.seq.faults.list();
  }

  /**
   * Operator reset (console, OCPP Reset): clears the fault with this id, or all,
   * whose cause is gone. Contactor faults also reset the contactor's verdict
   * (the operator vouches that it was inspected).
   */
  operatorReset(faultId?: number): Fault[] {
    for (const f of this.seq.faults.list()) {
      if (faultId !== undefined && f.id !== faultId) continue;
      if (f.kind === "contactorWelded" || f.kind === "contactorStuckOpen" || f.kind === "contactorFeedback") {
        this.seq.health.reset(f.location);
        this.seq.faults.causeGone(f.kind, f.location);
      }
    }
    return this.seq.faults.operatorReset(faultId);
  }

  /** One fast tick. Never throws: a failure of the supervisor itself is a global High fault. */
  tick(): TickResult {
    this.raisedThisTick = [];
    const now = this.clock.nowMs();
    let cleared: Fault[] = [];
    try {
      // One read of the aux contacts and of every input per tick, shared with the sequencer's step.
      this.seq.beginTick();
      this.checkInputs();
      const evs = this.evs;
      const guns = this.config.guns;
      for (let i = 0; i < guns.length; i++) evs.set(guns[i].id, this.checkGun(guns[i].id, now));
      this.checkModules(now);
      this.checkIslands(now);
      this.checkContactors();
      this.checkInvariants();
      cleared = this.seq.faults.evaluateClears(this.unplugged);
      // A clean pass is the cause of a supervisor internal error gone (operator reset may clear it).
      this.seq.faults.causeGone("internalError", "supervisor");
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      try {
        this.log.write("error", `supervisor: ${message}`);
      } catch {
        /* keep going */
      }
      this.condition(true, () => ({ kind: "internalError", severity: "high", scope: { global: true }, location: "supervisor", cause: message, clear: { rule: "operatorReset" } }));
    }
    return { raised: this.raisedThisTick, cleared };
  }

  // ------------------------------------------------------------ detections

  /** Latch (and react to) a present condition, or note its cause gone. */
  private condition(present: boolean, make: () => Detection): void {
    const registry = this.seq.faults;
    if (!present) {
      // Detections are built only when needed: most ticks have no fault at all.
      if (registry.size > 0) {
        const d = make();
        registry.causeGone(d.kind, d.location);
      }
      return;
    }
    const { fault, isNew } = registry.raise(make());
    if (!isNew) return;
    this.raisedThisTick.push(fault);
    if (fault.severity === "high") this.seq.emergencyShutdown(fault.scope, `${fault.kind} at ${fault.location}`);
    else this.seq.errorShutdown(fault.scope, `${fault.kind} at ${fault.location}`);
  }

  /**
   * A present condition: latch it (refreshing its values) and react if it is new.
   * The checks call this only when the condition holds, and `gone` otherwise, so no
   * detection is built on a quiet tick.
   */
  private detected(d: Detection): void {
    const { fault, isNew } = this.seq.faults.raise(d);
    if (!isNew) return;
    this.raisedThisTick.push(fault);
    if (fault.severity === "high") this.seq.emergencyShutdown(fault.scope, `${fault.kind} at ${fault.location}`);
    else this.seq.errorShutdown(fault.scope, `${fault.kind} at ${fault.location}`);
  }

  /** The cause of (kind, location) is absent now (a no-op unless such a fault is latched). */
  private gone(kind: FaultKind, location: string): void {
    this.seq.faults.causeGone(kind, location);
  }

  /** True once `present` has held for at least `forMs` (0 = at once). */
  private debounced(key: string, present: boolean, now: number, forMs: number): boolean {
    if (!present) {
      this.since.delete(key);
      return false;
    }
    const start = this.since.get(key) ?? now;
    this.since.set(key, start);
    return now - start >= forMs;
  }

  private checkInputs(): void {
    let estop = true;
    let door = true;
    try {
      estop = this.inputs.estopActive();
    } catch {
      estop = true; // an unreadable e-stop line is treated as pressed
    }
    try {
      door = this.inputs.doorOpen();
    } catch {
      door = true;
    }
    if (estop) this.detected({ kind: "estop", severity: "high", scope: { global: true }, location: "cabinet", cause: "emergency stop pressed", clear: { rule: "operatorReset" } });
    else this.gone("estop", "cabinet");
    if (door) this.detected({ kind: "doorOpen", severity: "high", scope: { global: true }, location: "cabinet", cause: "door interlock open", clear: { rule: "causeGoneFor", ms: 1000 } });
    else this.gone("doorOpen", "cabinet");
  }

  private checkGun(gunId: number, now: number): EvStatus | null {
    const gun = this.seq.index.gunById.get(gunId)!;
    const s = this.config.safety;
    const names = this.gunNames.get(gunId)!;
    const location = names.location;
    const m: GunMeasurement | null = this.seq.gunReading(gunId);
    const ev: EvStatus | null = this.seq.evReading(gunId);
    if (ev === null) {
      this.detected({ kind: "evLinkLost", severity: "medium", scope: { guns: [gunId] }, location, cause: "EV communication controller unreadable",
        clear: { rule: "causeGoneFor", ms: 2000 } });
    } else this.gone("evLinkLost", location);
    const finite = m !== null && Number.isFinite(m.voltageV) && Number.isFinite(m.currentA) && Number.isFinite(m.connectorTempC) && !Number.isNaN(m.insulationOhm);
    if (!finite) {
      this.detected({ kind: "sensorFault", severity: "medium", scope: { guns: [gunId] }, location, cause: m ? "gun measurement not a number" : "gun sensors unreadable",
        clear: { rule: "causeGoneFor", ms: 5000 } });
    } else this.gone("sensorFault", location);
    if (!m || !finite) return ev;

    // Insulation (seed 000 §11.8): the island is switched off and its slots kept off until the EV leaves.
    if (m.insulationOhm < s.insulationFaultOhm) {
      const slots = this.seq.islandSlotsOf(gunId);
      const islandSlots = slots.length ? slots : gun.slotId !== undefined ? [gun.slotId] : [];
      this.detected({ kind: "insulation", severity: "medium", scope: { guns: [gunId], slots: islandSlots }, location,
        cause: `insulation ${Math.round(m.insulationOhm)} Ω below ${s.insulationFaultOhm} Ω`, values: { insulationOhm: m.insulationOhm }, clear: { rule: "unplug" } });
    } else this.gone("insulation", location);

    // Over-voltage: the highest of the EV-side and island readings.
    let v = m.voltageV;
    if (this.config.topology === "ring" && this.seq.isEnergized(gunId)) {
      const bus = this.seq.slotBusVoltageV(gun.slotId ?? -1);
      if (Number.isFinite(bus)) v = Math.max(v, bus); // else the gun reading stands
    }
    const evMax = ev && ev.maxVoltageV > 0 ? ev.maxVoltageV : gun.maxVoltageV;
    // The trip threshold only changes with the EV's negotiated maximum: computed again when that does.
    if (names.tripForEvMaxV !== evMax) {
      names.tripForEvMaxV = evMax;
      names.tripV = overVoltageTripV(s.overVoltageBands, evMax);
    }
    const tripV = names.tripV;
    if (this.debounced(names.ov, v > tripV, now, s.overVoltageEmergencyMs)) {
      this.detected({ kind: "overVoltageEmergency", severity: "high", scope: { guns: [gunId] }, location,
        cause: `${v.toFixed(0)} V above ${tripV} V (EV max ${evMax} V) for ${s.overVoltageEmergencyMs} ms`, values: { voltageV: v, tripV }, clear: { rule: "unplug" } });
    } else this.gone("overVoltageEmergency", location);
    const evOver = ev !== null && ev.maxVoltageV > 0 && v > ev.maxVoltageV;
    if (this.debounced(names.evov, evOver, now, s.evOverVoltageErrorMs)) {
      this.detected({ kind: "evOverVoltage", severity: "medium", scope: { guns: [gunId] }, location,
        cause: `${v.toFixed(0)} V above the EV maximum ${ev?.maxVoltageV ?? 0} V for ${s.evOverVoltageErrorMs} ms`, values: { voltageV: v, evMaxV: ev?.maxVoltageV ?? 0 }, clear: { rule: "unplug" } });
    } else this.gone("evOverVoltage", location);

    // Over-current (seed 000 §11.7): fast local action.
    const limitA = gun.maxCurrentA * s.overCurrentFactor;
    if (Math.abs(m.currentA) > limitA) {
      this.detected({ kind: "gunOverCurrent", severity: "high", scope: { guns: [gunId] }, location,
        cause: `${Math.abs(m.currentA).toFixed(0)} A above ${limitA.toFixed(0)} A`, values: { currentA: m.currentA, limitA }, clear: { rule: "unplug" } });
    } else this.gone("gunOverCurrent", location);

    const hot = m.connectorTempC >= s.connectorTripTempC;
    const cool = m.connectorTempC < s.connectorTripTempC - this.hysteresisC;
    if (hot) {
      this.detected({ kind: "connectorOverTemp", severity: "medium", scope: { guns: [gunId] }, location,
        cause: `connector ${m.connectorTempC.toFixed(0)} °C at or above ${s.connectorTripTempC} °C`, values: { tempC: m.connectorTempC }, clear: { rule: "causeGoneFor", ms: 60_000 } });
    } else if (cool) this.gone("connectorOverTemp", location);
    return ev;
  }

  private checkModules(now: number): void {
    const trip = this.config.moduleRating.tripTempC;
    const infos = this.seq.index.modules;
    for (let i = 0; i < infos.length; i++) {
      const info = infos[i];
      const location = this.moduleLocations.get(info.id)!;
      const r: ModuleReading | null = this.seq.moduleReading(info.id);
      const lost = r === null || !r.online || now - r.lastSeenMs > this.config.safety.moduleCommsTimeoutMs;
      if (lost) {
        this.detected({ kind: "moduleCommsLost", severity: "medium", scope: { modules: [info.id] }, location,
          cause: r ? `no frame for ${now - r.lastSeenMs} ms` : "module bus unreadable", clear: { rule: "causeGoneFor", ms: 5000 } });
      } else this.gone("moduleCommsLost", location);
      if (!r || lost) continue;
      if (r.tempC >= trip) {
        this.detected({ kind: "moduleOverTemp", severity: "low", scope: { modules: [info.id] }, location, cause: `${r.tempC.toFixed(0)} °C at or above ${trip} °C`,
          values: { tempC: r.tempC }, clear: { rule: "causeGoneFor", ms: 30_000 } });
      } else if (r.tempC < trip - this.hysteresisC) this.gone("moduleOverTemp", location);
      if (r.alarms.length > 0) {
        this.detected({ kind: "moduleAlarm", severity: "low", scope: { modules: [info.id] }, location, cause: `alarms: ${r.alarms.join(", ")}`,
          clear: { rule: "causeGoneFor", ms: 5000 } });
      } else this.gone("moduleAlarm", location);
    }
  }

  private checkIslands(now: number): void {
    const s = this.config.safety;
    for (const g of this.seq.energizedGuns()) {
      const names = this.gunNames.get(g);
      const location = names?.location ?? `gun ${g}`;
      const modules = this.seq.islandModulesOf(g);
      let sumA = 0;
      let worstDeltaV = 0;
      const gun = this.seq.index.gunById.get(g)!;
      const busV = this.config.topology === "ring" ? this.seq.slotBusVoltageV(gun.slotId ?? -1) : NaN;
      for (const m of modules) {
        const r: ModuleReading | null = this.seq.moduleReading(m);
        if (!r || !r.online) continue;
        sumA += Math.abs(r.currentA);
        const info = this.seq.index.moduleById.get(m);
        const connected = info?.mn ? this.seq.health.confirmed(info.mn, true) : false;
        if (r.running && connected && Number.isFinite(busV)) worstDeltaV = Math.max(worstDeltaV, Math.abs(busV - r.voltageV));
      }
      if (sumA > s.islandOverCurrentA) {
        this.detected({ kind: "islandOverCurrent", severity: "high", scope: { guns: [g] }, location,
          cause: `island modules deliver ${sumA.toFixed(0)} A above ${s.islandOverCurrentA} A`, values: { currentA: sumA }, clear: { rule: "unplug" } });
      } else this.gone("islandOverCurrent", location);
      if (this.debounced(names?.implausible ?? `implausible:${g}`, worstDeltaV > s.implausibleVoltageDeltaV, now, this.debounceMs)) {
        this.detected({ kind: "implausibleMeasurement", severity: "medium", scope: { guns: [g] }, location,
          cause: `island bus and module reports differ by ${worstDeltaV.toFixed(0)} V (> ${s.implausibleVoltageDeltaV} V)`, values: { deltaV: worstDeltaV },
          clear: { rule: "causeGoneFor", ms: 5000 } });
      } else this.gone("implausibleMeasurement", location);
    }
  }

  private checkContactors(): void {
    if (!this.seq.health.hasFaults()) return;
    const verdicts = this.seq.health.faults();
    for (const id in verdicts) {
      const f = verdicts[id];
      const info = this.seq.index.contactorById.get(id)!;
      const scope: Partial<FaultScope> = {};
      let severity: Severity = "low";
      if (f === "welded") {
        if (info.kind === "GC") {
          severity = "medium";
          scope.guns = info.gunId !== undefined ? [info.gunId] : [];
          scope.slots = info.slotId !== undefined ? [info.slotId] : [];
        } else if (info.kind === "MN") {
          // Module forced onto its slot bus: the module and every island holding that slot stay off.
          severity = "medium";
          scope.modules = info.moduleId ? [info.moduleId] : [];
          scope.slots = info.slotId !== undefined ? [info.slotId] : [];
        } else if (info.kind === "MX") {
          severity = "medium";
          scope.modules = info.moduleId ? [info.moduleId] : [];
        }
        // A welded MC blocks nothing by itself: the §5.9 check keeps any island it would bridge off.
      } else if (f === "stuckOpen" || f === "feedbackFault") {
        if (info.kind === "GC") scope.guns = info.gunId !== undefined ? [info.gunId] : [];
        else if (info.kind === "MN" || info.kind === "MX") scope.modules = info.moduleId ? [info.moduleId] : [];
        severity = info.kind === "GC" ? "medium" : "low";
      }
      const kind: FaultKind = f === "welded" ? "contactorWelded" : f === "stuckOpen" ? "contactorStuckOpen" : "contactorFeedback";
      if (f) {
        this.condition(true, () => ({ kind, severity, scope, location: id, cause: `${info.kind} ${id} ${f}`, clear: { rule: "operatorReset" } }));
      }
    }
  }

  /**
   * Runtime audit of §5.1/§5.2 on the conservative view: catches what no step
   * caused (a boundary MC dropping closed, a GC closing by itself).
   */
  private checkInvariants(): void {
    const all = this.seq.audit();
    const found = all.length === 0 ? all : all.filter((v) => v.invariant === 1 || v.invariant === 2);
    for (const v of found) {
      const guns = [...new Set(v.guns)].sort((a, b) => a - b);
      this.condition(true, () => ({ kind: "invariantViolation", severity: "high", scope: guns.length ? { guns } : { global: true },
        location: `§5.${v.invariant} guns ${guns.join(",")}`, cause: v.message, clear: { rule: "operatorReset" } }));
    }
    // Faults of this kind are cleared by the operator once the audit is clean.
    if (found.length === 0 && this.seq.faults.hasKind("invariantViolation")) {
      for (const f of this.seq.faults.list()) if (f.kind === "invariantViolation") this.seq.faults.causeGone(f.kind, f.location);
    }
  }
}
