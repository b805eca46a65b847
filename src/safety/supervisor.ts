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
import type { CabinetConfig, GunConfig, OverVoltageBand } from "../config/types";
import type { ContactorSequencer, EnergizedIsland, TickReadings } from "../sequencer/sequencer";
import { FAULT_KIND_BIT as BIT, type Fault, type FaultKind, type FaultRegistry, type FaultScope, type FaultSpec, type Severity } from "./faults";

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
  raised: readonly Fault[];
  cleared: readonly Fault[];
}

/** The emergency over-voltage threshold for a negotiated EV maximum (IEC 61851-23 bands). */
export function overVoltageTripV(bands: readonly OverVoltageBand[], evMaxVoltageV: number): number {
  for (const b of bands) if (b.evMaxVoltageUpToV === null || evMaxVoltageV <= b.evMaxVoltageUpToV) return b.emergencyTripV;
  return bands.length ? bands[bands.length - 1].emergencyTripV : Infinity;
}

/** What a check reports: a fault specification with a lasting cause. */
type Detection = Omit<FaultSpec, "oneShot">;

/** What the supervisor keeps per gun (config order): names built once, debounce starts, the cached trip. */
interface GunWatch {
  readonly gunId: number;
  readonly gun: GunConfig;
  readonly location: string;
  /** Position of the gun's slot in `config.slots` (-1: none), for the slot bus reading. */
  readonly slotPos: number;
  /** `slotPos` on a ring (whose slot bus is the island's), -1 otherwise: the bus the over-voltage check also reads. */
  readonly busSlotPos: number;
  /** When each debounced condition was first seen present (NaN: not present). */
  overVoltageSinceMs: number;
  evOverVoltageSinceMs: number;
  implausibleSinceMs: number;
  /** The EV maximum `tripV` was computed for (NaN: none yet). */
  tripForEvMaxV: number;
  tripV: number;
  /** The over-current trip (the gun's maximum current times the config's factor; both fixed for the supervisor's life). */
  readonly overCurrentLimitA: number;
  /**
   * Whether this tick's EV status says plugged (for the unplug clear rule): 1 plugged,
   * 0 unplugged, -1 no status. A flag, not the status: the EV link may refill that record.
   */
  evPlugged: number;
  /** The registry's `causesPresentAt(location)` as of its `presentVersion` `causesVersion` (NaN: not read yet). */
  causes: number;
  causesVersion: number;
}

/** What the supervisor keeps per module (`index.modules` order). */
interface ModuleWatch {
  readonly id: string;
  readonly location: string;
  /** Position of its MN in the contactor health (-1: none). */
  readonly mnPos: number;
  /** As in `GunWatch`. */
  causes: number;
  causesVersion: number;
}

/** A watched location and its cached causes (see `SafetySupervisor.causesAt`). */
interface CauseWatch {
  readonly location: string;
  causes: number;
  causesVersion: number;
}

// The kinds judged per gun, module and island, as constants: their causes are marked gone on every tick while latched.
const EV_LINK_LOST = BIT.evLinkLost;
const SENSOR_FAULT = BIT.sensorFault;
const INSULATION = BIT.insulation;
const OVER_VOLTAGE_EMERGENCY = BIT.overVoltageEmergency;
const EV_OVER_VOLTAGE = BIT.evOverVoltage;
const GUN_OVER_CURRENT = BIT.gunOverCurrent;
const CONNECTOR_OVER_TEMP = BIT.connectorOverTemp;
const MODULE_COMMS_LOST = BIT.moduleCommsLost;
const MODULE_OVER_TEMP = BIT.moduleOverTemp;
const MODULE_ALARM = BIT.moduleAlarm;
const ISLAND_OVER_CURRENT = BIT.islandOverCurrent;
const IMPLAUSIBLE_MEASUREMENT = BIT.implausibleMeasurement;
const INVARIANT_VIOLATION = BIT.invariantViolation;

const NO_FAULTS: readonly Fault[] = Object.freeze([]);
const QUIET_TICK: TickResult = Object.freeze({ raised: NO_FAULTS, cleared: NO_FAULTS });
const NO_MODULE_POSITIONS: readonly number[] = Object.freeze([]);

