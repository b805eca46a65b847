import type { AuxReading, CabinetHal, Clock, ContactorBank, EvLink, EvStatus, Log, LogLevel, ModuleBus, ModuleCommand, ModuleReading, SafetyInputs, Sensors, Storage } from "../../hal/index";
import type { BusMeasurement, GunMeasurement } from "../../hal/sensors";
import type { CabinetPlant, PlantGun } from "../plant/plant";
import type { ContactorModel } from "../plant/contactor";
import type { PowerModuleModel } from "../plant/power-module";
import { Prng } from "../plant/prng";
import { firstPositions, ResolvedIds, SequentialIndex } from "./sequential-index";

/** The simulated clock: the plant's time. The runner advances it; the controller only reads it. */
export class SimClock implements Clock {
  constructor(private readonly plant: CabinetPlant) {}
  nowMs(): number {
    return this.plant.nowMs;
  }
}

export interface LogLine {
  atMs: number;
  level: LogLevel;
  message: string;
}

/** Log lines kept in memory (last `capacity`), optionally forwarded to a sink. */
export class MemoryLog implements Log {
  readonly lines: LogLine[] = [];
  constructor(private readonly clock: Clock, private readonly capacity = 5000, private readonly sink?: (line: LogLine) => void) {}
  write(level: LogLevel, message: string): void {
    const line = { atMs: this.clock.nowMs(), level, message };
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    this.sink?.(line);
  }
}

