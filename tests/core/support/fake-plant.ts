/**
 * A small platform-free fake plant for the safety tests: contactors with
 * operate/release delays, welds and stuck coils; power modules whose output
 * slews to its setpoint; EVs that draw what they are offered; sensors; inputs;
 * storage; a virtual clock. It also carries its own, independent monitor of the
 * DESIGN.md §5 invariants on the *physical* state (the oracle of the property
 * tests): it does not share code with src/sequencer/invariants.ts.
 */
import type { Clock } from "../../../hal/clock";
import type { AuxReading, ContactorBank } from "../../../hal/contactors";
import type { EvLink, EvStatus } from "../../../hal/ev-link";
import type { SafetyInputs } from "../../../hal/inputs";
import type { Log, LogLevel } from "../../../hal/log";
import type { ModuleBus, ModuleCommand, ModuleReading } from "../../../hal/power-modules";
import type { BusMeasurement, GunMeasurement, Sensors } from "../../../hal/sensors";
import type { Storage } from "../../../hal/storage";
import { builtinDocument, indexCabinet, validateCabinetConfig, type CabinetConfig, type CabinetIndex, type CabinetConfigDocument } from "../../../src/config";

export interface PlantContactor {
  id: string;
  kind: string;
  commanded: boolean;
  /** Main contacts. */
  closed: boolean;
  aux: boolean;
  auxChangedAtMs: number;
  dueAtMs: number | null;
  welded: boolean;
  stuckOpen: boolean;
  a: string;
  b: string;
}

export interface PlantModule {
  id: string;
  cmd: ModuleCommand;
  outputV: number;
  currentA: number;
  tempC: number;
  online: boolean;
  lastSeenMs: number;
  alarms: string[];
  /** Keeps running whatever it is told (a module fault). */
  forceRunning: boolean;
  /** Set by fault injection: from then on it must never be switched on again (§5.5). */
  faultyAtMs: number | null;
}

export interface PlantEv {
  plugged: boolean;
  ready: boolean;
  batteryV: number;
  maxV: number;
  maxCurrentA: number;
  requestCurrentA: number;
  stopRequested: boolean;
  paused: boolean;
  offeredA: number;
  /** A misbehaving EV that keeps drawing whatever it is offered. */
  ignoresOffer?: boolean;
}

export interface Violation {
  atMs: number;
  invariant: number;
  message: string;
}

export interface BreakUnderLoad {
  atMs: number;
  id: string;
  currentA: number;
}

export interface PlantOptions {
  config?: CabinetConfig;
  closeDelayMs?: number;
  openDelayMs?: number;
  /** Per-contactor delay override (feedback delays in property tests). */
  delayMs?: (id: string, closing: boolean) => number;
  slewVPerMs?: number;
}

export function ringConfig(overrides: Partial<CabinetConfigDocument> = {}, slots?: number): CabinetConfig {
  const doc = builtinDocument("ring-12x2")!;
  let merged = { ...doc, ...overrides } as CabinetConfigDocument;
  if (slots !== undefined && slots !== 12) {
    const n = slots;
    merged = {
      ...merged,
      slots: doc.slots!.slice(0, n).map((s) => ({ ...s, cw: s.id === n ? 1 : s.id + 1, ccw: s.id === 1 ? n : s.id - 1 })),
      guns: doc.guns.slice(0, n),
    };
  }
  const r = validateCabinetConfig(merged);
  if (!r.ok) throw new Error(`test config invalid: ${JSON.stringify(r.issues)}`);
  return r.config;
}

