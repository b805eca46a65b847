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
  /**
   * Optional batch read of many aux contacts in one pass: `into[i]` = 1 when
   * `aux(ids[i]).closed`, 0 when open, for every i (`into.length === ids.length`).
   * A contact it cannot read it leaves untouched (callers fill `into` with an
   * "unreadable" value first). Callers pass the same, never changed, `ids` array every
   * time, so a bank may remember how it resolved it. A bank without it is read by `aux`.
   */
  readAux?(ids: readonly string[], into: Uint8Array): void;
  /** Release every coil: MCs close, everything else opens. Fail-safe on error or reset. */
  releaseAll(): void;
  close(): void;
}
