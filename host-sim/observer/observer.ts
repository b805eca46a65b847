import type { CabinetPlant, PlantFault, PlantFaultKind } from "../plant/plant";

/**
 * Independent invariant observer (DESIGN.md §5). It reads only the PLANT's
 * physical state (contact positions, coil states, currents, voltages, module
 * output stages, EV requests, injected faults), never the controller's beliefs,
 * and is called after every simulated step.
 */

export interface Violation {
  atMs: number;
  /** DESIGN.md §5 invariant number. */
  invariant: number;
  kind: string;
  /** Contactor, module, gun or region the violation is about. */
  subject: string;
  details: string;
  /** Set when a lasting condition ended. */
  endedAtMs?: number;
}

export interface BreakUnderLoad {
  atMs: number;
  contactorId: string;
  currentA: number;
  /** Opened while a safety condition was active (fault, e-stop, door, coil release): counted, not a violation. */
  emergency: boolean;
}

/** A contact closed across a voltage difference (MC bus segments). */
export interface MakeAcrossVoltage {
  atMs: number;
  contactorId: string;
  deltaV: number;
  emergency: boolean;
}

export interface FaultReaction {
  handle: number;
  kind: PlantFaultKind;
  target: string | number | null;
  injectedAtMs: number;
  /** When the fault became a hazard the controller could see (null: never, e.g. a latent weld). */
  startAtMs: number | null;
  safeAtMs: number | null;
  reactionMs: number | null;
  deadlineMs: number;
  /** null while still pending. */
  met: boolean | null;
  clearedAtMs: number | null;
  note: string;
}

export interface ObserverDeadlines {
  /** e-stop, door, IMD, over-current, over-voltage: physical safe state (outputs off, contactors open). */
  emergencyMs: number;
  /** module fail / over-temperature, connector over-temperature, welds: isolated. */
  errorMs: number;
  /** Module comms loss: the module can only be isolated after its current is brought to zero. */
  commsLossMs: number;
}

export interface ObserverParams {
  switchingCurrentA: number;
  prechargeToleranceV: number;
  /** Added to the precharge tolerance for measurement spread. */
  voltageMarginV: number;
  /** Gun current allowance over min(cable, EV request). */
  gunCurrentMarginA: number;
  gunCurrentMarginFraction: number;
  /** A falling EV request is honoured after this latency, then at the ramp rate. */
  requestLatencyMs: number;
  requestRampDownAPerS: number;
  /** A controller ramps in steps of one control period: allow one step above the linear ramp. */
  rampStepAllowanceA: number;
  /** A module may stay energized this long after its island lost its EV (ramp-down and stop). */
  noEvGraceMs: number;
  /** An opening under load this soon after a fault became a hazard counts as an emergency opening. */
  emergencyWindowMs: number;
  deadlines: ObserverDeadlines;
}

export function defaultObserverParams(plant: CabinetPlant): ObserverParams {
  const cfg = plant.config;
  return {
    switchingCurrentA: cfg.policy.switchingCurrentA,
    prechargeToleranceV: cfg.policy.prechargeToleranceV,
    voltageMarginV: 2,
    gunCurrentMarginA: 5,
    gunCurrentMarginFraction: 0.02,
    requestLatencyMs: 3 * cfg.timing.controlPeriodMs,
    requestRampDownAPerS: cfg.policy.currentRampAPerS,
    rampStepAllowanceA: (cfg.policy.currentRampAPerS * cfg.timing.controlPeriodMs) / 1000,
    noEvGraceMs: cfg.policy.zeroCurrentTimeoutMs + 3000,
    emergencyWindowMs: 5000,
    deadlines: { emergencyMs: 100, errorMs: 3000, commsLossMs: 15_000 },
  };
}

const EMERGENCY_KINDS: ReadonlySet<PlantFaultKind> = new Set(["estop", "door", "imd", "overCurrent", "overVoltage"]);

/** The ramped current envelope of one gun (invariant 6). */
interface GunEnvelope {
  allowedA: number;
  holdUntilMs: number;
  /** Last time the envelope was above the request (a ramp-down in progress). */
  rampingAtMs: number;
}

