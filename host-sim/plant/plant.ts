import type { CabinetConfig } from "../../src/config/types";
import { indexCabinet, type CabinetIndex, type ContactorKind } from "../../src/config/cabinet-index";
import { ContactorModel, type ContactorMove } from "./contactor";
import { EvModel, type EvSessionRecord, type EvSpec } from "./ev";
import { plantParams, type PlantParams, type PlantParamsOverrides } from "./params";
import { PowerModuleModel, type ModuleCommandInput } from "./power-module";
import { Prng } from "./prng";

/** Faults the plant can be given (issue 6 list, plus auxFlicker). */
export const PLANT_FAULT_KINDS = [
  "mcWeld", "mnWeld", "gcWeld", "contactorStuckOpen", "auxFlicker",
  "moduleFail", "moduleOverTemp", "moduleCommsLoss",
  "imd", "overCurrent", "overVoltage", "connectorOverTemp",
  "estop", "door",
] as const;
export type PlantFaultKind = (typeof PLANT_FAULT_KINDS)[number];

/** What a fault kind is aimed at. */
export function faultTargetKind(kind: PlantFaultKind): "contactor" | "module" | "gun" | "none" {
  switch (kind) {
    case "mcWeld": case "mnWeld": case "gcWeld": case "contactorStuckOpen": case "auxFlicker": return "contactor";
    case "moduleFail": case "moduleOverTemp": case "moduleCommsLoss": return "module";
    case "imd": case "overCurrent": case "overVoltage": case "connectorOverTemp": return "gun";
    default: return "none";
  }
}

export interface PlantFault {
  handle: number;
  kind: PlantFaultKind;
  /** Contactor id, module id, gun id, or null (estop, door). */
  target: string | number | null;
  injectedAtMs: number;
  clearedAtMs: number | null;
}

export type NodeKind = "module" | "slot" | "gunBus" | "gun";

export interface PlantNode {
  kind: NodeKind;
  /** Module id, slot id, or gun id. */
  ref: string | number;
  capacitanceF: number;
}

export interface PlantEdge {
  contactor: ContactorModel;
  kind: ContactorKind;
  a: number;
  b: number;
}

export interface PlantRegion {
  nodes: number[];
  capacitanceF: number;
  /** Every node at the same voltage (false right after regions merged). */
  uniform: boolean;
  /** Nodes in breadth-first order from the root; parentEdge/parentNode index the tree. */
  order: number[];
  /** Indices into plant.modules of modules whose output node is in the region. */
  modules: number[];
  /** Indices into plant.guns of guns whose EV-side node is in the region (their GC is closed or the node is alone). */
  evGuns: number[];
  /** Indices into plant.guns of guns whose charger-side bus node is in the region. */
  gunPositions: number[];
  // Derived with the region (rebuilt with it on every topology change), for the solver's loops:
  /** plant.modules[modules[j]] and its output node. */
  moduleModels: PowerModuleModel[];
  moduleNodes: number[];
  /** plant.guns[evGuns[j]]. */
  evGunModels: PlantGun[];
  /** capacitanceF / dtS for the step size it was formed for (NaN: not yet). */
  capPerStepDtS: number;
  capPerStepFPerS: number;
}

/** One gun output: GC, cable, connector, IMD, DC meter, and the EV plugged into it. */
export interface PlantGun {
  id: number;
  gcId: string;
  gcEdge: number;
  /** Charger side of the GC (ring slot bus or matrix gun bus). */
  busNode: number;
  /** EV side of the GC (cable, inlet, EV pack when connected). */
  evNode: number;
  cableMaxCurrentA: number;
  ev: EvModel | null;
  /** Current through the GC toward the EV (A). */
  currentA: number;
  connectorTempC: number;
  meterEnergyWh: number;
  offeredCurrentA: number;
  offeredVoltageV: number;
  imdFaults: number;
  overCurrentFaults: number;
  overVoltageFaults: number;
  connectorFaults: number;
}

export interface PlantOptions {
  seed: number;
  params?: PlantParams | PlantParamsOverrides;
}

function isFullParams(p: PlantParams | PlantParamsOverrides): p is PlantParams {
  const keys: (keyof PlantParams)[] = ["contactor", "module", "bus", "ev", "imd", "faults", "sensors", "site"];
  return keys.every((k) => p[k] !== undefined && Object.keys(p[k]!).length > 0) && (p as PlantParams).module.efficiencyCurve !== undefined;
}

const NODE_ROLE_MODULE = 1;
const NODE_ROLE_GUN = 2;

/**
 * Net current into a node whose voltage went from v0 to v in one implicit step: minus the capacitor's
 * charging current, the bleeder and its share of the discharge circuit (sources are added by the caller).
 * One expression for the solver and for ensureFlows, so both form the same double.
 */