export class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  get(key: string): string | undefined {
    return this.map.get(key);
  }
  set(key: string, value: string): void {
    this.map.set(key, value);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  keys(prefix = ""): string[] {
    return [...this.map.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

/** Coils and aux contacts of the plant's contactors. */
export class SimContactorBank implements ContactorBank {
  readonly ids: readonly string[];
  private readonly commandedClosed = new Map<string, boolean>();
  /**
   * The last aux reading handed out per contactor. Readings are immutable, so the same
   * object is returned until the aux contact changes (the controller reads every aux
   * contact twice per 10 ms tick; building a new object each time was most of the garbage).
   */
  private readonly auxModels: ContactorModel[] = [];
  private readonly auxReadings: AuxReading[] = [];
  /** Position in `ids` of the contactor asked for (the controller reads them in the same order every tick). */
  private readonly auxIndex: SequentialIndex<string>;
  /** Positions of a batch reader's ids (see `readAux`). */
  private readonly auxBatch: ResolvedIds<string>;
  constructor(private readonly plant: CabinetPlant, private readonly log: Log) {
    this.ids = [...plant.contactors.keys()];
    for (const [id, c] of plant.contactors) {
      this.commandedClosed.set(id, c.normallyClosed);
      this.auxModels.push(c);
      this.auxReadings.push(Object.freeze({ closed: c.auxClosed, changedAtMs: c.auxChangedAtMs }));
    }
    this.auxIndex = new SequentialIndex(this.ids);
    this.auxBatch = new ResolvedIds(firstPositions(this.ids));
  }
  command(id: string, closed: boolean): void {
    const c = this.plant.contactors.get(id);
    if (!c) {
      this.log.write("error", `contactors: command for unknown contactor ${JSON.stringify(id)} ignored`);
      return;
    }
    this.commandedClosed.set(id, closed);
    // An MC (normally closed) opens when its coil is energized.
    this.plant.setCoil(id, c.normallyClosed ? !closed : closed);
  }
  commanded(id: string): boolean {
    return this.commandedClosed.get(id) ?? false;
  }
  aux(id: string): AuxReading {
    const i = this.auxIndex.indexOf(id);
    if (i < 0) return { closed: false, changedAtMs: 0 };
    const c = this.auxModels[i];
    const reading = this.auxReadings[i];
    if (reading.closed === c.auxClosed && reading.changedAtMs === c.auxChangedAtMs) return reading;
    return (this.auxReadings[i] = Object.freeze({ closed: c.auxClosed, changedAtMs: c.auxChangedAtMs }));
  }
  /** Every aux contact asked for, straight from the plant's contactor models (as `aux(id).closed`; unknown: open). */
  readAux(ids: readonly string[], into: Uint8Array): void {
    const positions = this.auxBatch.of(ids);
    const models = this.auxModels;
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k];
      into[k] = i >= 0 && models[i].auxClosed ? 1 : 0;
    }
  }
  releaseAll(): void {
    for (const [id, c] of this.plant.contactors) {
      this.commandedClosed.set(id, c.normallyClosed);
      this.plant.setCoil(id, false, true);
    }
  }
  close(): void {}
}

export interface SimModuleBusOptions {
  /** The bus repeats each module's last command this often (modules time out without traffic). */
  pollPeriodMs: number;
  /** Replies (readings) refresh this often while the module answers. */
  readPeriodMs: number;
  /** online = a reply within this time. */
  commsTimeoutMs: number;
}

/**
 * The module's alarms (PowerModuleModel.alarms(): same words, same order) as shared frozen
 * arrays: readings refresh 10 times a second per module and the list almost never changes.
 */
const NO_ALARMS: readonly string[] = Object.freeze([]);
const FAULT: readonly string[] = Object.freeze(["fault"]);
const OVER_TEMP: readonly string[] = Object.freeze(["overTemp"]);
const DERATING: readonly string[] = Object.freeze(["derating"]);
const FAULT_OVER_TEMP: readonly string[] = Object.freeze(["fault", "overTemp"]);
const FAULT_DERATING: readonly string[] = Object.freeze(["fault", "derating"]);

function alarmsOf(m: PowerModuleModel): readonly string[] {
  const heat = m.overTempTripped ? 2 : m.tempC > m.rating.derateStartTempC ? 1 : 0;
  if (m.failed) return heat === 2 ? FAULT_OVER_TEMP : heat === 1 ? FAULT_DERATING : FAULT;
  return heat === 2 ? OVER_TEMP : heat === 1 ? DERATING : NO_ALARMS;
}

/** The module CAN bus: commands reach the plant at once and are repeated; replies refresh periodically. */
export class SimModuleBus implements ModuleBus {
  readonly ids: readonly string[];
  private readonly last = new Map<string, ModuleCommand>();
  /** The latest reply per module, by the plant's module position (= position in `ids`). */
  private readonly readings: ModuleReading[] = [];
  /** Position of the module asked for (the controller reads them in the same order every tick). */
  private readonly readIndex: SequentialIndex<string>;
  private nextPollMs = 0;
  private nextReadMs = 0;
  /**
   * Bumped whenever the readings refresh (`service`): `read` hands out `readings[i]`, and
   * those objects are replaced, never changed, only there. Unknown ids get the same
   * offline values every time.
   */
  readingsVersion = 0;
  constructor(private readonly plant: CabinetPlant, private readonly options: SimModuleBusOptions, private readonly noise: SensorNoise, private readonly log: Log) {
    this.ids = plant.modules.map((m) => m.id);
    this.readIndex = new SequentialIndex(this.ids, plant.moduleIndexById);
    for (let i = 0; i < this.ids.length; i++) {
      this.readings.push({ online: false, running: false, voltageV: 0, currentA: 0, tempC: 0, alarms: [], lastSeenMs: -Infinity });
    }
  }
  command(id: string, command: ModuleCommand): void {
    if (!this.plant.moduleIndexById.has(id)) {
      this.log.write("error", `modules: command for unknown module ${JSON.stringify(id)} ignored`);
      return;
    }
    const copy = { enabled: command.enabled, voltageV: command.voltageV, currentLimitA: command.currentLimitA };
    this.last.set(id, copy);
    this.plant.commandModule(id, copy);
  }
  read(id: string): ModuleReading {
    const i = this.readIndex.indexOf(id);
    return i >= 0 ? this.readings[i] : { online: false, running: false, voltageV: 0, currentA: 0, tempC: 0, alarms: [], lastSeenMs: -Infinity };
  }
  close(): void {}
  /** Called by the runner after every plant step. */
  service(nowMs: number): void {
    if (nowMs >= this.nextPollMs) {
      this.nextPollMs = nowMs + this.options.pollPeriodMs;
      for (const [id, cmd] of this.last) this.plant.commandModule(id, cmd);
    }
    if (nowMs >= this.nextReadMs) {
      this.nextReadMs = nowMs + this.options.readPeriodMs;
      this.readingsVersion += 1;
      const modules = this.plant.modules;
      const readings = this.readings;
      for (let i = 0; i < modules.length; i++) {
        const m = modules[i];
        if (m.commsLost) {
          const prev = readings[i];
          readings[i] = { ...prev, online: nowMs - prev.lastSeenMs <= this.options.commsTimeoutMs };
          continue;
        }
        readings[i] = {
          online: true,
          running: m.running,
          voltageV: this.noise.voltage(m.outputVoltageV),
          currentA: this.noise.current(m.outputCurrentA),
          tempC: this.noise.temp(m.tempC),
          alarms: alarmsOf(m),
          lastSeenMs: nowMs,
        };
      }
    }
  }
}

/**
 * Seeded Gaussian noise on analog readings (exact at 0). Samples come from a table
 * drawn once from the seeded generator and walked with an odd stride: sensors are
 * read thousands of times per simulated second and Box-Muller on every read costs more
 * than the rest of the plant.
 */
export class SensorNoise {
  private readonly table = new Float64Array(4096);
  private cursor = 0;
  constructor(rng: Prng, private readonly sd: { voltageNoiseV: number; currentNoiseA: number; tempNoiseC: number }) {
    for (let i = 0; i < this.table.length; i++) this.table[i] = rng.normal();
  }
  // Each reading advances the cursor once and scales one table sample, written out in each method
  // (no nested call): these run for every gun on every tick, and a nested call that V8 does not
  // inline returns a boxed number.
  voltage(v: number): number {
    const sd = this.sd.voltageNoiseV;
    if (!(sd > 0)) return v;
    this.cursor = (this.cursor + 1237) & 4095;
    return v + sd * this.table[this.cursor];
  }
  current(a: number): number {
    const sd = this.sd.currentNoiseA;
    if (!(sd > 0)) return a;
    this.cursor = (this.cursor + 1237) & 4095;
    return a + sd * this.table[this.cursor];
  }
  temp(c: number): number {
    const sd = this.sd.tempNoiseC;
    if (!(sd > 0)) return c;
    this.cursor = (this.cursor + 1237) & 4095;
    return c + sd * this.table[this.cursor];
  }
  /**
   * A gun reading's three analog values into `record`: voltage(voltageV), current(currentA),
   * temp(tempC), in that order, each written out as above, with the cursor kept in a local
   * (every gun is read on every tick).
   */
  gunReading(record: GunMeasurement, voltageV: number, currentA: number, tempC: number): void {
    const table = this.table;
    const sd = this.sd;
    let cursor = this.cursor;
    const sdV = sd.voltageNoiseV;
    if (sdV > 0) {
      cursor = (cursor + 1237) & 4095;
      voltageV = voltageV + sdV * table[cursor];
    }
    const sdA = sd.currentNoiseA;
    if (sdA > 0) {
      cursor = (cursor + 1237) & 4095;
      currentA = currentA + sdA * table[cursor];
    }
    const sdC = sd.tempNoiseC;
    if (sdC > 0) {
      cursor = (cursor + 1237) & 4095;
      tempC = tempC + sdC * table[cursor];
    }
    this.cursor = cursor;
    record.voltageV = voltageV;
    record.currentA = currentA;
    record.connectorTempC = tempC;
  }
}

/** What gun() reports for a gun the plant does not have (a fresh object, like every gun reading). */
function unknownGunMeasurement(): GunMeasurement {
  return { voltageV: 0, currentA: 0, connectorTempC: 0, insulationOhm: Infinity, energyWh: 0 };
}

export class SimSensors implements Sensors {
  /** Position of the gun asked for in plant.guns (the controller reads them in the same order every tick). */
  private readonly gunIndex: SequentialIndex<number>;
  /** Slot buses by position in the config's slot list: the slot's plant node (-1: none) and its reading. */
  private readonly slotIndex: SequentialIndex<number>;
  private readonly slotNodes: Int32Array;
  private readonly slotReadings: (BusMeasurement & { voltageV: number })[] = [];
  /** The plant's (fixed) gun list and measured node voltages, one load away instead of two. */
  private readonly guns: readonly PlantGun[];
  private readonly measuredNodeVoltageV: Float64Array;
  /** Positions of a batch reader's gun and slot ids (see `readGuns`, `readSlotBuses`). */
  private readonly gunBatch: ResolvedIds<number>;
  private readonly slotBatch: ResolvedIds<number>;
  /** What `readGuns` hands out, by position in the list it is given. */
  private readonly gunRecords: GunMeasurement[] = [];
  constructor(private readonly plant: CabinetPlant, private readonly noise: SensorNoise) {
    this.guns = plant.guns;
    this.measuredNodeVoltageV = plant.measuredNodeVoltageV;
    this.gunIndex = new SequentialIndex(plant.guns.map((g) => g.id), plant.gunIndexById);
    const slotIds = (plant.config.slots ?? []).map((s) => s.id);
    this.slotIndex = new SequentialIndex(slotIds);
    this.slotNodes = Int32Array.from(slotIds, (id) => plant.slotNode(id));
    for (let i = 0; i < slotIds.length; i++) this.slotReadings.push({ voltageV: 0 });
    this.gunBatch = new ResolvedIds(plant.gunIndexById);
    this.slotBatch = new ResolvedIds(firstPositions(slotIds));
  }
  /** A new object per reading (callers may keep it). */
  gun(gunId: number): GunMeasurement {
    const i = this.gunIndex.indexOf(gunId);
    return i < 0 ? unknownGunMeasurement() : this.measureGun(i, unknownGunMeasurement());
  }
  /**
   * `gun(gunIds[k])` for every k, in that order (the same noise draws as one by one), into
   * one record per list position refilled on every batch read (as `slotBus` does): the
   * controller reads every meter 100 times a second and uses the numbers within the tick.
   * By list position, not by gun, so that an id listed twice gets two readings, as one by one.
   */
  readGuns(gunIds: readonly number[], into: (GunMeasurement | null)[]): void {
    const positions = this.gunBatch.of(gunIds);
    const records = this.gunRecords;
    while (records.length < positions.length) records.push(unknownGunMeasurement());
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k];
      into[k] = i < 0 ? unknownGunMeasurement() : this.measureGun(i, records[k]);
    }
  }
  /** The gun at plant position i, into `record`. Draws voltage, current, temperature noise, in that order. */
  private measureGun(i: number, record: GunMeasurement): GunMeasurement {
    const g = this.guns[i];
    const imd = this.plant.params.imd;
    this.noise.gunReading(record, this.measuredNodeVoltageV[g.evNode], g.currentA, g.connectorTempC);
    // as plant.insulationOhm(gunId), without a second lookup of the gun
    record.insulationOhm = g.imdFaults > 0 ? imd.faultOhm : imd.healthyOhm;
    record.energyWh = g.meterEnergyWh;
    return record;
  }
  /**
   * One reading object per slot, refilled on each read: the controller reads slot buses
   * 100 times a second and takes the number at once (like a register read on hardware).
   * A caller that must keep a reading copies it.
   */
  slotBus(slotId: number): BusMeasurement {
    const i = this.slotIndex.indexOf(slotId);
    if (i >= 0) {
      const node = this.slotNodes[i];
      const reading = this.slotReadings[i];
      reading.voltageV = node < 0 ? 0 : this.noise.voltage(this.measuredNodeVoltageV[node]);
      return reading;
    }
    return this.otherSlotBus(slotId);
  }
  /** `slotBus(slotIds[k]).voltageV` for every k, in that order (the same noise draws as one by one). */
  readSlotBuses(slotIds: readonly number[], intoV: Float64Array): void {
    const positions = this.slotBatch.of(slotIds);
    const nodes = this.slotNodes;
    const measured = this.measuredNodeVoltageV;
    for (let k = 0; k < positions.length; k++) {
      const i = positions[k];
      if (i < 0) {
        intoV[k] = this.otherSlotBus(slotIds[k]).voltageV;
        continue;
      }
      const node = nodes[i];
      const voltageV = node < 0 ? 0 : this.noise.voltage(measured[node]);
      // `slotBus` hands this record out; keep it the latest reading either way.
      this.slotReadings[i].voltageV = voltageV;
      intoV[k] = voltageV;
    }
  }
  /** A slot that is not in the config: the plant may still know it (it never does today); one reading per id, as above. */
  private readonly otherBusReadings = new Map<number, BusMeasurement & { voltageV: number }>();
  private otherSlotBus(slotId: number): BusMeasurement {
    const node = this.plant.slotNode(slotId);
    const voltageV = node < 0 ? 0 : this.noise.voltage(this.plant.measuredNodeVoltageV[node]);
    let reading = this.otherBusReadings.get(slotId);
    if (reading === undefined) {
      reading = { voltageV };
      this.otherBusReadings.set(slotId, reading);
    } else reading.voltageV = voltageV;
    return reading;
  }
  gridPowerKW(): number {
    return this.plant.gridPowerW / 1000;
  }
}