export class InvariantObserver {
  readonly params: ObserverParams;
  readonly violations: Violation[] = [];
  readonly breaks: BreakUnderLoad[] = [];
  readonly reactions: FaultReaction[] = [];
  readonly makes: MakeAcrossVoltage[] = [];
  private moveCursor = 0;
  private readonly open = new Map<string, Violation>();
  private readonly since = new Map<string, number>();
  /** By gun position; seeded with each gun's request at the first check. */
  private readonly envelopes: GunEnvelope[];
  private envelopesSeeded = false;
  /** Region id per node and whether the region had energized modules, as of the previous check. */
  private prevRegionOfNode: Int32Array;
  private prevEnergized: boolean[] = [];
  private lastMs = 0;
  private pendingReactions = 0;
  private lastVersion = -1;
  private openInv1 = 0;
  private readonly seenInv1 = new Set<string>();
  private readonly moduleKeys: { noEv: string; unhealthy: string }[];
  private readonly gunKeys: string[];
  private readonly weldable: { edge: number; key: string }[];

  constructor(readonly plant: CabinetPlant, params: Partial<ObserverParams> = {}) {
    const base = defaultObserverParams(plant);
    this.params = { ...base, ...params, deadlines: { ...base.deadlines, ...(params.deadlines ?? {}) } };
    this.prevRegionOfNode = new Int32Array(plant.nodes.length);
    this.moduleKeys = plant.modules.map((m) => ({ noEv: `5:noEv:${m.id}`, unhealthy: `5:unhealthy:${m.id}` }));
    this.gunKeys = plant.guns.map((g) => `6:${g.id}`);
    this.envelopes = plant.guns.map(() => ({ allowedA: 0, holdUntilMs: 0, rampingAtMs: -Infinity }));
    this.weldable = plant.edges.map((e, i) => ({ edge: i, key: `9:${e.contactor.id}` }));
    this.snapshotRegions();
  }

  /** Call after every plant step. */
  check(): void {
    const now = this.plant.nowMs;
    const dtMs = now - this.lastMs;
    this.lastMs = now;
    this.checkMoves(now);
    const changed = this.plant.stateVersion !== this.lastVersion;
    // Regions and module roles only change with plant state changes; pending conditions need time checks.
    if (changed || this.since.size > 0 || this.open.size > 0) {
      this.checkRegions(now);
      this.checkModules(now);
    }
    this.checkGunCurrents(now, dtMs);
    this.checkFaults(now);
    if (changed) {
      this.lastVersion = this.plant.stateVersion;
      this.snapshotRegions();
    }
  }

  /** Violations of one invariant (for tests and reports). */
  of(invariant: number): Violation[] {
    return this.violations.filter((v) => v.invariant === invariant);
  }

  // ---- invariant 3, 4, 2: what happened when contacts moved ----

  private checkMoves(now: number): void {
    const plant = this.plant;
    const p = this.params;
    for (; this.moveCursor < plant.moves.length; this.moveCursor++) {
      const move = plant.moves[this.moveCursor];
      const e = plant.edgeIndexByContactor.get(move.id)!;
      const edge = plant.edges[e];
      if (!move.closed) {
        if (move.currentA > p.switchingCurrentA) {
          const emergency = move.released || this.safetyConditionActive();
          this.breaks.push({ atMs: move.atMs, contactorId: move.id, currentA: move.currentA, emergency });
          if (!emergency) {
            this.report(move.atMs, 3, "breakUnderLoad", move.id, `${move.id} opened carrying ${move.currentA.toFixed(1)} A (threshold ${p.switchingCurrentA} A)`);
          }
        }
        continue;
      }
      if (edge.kind === "GC") {
        const gun = plant.guns.find((g) => g.gcId === move.id)!;
        if (gun.ev?.connected && move.deltaV > p.prechargeToleranceV + p.voltageMarginV) {
          this.report(move.atMs, 4, "gcClosedWithoutPrecharge", move.id,
            `${move.id} closed with |bus - EV| = ${move.deltaV.toFixed(1)} V (tolerance ${p.prechargeToleranceV} V)`);
        }
        continue;
      }
      if (edge.kind === "MC" && move.deltaV > p.prechargeToleranceV + p.voltageMarginV) {
        // A coil release (fail-safe) closes MCs whatever the buses hold: counted, not a violation.
        const emergency = move.released || this.safetyConditionActive();
        this.makes.push({ atMs: move.atMs, contactorId: move.id, deltaV: move.deltaV, emergency });
        if (!emergency) this.report(move.atMs, 3, "closedAcrossVoltage", move.id, `${move.id} closed across ${move.deltaV.toFixed(1)} V between bus segments`);
      }
      if (edge.kind === "MC" || edge.kind === "MX") {
        const ra = this.prevRegionOfNode[edge.a];
        const rb = this.prevRegionOfNode[edge.b];
        if (ra !== rb && this.prevEnergized[ra] && this.prevEnergized[rb]) {
          this.report(move.atMs, 2, "energizedRegionsBridged", move.id, `${move.id} closed between two regions that both had energized modules`);
        }
      }
    }
  }