function nodeInjectionA(capacitanceF: number, v0: number, v: number, dtS: number, bleedS: number, dischargePerFarad: number): number {
  return -(capacitanceF * (v - v0)) / dtS - bleedS * v - v * dischargePerFarad * capacitanceF;
}

/**
 * The physical cabinet: contactors, modules, bus regions, guns and EVs, advanced
 * in fixed steps by the caller. Free of Node APIs. The electrical picture is
 * rebuilt from contactor positions: every electrically connected region is one
 * node voltage (lumped capacitance, bleeders, module current sources with CV
 * clamping, EV packs as OCV + series resistance), solved implicitly so that any
 * step size is stable; the current through every closed contactor follows from a
 * spanning tree of the region.
 */
export class CabinetPlant {
  readonly config: CabinetConfig;
  readonly index: CabinetIndex;
  readonly params: PlantParams;
  readonly rng: Prng;
  nowMs = 0;
  readonly nodes: PlantNode[] = [];
  readonly edges: PlantEdge[] = [];
  readonly contactors = new Map<string, ContactorModel>();
  readonly edgeIndexByContactor = new Map<string, number>();
  readonly modules: PowerModuleModel[] = [];
  readonly moduleNode: number[] = [];
  readonly moduleEdge: number[] = [];
  readonly moduleIndexById = new Map<string, number>();
  readonly guns: PlantGun[] = [];
  readonly gunIndexById = new Map<number, number>();

  /** Node voltages (true), and as a sensor would see them (over-voltage faults applied). */
  readonly nodeVoltageV: Float64Array;
  readonly measuredNodeVoltageV: Float64Array;
  /** Every write of a node voltage (solveRegion, settleQuiet) writes both arrays, so they stay equal without
   *  a copy of every node each step. An over-voltage fault raises measured values of a fed region, which
   *  the next solve rewrites anyway (a fed region is never quiet); this flag copies everything back even so,
   *  so that the equality does not rest on that argument. */
  private measuredOverridden = false;
  /** Signed current through each edge for the last step: read through edgeCurrent(e). */
  private readonly edgeFlowA: Float64Array;
  private readonly flowScratch: Float64Array;
  private flowsValid = false;
  private readonly nodeCapacitanceF: Float64Array;
  private overCurrentFaultCount = 0;
  readonly regionOfNode: Int32Array;
  regions: PlantRegion[] = [];
  /** Incremented whenever the regions are rebuilt. */
  topologyVersion = 0;
  /** Incremented on anything that changes which regions are live: contact moves, module output stages
   *  starting or stopping, EVs connecting, faults. Observers may skip structural checks while it holds. */
  stateVersion = 0;
  /** Regions that may hold charge or sources; the rest sit at 0 V and are skipped. */
  private activeRegions: number[] = [];
  private activeDirty = true;
  readonly moves: ContactorMove[] = [];
  readonly faults: PlantFault[] = [];
  readonly sessions: EvSessionRecord[] = [];
  estopActive = false;
  doorOpen = false;
  gridPowerW = 0;
  gridEnergyWh = 0;
  watchdogTrips = 0;
  private lastFeedMs: number | null = null;
  private readonly slotNodeById = new Map<number, number>();
  private nextFaultHandle = 1;
  private decayDtMs = -1;
  /** Step size the solver's per-step constants were formed for (dtMs / 1000, module current slew). */
  private solveDtMs = -1;
  private solveDtS = 0;
  private solveSlewA = 0;
  /** Contactors with contacts or aux in transit (only these need advancing). */
  private readonly busyEdges = new Set<number>();
  private moduleDecay = 1;
  private connectorDecay = 1;
  private readonly adjacency: number[][] = [];
  private readonly parentEdge: Int32Array;
  /** Net current into each node in the last step. Formed by the solver only for gun (EV-side) nodes,
   *  which finishGuns reads every step; the other nodes' are formed on demand in ensureFlows from
   *  the three arrays below (the same expression with the same operands: the same doubles). */
  private readonly injection: Float64Array;
  /** Node voltage before the last solve of its region. */
  private readonly prevNodeVoltageV: Float64Array;
  /** Discharge conductance per farad of the node's region in the last solve (0 unless discharging). */
  private readonly nodeDischargePerFarad: Float64Array;
  /** Module output current pushed into a module node in the last solve (0 on other nodes). */
  private readonly nodeSourceA: Float64Array;
  /** 1 for module nodes (their injection adds the module current), 2 for gun nodes (formed eagerly). */
  private readonly nodeRole: Uint8Array;
  private readonly bleedS: number;
  private readonly batteryCurrentA: Float64Array;
  /** The GC of each gun (plant.guns order): one load instead of three in finishGuns. */
  private readonly gunContactors: ContactorModel[];

