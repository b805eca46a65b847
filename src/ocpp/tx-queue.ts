/**
 * The persistent, ordered queue of transaction-related messages (2.0.1 E/F offline
 * behaviour, 1.6 §4.8/§3.9): TransactionEvent (2.0.1), StartTransaction, StopTransaction and
 * transaction MeterValues (1.6). Every entry is written to Storage before it is sent and
 * removed only after the CSMS answered it (or it ran out of attempts), so nothing is lost
 * across a disconnect or a controller restart. Delivery is strictly head-of-line.
 */
import type { Storage } from "../../hal/storage";
import type { JsonObject } from "./framing";

const PREFIX = "ocpp/txq/";
const SEQ_KEY = "ocpp/txq-seq";

export interface QueuedMessage {
  seq: number;
  action: string;
  payload: JsonObject;
  /** Delivery attempts already made (a CALLERROR or timeout counts, a disconnect does not). */
  attempts: number;
  /** 1.6: local transaction reference, replaced by the CSMS transactionId when known. */
  localTx?: string;
}

function keyOf(seq: number): string {
  return PREFIX + String(seq).padStart(12, "0");
}

export class TxQueue {
  private readonly storage: Storage;
  private nextSeq: number;

  constructor(storage: Storage) {
    this.storage = storage;
    const stored = Number(storage.get(SEQ_KEY) ?? "0");
    const keys = storage.keys(PREFIX);
    const maxInQueue = keys.reduce((m, k) => Math.max(m, Number(k.slice(PREFIX.length))), 0);
    this.nextSeq = Math.max(Number.isFinite(stored) ? stored : 0, maxInQueue) + 1;
  }

  push(action: string, payload: JsonObject, localTx?: string): QueuedMessage {
    const entry: QueuedMessage = { seq: this.nextSeq++, action, payload, attempts: 0, ...(localTx ? { localTx } : {}) };
    this.storage.set(SEQ_KEY, String(entry.seq));
    this.storage.set(keyOf(entry.seq), JSON.stringify(entry));
    return entry;
  }

  private orderedKeys(): string[] {
    return this.storage.keys(PREFIX).sort();
  }

  head(): QueuedMessage | null {
    for (const key of this.orderedKeys()) {
      const text = this.storage.get(key);
      try {
        if (text) return JSON.parse(text) as QueuedMessage;
      } catch { /* corrupt entry: drop it rather than block the queue forever */ }
      this.storage.delete(key);
    }
    return null;
  }

  all(): QueuedMessage[] {
    const out: QueuedMessage[] = [];
    for (const key of this.orderedKeys()) {
      try { out.push(JSON.parse(this.storage.get(key) ?? "") as QueuedMessage); } catch { /* skipped */ }
    }
    return out;
  }

  update(entry: QueuedMessage): void {
    this.storage.set(keyOf(entry.seq), JSON.stringify(entry));
  }

  remove(seq: number): void {
    this.storage.delete(keyOf(seq));
  }

  get length(): number {
    return this.storage.keys(PREFIX).length;
  }
}