  /**
   * An emergency is in force: e-stop or door, an active emergency-class fault (IMD, over-current,
   * over-voltage), or any fault that became a hazard within the emergency window. A latent fault
   * elsewhere (an unexercised weld) does not excuse a break under load.
   */
  private safetyConditionActive(): boolean {
    const plant = this.plant;
    if (plant.estopActive || plant.doorOpen) return true;
    const now = plant.nowMs;
    for (const f of plant.faults) {
      if (f.clearedAtMs === null && EMERGENCY_KINDS.has(f.kind)) return true;
    }
    for (const r of this.reactions) {
      const start = r.startAtMs ?? (r.kind === "mcWeld" || r.kind === "mnWeld" || r.kind === "gcWeld" ? null : r.injectedAtMs);
      if (start !== null && now - start <= this.params.emergencyWindowMs) return true;
    }
    // Faults injected this very step have no reaction record yet.
    return plant.faults.some((f) => now - f.injectedAtMs <= this.params.emergencyWindowMs && f.kind !== "mcWeld" && f.kind !== "mnWeld" && f.kind !== "gcWeld");
  }

  // ---- invariant 1 and 9: regions as they are ----

  private checkRegions(now: number): void {
    const plant = this.plant;
    const seen = this.seenInv1;
    seen.clear();
    for (let r = 0; r < plant.regions.length; r++) {
      const region = plant.regions[r];
      if (region.evGuns.length < 2) continue;
      const closed = region.evGuns.filter((gi) => plant.edges[plant.guns[gi].gcEdge].contactor.mainClosed).map((gi) => plant.guns[gi].id);
      if (closed.length < 2) continue;
      const key = `1:${closed.join(",")}`;
      seen.add(key);
      if (!this.open.has(key)) this.openInv1++;
      this.condition(now, key, true, 1, "multipleGcInRegion", `guns ${closed.join(",")}`,
        () => `GCs of guns ${closed.join(", ")} are closed in one electrically connected region`, 0);
    }
    if (this.openInv1 > 0) {
      for (const key of [...this.open.keys()]) {
        if (key.startsWith("1:") && !seen.has(key)) {
          this.condition(now, key, false, 1, "", "", () => "", 0);
          this.openInv1--;
        }
      }
    }
    // Invariant 9: a welded contactor the controller treats as open (coil says open) inside an energized region.
    for (const w of this.weldable) {
      const edge = plant.edges[w.edge];
      const c = edge.contactor;
      if (c.fault !== "weld" && !this.since.has(w.key) && !this.open.has(w.key)) continue;
      const relied = c.fault === "weld" && c.mainClosed && !c.targetClosed();
      const region = plant.regions[plant.regionOfNode[edge.a]];
      const energized = relied && (this.regionEnergized(region) || Math.abs(plant.edgeCurrent(w.edge)) > this.params.switchingCurrentA);
      this.condition(now, w.key, energized, 9, "weldedContactorRelied", c.id,
        () => `${c.id} is welded closed but commanded open, and its region is energized`, this.params.deadlines.errorMs);
    }
  }

  // ---- invariant 5: modules ----

  private checkModules(now: number): void {
    const plant = this.plant;
    for (let mi = 0; mi < plant.modules.length; mi++) {
      const m = plant.modules[mi];
      const keys = this.moduleKeys[mi];
      const energizing = plant.moduleEnergizing(mi);
      if (!energizing && !this.since.has(keys.noEv) && !this.since.has(keys.unhealthy) && !this.open.has(keys.noEv) && !this.open.has(keys.unhealthy)) continue;
      const region = plant.regions[plant.regionOfNode[plant.moduleNode[mi]]];
      const hasEv = energizing && region.gunPositions.some((gi) => plant.guns[gi].ev !== null);
      this.condition(now, keys.noEv, energizing && !hasEv, 5, "moduleEnergizedWithoutEv", m.id,
        () => `${m.id} energizes a region with no EV plugged on any of its guns`, this.params.noEvGraceMs);
      const unhealthy = m.commsLost || m.overTempTripped || m.tempC >= m.rating.tripTempC || m.failed;
      const grace = m.commsLost ? this.params.deadlines.commsLossMs : this.params.deadlines.errorMs;
      this.condition(now, keys.unhealthy, energizing && unhealthy, 5, "unhealthyModuleEnergized", m.id,
        () => `${m.id} is unhealthy (${m.commsLost ? "no comms" : m.failed ? "failed" : "over-temperature"}) and still feeds a bus`, grace);
    }
  }

  // ---- invariant 6: gun current vs min(cable, EV request), ramped ----