  constructor(config: CabinetConfig, options: PlantOptions) {
    this.config = config;
    this.index = indexCabinet(config);
    this.params = options.params && isFullParams(options.params) ? options.params : plantParams((options.params ?? {}) as PlantParamsOverrides);
    this.rng = new Prng(options.seed);
    const p = this.params;
    this.bleedS = 1 / p.bus.bleedResistanceOhm;
    const uF = 1e-6;

    const slotNode = new Map<number, number>();
    const gunBusNode = new Map<number, number>();
    const addNode = (kind: NodeKind, ref: string | number, capacitanceUF: number): number => {
      this.nodes.push({ kind, ref, capacitanceF: capacitanceUF * uF });
      this.adjacency.push([]);
      return this.nodes.length - 1;
    };
    for (const m of this.index.modules) {
      const model = new PowerModuleModel(m.id, config.modulePowerKW, config.moduleRating, p.module, p.site.ambientTempC);
      this.moduleIndexById.set(m.id, this.modules.length);
      this.modules.push(model);
      this.moduleNode.push(addNode("module", m.id, p.module.outputCapacitanceUF));
      this.moduleEdge.push(-1);
    }
    if (config.topology === "ring") {
      for (const s of config.slots) slotNode.set(s.id, addNode("slot", s.id, p.bus.busCapacitanceUF));
      for (const [id, k] of slotNode) this.slotNodeById.set(id, k);
    } else {
      for (const g of config.guns) gunBusNode.set(g.id, addNode("gunBus", g.id, p.bus.busCapacitanceUF));
    }
    const contactorRng = this.rng.fork();
    const addEdge = (id: string, kind: ContactorKind, normallyClosed: boolean, a: number, b: number): number => {
      const c = new ContactorModel(id, normallyClosed, p.contactor, contactorRng.fork());
      this.contactors.set(id, c);
      this.edges.push({ contactor: c, kind, a, b });
      const e = this.edges.length - 1;
      this.edgeIndexByContactor.set(id, e);
      this.adjacency[a].push(e);
      this.adjacency[b].push(e);
      return e;
    };
    for (const info of this.index.contactors) {
      if (info.kind === "MN") {
        const mi = this.moduleIndexById.get(info.moduleId!)!;
        this.moduleEdge[mi] = addEdge(info.id, "MN", false, this.moduleNode[mi], slotNode.get(info.slotId!)!);
      } else if (info.kind === "MC") {
        addEdge(info.id, "MC", true, slotNode.get(info.slotId!)!, slotNode.get(info.cwSlotId!)!);
      } else if (info.kind === "MX") {
        const mi = this.moduleIndexById.get(info.moduleId!)!;
        addEdge(info.id, "MX", false, this.moduleNode[mi], gunBusNode.get(info.gunId!)!);
      }
    }
    for (const g of config.guns) {
      const busNode = config.topology === "ring" ? slotNode.get(g.slotId!)! : gunBusNode.get(g.id)!;
      const evNode = addNode("gun", g.id, p.bus.gunCapacitanceUF);
      const gcEdge = addEdge(g.gc, "GC", false, busNode, evNode);
      this.gunIndexById.set(g.id, this.guns.length);
      this.guns.push({
        id: g.id, gcId: g.gc, gcEdge, busNode, evNode, cableMaxCurrentA: g.maxCurrentA, ev: null, currentA: 0,
        connectorTempC: p.site.ambientTempC, meterEnergyWh: 0, offeredCurrentA: 0, offeredVoltageV: 0,
        imdFaults: 0, overCurrentFaults: 0, overVoltageFaults: 0, connectorFaults: 0,
      });
    }
    const n = this.nodes.length;
    this.nodeVoltageV = new Float64Array(n);
    this.measuredNodeVoltageV = new Float64Array(n);
    this.regionOfNode = new Int32Array(n);
    this.parentEdge = new Int32Array(n);
    this.injection = new Float64Array(n);
    this.prevNodeVoltageV = new Float64Array(n);
    this.nodeDischargePerFarad = new Float64Array(n);
    this.nodeSourceA = new Float64Array(n);
    this.nodeRole = Uint8Array.from(this.nodes, (x) => (x.kind === "module" ? NODE_ROLE_MODULE : x.kind === "gun" ? NODE_ROLE_GUN : 0));
    this.batteryCurrentA = new Float64Array(this.guns.length);
    this.gunContactors = this.guns.map((g) => this.edges[g.gcEdge].contactor);
    this.edgeFlowA = new Float64Array(this.edges.length);
    this.flowScratch = new Float64Array(n);
    this.nodeCapacitanceF = new Float64Array(this.nodes.map((x) => x.capacitanceF));
    this.rebuildRegions();
  }

  // ---- inputs from the host HAL (what the controller's outputs do physically) ----