export class FakePlant {
  readonly config: CabinetConfig;
  readonly index: CabinetIndex;
  nowMs = 0;
  readonly contactors = new Map<string, PlantContactor>();
  readonly modules = new Map<string, PlantModule>();
  readonly evs = new Map<number, PlantEv>();
  readonly storageMap = new Map<string, string>();
  readonly logLines: string[] = [];
  estop = false;
  door = false;
  readonly insulationOhm = new Map<number, number>();
  readonly connectorTempC = new Map<number, number>();
  /** Sensor overrides (fault injection). */
  readonly gunVoltageOverride = new Map<number, number>();
  readonly gunCurrentOverride = new Map<number, number>();
  readonly slotBusOverride = new Map<number, number>();
  readonly moduleCurrentOverride = new Map<string, number>();
  /** Guns whose EV link throws on status() (communication lost). */
  readonly evLinkDown = new Set<number>();
  readonly violations: Violation[] = [];
  readonly breaks: BreakUnderLoad[] = [];
  /** Component id of every node, and per component: bus voltage and current. */
  private compV = new Map<number, number>();
  private compI = new Map<number, number>();
  private readonly delayMs: (id: string, closing: boolean) => number;
  private readonly slewVPerMs: number;
  private readonly lastOffer = new Map<number, { atMs: number; currentA: number }>();

  constructor(options: PlantOptions = {}) {
    this.config = options.config ?? ringConfig();
    this.index = indexCabinet(this.config);
    const close = options.closeDelayMs ?? 15;
    const open = options.openDelayMs ?? 10;
    this.delayMs = options.delayMs ?? ((_id, closing) => (closing ? close : open));
    this.slewVPerMs = options.slewVPerMs ?? 5;
    for (const c of this.index.contactors) {
      let a = "";
      let b = "";
      if (c.kind === "MC") [a, b] = [`S${c.slotId}`, `S${c.cwSlotId}`];
      else if (c.kind === "MN") [a, b] = [`M${c.moduleId}`, `S${c.slotId}`];
      else if (c.kind === "MX") [a, b] = [`M${c.moduleId}`, `B${c.gunId}`];
      else [a, b] = [this.config.topology === "ring" ? `S${c.slotId}` : `B${c.gunId}`, `G${c.gunId}`];
      const closed = c.normallyClosed;
      this.contactors.set(c.id, { id: c.id, kind: c.kind, commanded: closed, closed, aux: closed, auxChangedAtMs: 0, dueAtMs: null, welded: false, stuckOpen: false, a, b });
    }
    for (const m of this.index.modules) {
      this.modules.set(m.id, { id: m.id, cmd: { enabled: false, voltageV: 0, currentLimitA: 0 }, outputV: 0, currentA: 0, tempC: 30, online: true, lastSeenMs: 0, alarms: [], forceRunning: false, faultyAtMs: null });
    }
    for (const g of this.config.guns) {
      this.evs.set(g.id, { plugged: false, ready: false, batteryV: 0, maxV: 0, maxCurrentA: 0, requestCurrentA: 0, stopRequested: false, paused: false, offeredA: 0 });
      this.insulationOhm.set(g.id, Infinity);
      this.connectorTempC.set(g.id, 30);
    }
    (this.bank.ids as string[]).push(...this.index.contactors.map((c) => c.id));
    (this.moduleBus.ids as string[]).push(...this.index.modules.map((m) => m.id));
    this.recompute();
  }

  // ------------------------------------------------------------ scenario helpers

  plug(gunId: number, ev: Partial<PlantEv> = {}): void {
    const base: PlantEv = { plugged: true, ready: true, batteryV: 400, maxV: 500, maxCurrentA: 200, requestCurrentA: 150, stopRequested: false, paused: false, offeredA: 0 };
    this.evs.set(gunId, { ...base, ...ev, plugged: true });
  }

  unplug(gunId: number): void {
    const ev = this.evs.get(gunId)!;
    ev.plugged = false;
    ev.ready = false;
  }

  /** Inject a module fault the controller can see (an alarm). */
  failModule(id: string): void {
    const m = this.modules.get(id)!;
    m.alarms = ["internalFault"];
    m.faultyAtMs = this.nowMs;
  }

  /** Maintenance: the contactor works again and follows its coil. */
  repair(id: string): void {
    const c = this.contactors.get(id)!;
    c.welded = false;
    c.stuckOpen = false;
    if (c.closed !== c.commanded) c.dueAtMs = this.nowMs + this.delayMs(id, c.commanded);
  }