  private checkGunCurrents(now: number, dtMs: number): void {
    const guns = this.plant.guns;
    const envelopes = this.envelopes;
    const p = this.params;
    const latencyMs = p.requestLatencyMs;
    const rampDownAPerS = p.requestRampDownAPerS;
    const rampStepAllowanceA = p.rampStepAllowanceA;
    const marginFactor = 1 + p.gunCurrentMarginFraction;
    const marginA = p.gunCurrentMarginA;
    const seed = !this.envelopesSeeded;
    this.envelopesSeeded = true;
    // Nothing pending anywhere (the usual step): no per-gun lookups. Read once per call: a
    // condition() below only adds or removes the key of the gun being checked, and every later
    // gun has its own key, so for them "pending" can only be true if it was true here.
    const anyPending = this.open.size > 0 || this.since.size > 0;
    for (let gi = 0; gi < guns.length; gi++) {
      const g = guns[gi];
      const ev = g.ev;
      const env = envelopes[gi];
      const request = ev?.connected ? ev.requestCurrentA : 0;
      if (seed) {
        env.allowedA = request;
        env.holdUntilMs = now + latencyMs;
      }
      if (request >= env.allowedA) {
        env.allowedA = request;
        env.holdUntilMs = now + latencyMs;
      } else if (now >= env.holdUntilMs) {
        env.allowedA = Math.max(request, env.allowedA - (rampDownAPerS * dtMs) / 1000);
      }
      const limitA = Math.min(g.cableMaxCurrentA, env.allowedA);
      if (env.allowedA > request) env.rampingAtMs = now;
      // The last step of a staircase ramp lands one control period (plus module slew) after the linear one.
      const ramping = now - env.rampingAtMs <= latencyMs ? rampStepAllowanceA : 0;
      const allowedA = limitA * marginFactor + marginA + ramping;
      const excess = g.overCurrentFaults === 0 && g.currentA > allowedA;
      if (!excess && (!anyPending || !this.open.has(this.gunKeys[gi]) && !this.since.has(this.gunKeys[gi]))) continue;
      this.condition(now, this.gunKeys[gi], excess, 6, "gunOverCurrent", `gun ${g.id}`,
        () => `gun ${g.id} carries ${g.currentA.toFixed(1)} A, allowed ${limitA.toFixed(1)} A (cable ${g.cableMaxCurrentA} A, EV request ${request.toFixed(1)} A) + margin`, 0);
    }
  }

  // ---- invariant 8: injected faults reach their safe state in time ----

  private checkFaults(now: number): void {
    if (this.reactions.length === this.plant.faults.length && this.pendingReactions === 0) return;
    this.pendingReactions = 0;
    for (const f of this.plant.faults) {
      let rec = this.reactions.find((r) => r.handle === f.handle);
      if (!rec) {
        rec = {
          handle: f.handle, kind: f.kind, target: f.target, injectedAtMs: f.injectedAtMs, startAtMs: null, safeAtMs: null,
          reactionMs: null, deadlineMs: this.deadlineFor(f.kind), met: null, clearedAtMs: null, note: "",
        };
        this.reactions.push(rec);
      }
      if (rec.safeAtMs !== null || (rec.clearedAtMs !== null && rec.met !== null)) continue;
      this.pendingReactions++;
      if (f.clearedAtMs !== null && rec.clearedAtMs === null) rec.clearedAtMs = f.clearedAtMs;
      if (rec.startAtMs === null) {
        const start = this.hazardStart(f, now);
        if (start === null) {
          if (rec.clearedAtMs !== null) {
            rec.met = true;
            rec.note = "cleared before it became a hazard";
          }
          continue;
        }
        rec.startAtMs = start;
      }
      if (this.isSafe(f)) {
        rec.safeAtMs = now;
        rec.reactionMs = now - rec.startAtMs;
        if (rec.met === null) rec.met = rec.reactionMs <= rec.deadlineMs;
        if (!rec.met) rec.note = `safe after ${rec.reactionMs} ms, deadline ${rec.deadlineMs} ms`;
        continue;
      }
      if (rec.met === null && now - rec.startAtMs > rec.deadlineMs) {
        if (rec.clearedAtMs !== null && rec.clearedAtMs - rec.startAtMs <= rec.deadlineMs) {
          rec.met = true;
          rec.note = "cleared before the deadline";
          continue;
        }
        // Late: reported now; the record keeps watching for the (late) safe state.
        rec.met = false;
        rec.note = `not safe within ${rec.deadlineMs} ms`;
        this.report(now, 8, "faultNotSafeInTime", this.faultSubject(f), `${f.kind} on ${this.faultSubject(f)}: no safe state within ${rec.deadlineMs} ms`);
      }
    }
  }