  setCoil(contactorId: string, energized: boolean, byTrip = false): void {
    const c = this.contactors.get(contactorId);
    if (!c) throw new Error(`plant: no contactor ${JSON.stringify(contactorId)}`);
    if (c.coil === energized) return;
    c.setCoil(energized, this.nowMs, byTrip);
    this.busyEdges.add(this.edgeIndexByContactor.get(contactorId)!);
    this.bump();
  }

  /** A module command frame; false when the module's link is down. */
  commandModule(moduleId: string, command: ModuleCommandInput): boolean {
    return this.module(moduleId).receive(command, this.nowMs);
  }

  feedWatchdog(): void {
    this.lastFeedMs = this.nowMs;
  }

  offer(gunId: number, maxCurrentA: number, presentVoltageV: number): void {
    const g = this.gun(gunId);
    g.offeredCurrentA = maxCurrentA;
    g.offeredVoltageV = presentVoltageV;
  }

  // ---- world events (scenario) ----

  plug(gunId: number, spec: EvSpec): void {
    const g = this.gun(gunId);
    if (g.ev) this.unplug(gunId);
    g.ev = new EvModel(spec, this.nowMs, this.params.ev);
    this.bump();
  }

  unplug(gunId: number): void {
    const g = this.gun(gunId);
    if (!g.ev) return;
    this.sessions.push(g.ev.record(gunId, this.nowMs));
    g.ev = null;
    this.bump();
  }

  /** The EV (BMS) asks to stop. */
  evStop(gunId: number): void {
    this.gun(gunId).ev?.requestStop();
  }

  injectFault(kind: PlantFaultKind, target: string | number | null): number {
    const handle = this.nextFaultHandle++;
    this.applyFault(kind, target, true);
    this.faults.push({ handle, kind, target, injectedAtMs: this.nowMs, clearedAtMs: null });
    this.bump();
    return handle;
  }

  clearFault(handle: number): void {
    const f = this.faults.find((x) => x.handle === handle);
    if (!f || f.clearedAtMs !== null) return;
    f.clearedAtMs = this.nowMs;
    this.applyFault(f.kind, f.target, false);
    this.bump();
  }

  activeFaults(): PlantFault[] {
    return this.faults.filter((f) => f.clearedAtMs === null);
  }

  private applyFault(kind: PlantFaultKind, target: string | number | null, active: boolean): void {
    switch (faultTargetKind(kind)) {
      case "contactor": {
        const c = this.contactors.get(String(target));
        if (!c) throw new Error(`plant: fault ${kind}: no contactor ${JSON.stringify(target)}`);
        const model = kind === "contactorStuckOpen" ? "stuckOpen" : kind === "auxFlicker" ? "flicker" : "weld";
        if (active) c.setFault(model, this.nowMs);
        else if (c.fault === model) c.setFault(null, this.nowMs);
        this.busyEdges.add(this.edgeIndexByContactor.get(c.id)!);
        break;
      }
      case "module": {
        this.module(String(target)).setFault(kind === "moduleFail" ? "fail" : kind === "moduleOverTemp" ? "overTemp" : "commsLoss", active);
        break;
      }
      case "gun": {
        const g = this.gun(Number(target));
        const d = active ? 1 : -1;
        if (kind === "imd") g.imdFaults += d;
        else if (kind === "overCurrent") {
          g.overCurrentFaults += d;
          this.overCurrentFaultCount += d;
        }
        else if (kind === "overVoltage") g.overVoltageFaults += d;
        else g.connectorFaults += d;
        break;
      }
      default:
        if (kind === "estop") this.estopActive = active;
        else this.doorOpen = active;
    }
  }

  /** Something changed that may wake a quiet region. */
  bump(): void {
    this.stateVersion++;
    this.activeDirty = true;
  }

  // ---- lookups ----

  module(id: string): PowerModuleModel {
    const i = this.moduleIndexById.get(id);
    if (i === undefined) throw new Error(`plant: no module ${JSON.stringify(id)}`);
    return this.modules[i];
  }

  gun(id: number): PlantGun {
    const i = this.gunIndexById.get(id);
    if (i === undefined) throw new Error(`plant: no gun ${JSON.stringify(id)}`);
    return this.guns[i];
  }

  contactor(id: string): ContactorModel {
    const c = this.contactors.get(id);
    if (!c) throw new Error(`plant: no contactor ${JSON.stringify(id)}`);
    return c;
  }

  /** |current| through a contactor in the last step (0 when open). */
  contactorCurrentA(id: string): number {
    const e = this.edgeIndexByContactor.get(id);
    return e === undefined ? 0 : Math.abs(this.edgeCurrent(e));
  }

  /** Ring: node index of a slot bus (-1 if none). */
  slotNode(slotId: number): number {
    return this.slotNodeById.get(slotId) ?? -1;
  }

