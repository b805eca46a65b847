/**
 * Contactor coils and their auxiliary (mirror) contacts. A bank drives every
 * contactor of the cabinet (GC, MC, MN, matrix links) by id, through whatever
 * pins or expanders the board has.
 *
 * `closed` always means the main contacts are closed, whatever the contactor's
 * normal state: the bank maps it to coil energized/de-energized (an MC, normally
 * closed, opens when its coil is energized).
 */
export interface AuxReading {
  /** The aux contact reports the main contacts closed. */
  closed: boolean;
  /** When the aux reading last changed (Clock ms). */
  changedAtMs: number;
}

export interface ContactorBank {
  /** Contactor ids this bank drives. */
  readonly ids: readonly string[];
  /** Command the main contacts closed (true) or open (false). Takes effect at once. */
  command(id: string, closed: boolean): void;
  /** What was last commanded. */
  commanded(id: string): boolean;
  /** The aux contact as last read. */
  aux(id: string): AuxReading;
  /** Release every coil: MCs close, everything else opens. Fail-safe on error or reset. */
  releaseAll(): void;
  close(): void;
}