export class SafetySupervisor {
  private readonly seq: ContactorSequencer;
  private readonly registry: FaultRegistry;
  private readonly config: CabinetConfig;
  private readonly clock: Clock;
  private readonly sensors: Sensors;
  private readonly moduleBus: ModuleBus;
  private readonly inputs: SafetyInputs;
  private readonly ev: EvLink;
  private readonly log: Log;
  private readonly debounceMs: number;
  private readonly hysteresisC: number;
  private raisedThisTick: Fault[] | null = null;
  /** Reactions started (new faults): a check that keeps derived state across a loop reads it again after one. */
  private reactions = 0;
  /**
   * False only while the registry is known to hold no fault: then no cause can be "gone"
   * and the checks skip `gone` altogether (most ticks of a healthy cabinet). `kinds` is the
   * registry's `latchedKinds` (a `FAULT_KIND_BIT` per kind with a latched fault): `gone`
   * marks a cause only for a kind whose bit is set, as `causeGone` does nothing for the
   * others. Both are read from the registry at the start of the tick's checks and after
   * every raise: within the checks only `detected` latches a fault (the reactions it starts
   * raise none), and nothing in them clears one.
   */
  private latched = false;
  private kinds = 0;
  /** The sequencer's tables of this tick's readings and of islands by gun: the same objects for its life, written in place. */
  private readonly readings: TickReadings;
  private readonly islandsByGun: readonly (EnergizedIsland | undefined)[];
  private readonly ring: boolean;
  private readonly gunWatches: GunWatch[] = [];
  private readonly watchByGun = new Map<number, GunWatch>();
  private readonly moduleWatches: ModuleWatch[] = [];
  /** `moduleWatches[i].mnPos` by module position. */
  private readonly mnPosOfModule: Int32Array;
  /**
   * Per module position: 1 while its MN is confirmed closed (`health.confirmedAt`), as of
   * `health.positionVersion` = `mnFlagsVersion`. `confirmedAt` reads only a contactor's
   * command, aux reading and verdict, and every change of those bumps `positionVersion`:
   * while it is unchanged the flags are what `confirmedAt` would answer.
   */
  private readonly mnConfirmedClosed: Uint8Array;
  private mnFlagsVersion = NaN;
  /**
   * `checkModules` without a pass: the sequencer's `moduleTableVersion` and the registry's
   * `presentVersion` before the last pass (NaN: none yet), and the oldest `lastSeenMs` of the
   * modules not lost then. A pass that changed neither judged every module quiet, or judged
   * some only to refresh a fault latched there with its cause present (a no-op). Each module's
   * verdict is a pure function of its reply (the table is unchanged while the version is), the
   * clock and the causes present at it; the only part that moves with the clock is comms
   * (`now - lastSeenMs > timeout`): it holds for every fresh module when it holds for the oldest
   * one (subtraction is monotonic; a NaN time never times out), and a lost module stays lost.
   */
  private modulesQuietVersion = NaN;
  private modulesQuietPresentVersion = NaN;
  private modulesOldestSeenMs = 0;
  /**
   * Per gun position, what `checkIslands` sums over the island's modules, for one island
   * (`islandSumsOf`), module table (`moduleTableVersion`) and MN flags (`mnFlagsVersion`):
   * the module current sum, and the lowest and highest voltage of the running modules whose
   * MN is confirmed closed (their count; a NaN among them: NaN). The worst |bus - module|
   * difference is then the larger of the two ends' (subtraction is monotonic), the same
   * double as the module by module maximum.
   */
  private readonly islandSumsOf: (EnergizedIsland | undefined)[];
  private readonly islandSumsTable: Float64Array;
  private readonly islandSumsFlags: Float64Array;
  private readonly islandSumA: Float64Array;
  private readonly islandMinV: Float64Array;
  private readonly islandMaxV: Float64Array;
  private readonly islandComparedCount: Int32Array;
  private readonly unplugged = (gunId: number): boolean => this.watchByGun.get(gunId)?.evPlugged === 0;