  slotVoltageV(slotId: number): number {
    const i = this.slotNodeById.get(slotId);
    return i === undefined ? 0 : this.measuredNodeVoltageV[i];
  }

  /** Insulation resistance seen by a gun output's IMD. */
  insulationOhm(gunId: number): number {
    return this.gun(gunId).imdFaults > 0 ? this.params.imd.faultOhm : this.params.imd.healthyOhm;
  }

  /** The module feeds a bus: output stage running and its MN/MX closed. */
  moduleEnergizing(index: number): boolean {
    const m = this.modules[index];
    if (!m.running) return false;
    return this.regions[this.regionOfNode[this.moduleNode[index]]].nodes.length > 1;
  }

  // ---- stepping ----

  step(dtMs: number): void {
    if (!(dtMs > 0)) throw new Error(`plant: step dtMs must be > 0, got ${dtMs}`);
    const now = this.nowMs + dtMs;
    this.nowMs = now;
    const site = this.params.site;
    if (this.lastFeedMs !== null && now - this.lastFeedMs > site.watchdogTimeoutMs) {
      this.lastFeedMs = null;
      this.watchdogTrips++;
      this.hardwareTrip();
    }
    if (site.hardwiredEstop && this.estopActive) this.hardwareTrip();

    // Contacts in transit may part this step: they need the current of the step before.
    if (this.busyEdges.size > 0 && this.advanceContactors(now)) this.rebuildRegions();

    this.prepareSources(now, dtMs);
    this.flowsValid = false;
    if (this.activeDirty) {
      this.activeDirty = false;
      this.activeRegions = this.regions.map((_, i) => i);
    }
    this.solveActiveRegions(dtMs);
    if (this.measuredOverridden) {
      this.measuredOverridden = false;
      this.measuredNodeVoltageV.set(this.nodeVoltageV);
    }
    if (dtMs !== this.decayDtMs) {
      // First-order decay factors for this step size (exact for any dt), cached: steps rarely change size.
      this.decayDtMs = dtMs;
      this.moduleDecay = Math.exp(-dtMs / 1000 / this.params.module.thermalTimeConstantS);
      this.connectorDecay = Math.exp(-dtMs / 1000 / this.params.ev.connectorTimeConstantS);
    }
    this.finishModules(dtMs);
    this.finishGuns(now, dtMs);
  }

  /** Contacts and aux contacts in transit; true when main contacts moved (the regions change). */
  private advanceContactors(now: number): boolean {
    this.ensureFlows();
    let moved = false;
    for (const e of this.busyEdges) {
      const edge = this.edges[e];
      const closed = edge.contactor.advance(now);
      if (!edge.contactor.busy) this.busyEdges.delete(e);
      if (closed === null) continue;
      moved = true;
      this.moves.push({
        atMs: now,
        id: edge.contactor.id,
        closed,
        currentA: closed ? 0 : Math.abs(this.edgeFlowA[e]),
        deltaV: closed ? Math.abs(this.nodeVoltageV[edge.a] - this.nodeVoltageV[edge.b]) : 0,
        released: edge.contactor.releasedByTrip,
      });
    }
    return moved;
  }

  // The step's phases are separate methods on purpose: each is optimized on its own, so the model
  // methods it calls fit its inlining budget (a call that is not inlined boxes every double it passes
  // or returns, and that garbage was most of the plant's cost).

  /** Modules (timeouts, start-up, reference slew) and EVs (handshake, BMS request) before the solve. */
  private prepareSources(now: number, dtMs: number): void {
    const modules = this.modules;
    for (let i = 0; i < modules.length; i++) {
      const m = modules[i];
      const was = m.running;
      m.prepare(now, dtMs);
      if (m.running !== was) this.bump();
    }
    const guns = this.guns;
    for (let gi = 0; gi < guns.length; gi++) {
      const ev = guns[gi].ev;
      if (!ev) continue;
      const was = ev.connected;
      ev.prepare(now);
      if (ev.connected !== was) this.bump();
    }
  }

  private solveActiveRegions(dtMs: number): void {
    if (dtMs !== this.solveDtMs) {
      this.solveDtMs = dtMs;
      this.solveDtS = dtMs / 1000;
      this.solveSlewA = this.params.module.currentRampAPerS * this.solveDtS;
    }
    let quiet = 0;
    const active = this.activeRegions;
    for (let j = 0; j < active.length; j++) {
      if (!this.solveRegion(this.regions[active[j]])) {
        active[j] = -1;
        quiet++;
      }
    }
    if (quiet > 0) this.activeRegions = active.filter((r) => r >= 0);
  }

