/**
 * Plant parameters: plain JSON-compatible objects, units in the names.
 * Every block has realistic defaults; a caller overrides any subset with
 * `plantParams({ module: { startupDelayMs: 500 } })`.
 */

export interface ContactorParams {
  /** Coil energized -> main contacts in the energized position (HV DC contactor: 13-20 ms). */
  operateMinMs: number;
  operateMaxMs: number;
  /** Coil released -> contacts back in the rest position (<= 12 ms). */
  releaseMinMs: number;
  releaseMaxMs: number;
  /** Aux (mirror) contact follows the main contacts after this delay. */
  auxDelayMs: number;
  /** Flickering-feedback fault: the aux reading toggles at random intervals in this range. */
  flickerMinMs: number;
  flickerMaxMs: number;
}

/** Efficiency at a fraction of rated power (linear interpolation between points). */
export interface EfficiencyPoint {
  loadFraction: number;
  efficiency: number;
}

export interface ModuleParams {
  /** Enable command -> output stage running (soft-start of the PFC and DC/DC). */
  startupDelayMs: number;
  /** Output voltage reference slew while starting or following a new setpoint. */
  voltageRampVPerS: number;
  /** Output current slew (the module's own current loop). */
  currentRampAPerS: number;
  efficiencyCurve: EfficiencyPoint[];
  /** AC input with the output stage off (auxiliary supply, CAN). */
  standbyLossW: number;
  /** AC input with the output stage running and no load. */
  noLoadLossW: number;
  /** Steady-state heat-sink rise per watt of loss, and its time constant. */
  thermalResistanceCPerW: number;
  thermalTimeConstantS: number;
  /** The module restarts after an over-temperature trip once this much below the trip point. */
  overTempHysteresisC: number;
  /** Without controller traffic for this long the module switches its output off (~10 s). */
  commsTimeoutMs: number;
  /** moduleOverTemp fault: forced heating (fan failure) until tripTempC + 10. */
  overTempFaultRiseCPerS: number;
  /** Capacitance between the module's output diode and its MN (the bulk capacitors sit behind the diode). */
  outputCapacitanceUF: number;
}

export interface BusParams {
  /** Capacitance of one ring slot bus segment or matrix gun bus. */
  busCapacitanceUF: number;
  /** Gun cable + EV inlet capacitance. */
  gunCapacitanceUF: number;
  /** Bleeder resistance of each node (discharges a de-energized bus in a few seconds). */
  bleedResistanceOhm: number;
  /** Active discharge of a bus region that nothing feeds (no running module, no EV pack). */
  dischargeResistanceOhm: number;
}

export interface EvParams {
  /** Plug -> EV ready (CP/PP, PLC/SLAC, parameter exchange). */
  handshakeMs: number;
  /**
   * When the EV's own contactors connect its pack to the inlet.
   * "atReady": at the end of the handshake (the charger's GC is the last switch, DESIGN.md §5.4).
   * "afterPrecharge": CCS-like; they close once the inlet has been within evPrechargeToleranceV of
   * the pack for evPrechargeMs (the charger may close its GC first for the cable check), and open
   * again when the EV has asked to stop and its current is below 1 A.
   */
  contactorMode: "atReady" | "afterPrecharge";
  evPrechargeToleranceV: number;
  evPrechargeMs: number;
  /** Cell open-circuit voltage vs SOC (NMC), scaled by the number of series cells. */
  cellOcvCurve: { socPct: number; voltageV: number }[];
  /** Cells in series = round(packVoltageV / nominalCellVoltageV). */
  nominalCellVoltageV: number;
  cellMaxVoltageV: number;
  /** Pack resistance per series cell. */
  cellResistanceOhm: number;
  /** Charge power fraction of maxPowerKW vs SOC (the taper). */
  taperCurve: { socPct: number; powerFraction: number }[];
  /** The BMS request moves toward its target at this rate. */
  requestRampAPerS: number;
  /** How often the BMS updates its request (CCS: 50-250 ms). */
  requestPeriodMs: number;
  /** Charging efficiency into the cells (energy accounting). */
  chargeEfficiency: number;
  /** Negotiated EV max voltage = pack max voltage x this (over-voltage supervision bands). */
  maxVoltageFactor: number;
  /** Connector temperature: rise = k x I^2 with a time constant. */
  connectorRiseCPerA2: number;
  connectorTimeConstantS: number;
  /** connectorOverTemp fault: forced heating until connectorTripTempC + 15. */
  connectorFaultRiseCPerS: number;
}

export interface ImdParams {
  /** Healthy insulation resistance reported by each gun output's IMD. */
  healthyOhm: number;
  /** Insulation during an `imd` fault (below the 100 kOhm fault threshold). */
  faultOhm: number;
}

export interface FaultParams {
  /** overCurrent fault: fault current drawn at the gun = factor x cable rating. */
  overCurrentFactor: number;
  /** overVoltage fault: the gun voltage rises to factor x EV max voltage while fed. */
  overVoltageFactor: number;
}

export interface SensorParams {
  /** Gaussian noise on analog readings (seeded). 0 = exact. */
  voltageNoiseV: number;
  currentNoiseA: number;
  tempNoiseC: number;
}