  private deadlineFor(kind: PlantFaultKind): number {
    const d = this.params.deadlines;
    if (EMERGENCY_KINDS.has(kind)) return d.emergencyMs;
    if (kind === "moduleCommsLoss") return d.commsLossMs;
    return d.errorMs;
  }

  private faultSubject(f: PlantFault): string {
    return f.target === null ? f.kind : typeof f.target === "number" ? `gun ${f.target}` : f.target;
  }

  /** When the fault became visible as a hazard (null: not yet). */
  private hazardStart(f: PlantFault, now: number): number | null {
    const plant = this.plant;
    switch (f.kind) {
      case "mcWeld": case "mnWeld": case "gcWeld":
        // A weld is a hazard once the controller relies on the contact being open while it carries
        // current or sits in an energized region.
        return this.isSafe(f) ? null : now;
      case "contactorStuckOpen": {
        const c = plant.contactor(String(f.target));
        return !c.mainClosed && c.targetClosed() && !c.moving ? now : null;
      }
      case "moduleOverTemp": {
        const m = plant.module(String(f.target));
        return m.tempC >= m.rating.tripTempC ? now : null;
      }
      case "connectorOverTemp":
        return plant.gun(Number(f.target)).connectorTempC >= plant.config.safety.connectorTripTempC ? now : null;
      default:
        return f.injectedAtMs;
    }
  }

  private isSafe(f: PlantFault): boolean {
    const plant = this.plant;
    const thr = this.params.switchingCurrentA;
    switch (f.kind) {
      case "estop": case "door":
        return plant.modules.every((m) => !m.running) &&
          plant.edges.every((e) => e.kind === "MC" || !e.contactor.mainClosed);
      case "imd": case "overVoltage": {
        const g = plant.gun(Number(f.target));
        return !plant.edges[g.gcEdge].contactor.mainClosed && !this.regionEnergized(plant.regions[plant.regionOfNode[g.busNode]]);
      }
      case "overCurrent": case "connectorOverTemp": {
        const g = plant.gun(Number(f.target));
        return !plant.edges[g.gcEdge].contactor.mainClosed && Math.abs(g.currentA) < thr;
      }
      case "moduleFail": case "moduleOverTemp": case "moduleCommsLoss": {
        const mi = plant.moduleIndexById.get(String(f.target))!;
        return plant.regions[plant.regionOfNode[plant.moduleNode[mi]]].nodes.length === 1;
      }
      case "mcWeld": case "mnWeld": case "gcWeld": {
        const c = plant.contactor(String(f.target));
        const e = plant.edgeIndexByContactor.get(c.id)!;
        if (!(c.mainClosed && !c.targetClosed())) return true;
        return Math.abs(plant.edgeCurrent(e)) < thr && !this.regionEnergized(plant.regions[plant.regionOfNode[plant.edges[e].a]]);
      }
      default:
        // Stuck-open contacts and flickering feedback leave the plant de-energized where they are.
        return true;
    }
  }

  private regionEnergized(region: { modules: number[]; nodes: number[] }): boolean {
    if (region.nodes.length < 2) return false;
    for (const mi of region.modules) if (this.plant.modules[mi].running) return true;
    return false;
  }

  private snapshotRegions(): void {
    const plant = this.plant;
    this.prevRegionOfNode.set(plant.regionOfNode);
    const n = plant.regions.length;
    if (this.prevEnergized.length !== n) this.prevEnergized = new Array<boolean>(n);
    for (let r = 0; r < n; r++) this.prevEnergized[r] = this.regionEnergized(plant.regions[r]);
  }

  // ---- bookkeeping ----

  private report(atMs: number, invariant: number, kind: string, subject: string, details: string): Violation {
    const v: Violation = { atMs, invariant, kind, subject, details };
    this.violations.push(v);
    return v;
  }

  /** A lasting condition: reported once when it has held for graceMs; ended when it clears. */
  private condition(now: number, key: string, holds: boolean, invariant: number, kind: string, subject: string, details: () => string, graceMs: number): void {
    if (!holds) {
      this.since.delete(key);
      const v = this.open.get(key);
      if (v) {
        v.endedAtMs = now;
        this.open.delete(key);
      }
      return;
    }
    if (this.open.has(key)) return;
    const since = this.since.get(key);
    if (since === undefined) this.since.set(key, now);
    if (now - (since ?? now) >= graceMs) this.open.set(key, this.report(since ?? now, invariant, kind, subject, details()));
  }
}