  /** Module losses, temperatures and energy after the solve; the grid meter. */
  private finishModules(dtMs: number): void {
    const site = this.params.site;
    const ambient = site.ambientTempC;
    const decay = this.moduleDecay;
    const V = this.nodeVoltageV;
    const modules = this.modules;
    const moduleNode = this.moduleNode;
    let gridW = site.auxiliaryLoadW;
    for (let i = 0; i < modules.length; i++) {
      const m = modules[i];
      m.finish(V[moduleNode[i]], dtMs, ambient, decay);
      gridW += m.inputPowerW;
    }
    this.gridPowerW = gridW;
    this.gridEnergyWh += (gridW * dtMs) / 3_600_000;
  }

  /** Gun currents, DC meters, EV packs and connector temperatures after the solve. */
  private finishGuns(now: number, dtMs: number): void {
    const ambient = this.params.site.ambientTempC;
    const dtS = dtMs / 1000;
    const evP = this.params.ev;
    const trip = this.config.safety.connectorTripTempC;
    const guns = this.guns;
    const gunContactors = this.gunContactors;
    for (let gi = 0; gi < guns.length; gi++) {
      const g = guns[gi];
      const ev = g.ev;
      const gcClosed = gunContactors[gi].mainClosed;
      if (ev === null && !gcClosed) {
        // Nothing on the gun and its GC open: no current, so the meter would add exactly 0.
        g.currentA = 0;
      } else {
        const v = this.nodeVoltageV[g.evNode];
        // The EV node is a leaf hanging off its GC: the GC carries everything the EV side takes.
        g.currentA = gcClosed && this.regionOfNode[g.evNode] === this.regionOfNode[g.busNode] ? -this.injection[g.evNode] : 0;
        g.meterEnergyWh += (g.currentA * v * dtMs) / 3_600_000;
        if (ev !== null) {
          if (ev.connected) ev.absorb(this.batteryCurrentA[gi], v, dtMs, now);
          if (ev.superviseContactors(v, now)) this.bump();
        }
      }
      if (g.connectorFaults > 0) {
        g.connectorTempC = Math.min(trip + 15, g.connectorTempC + evP.connectorFaultRiseCPerS * dtS);
      } else {
        const steady = ambient + evP.connectorRiseCPerA2 * g.currentA * g.currentA;
        g.connectorTempC = steady + (g.connectorTempC - steady) * this.connectorDecay;
      }
      if (g.overVoltageFaults > 0) this.applyOverVoltage(g);
    }
  }

  /** Release every coil and disable every module (watchdog expiry, hard-wired e-stop). */
  hardwareTrip(): void {
    for (const c of this.contactors.values()) c.setCoil(false, this.nowMs, true);
    this.edges.forEach((_, e) => this.busyEdges.add(e));
    for (const m of this.modules) m.command = { ...m.command, enabled: false };
    this.bump();
  }

  private applyOverVoltage(g: PlantGun): void {
    const r = this.regions[this.regionOfNode[g.busNode]];
    let fed = false;
    for (const mi of r.modules) if (this.modules[mi].running) fed = true;
    if (!fed) return;
    const evMax = g.ev ? g.ev.maxVoltageV : this.index.gunById.get(g.id)!.maxVoltageV;
    const faultV = evMax * this.params.faults.overVoltageFactor;
    for (const k of r.nodes) this.measuredNodeVoltageV[k] = Math.max(this.measuredNodeVoltageV[k], faultV);
    this.measuredOverridden = true;
  }