  weld(id: string): void {
    this.contactors.get(id)!.welded = true;
  }

  gunCurrentA(gunId: number): number {
    this.settle();
    return this.gunMeasurement(gunId).currentA;
  }

  busVoltageV(slotId: number): number {
    this.settle();
    return this.compV.get(this.compOf(`S${slotId}`)) ?? 0;
  }

  /** Modules whose output is on. */
  runningModules(): string[] {
    this.settle();
    return [...this.modules.values()].filter((m) => this.running(m)).map((m) => m.id);
  }

  // ------------------------------------------------------------ physics

  advance(ms: number): void {
    // The ramp envelope (§5.6) is anchored at every time step, so a held limit cannot later jump.
    for (const [gunId, e] of this.evs) this.lastOffer.set(gunId, { atMs: this.nowMs, currentA: e.offeredA });
    const end = this.nowMs + ms;
    // Contactor transitions happen at their due time, in order.
    for (;;) {
      let next: PlantContactor | null = null;
      for (const c of this.contactors.values()) if (c.dueAtMs !== null && c.dueAtMs <= end && (!next || c.dueAtMs < next.dueAtMs!)) next = c;
      if (!next) break;
      this.slew(next.dueAtMs! - this.nowMs);
      this.nowMs = next.dueAtMs!;
      this.transition(next);
    }
    this.slew(end - this.nowMs);
    this.nowMs = end;
    for (const m of this.modules.values()) if (m.online) m.lastSeenMs = this.nowMs;
    this.touch();
  }

  private slew(ms: number): void {
    if (ms <= 0) return;
    this.settle();
    for (const m of this.modules.values()) {
      const target = m.forceRunning && !m.cmd.enabled ? m.outputV : this.running(m) ? m.cmd.voltageV : 0;
      const step = this.slewVPerMs * ms;
      m.outputV = Math.abs(target - m.outputV) <= step ? target : m.outputV + Math.sign(target - m.outputV) * step;
    }
    this.touch();
  }

  private transition(c: PlantContactor): void {
    this.settle();
    c.dueAtMs = null;
    const want = c.commanded;
    let next = want;
    if (c.welded && !want && c.closed) next = true; // welded contacts stay closed; an open one stays open
    if (c.stuckOpen && want) next = false;
    if (next !== c.closed) {
      this.oracleOnTransition(c, next);
      c.closed = next;
    }
    if (c.aux !== c.closed) {
      c.aux = c.closed;
      c.auxChangedAtMs = this.nowMs;
    }
    this.touch();
  }

  private running(m: PlantModule): boolean {
    return m.forceRunning || (m.online && m.cmd.enabled);
  }


  private dirty = true;

  /** Recompute lazily: commands mark the state dirty, reads and time steps settle it. */
  private touch(): void {
    this.dirty = true;
  }

  settle(): void {
    if (this.dirty) this.recompute();
  }

  /** Node numbering for the union-find (built once). */
  private nodeIndex = new Map<string, number>();
  private edgeA: number[] = [];
  private edgeB: number[] = [];
  private edgeList: PlantContactor[] = [];
  private moduleList: PlantModule[] = [];
  private moduleNodes: number[] = [];
  private gunNodes: number[] = [];
  private parent = new Int32Array(0);

  private buildIndex(): void {
    const idx = (n: string) => {
      let i = this.nodeIndex.get(n);
      if (i === undefined) this.nodeIndex.set(n, (i = this.nodeIndex.size));
      return i;
    };
    this.edgeList = [...this.contactors.values()];
    this.edgeA = this.edgeList.map((c) => idx(c.a));
    this.edgeB = this.edgeList.map((c) => idx(c.b));
    this.moduleList = [...this.modules.values()];
    this.moduleNodes = this.moduleList.map((m) => idx(`M${m.id}`));
    this.gunNodes = this.config.guns.map((g) => idx(`G${g.id}`));
    for (const s of this.config.slots) idx(`S${s.id}`);
    this.parent = new Int32Array(this.nodeIndex.size);
  }

