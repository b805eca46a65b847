/**
 * A bounded ring buffer of timestamped events (contactor commands, aux feedback
 * changes, faults, clears, phase changes, refused steps). Readers (dashboard,
 * OCPP, MQTT) poll with `since(seq)`; the oldest events are overwritten when full.
 */

export type EventKind = "command" | "feedback" | "fault" | "clear" | "phase" | "refused" | "module" | "info";

export interface CabinetEvent {
  /** Strictly increasing, starting at 1; never reused, so readers can detect gaps. */
  seq: number;
  atMs: number;
  kind: EventKind;
  /** What it concerns: a contactor id, "gun 3", "module M1_0", "cabinet". */
  source: string;
  message: string;
  /** Optional numeric details (currents, voltages, counters). */
  values?: Record<string, number>;
}

export class EventLog {
  readonly capacity: number;
  private readonly slots: (CabinetEvent | undefined)[];
  private nextSeq = 1;

  constructor(capacity = 512) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.slots = new Array(this.capacity);
  }

  push(atMs: number, kind: EventKind, source: string, message: string, values?: Record<string, number>): CabinetEvent {
    const event: CabinetEvent = values === undefined
      ? { seq: this.nextSeq, atMs, kind, source, message }
      : { seq: this.nextSeq, atMs, kind, source, message, values };
    this.slots[(this.nextSeq - 1) % this.capacity] = event;
    this.nextSeq += 1;
    return event;
  }

  /** Sequence number of the newest event (0 when empty). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Number of events held (at most capacity). */
  get size(): number {
    return Math.min(this.nextSeq - 1, this.capacity);
  }

  /** Events with seq > afterSeq still held, oldest first. */
  since(afterSeq: number): CabinetEvent[] {
    const oldest = Math.max(1, this.nextSeq - this.capacity, afterSeq + 1);
    const out: CabinetEvent[] = [];
    for (let seq = oldest; seq < this.nextSeq; seq++) out.push(this.slots[(seq - 1) % this.capacity]!);
    return out;
  }

  /** The newest `count` events, oldest first. */
  recent(count: number): CabinetEvent[] {
    return this.since(Math.max(0, this.nextSeq - 1 - count));
  }
}