export class SimSafetyInputs implements SafetyInputs {
  constructor(private readonly plant: CabinetPlant) {}
  estopActive(): boolean {
    return this.plant.estopActive;
  }
  doorOpen(): boolean {
    return this.plant.doorOpen;
  }
}

/** What an empty gun reports (immutable, shared: most guns are empty most of the time). */
const NO_EV: EvStatus = Object.freeze({
  plugged: false, ready: false, requestCurrentA: 0, requestVoltageV: 0, maxVoltageV: 0, maxCurrentA: 0, batteryVoltageV: 0, socPct: null, stopRequested: false, paused: false,
});

export class SimEvLink implements EvLink {
  /** Position of the gun asked for in plant.guns (the controller reads them in the same order every tick). */
  private readonly gunIndex: SequentialIndex<number>;
  /** Positions of a batch reader's gun ids (see `readStatuses`). */
  private readonly gunBatch: ResolvedIds<number>;
  constructor(private readonly plant: CabinetPlant) {
    this.gunIndex = new SequentialIndex(plant.guns.map((g) => g.id), plant.gunIndexById);
    this.gunBatch = new ResolvedIds(plant.gunIndexById);
  }
  status(gunId: number): EvStatus {
    return this.statusAt(this.gunIndex.indexOf(gunId), null);
  }
  /**
   * `status(gunIds[k])` for every k, in that order, into one record per list position,
   * refilled on every call (the EvLink register read): the controller reads every EV 100
   * times a second, and a new object per plugged gun per read was an eighth of all the
   * garbage. By list position, as `readGuns`.
   */
  readStatuses(gunIds: readonly number[], into: (EvStatus | null)[]): void {
    const positions = this.gunBatch.of(gunIds);
    const records = this.statusRecords;
    while (records.length < positions.length) records.push({ ...NO_EV });
    for (let k = 0; k < positions.length; k++) into[k] = this.statusAt(positions[k], records[k]);
  }
  /** What `readStatuses` refills, by position in the list it is given. */
  private readonly statusRecords: EvStatus[] = [];
  /**
   * The status of the gun at plant position i (-1: none): the shared frozen NO_EV when no EV
   * is plugged, else `record` refilled, or a new object when `record` is null.
   */
  private statusAt(i: number, record: EvStatus | null): EvStatus {
    const ev = i < 0 ? null : this.plant.guns[i].ev;
    if (!ev) return NO_EV;
    // ev.terminalVoltageV() written out (same expression): a number returned from a call V8 does
    // not inline is boxed, and this runs for every plugged gun on every tick.
    ev.refreshOpenCircuitVoltage();
    const batteryVoltageV = ev.ocvV + ev.batteryCurrentA * ev.packResistanceOhm;
    // A new object is filled the same way as a refilled record (one field list).
    if (record === null) record = { ...NO_EV };
    record.plugged = true;
    record.ready = ev.ready;
    record.requestCurrentA = ev.requestCurrentA;
    record.requestVoltageV = ev.targetVoltageV;
    record.maxVoltageV = ev.maxVoltageV;
    record.maxCurrentA = ev.maxCurrentA;
    record.batteryVoltageV = batteryVoltageV;
    record.socPct = ev.socPct;
    record.stopRequested = ev.stopRequested;
    record.paused = ev.paused;
    return record;
  }
  offer(gunId: number, maxCurrentA: number, presentVoltageV: number): void {
    if (this.plant.gunIndexById.has(gunId)) this.plant.offer(gunId, maxCurrentA, presentVoltageV);
  }
}