  private root(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]];
      x = p[x];
    }
    return x;
  }

  /** Component (root index) of a named node. */
  private compOf(name: string): number {
    return this.root(this.nodeIndex.get(name)!);
  }

  /** Quasi-static electrical state: components, bus voltages, currents. */
  recompute(): void {
    this.dirty = false;
    if (this.nodeIndex.size === 0) this.buildIndex();
    const p = this.parent;
    for (let i = 0; i < p.length; i++) p[i] = i;
    for (let e = 0; e < this.edgeList.length; e++) {
      if (!this.edgeList[e].closed) continue;
      const ra = this.root(this.edgeA[e]);
      const rb = this.root(this.edgeB[e]);
      if (ra !== rb) p[ra] = rb;
    }
    const srcV = new Float64Array(p.length);
    const srcN = new Int32Array(p.length);
    const limitSum = new Float64Array(p.length);
    for (let k = 0; k < this.moduleList.length; k++) {
      const m = this.moduleList[k];
      if (!this.running(m)) {
        m.currentA = 0;
        continue;
      }
      const r = this.root(this.moduleNodes[k]);
      srcV[r] = Math.max(srcV[r], m.outputV);
      srcN[r] += 1;
      limitSum[r] += m.forceRunning ? Math.max(50, m.cmd.currentLimitA) : m.cmd.currentLimitA;
    }
    const evAt = new Map<number, PlantEv>();
    this.config.guns.forEach((g, k) => {
      const ev = this.evs.get(g.id)!;
      if (!ev.plugged || !this.gcClosed(g.id)) return;
      const r = this.root(this.gunNodes[k]);
      if (!evAt.has(r)) evAt.set(r, ev);
    });
    this.compV = new Map();
    this.compI = new Map();
    for (let r = 0; r < p.length; r++) {
      if (p[r] !== r) continue;
      const ev = evAt.get(r);
      let v = 0;
      let i = 0;
      if (ev) {
        v = ev.batteryV;
        if (srcN[r] > 0 && srcV[r] >= ev.batteryV - 5 && ev.ready && !ev.paused && !ev.stopRequested) {
          i = Math.max(0, Math.min(ev.requestCurrentA, ev.ignoresOffer ? Infinity : ev.offeredA, limitSum[r]));
        }
      } else if (srcN[r] > 0) {
        v = srcV[r];
      }
      this.compV.set(r, v);
      this.compI.set(r, i);
    }
    for (let k = 0; k < this.moduleList.length; k++) {
      const m = this.moduleList[k];
      if (!this.running(m)) continue;
      const r = this.root(this.moduleNodes[k]);
      m.currentA = (this.compI.get(r) ?? 0) / srcN[r];
    }
    this.oracleOnState();
  }

  private readonly links = new Map<string, PlantContactor[]>();
  private moduleLinks(id: string): PlantContactor[] {
    let list = this.links.get(id);
    if (!list) {
      list = [...this.contactors.values()].filter((c) => c.a === `M${id}`);
      this.links.set(id, list);
    }
    return list;
  }

  private gcClosed(gunId: number): boolean {
    return this.contactors.get(this.index.gunById.get(gunId)!.gc)!.closed;
  }

  // ------------------------------------------------------------ oracle (independent §5 monitor)

  private violate(invariant: number, message: string): void {
    const last = this.violations[this.violations.length - 1];
    if (last && last.invariant === invariant && last.message === message) return;
    this.violations.push({ atMs: this.nowMs, invariant, message });
  }

  private oracleOnTransition(c: PlantContactor, closing: boolean): void {
    const k = this.compOf(c.a);
    const kb = this.compOf(c.b);
    const current = Math.max(this.compI.get(k) ?? 0, this.compI.get(kb) ?? 0,
      c.kind === "MN" || c.kind === "MX" ? this.modules.get(c.a.slice(1))!.currentA : 0);
    if (current > this.config.policy.switchingCurrentA) this.breaks.push({ atMs: this.nowMs, id: c.id, currentA: current });
    if (c.kind === "GC" && closing) {
      const gunId = Number(c.b.slice(1));
      const ev = this.evs.get(gunId)!;
      if (ev.plugged) {
        const busV = this.compV.get(k) ?? 0;
        if (Math.abs(busV - ev.batteryV) > this.config.policy.prechargeToleranceV) {
          this.violate(4, `${c.id} closed with bus ${busV.toFixed(0)} V vs EV ${ev.batteryV.toFixed(0)} V`);
        }
      }
    }
  }

  private oracleOnState(): void {
    const byComp = new Map<number, { gcs: string[]; setpoints: number[]; running: number; welded: string[] }>();
    const get = (k: number) => {
      let e = byComp.get(k);
      if (!e) byComp.set(k, (e = { gcs: [], setpoints: [], running: 0, welded: [] }));
      return e;
    };
    for (const c of this.contactors.values()) {
      if (c.kind === "GC" && c.closed) get(this.compOf(c.a)).gcs.push(c.id);
      if (c.welded && c.closed && !c.commanded) get(this.compOf(c.a)).welded.push(c.id);
    }
    for (const m of this.modules.values()) {
      if (!this.running(m)) continue;
      const e = get(this.compOf(`M${m.id}`));
      e.running += 1;
      if (m.cmd.enabled) e.setpoints.push(m.cmd.voltageV);
    }
    for (const [, e] of byComp) {
      if (e.gcs.length > 1) this.violate(1, `GCs ${e.gcs.join(",")} on one bus`);
      if (e.running > 0 && e.setpoints.length > 1) {
        const lo = Math.min(...e.setpoints);
        const hi = Math.max(...e.setpoints);
        if (hi - lo > 1) this.violate(2, `modules at ${lo.toFixed(0)} V and ${hi.toFixed(0)} V on one energized bus`);
      }
      if (e.running > 0 && e.welded.length > 0) this.violate(9, `energized bus held together by welded ${e.welded.join(",")}`);
    }
    // §5.6: what the EV is offered never exceeds the cable or the EV, and rises no faster than the ramp.
    for (const g of this.config.guns) {
      const ev = this.evs.get(g.id)!;
      const ceiling = Math.min(g.maxCurrentA, ev.plugged && ev.maxCurrentA > 0 ? ev.maxCurrentA : g.maxCurrentA);
      if (ev.offeredA > ceiling + 1e-6) this.violate(6, `gun ${g.id} offered ${ev.offeredA.toFixed(1)} A above ${ceiling} A`);
    }
  }

  // ------------------------------------------------------------ HAL

  readonly clock: Clock = { nowMs: () => this.nowMs };

  readonly bank: ContactorBank = {
    ids: [] as string[],
    command: (id: string, closed: boolean) => {
      const c = this.contactors.get(id);
      if (!c) throw new Error(`unknown contactor ${id}`);
      if (c.commanded === closed) return;
      c.commanded = closed;
      c.dueAtMs = this.nowMs + Math.max(0, this.delayMs(id, closed));
    },
    commanded: (id: string) => this.contactors.get(id)?.commanded ?? false,
    aux: (id: string): AuxReading => {
      const c = this.contactors.get(id)!;
      return { closed: c.aux, changedAtMs: c.auxChangedAtMs };
    },
    releaseAll: () => {
      for (const c of this.contactors.values()) this.bank.command(c.id, c.kind === "MC");
    },
    close: () => {},
  };

  readonly moduleBus: ModuleBus = {
    ids: [] as string[],
    command: (id: string, command: ModuleCommand) => {
      const m = this.modules.get(id);
      if (!m) throw new Error(`unknown module ${id}`);
      if (command.enabled && !m.cmd.enabled && m.faultyAtMs !== null && this.nowMs > m.faultyAtMs) {
        this.violate(5, `faulty module ${id} switched on`);
      }
      m.cmd = { ...command };
      this.touch();
    },
    read: (id: string): ModuleReading => {
      this.settle();
      const m = this.modules.get(id)!;
      const connected = this.moduleLinks(id).some((c) => c.closed);
      const v = connected ? this.compV.get(this.compOf(`M${id}`)) ?? 0 : m.outputV;
      return { online: m.online, running: this.running(m), voltageV: this.running(m) || connected ? v : 0, currentA: this.moduleCurrentOverride.get(id) ?? m.currentA, tempC: m.tempC, alarms: [...m.alarms], lastSeenMs: m.lastSeenMs };
    },
    close: () => {},
  };

  private gunMeasurement(gunId: number): GunMeasurement {
    this.settle();
    const ev = this.evs.get(gunId)!;
    const k = this.compOf(`G${gunId}`);
    let v = ev.plugged ? ev.batteryV : this.gcClosed(gunId) ? this.compV.get(k) ?? 0 : 0;
    let i = this.gcClosed(gunId) ? this.compI.get(k) ?? 0 : 0;
    if (this.gunVoltageOverride.has(gunId)) v = this.gunVoltageOverride.get(gunId)!;
    if (this.gunCurrentOverride.has(gunId)) i = this.gunCurrentOverride.get(gunId)!;
    return { voltageV: v, currentA: i, connectorTempC: this.connectorTempC.get(gunId)!, insulationOhm: this.insulationOhm.get(gunId)!, energyWh: 0 };
  }

  readonly sensors: Sensors = {
    gun: (gunId: number) => this.gunMeasurement(gunId),
    slotBus: (slotId: number): BusMeasurement => this.slotBus(slotId),
    gridPowerKW: () => 0,
  };

  private slotBus(slotId: number): BusMeasurement {
    this.settle();
    return {
      voltageV: this.slotBusOverride.get(slotId) ?? this.compV.get(this.compOf(`S${slotId}`)) ?? 0,
    };
  }

  readonly inputs: SafetyInputs = { estopActive: () => this.estop, doorOpen: () => this.door };

  readonly ev: EvLink = {
    status: (gunId: number): EvStatus => {
      if (this.evLinkDown.has(gunId)) throw new Error(`EV link of gun ${gunId} down`);
      const e = this.evs.get(gunId)!;
      return {
        plugged: e.plugged, ready: e.ready, requestCurrentA: e.requestCurrentA, requestVoltageV: e.batteryV + 10, maxVoltageV: e.maxV,
        maxCurrentA: e.maxCurrentA, batteryVoltageV: e.batteryV, socPct: 50, stopRequested: e.stopRequested, paused: e.paused,
      };
    },
    offer: (gunId: number, maxCurrentA: number) => {
      const e = this.evs.get(gunId)!;
      const last = this.lastOffer.get(gunId) ?? { atMs: this.nowMs, currentA: 0 };
      const allowedRiseA = (this.config.policy.currentRampAPerS * (this.nowMs - last.atMs)) / 1000;
      if (maxCurrentA > last.currentA + allowedRiseA + 1e-6) {
        this.violate(6, `gun ${gunId} offer rises ${(maxCurrentA - last.currentA).toFixed(1)} A in ${this.nowMs - last.atMs} ms (ramp ${this.config.policy.currentRampAPerS} A/s)`);
      }
      e.offeredA = maxCurrentA;
      this.touch();
    },
  };

  readonly storage: Storage = {
    get: (k) => this.storageMap.get(k),
    set: (k, v) => {
      this.storageMap.set(k, v);
    },
    delete: (k) => {
      this.storageMap.delete(k);
    },
    keys: (prefix = "") => [...this.storageMap.keys()].filter((k) => k.startsWith(prefix)),
  };

  readonly log: Log = { write: (level: LogLevel, message: string) => this.logLines.push(`${level}: ${message}`) };

  get hal() {
    return { clock: this.clock, contactors: this.bank, modules: this.moduleBus, sensors: this.sensors, inputs: this.inputs, ev: this.ev, storage: this.storage, log: this.log };
  }
}
