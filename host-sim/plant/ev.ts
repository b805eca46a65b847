import { Curve } from "./curve";
import type { EvParams } from "./params";

/** What a scenario says about the EV that plugs in (issue 6 `plug` event). */
export interface EvSpec {
  batteryKWh: number;
  socPct: number;
  targetSocPct: number;
  maxPowerKW: number;
  /** Nominal pack voltage: ~400 or ~800 V class. */
  packVoltageV: number;
  /** Optional BMS current cap; default maxPowerKW at the pack's nominal voltage, +10 %. */
  maxCurrentA?: number;
}

/** A finished (unplugged) session as the plant saw it, for reports. */
export interface EvSessionRecord {
  gunId: number;
  spec: EvSpec;
  pluggedAtMs: number;
  unpluggedAtMs: number;
  startSocPct: number;
  endSocPct: number;
  /** Energy into the EV at its inlet. */
  deliveredWh: number;
  /** Unconstrained ask: energy the EV needed to go from its start SOC to its target. */
  askedWh: number;
  /** When the SOC first reached the target, or null. */
  targetReachedAtMs: number | null;
}

/**
 * An EV on a gun: a battery pack (OCV vs SOC, series resistance), a BMS whose
 * current request follows a tapering charge curve, plug/handshake, and stop
 * requests. The pack is behind the EV's own contactors, closed from the end of
 * the handshake until unplug.
 */
export class EvModel {
  readonly spec: EvSpec;
  readonly cellsInSeries: number;
  readonly capacityAh: number;
  readonly packResistanceOhm: number;
  /** 1 / packResistanceOhm, formed once (the solver adds it every step). */
  readonly packConductanceS: number;
  readonly maxCurrentA: number;
  readonly maxVoltageV: number;
  readonly targetVoltageV: number;
  /** A number from the start (see PowerModuleModel.tempC): updated every step while charging. */
  socPct = 0;
  stopRequested = false;
  paused = false;
  requestCurrentA = 0;
  /** Battery current (A, positive = charging) from the last step. */
  batteryCurrentA = 0;
  deliveredWh = 0;
  targetReachedAtMs: number | null = null;
  readonly pluggedAtMs: number;
  private readonly readyAtMs: number;
  private nextRequestAtMs: number;
  private readonly ocv: Curve;
  private ocvSocPct = NaN;
  /** Open-circuit voltage at ocvSocPct: read it after refreshOpenCircuitVoltage(). */
  ocvV = 0;
  private readonly taper: Curve;
  // Values every step reads, copied once (one load instead of two; the same values).
  /** contactorMode "atReady": the pack is connected from the end of the handshake. */
  private readonly connectsAtReady: boolean;
  private readonly targetSocPct: number;
  private readonly chargeEfficiency: number;
  /** dtMs / 3_600_000 for the step size absorbDtMs (NaN: none yet): formed once per step size, the same double. */
  private absorbDtMs = NaN;
  private absorbDtH = 0;

  constructor(spec: EvSpec, nowMs: number, private readonly params: EvParams) {
    this.spec = { ...spec };
    this.cellsInSeries = Math.max(1, Math.round(spec.packVoltageV / params.nominalCellVoltageV));
    this.capacityAh = (spec.batteryKWh * 1000) / (this.cellsInSeries * params.nominalCellVoltageV);
    this.packResistanceOhm = this.cellsInSeries * params.cellResistanceOhm;
    this.packConductanceS = 1 / this.packResistanceOhm;
    this.maxCurrentA = spec.maxCurrentA ?? Math.ceil((spec.maxPowerKW * 1000 * 1.1) / (this.cellsInSeries * params.nominalCellVoltageV));
    this.targetVoltageV = this.cellsInSeries * params.cellMaxVoltageV;
    this.maxVoltageV = Math.round(this.targetVoltageV * params.maxVoltageFactor);
    this.socPct = spec.socPct;
    this.pluggedAtMs = nowMs;
    this.readyAtMs = nowMs + params.handshakeMs;
    this.nextRequestAtMs = this.readyAtMs;
    this.ocv = new Curve(params.cellOcvCurve.map((p) => ({ x: p.socPct, y: p.voltageV })));
    this.taper = new Curve(params.taperCurve.map((p) => ({ x: p.socPct, y: p.powerFraction })));
    this.connectsAtReady = params.contactorMode === "atReady";
    this.targetSocPct = spec.targetSocPct;
    this.chargeEfficiency = params.chargeEfficiency;
    if (this.socPct >= spec.targetSocPct) this.targetReachedAtMs = nowMs;
  }

  /** Cached per SOC change: the solver asks for it several times a step. */
  openCircuitVoltageV(): number {
    this.refreshOpenCircuitVoltage();
    return this.ocvV;
  }

  /**
   * Brings `ocvV` up to the present SOC. The solver calls this and then reads the field: a
   * number returned from a call V8 does not inline is boxed (garbage every step per EV).
   */
  refreshOpenCircuitVoltage(): void {
    const soc = this.socPct;
    if (this.ocvSocPct === soc) return;
    this.ocvSocPct = soc;
    // The SOC moves a little every step: nearly always inside the segment of the last call.
    const ocv = this.ocv;
    // interpolateInSegment's expression written out (the same operands, the same double): see PowerModuleModel.finish.
    this.ocvV = this.cellsInSeries * (soc > ocv.segLoX && soc <= ocv.segHiX ? ocv.segY0 + (ocv.segRise * (soc - ocv.segLoX)) / ocv.segRun : ocv.at(soc));
  }