  /** Solves one region; false when it is quiet (0 V, nothing feeding or connected). */
  private solveRegion(r: PlantRegion): boolean {
    const V0 = this.nodeVoltageV;
    const cap = this.nodeCapacitanceF;
    const nodes = r.nodes;
    const dtS = this.solveDtS;
    const sumC = r.capacitanceF;
    let sumCV0 = 0;
    let vAvg: number;
    if (r.uniform) {
      vAvg = V0[nodes[0]];
      sumCV0 = sumC * vAvg;
    } else {
      for (let j = 0; j < nodes.length; j++) sumCV0 += cap[nodes[j]] * V0[nodes[j]];
      vAvg = sumCV0 / sumC;
    }
    const slewA = this.solveSlewA;
    const models = r.moduleModels;
    let running = 0;
    let sumI = 0;
    let maxRef = 0;
    for (let j = 0; j < models.length; j++) {
      const m = models[j];
      if (!m.running) continue;
      running++;
      // CC: toward the available current, slew-limited; a module whose reference is below the bus pushes nothing.
      const target = m.vRefV > vAvg - 0.5 ? m.availableCurrentA(vAvg) : 0;
      const i = target > m.outputCurrentA ? Math.min(target, m.outputCurrentA + slewA) : target;
      m.outputCurrentA = i;
      sumI += i;
      if (m.vRefV > maxRef) maxRef = m.vRefV;
    }
    const evGuns = r.evGuns;
    const evGunModels = r.evGunModels;
    let batteries = 0;
    let battG = 0;
    let battGV = 0;
    for (let j = 0; j < evGuns.length; j++) {
      this.batteryCurrentA[evGuns[j]] = 0;
      const ev = evGunModels[j].ev;
      if (!ev || !ev.connected) continue;
      batteries++;
      battG += ev.packConductanceS;
      ev.refreshOpenCircuitVoltage();
      battGV += ev.ocvV / ev.packResistanceOhm;
    }
    if (running === 0 && batteries === 0 && !(r.uniform ? vAvg > 1e-3 : this.anyCharge(nodes))) {
      this.settleQuiet(r);
      return false;
    }
    // Conductance to ground: bleeders, and the discharge circuit when nothing feeds the region
    // (IEC 61851-23: below 60 V within 1 s).
    const discharging = running === 0 && batteries === 0;
    const dischargeS = discharging ? 1 / this.params.bus.dischargeResistanceOhm : 0;
    const sumG = nodes.length * this.bleedS + dischargeS;
    // overCurrent fault: regulation lost, the gun draws factor x its cable rating from the running modules.
    let forced = false;
    if (this.overCurrentFaultCount > 0 && running > 0) {
      const faultSumI = this.forceOverCurrent(r, running, sumI);
      if (faultSumI >= 0) {
        sumI = faultSumI;
        forced = true;
      }
    }
    // The same quotients as written out in full each time (same operands, same doubles), formed once.
    if (r.capPerStepDtS !== dtS) {
      r.capPerStepDtS = dtS;
      r.capPerStepFPerS = sumC / dtS;
    }
    const charge = sumCV0 / dtS;
    const a = r.capPerStepFPerS + sumG + battG;
    let v = (sumI + charge + battGV) / a;
    if (!forced && running > 0 && sumI > 0 && v > maxRef) {
      // CV: the modules hold their reference and deliver only what that takes.
      const need = a * maxRef - charge - battGV;
      const scale = need > 0 ? need / sumI : 0;
      for (let j = 0; j < models.length; j++) models[j].outputCurrentA *= scale;
      v = need > 0 ? maxRef : (charge + battGV) / a;
    }
    if (v < 0) v = 0;
    // Node injections (sources minus sinks minus capacitor charging): formed here only for the EV-side
    // nodes (finishGuns reads them every step); what the others need is kept for ensureFlows.
    // Discharge is spread by capacitance: every node discharges its own charge, no current crosses a contactor.
    const inj = this.injection;
    const perFarad = dischargeS === 0 ? 0 : dischargeS / sumC; // 0 / sumC is 0: no division needed
    for (let j = 0; j < evGuns.length; j++) {
      const k = evGunModels[j].evNode;
      inj[k] = nodeInjectionA(cap[k], V0[k], v, dtS, this.bleedS, perFarad);
    }
    const prevV = this.prevNodeVoltageV;
    const nodePerFarad = this.nodeDischargePerFarad;
    const measured = this.measuredNodeVoltageV;
    for (let j = 0; j < nodes.length; j++) {
      const k = nodes[j];
      prevV[k] = V0[k];
      nodePerFarad[k] = perFarad;
      V0[k] = v;
      measured[k] = v;
    }
    const moduleNodes = r.moduleNodes;
    for (let j = 0; j < models.length; j++) this.nodeSourceA[moduleNodes[j]] = models[j].outputCurrentA;
    for (let j = 0; j < evGuns.length; j++) {
      const g = evGunModels[j];
      const ev = g.ev;
      if (!ev || !ev.connected) continue;
      // ocvV was brought up to date in the first loop of this solve (the SOC moves only in finishGuns).
      const ib = (v - ev.ocvV) / ev.packResistanceOhm;
      this.batteryCurrentA[evGuns[j]] = ib;
      inj[g.evNode] -= ib;
    }
    r.uniform = true;
    return true;
  }

  // Rare paths of solveRegion, kept out of it: a smaller solveRegion leaves V8 room to inline its hot calls.

  /** A region with nothing in it settles at 0 V. */
  private settleQuiet(r: PlantRegion): void {
    const nodes = r.nodes;
    for (let j = 0; j < nodes.length; j++) {
      this.nodeVoltageV[nodes[j]] = 0;
      this.measuredNodeVoltageV[nodes[j]] = 0;
      this.injection[nodes[j]] = 0;
    }
    r.uniform = true;
  }

  /**
   * overCurrent fault: regulation lost, a faulted gun with its GC closed draws factor x its cable rating
   * from the running modules. The region's source current afterwards, or -1 when no such gun is in it.
   */
  private forceOverCurrent(r: PlantRegion, running: number, sumI: number): number {
    let forced = false;
    const models = r.moduleModels;
    const evGunModels = r.evGunModels;
    for (let j = 0; j < evGunModels.length; j++) {
      const g = evGunModels[j];
      if (g.overCurrentFaults > 0 && this.edges[g.gcEdge].contactor.mainClosed) {
        const faultA = this.params.faults.overCurrentFactor * g.cableMaxCurrentA;
        if (faultA > sumI) {
          for (const m of models) if (m.running) m.outputCurrentA = faultA / running;
          sumI = faultA;
        }
        forced = true;
      }
    }
    return forced ? sumI : -1;
  }

