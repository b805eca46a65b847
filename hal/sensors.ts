/** Analog measurements: DC meters and voltage/current sensors per gun and per slot bus, IMDs. */

export interface GunMeasurement {
  /** Voltage on the EV side of the GC. */
  voltageV: number;
  /** Output current toward the EV (positive = charging). */
  currentA: number;
  connectorTempC: number;
  /** Insulation resistance reported by this output's IMD (Infinity when not measured). */
  insulationOhm: number;
  /** DC meter energy register. */
  energyWh: number;
}

export interface BusMeasurement {
  /** Voltage of the bus segment at this slot (ring) or at the module output (matrix). */
  voltageV: number;
}

export interface Sensors {
  gun(gunId: number): GunMeasurement;
  /** Ring: the bus at a slot. Matrix: not used. */
  slotBus(slotId: number): BusMeasurement;
  /** Grid meter: active power drawn by the cabinet. */
  gridPowerKW(): number;
}
