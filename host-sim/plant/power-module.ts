import type { ModuleRatingConfig } from "../../src/config/types";
import { Curve } from "./curve";
import type { ModuleParams } from "./params";

export interface ModuleCommandInput {
  enabled: boolean;
  voltageV: number;
  currentLimitA: number;
}

export type ModuleFaultKind = "fail" | "overTemp" | "commsLoss";

/**
 * A power module (AC/DC, constant-power envelope). It regulates its output
 * voltage toward the commanded setpoint (CV) and limits its current to the
 * commanded limit, its constant-power envelope and thermal derating (CC). The
 * output has a series diode, so current only flows out of it.
 */
export class PowerModuleModel {
  readonly id: string;
  command: ModuleCommandInput = { enabled: false, voltageV: 0, currentLimitA: 0 };
  lastTrafficMs = 0;
  /** Output stage running. */
  running = false;
  /** Voltage reference after soft-start / slew. */
  vRefV = 0;
  /** Actual output current (A, >= 0). */
  outputCurrentA = 0;
  outputVoltageV = 0;
  /** Initialized as a number (the constructor sets it): a field declared bare starts undefined, and V8 then
   *  boxes every double stored into it (one allocation per module per step). */
  tempC = 0;
  failed = false;
  commsLost = false;
  overTempForced = false;
  /** Self-protection latched by over-temperature. */
  overTempTripped = false;
  inputPowerW = 0;
  outputEnergyWh = 0;
  inputEnergyWh = 0;
  runningMs = 0;
  private startAtMs: number | null = null;
  private readonly efficiency: Curve;
  // Rating and parameter values the step reads, copied once into own fields: the same doubles, one
  // load instead of two (the plant steps every module 100 times per simulated second).
  /** ratedPowerKW x 1000, formed once (the same double every step). */
  private readonly ratedPowerW: number;
  private readonly maxCurrentA: number;
  private readonly minVoltageV: number;
  private readonly maxVoltageV: number;
  private readonly derateStartTempC: number;
  private readonly tripTempC: number;
  private readonly commsTimeoutMs: number;
  private readonly overTempHysteresisC: number;
  private readonly startupDelayMs: number;
  private readonly voltageRampVPerS: number;
  private readonly standbyLossW: number;
  private readonly noLoadLossW: number;
  private readonly thermalResistanceCPerW: number;
  // Per-step quotients that depend only on the step size and the parameters, formed once per step
  // size (the same operands give the same double; the plant steps at one size for hours).
  // stepDtMs is the key: NaN until the first step, re-formed whenever a call brings another size.
  private stepDtMs = NaN;
  /** dtMs / 1000. */
  private stepDtS = 0;
  /** (voltageRampVPerS * dtMs) / 1000: the reference slew of one step. */
  private stepRampV = 0;
  /** (standbyLossW * dtS) / 3600 and (noLoadLossW * dtS) / 3600: input energy of an idle step. */
  private stepStandbyWh = 0;
  private stepNoLoadWh = 0;

  constructor(id: string, readonly ratedPowerKW: number, readonly rating: ModuleRatingConfig, private readonly params: ModuleParams, ambientTempC: number) {
    this.id = id;
    this.tempC = ambientTempC;
    this.efficiency = new Curve(params.efficiencyCurve.map((p) => ({ x: p.loadFraction, y: p.efficiency })));
    this.ratedPowerW = ratedPowerKW * 1000;
    this.maxCurrentA = rating.maxCurrentA;
    this.minVoltageV = rating.minVoltageV;
    this.maxVoltageV = rating.maxVoltageV;
    this.derateStartTempC = rating.derateStartTempC;
    this.tripTempC = rating.tripTempC;
    this.commsTimeoutMs = params.commsTimeoutMs;
    this.overTempHysteresisC = params.overTempHysteresisC;
    this.startupDelayMs = params.startupDelayMs;
    this.voltageRampVPerS = params.voltageRampVPerS;
    this.standbyLossW = params.standbyLossW;
    this.noLoadLossW = params.noLoadLossW;
    this.thermalResistanceCPerW = params.thermalResistanceCPerW;
  }

  /** A CAN command frame reached the module (false if the link is down). */
  receive(command: ModuleCommandInput, nowMs: number): boolean {
    if (this.commsLost) return false;
    // A fresh object when the command changes: a caller (snapshot, dashboard) may hold the previous one,
    // and command objects are never written in place. The host HAL repeats the last command every poll
    // (about two frames per plant step): an equal one keeps the object (Object.is: even 0 and -0 differ).
    const held = this.command;
    if (!Object.is(held.enabled, command.enabled) || !Object.is(held.voltageV, command.voltageV) || !Object.is(held.currentLimitA, command.currentLimitA)) {
      this.command = { enabled: command.enabled, voltageV: command.voltageV, currentLimitA: command.currentLimitA };
    }
    this.lastTrafficMs = nowMs;
    return true;
  }

  /** Current the output stage may deliver at busV: commanded limit, power envelope, derating. */
  availableCurrentA(busV: number): number {
    if (!this.running) return 0;
    const envelopeA = Math.min(this.maxCurrentA, this.ratedPowerW / Math.max(busV, this.minVoltageV));
    return Math.max(0, Math.min(this.command.currentLimitA, envelopeA * this.derateFactor()));
  }