export interface SitePlantParams {
  ambientTempC: number;
  /** Controller, fans, IMDs, HMI: drawn from the grid whenever the cabinet is on. */
  auxiliaryLoadW: number;
  /** Hardware watchdog: armed by the first feed; on expiry every coil is released and modules disabled. */
  watchdogTimeoutMs: number;
  /** E-stop wired straight to the coils and modules (hardware trip). Off by default so that
   *  simulation measures the firmware's own reaction. */
  hardwiredEstop: boolean;
}

export interface PlantParams {
  contactor: ContactorParams;
  module: ModuleParams;
  bus: BusParams;
  ev: EvParams;
  imd: ImdParams;
  faults: FaultParams;
  sensors: SensorParams;
  site: SitePlantParams;
}

export function defaultPlantParams(): PlantParams {
  return {
    contactor: { operateMinMs: 13, operateMaxMs: 20, releaseMinMs: 10, releaseMaxMs: 12, auxDelayMs: 2, flickerMinMs: 20, flickerMaxMs: 400 },
    module: {
      startupDelayMs: 1500,
      voltageRampVPerS: 2000,
      currentRampAPerS: 500,
      efficiencyCurve: [
        { loadFraction: 0, efficiency: 0.6 },
        { loadFraction: 0.05, efficiency: 0.86 },
        { loadFraction: 0.1, efficiency: 0.91 },
        { loadFraction: 0.2, efficiency: 0.94 },
        { loadFraction: 0.3, efficiency: 0.952 },
        { loadFraction: 0.5, efficiency: 0.961 },
        { loadFraction: 0.75, efficiency: 0.963 },
        { loadFraction: 1, efficiency: 0.957 },
      ],
      standbyLossW: 12,
      noLoadLossW: 90,
      thermalResistanceCPerW: 0.022,
      thermalTimeConstantS: 240,
      overTempHysteresisC: 10,
      commsTimeoutMs: 10_000,
      overTempFaultRiseCPerS: 5,
      outputCapacitanceUF: 10,
    },
    bus: { busCapacitanceUF: 1000, gunCapacitanceUF: 50, bleedResistanceOhm: 100_000, dischargeResistanceOhm: 250 },
    ev: {
      handshakeMs: 2000,
      contactorMode: "atReady",
      evPrechargeToleranceV: 20,
      evPrechargeMs: 100,
      cellOcvCurve: [
        { socPct: 0, voltageV: 3.3 },
        { socPct: 5, voltageV: 3.5 },
        { socPct: 10, voltageV: 3.58 },
        { socPct: 20, voltageV: 3.64 },
        { socPct: 30, voltageV: 3.69 },
        { socPct: 40, voltageV: 3.74 },
        { socPct: 50, voltageV: 3.8 },
        { socPct: 60, voltageV: 3.87 },
        { socPct: 70, voltageV: 3.95 },
        { socPct: 80, voltageV: 4.03 },
        { socPct: 90, voltageV: 4.1 },
        { socPct: 100, voltageV: 4.18 },
      ],
      nominalCellVoltageV: 3.7,
      cellMaxVoltageV: 4.2,
      cellResistanceOhm: 0.0008,
      taperCurve: [
        { socPct: 0, powerFraction: 0.7 },
        { socPct: 10, powerFraction: 1 },
        { socPct: 50, powerFraction: 1 },
        { socPct: 60, powerFraction: 0.8 },
        { socPct: 70, powerFraction: 0.6 },
        { socPct: 80, powerFraction: 0.4 },
        { socPct: 90, powerFraction: 0.2 },
        { socPct: 100, powerFraction: 0.05 },
      ],
      requestRampAPerS: 50,
      requestPeriodMs: 100,
      chargeEfficiency: 0.96,
      maxVoltageFactor: 1.15,
      connectorRiseCPerA2: 0.0009,
      connectorTimeConstantS: 120,
      connectorFaultRiseCPerS: 3,
    },
    imd: { healthyOhm: 5_000_000, faultOhm: 50_000 },
    faults: { overCurrentFactor: 1.5, overVoltageFactor: 1.2 },
    sensors: { voltageNoiseV: 0.2, currentNoiseA: 0.05, tempNoiseC: 0.1 },
    site: { ambientTempC: 25, auxiliaryLoadW: 350, watchdogTimeoutMs: 200, hardwiredEstop: false },
  };
}

export type PlantParamsOverrides = { [K in keyof PlantParams]?: Partial<PlantParams[K]> };

/** Defaults with a partial override per block. */
export function plantParams(overrides: PlantParamsOverrides = {}): PlantParams {
  const base = defaultPlantParams();
  const out = base as unknown as Record<string, Record<string, unknown>>;
  for (const key of Object.keys(overrides) as (keyof PlantParams)[]) {
    const block = overrides[key];
    if (block) out[key] = { ...out[key], ...(block as Record<string, unknown>) };
  }
  return base;
}

/** Linear interpolation in a table sorted by x; clamps at the ends. */
export function interpolate(points: readonly { x: number; y: number }[], x: number): number {
  if (x <= points[0].x) return points[0].y;
  for (let i = 1; i < points.length; i++) {
    if (x <= points[i].x) {
      const a = points[i - 1];
      const b = points[i];
      return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
    }
  }
  return points[points.length - 1].y;
}
