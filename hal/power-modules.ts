/** Power modules as the controller sees them, whatever CAN protocol they speak. */

export interface ModuleCommand {
  /** Output on (true) or off. */
  enabled: boolean;
  voltageV: number;
  currentLimitA: number;
}

export interface ModuleReading {
  /** The module answered within the communication timeout. */
  online: boolean;
  /** Output stage is running. */
  running: boolean;
  voltageV: number;
  currentA: number;
  tempC: number;
  /** Active alarms in the module's own words (e.g. "overTemp", "inputUnderVoltage"). */
  alarms: readonly string[];
  /** Clock ms of the last frame received from it. */
  lastSeenMs: number;
}

export interface ModuleBus {
  readonly ids: readonly string[];
  /** Latest command for a module; the bus keeps sending it (modules time out without traffic). */
  command(id: string, command: ModuleCommand): void;
  read(id: string): ModuleReading;
  /**
   * Optional change counter: a bus that has it changes it whenever `read(id)` of any
   * module would return another reading than the last one it returned (another object,
   * or other values), so a caller that saw the same counter may keep the readings it
   * has. A bus whose readings depend on when they are read (an `online` computed from
   * the clock at read time) must not offer it; without it, callers read every time.
   */
  readonly readingsVersion?: number;
  close(): void;
}