  constructor(options: SupervisorOptions) {
    this.seq = options.sequencer;
    this.registry = options.sequencer.faults;
    this.config = options.sequencer.config;
    this.clock = options.clock;
    this.sensors = options.sensors;
    this.moduleBus = options.modules;
    this.inputs = options.inputs;
    this.ev = options.ev;
    this.log = options.log;
    this.debounceMs = options.implausibleDebounceMs ?? 100;
    this.hysteresisC = options.tempHysteresisC ?? 5;
    this.readings = this.seq.tickReadings;
    this.islandsByGun = this.seq.islandsByGun;
    this.ring = this.config.topology === "ring";
    for (const g of this.config.guns) {
      const slotPos = this.seq.slotPositionOf(g.slotId);
      const watch: GunWatch = {
        gunId: g.id, gun: this.seq.index.gunById.get(g.id) ?? g, location: `gun ${g.id}`, slotPos, busSlotPos: this.ring ? slotPos : -1,
        overVoltageSinceMs: NaN, evOverVoltageSinceMs: NaN, implausibleSinceMs: NaN, tripForEvMaxV: NaN, tripV: 0, evPlugged: -1, causes: 0, causesVersion: NaN,
        overCurrentLimitA: (this.seq.index.gunById.get(g.id) ?? g).maxCurrentA * this.config.safety.overCurrentFactor,
      };
      this.gunWatches.push(watch);
      this.watchByGun.set(g.id, watch);
    }
    for (const m of this.seq.index.modules) {
      this.moduleWatches.push({ id: m.id, location: `module ${m.id}`, mnPos: m.mn ? this.seq.health.positionOf(m.mn) : -1, causes: 0, causesVersion: NaN });
    }
    this.mnPosOfModule = Int32Array.from(this.moduleWatches, (w) => w.mnPos);
    this.mnConfirmedClosed = new Uint8Array(this.moduleWatches.length);
    const gunCount = this.gunWatches.length;
    this.islandSumsOf = new Array<EnergizedIsland | undefined>(gunCount).fill(undefined);
    this.islandSumsTable = new Float64Array(gunCount).fill(NaN);
    this.islandSumsFlags = new Float64Array(gunCount).fill(NaN);
    this.islandSumA = new Float64Array(gunCount);
    this.islandMinV = new Float64Array(gunCount);
    this.islandMaxV = new Float64Array(gunCount);
    this.islandComparedCount = new Int32Array(gunCount);
  }

  /** Latched faults, oldest first. */
  faults(): Fault[] {
    return this.registry.list();
  }

  /**
   * Operator reset (console, OCPP Reset): clears the fault with this id, or all,
   * whose cause is gone. Contactor faults also reset the contactor's verdict
   * (the operator vouches that it was inspected).
   */
  operatorReset(faultId?: number): Fault[] {
    for (const f of this.registry.list()) {
      if (faultId !== undefined && f.id !== faultId) continue;
      if (f.kind === "contactorWelded" || f.kind === "contactorStuckOpen" || f.kind === "contactorFeedback") {
        this.seq.health.reset(f.location);
        this.registry.causeGone(f.kind, f.location);
      }
    }
    return this.registry.operatorReset(faultId);
  }

  /** One fast tick. Never throws: a failure of the supervisor itself is a global High fault. */
  tick(): TickResult {
    this.raisedThisTick = null;
    const now = this.clock.nowMs();
    let cleared: readonly Fault[] = NO_FAULTS;
    try {
      // One read of the aux contacts and of every input per tick, shared with the sequencer's step.
      this.seq.beginTick();
      // Only a raise (here: `detected`) latches a fault; nothing else in this tick does.
      this.kinds = this.registry.latchedKinds;
      this.latched = this.kinds !== 0;
      this.checkInputs();
      const readings = this.readings;
      const watches = this.gunWatches;
      // The tables and the limits once per tick, not once per gun (on XS every property read counts).
      const meters = readings.guns;
      const evs = readings.ev;
      const limits = this.config.safety;
      for (let i = 0; i < watches.length; i++) this.checkGun(watches[i], i, meters[i], evs[i], limits, readings, now);
      this.checkModules(readings, now);
      this.checkIslands(readings, now);
      this.checkContactors();
      this.checkInvariants();
      cleared = this.registry.evaluateClears(this.unplugged);
      // A clean pass is the cause of a supervisor internal error gone (operator reset may clear it).
      if (this.registry.size > 0) this.registry.causeGone("internalError", "supervisor");
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      try {
        this.log.write("error", `supervisor: ${message}`);
      } catch {
        /* keep going */
      }
      this.detected({ kind: "internalError", severity: "high", scope: { global: true }, location: "supervisor", cause: message, clear: { rule: "operatorReset" } });
    }
    if (this.raisedThisTick === null && cleared.length === 0) return QUIET_TICK;
    return { raised: this.raisedThisTick ?? NO_FAULTS, cleared };
  }