  terminalVoltageV(): number {
    return this.openCircuitVoltageV() + this.batteryCurrentA * this.packResistanceOhm;
  }

  private inletMatchedSinceMs: number | null = null;
  private contactorsOpenedForGood = false;
  private readyNow = false;
  private contactorsClosedNow = false;
  /**
   * ready && (connectsAtReady || contactorsClosed), kept as a field: the solver reads it three
   * times per EV per step. Both inputs are written only through their setters, which form it again.
   */
  private connectedNow = false;

  /** Handshake done. */
  get ready(): boolean {
    return this.readyNow;
  }

  set ready(value: boolean) {
    this.readyNow = value;
    this.refreshConnected();
  }

  /** EV contactors closed ("afterPrecharge" mode; always true once ready in "atReady" mode). */
  get contactorsClosed(): boolean {
    return this.contactorsClosedNow;
  }

  set contactorsClosed(value: boolean) {
    this.contactorsClosedNow = value;
    this.refreshConnected();
  }

  /** The pack is connected to the gun (EV contactors closed). */
  get connected(): boolean {
    return this.connectedNow;
  }

  private refreshConnected(): void {
    this.connectedNow = this.readyNow && (this.connectsAtReady || this.contactorsClosedNow);
  }

  /** "afterPrecharge" mode: the EV closes its contactors on a matched inlet, opens them after a stop. */
  superviseContactors(inletV: number, nowMs: number): boolean {
    if (this.connectsAtReady || !this.ready) return false;
    if (this.contactorsClosed) {
      if (this.stopRequested && Math.abs(this.batteryCurrentA) < 1) {
        this.contactorsClosed = false;
        this.contactorsOpenedForGood = true;
        return true;
      }
      return false;
    }
    if (this.contactorsOpenedForGood || this.stopRequested) return false;
    if (Math.abs(inletV - this.openCircuitVoltageV()) > this.params.evPrechargeToleranceV) {
      this.inletMatchedSinceMs = null;
      return false;
    }
    if (this.inletMatchedSinceMs === null) this.inletMatchedSinceMs = nowMs;
    if (nowMs - this.inletMatchedSinceMs < this.params.evPrechargeMs) return false;
    this.contactorsClosed = true;
    return true;
  }

  /** What the BMS wants now, before ramping: taper(SOC) x max power, capped by its current limit. */
  desiredCurrentA(): number {
    if (this.stopRequested || this.paused || !this.connected) return 0;
    const powerW = this.spec.maxPowerKW * 1000 * this.taper.at(this.socPct);
    return Math.min(this.maxCurrentA, powerW / Math.max(1, this.openCircuitVoltageV()));
  }

  /** Energy the EV needs to reach its target from where it started (at the inlet). */
  askedWh(): number {
    return (Math.max(0, this.spec.targetSocPct - this.spec.socPct) / 100) * this.spec.batteryKWh * 1000 / this.params.chargeEfficiency;
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  /** Before the solve: handshake and BMS request updates. */
  prepare(nowMs: number): void {
    if (!this.ready && nowMs >= this.readyAtMs) this.ready = true;
    if (this.ready && nowMs >= this.nextRequestAtMs) {
      const periodMs = this.params.requestPeriodMs;
      const elapsedMs = periodMs + (nowMs - this.nextRequestAtMs);
      this.nextRequestAtMs = nowMs + periodMs;
      const want = this.desiredCurrentA();
      const step = (this.params.requestRampAPerS * elapsedMs) / 1000;
      // Requests fall at once (the BMS protects the pack) and rise with a ramp.
      this.requestCurrentA = want < this.requestCurrentA ? want : Math.min(want, this.requestCurrentA + step);
    }
  }

  /** After the solve: integrate charge. */
  absorb(currentA: number, terminalV: number, dtMs: number, nowMs: number): void {
    this.batteryCurrentA = currentA;
    if (dtMs !== this.absorbDtMs) {
      this.absorbDtMs = dtMs;
      this.absorbDtH = dtMs / 3_600_000;
    }
    const dtH = this.absorbDtH;
    this.deliveredWh += currentA * terminalV * dtH;
    this.socPct = Math.min(100, Math.max(0, this.socPct + ((currentA * dtH) / this.capacityAh) * 100 * (currentA > 0 ? this.chargeEfficiency : 1)));
    if (this.targetReachedAtMs === null && this.socPct >= this.targetSocPct) {
      this.targetReachedAtMs = nowMs;
    }
    if (this.socPct >= this.targetSocPct && !this.stopRequested) {
      // The BMS ends the session at its target SOC.
      this.stopRequested = true;
      this.requestCurrentA = 0;
    }
  }

  record(gunId: number, nowMs: number): EvSessionRecord {
    return {
      gunId,
      spec: { ...this.spec },
      pluggedAtMs: this.pluggedAtMs,
      unpluggedAtMs: nowMs,
      startSocPct: this.spec.socPct,
      endSocPct: this.socPct,
      deliveredWh: this.deliveredWh,
      askedWh: this.askedWh(),
      targetReachedAtMs: this.targetReachedAtMs,
    };
  }
}