export interface HostHalOptions {
  /** Default: the config's timing.modulePollPeriodMs. */
  modulePollPeriodMs?: number;
  moduleReadPeriodMs?: number;
  logCapacity?: number;
  logSink?: (line: LogLine) => void;
  storage?: Storage;
}

/** The host HAL: every hal/ interface on top of the plant. Call service() after each plant step. */
export interface HostHal extends CabinetHal {
  clock: SimClock;
  contactors: SimContactorBank;
  modules: SimModuleBus;
  log: MemoryLog;
  service(): void;
}

export function createHostHal(plant: CabinetPlant, options: HostHalOptions = {}): HostHal {
  const clock = new SimClock(plant);
  const log = new MemoryLog(clock, options.logCapacity ?? 5000, options.logSink);
  const noise = new SensorNoise(plant.rng.fork(), plant.params.sensors);
  const modules = new SimModuleBus(plant, {
    pollPeriodMs: options.modulePollPeriodMs ?? plant.config.timing.modulePollPeriodMs,
    readPeriodMs: options.moduleReadPeriodMs ?? 100,
    commsTimeoutMs: plant.config.safety.moduleCommsTimeoutMs,
  }, noise, log);
  const hal: HostHal = {
    clock,
    contactors: new SimContactorBank(plant, log),
    modules,
    sensors: new SimSensors(plant, noise),
    inputs: new SimSafetyInputs(plant),
    ev: new SimEvLink(plant),
    storage: options.storage ?? new MemoryStorage(),
    log,
    feedWatchdog: () => plant.feedWatchdog(),
    service: () => modules.service(plant.nowMs),
  };
  return hal;
}