  // ------------------------------------------------------------ detections

  /**
   * A present condition: latch it (refreshing its values) and react if it is new.
   * The checks call this only when the condition holds, and `gone` otherwise, so no
   * detection is built on a quiet tick.
   */
  private detected(d: Detection): void {
    const { fault, isNew } = this.registry.raise(d);
    this.kinds = this.registry.latchedKinds;
    this.latched = true;
    if (!isNew) return;
    (this.raisedThisTick ??= []).push(fault);
    this.reactions += 1;
    if (fault.severity === "high") this.seq.emergencyShutdown(fault.scope, `${fault.kind} at ${fault.location}`);
    else this.seq.errorShutdown(fault.scope, `${fault.kind} at ${fault.location}`);
  }

  /**
   * The cause of (kind, location) is absent now. Callers skip it while `latched` is
   * false, and it skips kinds not latched: no fault of the kind, no cause to mark gone.
   */
  private gone(kind: FaultKind, location: string): void {
    if ((this.kinds & BIT[kind]) !== 0) this.registry.causeGone(kind, location);
  }

  /**
   * The kinds latched at a watched location with their cause present (0 while nothing is
   * latched): the per-gun, per-module and per-island checks mark a cause gone only for
   * these bits, as `causeGone` does nothing for the others. One fault latched anywhere (a
   * failed module, for hours) would otherwise cost every check of every location a
   * registry look-up on every tick. Read again when the registry's `presentVersion` moves.
   */
  private causesAt(w: CauseWatch): number {
    if (!this.latched) return 0;
    const version = this.registry.presentVersion;
    if (w.causesVersion !== version) {
      w.causes = this.registry.causesPresentAt(w.location);
      w.causesVersion = version;
    }
    return w.causes;
  }

  /** True once `present` has held for at least `forMs` (0 = at once); `sinceMs` is when it was first seen (NaN: not present). */
  private static debounced(sinceMs: number, now: number, forMs: number): boolean {
    return now - sinceMs >= forMs;
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
    else if (this.latched) this.gone("estop", "cabinet");
    if (door) this.detected({ kind: "doorOpen", severity: "high", scope: { global: true }, location: "cabinet", cause: "door interlock open", clear: { rule: "causeGoneFor", ms: 1000 } });
    else if (this.latched) this.gone("doorOpen", "cabinet");
  }