  /** 1 up to derateStartTempC, falling linearly to 0 at tripTempC. */
  derateFactor(): number {
    const derateStartTempC = this.derateStartTempC;
    const tripTempC = this.tripTempC;
    if (this.tempC <= derateStartTempC) return 1;
    if (this.tempC >= tripTempC) return 0;
    return (tripTempC - this.tempC) / (tripTempC - derateStartTempC);
  }

  efficiencyAt(outputW: number): number {
    return this.efficiency.at(outputW / this.ratedPowerW);
  }

  /** Forms the per-step quotients for a new step size (see stepDtMs). */
  private formStepConstants(dtMs: number): void {
    this.stepDtMs = dtMs;
    const dtS = dtMs / 1000;
    this.stepDtS = dtS;
    this.stepRampV = (this.voltageRampVPerS * dtMs) / 1000;
    this.stepStandbyWh = (this.standbyLossW * dtS) / 3600;
    this.stepNoLoadWh = (this.noLoadLossW * dtS) / 3600;
  }

  /** Before the electrical solve: timeouts, start-up, voltage reference slew. */
  prepare(nowMs: number, dtMs: number): void {
    if (dtMs !== this.stepDtMs) this.formStepConstants(dtMs);
    const timedOut = nowMs - this.lastTrafficMs > this.commsTimeoutMs;
    if (this.overTempTripped && this.tempC < this.tripTempC - this.overTempHysteresisC && !this.overTempForced) {
      this.overTempTripped = false;
    }
    if (this.tempC >= this.tripTempC) this.overTempTripped = true;
    const allowed = this.command.enabled && !timedOut && !this.failed && !this.overTempTripped;
    if (!allowed) {
      // Output stage off at once (gate drive disabled); soft-start begins again next time.
      this.running = false;
      this.startAtMs = null;
      this.outputCurrentA = 0;
      this.vRefV = 0;
      return;
    }
    if (!this.running) {
      if (this.startAtMs === null) this.startAtMs = nowMs + this.startupDelayMs;
      if (nowMs >= this.startAtMs) {
        this.running = true;
        this.startAtMs = null;
      }
    }
    if (this.running) {
      const target = Math.max(0, Math.min(this.command.voltageV, this.maxVoltageV));
      const step = this.stepRampV;
      this.vRefV = this.vRefV < target ? Math.min(target, this.vRefV + step) : Math.max(target, this.vRefV - step);
    }
  }

  /** After the solve: losses, temperature, energy. */
  finish(busV: number, dtMs: number, ambientTempC: number, thermalDecay = Math.exp(-dtMs / 1000 / this.params.thermalTimeConstantS)): void {
    if (dtMs !== this.stepDtMs) this.formStepConstants(dtMs);
    this.outputVoltageV = busV;
    const outW = this.outputCurrentA * busV;
    // idleWh: the input energy of this step when the input power is one of the fixed losses
    // (the same quotient as (inputPowerW * dtS) / 3600, formed once); -1 when it must be computed.
    let idleWh = -1;
    if (this.running) {
      if (outW > 0) {
        // efficiencyAt(outW), with the curve's usual case inline (the load moves little between steps).
        const load = outW / this.ratedPowerW;
        const curve = this.efficiency;
        // interpolateInSegment's expression written out (the same operands, the same double): as a call that
        // V8 did not always inline, its returned double was boxed (garbage per running module per step).
        const efficiency = load > curve.segLoX && load <= curve.segHiX ? curve.segY0 + (curve.segRise * (load - curve.segLoX)) / curve.segRun : curve.at(load);
        this.inputPowerW = outW / efficiency + this.standbyLossW;
      } else {
        this.inputPowerW = this.noLoadLossW;
        idleWh = this.stepNoLoadWh;
      }
      this.runningMs += dtMs;
    } else {
      this.inputPowerW = this.standbyLossW;
      idleWh = this.stepStandbyWh;
    }
    const lossW = this.inputPowerW - outW;
    const dtS = this.stepDtS;
    if (this.overTempForced) {
      this.tempC = Math.min(this.rating.tripTempC + 10, this.tempC + this.params.overTempFaultRiseCPerS * dtS);
    } else {
      const steadyC = ambientTempC + lossW * this.thermalResistanceCPerW;
      // Exact first-order step: stable for any dt.
      this.tempC = steadyC + (this.tempC - steadyC) * thermalDecay;
    }
    // Adding the quotient of a zero output is adding 0, which leaves the sum as it is (it starts at +0
    // and so is never -0): an idle module skips the division.
    if (outW !== 0) this.outputEnergyWh += (outW * dtS) / 3600;
    this.inputEnergyWh += idleWh >= 0 ? idleWh : (this.inputPowerW * dtS) / 3600;
  }

  alarms(): string[] {
    const out: string[] = [];
    if (this.failed) out.push("fault");
    if (this.overTempTripped) out.push("overTemp");
    else if (this.tempC > this.rating.derateStartTempC) out.push("derating");
    return out;
  }

  setFault(kind: ModuleFaultKind, active: boolean): void {
    if (kind === "fail") this.failed = active;
    else if (kind === "overTemp") this.overTempForced = active;
    else this.commsLost = active;
  }
}
