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
  /**
   * Optional batch read: `into[i]` = what `gun(gunIds[i])` returns, for every i, in that
   * order (a driver with side effects per read, such as the simulator's noise, has the
   * same ones in the same order). A gun it cannot read it sets to null or leaves untouched
   * (callers fill `into` with null first). A driver may hand out one record per gun and
   * refill it on its next batch read (like a register): a caller that keeps a reading past
   * its tick copies it. Callers pass the same, never changed, `gunIds` array every time,
   * so a driver may remember how it resolved it.
   */
  readGuns?(gunIds: readonly number[], into: (GunMeasurement | null)[]): void;
  /**
   * Optional batch read: `intoV[i]` = `slotBus(slotIds[i]).voltageV`, for every i, in that
   * order; a bus it cannot read it leaves untouched (callers fill with NaN first). Same
   * `slotIds` contract as `readGuns`.
   */
  readSlotBuses?(slotIds: readonly number[], intoV: Float64Array): void;
}