  /** The gun at position `pos` in `config.guns`: EV link, sensors, insulation, over-voltage, over-current, connector temperature. */
  private checkGun(w: GunWatch, pos: number, m: GunMeasurement | null, ev: EvStatus | null, s: CabinetConfig["safety"], readings: TickReadings, now: number): void {
    const gunId = w.gunId;
    const location = w.location;
    w.evPlugged = ev === null ? -1 : ev.plugged === false ? 0 : 1;
    // A kind detected below is not marked gone at this location in the same pass: `here` may stay as read.
    // `causesAt` is 0 while nothing is latched: tested here first (on XS a call costs more than the test).
    const here = this.latched ? this.causesAt(w) : 0;
    if (ev === null) {
      this.detected({ kind: "evLinkLost", severity: "medium", scope: { guns: [gunId] }, location, cause: "EV communication controller unreadable",
        clear: { rule: "causeGoneFor", ms: 2000 } });
    } else if ((here & EV_LINK_LOST) !== 0) this.registry.causeGone("evLinkLost", location);
    if (m === null) return this.gunSensorFault(w, m);
    // Each field read once (a reading is plain data, kept by `m` even if a reaction reads again).
    const voltageV = m.voltageV;
    const currentA = m.currentA;
    const connectorTempC = m.connectorTempC;
    const insulationOhm = m.insulationOhm;
    if (!Number.isFinite(voltageV) || !Number.isFinite(currentA) || !Number.isFinite(connectorTempC) || Number.isNaN(insulationOhm)) return this.gunSensorFault(w, m);
    if ((here & SENSOR_FAULT) !== 0) this.registry.causeGone("sensorFault", location);

    // Insulation (seed 000 §11.8): the island is switched off and its slots kept off until the EV leaves.
    if (insulationOhm < s.insulationFaultOhm) {
      const slots = this.seq.islandSlotsOf(gunId);
      const islandSlots = slots.length ? slots : w.gun.slotId !== undefined ? [w.gun.slotId] : [];
      this.detected({ kind: "insulation", severity: "medium", scope: { guns: [gunId], slots: islandSlots }, location,
        cause: `insulation ${Math.round(insulationOhm)} Ω below ${s.insulationFaultOhm} Ω`, values: { insulationOhm }, clear: { rule: "unplug" } });
    } else if ((here & INSULATION) !== 0) this.registry.causeGone("insulation", location);

    // Over-voltage: the highest of the EV-side and island readings.
    let v = voltageV;
    const busPos = w.busSlotPos;
    if (busPos >= 0 && this.islandsByGun[pos] !== undefined) {
      const bus = readings.slotBusV[busPos];
      if (Number.isFinite(bus)) v = Math.max(v, bus); // else the gun reading stands
    }
    const evMaxV = ev === null ? 0 : ev.maxVoltageV;
    const evMax = evMaxV > 0 ? evMaxV : w.gun.maxVoltageV;
    // The trip threshold only changes with the EV's negotiated maximum: computed again when that does.
    if (w.tripForEvMaxV !== evMax) {
      w.tripForEvMaxV = evMax;
      w.tripV = overVoltageTripV(s.overVoltageBands, evMax);
    }
    const tripV = w.tripV;
    if (v > tripV) {
      if (Number.isNaN(w.overVoltageSinceMs)) w.overVoltageSinceMs = now;
    } else w.overVoltageSinceMs = NaN;
    if (v > tripV && SafetySupervisor.debounced(w.overVoltageSinceMs, now, s.overVoltageEmergencyMs)) {
      this.detected({ kind: "overVoltageEmergency", severity: "high", scope: { guns: [gunId] }, location,
        cause: `${v.toFixed(0)} V above ${tripV} V (EV max ${evMax} V) for ${s.overVoltageEmergencyMs} ms`, values: { voltageV: v, tripV }, clear: { rule: "unplug" } });
    } else if ((here & OVER_VOLTAGE_EMERGENCY) !== 0) this.registry.causeGone("overVoltageEmergency", location);
    const evOver = evMaxV > 0 && v > evMaxV;
    if (evOver) {
      if (Number.isNaN(w.evOverVoltageSinceMs)) w.evOverVoltageSinceMs = now;
    } else w.evOverVoltageSinceMs = NaN;
    if (evOver && SafetySupervisor.debounced(w.evOverVoltageSinceMs, now, s.evOverVoltageErrorMs)) {
      this.detected({ kind: "evOverVoltage", severity: "medium", scope: { guns: [gunId] }, location,
        cause: `${v.toFixed(0)} V above the EV maximum ${evMaxV} V for ${s.evOverVoltageErrorMs} ms`, values: { voltageV: v, evMaxV }, clear: { rule: "unplug" } });
    } else if ((here & EV_OVER_VOLTAGE) !== 0) this.registry.causeGone("evOverVoltage", location);

    // Over-current (seed 000 §11.7): fast local action.
    const limitA = w.overCurrentLimitA;
    if (Math.abs(currentA) > limitA) {
      this.detected({ kind: "gunOverCurrent", severity: "high", scope: { guns: [gunId] }, location,
        cause: `${Math.abs(currentA).toFixed(0)} A above ${limitA.toFixed(0)} A`, values: { currentA, limitA }, clear: { rule: "unplug" } });
    } else if ((here & GUN_OVER_CURRENT) !== 0) this.registry.causeGone("gunOverCurrent", location);

    if (connectorTempC >= s.connectorTripTempC) {
      this.detected({ kind: "connectorOverTemp", severity: "medium", scope: { guns: [gunId] }, location,
        cause: `connector ${connectorTempC.toFixed(0)} °C at or above ${s.connectorTripTempC} °C`, values: { tempC: connectorTempC }, clear: { rule: "causeGoneFor", ms: 60_000 } });
    } else if ((here & CONNECTOR_OVER_TEMP) !== 0 && connectorTempC < s.connectorTripTempC - this.hysteresisC) this.registry.causeGone("connectorOverTemp", location);
  }