  /** Injection of a node of an active region in the last step (see injection). */
  private lastInjectionA(k: number): number {
    const role = this.nodeRole[k];
    if (role === NODE_ROLE_GUN) return this.injection[k];
    const inj = nodeInjectionA(this.nodeCapacitanceF[k], this.prevNodeVoltageV[k], this.nodeVoltageV[k], this.solveDtS, this.bleedS, this.nodeDischargePerFarad[k]);
    return role === NODE_ROLE_MODULE ? inj + this.nodeSourceA[k] : inj;
  }

  private anyCharge(nodes: number[]): boolean {
    for (let j = 0; j < nodes.length; j++) if (this.nodeVoltageV[nodes[j]] > 1e-3) return true;
    return false;
  }

  /**
   * Current through every closed contactor for the last step, from each region's spanning tree:
   * the flow through a node's parent edge is everything injected below it. Computed on demand
   * (moves, observer, dashboard): most steps nobody needs it.
   */
  private ensureFlows(): void {
    if (this.flowsValid) return;
    this.flowsValid = true;
    const flow = this.edgeFlowA;
    flow.fill(0);
    const acc = this.flowScratch;
    for (const ri of this.activeRegions) {
      const r = this.regions[ri];
      for (const k of r.nodes) acc[k] = this.lastInjectionA(k);
      for (let j = r.order.length - 1; j > 0; j--) {
        const k = r.order[j];
        const e = this.parentEdge[k];
        const edge = this.edges[e];
        flow[e] = acc[k];
        acc[edge.a === k ? edge.b : edge.a] += acc[k];
      }
    }
  }

  /** Signed current through an edge in the last step (child -> parent of its region's tree); 0 when open. */
  edgeCurrent(e: number): number {
    this.ensureFlows();
    return this.edgeFlowA[e];
  }

  /** Union-find over closed contactors, then a breadth-first spanning tree per region. */
  rebuildRegions(): void {
    const n = this.nodes.length;
    const parent = new Int32Array(n);
    for (let i = 0; i < n; i++) parent[i] = i;
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
      }
      return x;
    };
    for (const edge of this.edges) {
      if (edge.contactor.mainClosed) parent[find(edge.a)] = find(edge.b);
    }
    const regionByRoot = new Map<number, number>();
    const regions: PlantRegion[] = [];
    for (let i = 0; i < n; i++) {
      const root = find(i);
      let r = regionByRoot.get(root);
      if (r === undefined) {
        r = regions.length;
        regionByRoot.set(root, r);
        regions.push({
          nodes: [], capacitanceF: 0, uniform: false, order: [], modules: [], evGuns: [], gunPositions: [],
          moduleModels: [], moduleNodes: [], evGunModels: [], capPerStepDtS: NaN, capPerStepFPerS: 0,
        });
      }
      regions[r].nodes.push(i);
      regions[r].capacitanceF += this.nodes[i].capacitanceF;
      this.regionOfNode[i] = r;
    }
    this.modules.forEach((m, mi) => {
      const r = regions[this.regionOfNode[this.moduleNode[mi]]];
      r.modules.push(mi);
      r.moduleModels.push(m);
      r.moduleNodes.push(this.moduleNode[mi]);
    });
    this.guns.forEach((g, gi) => {
      regions[this.regionOfNode[g.evNode]].evGuns.push(gi);
      regions[this.regionOfNode[g.evNode]].evGunModels.push(g);
      regions[this.regionOfNode[g.busNode]].gunPositions.push(gi);
    });
    const seen = new Uint8Array(n);
    for (const r of regions) {
      // Root at a bus node (else a module node) so that every EV node hangs off its GC.
      const root = r.nodes.find((k) => this.nodes[k].kind === "slot" || this.nodes[k].kind === "gunBus") ??
        r.nodes.find((k) => this.nodes[k].kind !== "gun") ?? r.nodes[0];
      r.order.push(root);
      seen[root] = 1;
      this.parentEdge[root] = -1;
      for (let j = 0; j < r.order.length; j++) {
        const k = r.order[j];
        for (const e of this.adjacency[k]) {
          const edge = this.edges[e];
          if (!edge.contactor.mainClosed) continue;
          const other = edge.a === k ? edge.b : edge.a;
          if (seen[other]) continue;
          seen[other] = 1;
          this.parentEdge[other] = e;
          r.order.push(other);
        }
      }
    }
    this.regions = regions;
    this.topologyVersion++;
    this.bump();
  }
}