  /** The gun's sensors are unreadable (`m` null) or read something that is not a number: nothing else of the gun is judged. */
  private gunSensorFault(w: GunWatch, m: GunMeasurement | null): void {
    this.detected({ kind: "sensorFault", severity: "medium", scope: { guns: [w.gunId] }, location: w.location, cause: m ? "gun measurement not a number" : "gun sensors unreadable",
      clear: { rule: "causeGoneFor", ms: 5000 } });
  }


  private checkModules(tickReadings: TickReadings, now: number): void {
    const trip = this.config.moduleRating.tripTempC;
    const commsTimeoutMs = this.config.safety.moduleCommsTimeoutMs;
    const table = this.seq.moduleTableVersion;
    const presentVersion = this.registry.presentVersion;
    // The same replies as at the last settled pass, the oldest fresh one still fresh, and no cause present or gone since: settled again.
    if (table === this.modulesQuietVersion && presentVersion === this.modulesQuietPresentVersion && !(now - this.modulesOldestSeenMs > commsTimeoutMs)) return;
    const watches = this.moduleWatches;
    const readings = tickReadings.modules;
    let oldestSeenMs = Infinity;
    for (let i = 0; i < watches.length; i++) {
      const r: ModuleReading | null = readings[i];
      const w = watches[i];
      // The common case in one test: online, fresh, cool, no alarm, and no cause latched here (nothing to mark gone).
      if (r !== null && r.online && !(now - r.lastSeenMs > commsTimeoutMs) && !(r.tempC >= trip) && !(r.alarms.length > 0) && (!this.latched || this.causesAt(w) === 0)) {
        if (r.lastSeenMs < oldestSeenMs) oldestSeenMs = r.lastSeenMs;
        continue;
      }
      // A module judged fresh now would be judged lost once its reply is too old: it counts for the oldest too.
      if (r !== null && r.online && !(now - r.lastSeenMs > commsTimeoutMs) && r.lastSeenMs < oldestSeenMs) oldestSeenMs = r.lastSeenMs;
      this.judgeModule(w, r, now, trip, commsTimeoutMs);
    }
    // The versions read before the pass: a pass that raised something new or marked a cause present or gone
    // moved `presentVersion` (a reaction that read the replies again moved the table), so the next tick
    // passes again. One that moved neither judged only faults latched with their cause present, and a
    // refresh of such a fault is a no-op (the same reply gives the same values): the same pass on the same
    // replies and causes does exactly that again, until the oldest fresh reply times out (a lost module
    // stays lost as the clock advances).
    this.modulesQuietVersion = table;
    this.modulesQuietPresentVersion = presentVersion;
    this.modulesOldestSeenMs = oldestSeenMs;
  }

  /** Comms, temperature and alarms of one module (`r`: its reading, null when unreadable). */
  private judgeModule(watch: ModuleWatch, r: ModuleReading | null, now: number, trip: number, commsTimeoutMs: number): void {
    const id = watch.id;
    const location = watch.location;
    const here = this.causesAt(watch);
    const lost = r === null || !r.online || now - r.lastSeenMs > commsTimeoutMs;
    if (lost) {
      this.detected({ kind: "moduleCommsLost", severity: "medium", scope: { modules: [id] }, location,
        cause: r ? `no frame for ${now - r.lastSeenMs} ms` : "module bus unreadable", clear: { rule: "causeGoneFor", ms: 5000 } });
    } else if ((here & MODULE_COMMS_LOST) !== 0) this.registry.causeGone("moduleCommsLost", location);
    if (!r || lost) return;
    if (r.tempC >= trip) {
      this.detected({ kind: "moduleOverTemp", severity: "low", scope: { modules: [id] }, location, cause: `${r.tempC.toFixed(0)} °C at or above ${trip} °C`,
        values: { tempC: r.tempC }, clear: { rule: "causeGoneFor", ms: 30_000 } });
    } else if ((here & MODULE_OVER_TEMP) !== 0 && r.tempC < trip - this.hysteresisC) this.registry.causeGone("moduleOverTemp", location);
    if (r.alarms.length > 0) {
      this.detected({ kind: "moduleAlarm", severity: "low", scope: { modules: [id] }, location, cause: `alarms: ${r.alarms.join(", ")}`,
        clear: { rule: "causeGoneFor", ms: 5000 } });
    } else if ((here & MODULE_ALARM) !== 0) this.registry.causeGone("moduleAlarm", location);
  }


  private checkIslands(readings: TickReadings, now: number): void {
    const s = this.config.safety;
    const ring = this.ring;
    const islands = this.seq.energizedIslands; // this tick's list, as a reaction below may release islands
    const current = this.islandsByGun;
    const watches = this.gunWatches;
    const slotBusV = readings.slotBusV;
    const moduleReadings = readings.modules;
    const islandOverCurrentA = s.islandOverCurrentA;
    const implausibleDeltaV = s.implausibleVoltageDeltaV;
    // Locals: this runs every fast tick, and on XS every `this.` is a property lookup.
    const sumsOf = this.islandSumsOf;
    const sumsTable = this.islandSumsTable;
    const sumsFlags = this.islandSumsFlags;
    const islandSumA = this.islandSumA;
    const islandMinV = this.islandMinV;
    const islandMaxV = this.islandMaxV;
    const comparedCount = this.islandComparedCount;
    let mnClosed = this.mnFlags();
    let flagsVersion = this.mnFlagsVersion;
    // Only a reaction (a new fault below) can command contactors or read the module replies
    // again within this loop: both keys are read again after one.
    let table = this.seq.moduleTableVersion;
    let reactionsSeen = this.reactions;
    for (let j = 0; j < islands.length; j++) {
      const island: EnergizedIsland = islands[j];
      const gunPos = island.gunPos;
      const w = watches[gunPos];
      // An island released by a reaction earlier in this loop has no modules left to judge.
      const modulePos = current[gunPos] === island ? island.modulePos : NO_MODULE_POSITIONS;
      const busV = ring && w.slotPos >= 0 ? slotBusV[w.slotPos] : NaN;
      if (this.reactions !== reactionsSeen) {
        mnClosed = this.mnFlags();
        flagsVersion = this.mnFlagsVersion;
        table = this.seq.moduleTableVersion;
        reactionsSeen = this.reactions;
      }
      let sumA = 0;
      let worstDeltaV = 0;
      if (modulePos.length === 0) sumsOf[gunPos] = undefined;
      else {
        if (sumsOf[gunPos] !== island || sumsTable[gunPos] !== table || sumsFlags[gunPos] !== flagsVersion) {
          this.sumIsland(gunPos, modulePos, moduleReadings, mnClosed);
          sumsOf[gunPos] = island;
          sumsTable[gunPos] = table;
          sumsFlags[gunPos] = flagsVersion;
        }
        sumA = islandSumA[gunPos];
        // Only running modules on the bus (MN confirmed closed) are compared with it, every tick.
        if (comparedCount[gunPos] > 0 && Number.isFinite(busV)) {
          worstDeltaV = Math.max(0, Math.abs(busV - islandMinV[gunPos]), Math.abs(busV - islandMaxV[gunPos]));
        }
      }
      // The common case in one test: neither condition present and no cause latched here (nothing to mark gone).
      if (!(sumA > islandOverCurrentA) && !(worstDeltaV > implausibleDeltaV) && (!this.latched || this.causesAt(w) === 0)) {
        w.implausibleSinceMs = NaN;
        continue;
      }
      this.judgeIsland(island, w, sumA, worstDeltaV, now);
    }
  }

  /**
   * The module current sum of an island (online modules, in list order: the same double as
   * summed in `checkIslands` before), and the lowest and highest voltage of its running
   * modules whose MN is confirmed closed (a NaN voltage makes both NaN, as it made the
   * running maximum NaN).
   */
  private sumIsland(gunPos: number, modulePos: readonly number[], moduleReadings: readonly (ModuleReading | null)[], mnClosed: Uint8Array): void {
    let sumA = 0;
    let minV = Infinity;
    let maxV = -Infinity;
    let compared = 0;
    for (let k = 0; k < modulePos.length; k++) {
      const pos = modulePos[k];
      const r: ModuleReading | null = pos < 0 ? null : moduleReadings[pos];
      if (!r || !r.online) continue;
      sumA += Math.abs(r.currentA);
      if (!r.running || mnClosed[pos] !== 1) continue;
      const v = r.voltageV;
      compared++;
      if (Number.isNaN(v) || Number.isNaN(minV)) {
        minV = NaN;
        maxV = NaN;
        continue;
      }
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    this.islandSumA[gunPos] = sumA;
    this.islandMinV[gunPos] = minV;
    this.islandMaxV[gunPos] = maxV;
    this.islandComparedCount[gunPos] = compared;
  }

  /** Island over-current and plausibility of one island, from its module current sum and worst bus-module difference. */
  private judgeIsland(island: EnergizedIsland, w: GunWatch, sumA: number, worstDeltaV: number, now: number): void {
    const s = this.config.safety;
    const location = w.location;
    const here = this.causesAt(w);
    if (sumA > s.islandOverCurrentA) {
      this.detected({ kind: "islandOverCurrent", severity: "high", scope: { guns: [island.gunId] }, location,
        cause: `island modules deliver ${sumA.toFixed(0)} A above ${s.islandOverCurrentA} A`, values: { currentA: sumA }, clear: { rule: "unplug" } });
    } else if ((here & ISLAND_OVER_CURRENT) !== 0) this.registry.causeGone("islandOverCurrent", location);
    const implausible = worstDeltaV > s.implausibleVoltageDeltaV;
    if (implausible) {
      if (Number.isNaN(w.implausibleSinceMs)) w.implausibleSinceMs = now;
    } else w.implausibleSinceMs = NaN;
    if (implausible && SafetySupervisor.debounced(w.implausibleSinceMs, now, this.debounceMs)) {
      this.detected({ kind: "implausibleMeasurement", severity: "medium", scope: { guns: [island.gunId] }, location,
        cause: `island bus and module reports differ by ${worstDeltaV.toFixed(0)} V (> ${s.implausibleVoltageDeltaV} V)`, values: { deltaV: worstDeltaV },
        clear: { rule: "causeGoneFor", ms: 5000 } });
    } else if ((here & IMPLAUSIBLE_MEASUREMENT) !== 0) this.registry.causeGone("implausibleMeasurement", location);
  }

  /** `mnConfirmedClosed`, read again from the health when a contactor's command, aux or verdict changed. */
  private mnFlags(): Uint8Array {
    const health = this.seq.health;
    const version = health.positionVersion;
    const flags = this.mnConfirmedClosed;
    if (version !== this.mnFlagsVersion) {
      const mnPos = this.mnPosOfModule;
      for (let i = 0; i < flags.length; i++) flags[i] = mnPos[i] >= 0 && health.confirmedAt(mnPos[i], true) ? 1 : 0;
      this.mnFlagsVersion = version;
    }
    return flags;
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
      if (f) this.detected({ kind, severity, scope, location: id, cause: `${info.kind} ${id} ${f}`, clear: { rule: "operatorReset" } });
    }
  }

  /**
   * Runtime audit of §5.1/§5.2 on the conservative view: catches what no step
   * caused (a boundary MC dropping closed, a GC closing by itself).
   */
  private checkInvariants(): void {
    const all = this.seq.auditState();
    if (all.length > 0) {
      // A copy: a reaction below may run a new audit.
      const found = all.filter((v) => v.invariant === 1 || v.invariant === 2);
      for (const v of found) {
        const guns = [...new Set(v.guns)].sort((a, b) => a - b);
        this.detected({ kind: "invariantViolation", severity: "high", scope: guns.length ? { guns } : { global: true },
          location: `§5.${v.invariant} guns ${guns.join(",")}`, cause: v.message, clear: { rule: "operatorReset" } });
      }
      if (found.length > 0) return;
    }
    // Faults of this kind are cleared by the operator once the audit is clean. `kinds` is the
    // registry's `latchedKinds` (read again after every raise): its bit says whether one is latched.
    if ((this.kinds & INVARIANT_VIOLATION) !== 0) {
      for (const f of this.registry.list()) if (f.kind === "invariantViolation") this.registry.causeGone(f.kind, f.location);
    }
  }
}
