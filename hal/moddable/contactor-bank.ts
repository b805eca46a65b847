/**
 * `ContactorBank` on top of coil outputs and aux inputs (pins, MCP23017, 74HC595/165).
 *
 * Channels are global: outputs[0] has channels 0..count-1, outputs[1] follows,
 * and the same for inputs. `closed` means main contacts closed; for a normally
 * closed contactor (MC) that is coil off.
 *
 * Fail-safe: at construction every coil is off. If writing the outputs fails, the
 * bank releases every coil it can reach, latches `faulted`, reports through
 * `onError`, and from then on refuses to energize anything (command() only
 * records). `poll()` samples the aux inputs; call it every fast tick.
 */
import type { Clock } from "../clock";
import type { AuxReading, ContactorBank } from "../contactors";
import type { AuxInputs, CoilOutputs } from "./bit-ports";
import { errorText } from "./io-types";

export interface ContactorChannel {
  id: string;
  coil: number;
  aux: number;
  /** Main contacts are closed when the coil is off (the ring's MCs). */
  normallyClosed: boolean;
}

export interface IoContactorBankOptions {
  contactors: readonly ContactorChannel[];
  outputs: readonly CoilOutputs[];
  inputs: readonly AuxInputs[];
  clock: Clock;
  onError?: (message: string) => void;
}

interface Slot {
  channel: ContactorChannel;
  closed: boolean;
  aux: AuxReading;
}

export class IoContactorBank implements ContactorBank {
  readonly ids: readonly string[];
  private readonly slots = new Map<string, Slot>();
  private readonly outputs: readonly CoilOutputs[];
  private readonly inputs: readonly AuxInputs[];
  private readonly clock: Clock;
  private readonly onError: ((message: string) => void) | undefined;
  private faultText: string | null = null;

  constructor(o: IoContactorBankOptions) {
    this.outputs = o.outputs;
    this.inputs = o.inputs;
    this.clock = o.clock;
    this.onError = o.onError;
    const coilCount = o.outputs.reduce((n, d) => n + d.count, 0);
    const auxCount = o.inputs.reduce((n, d) => n + d.count, 0);
    const usedCoils = new Map<number, string>();
    o.contactors.forEach((c, i) => {
      if (this.slots.has(c.id)) throw new Error(`contactors[${i}]: duplicate id "${c.id}"`);
      if (!Number.isInteger(c.coil) || c.coil < 0 || c.coil >= coilCount) throw new Error(`contactors[${i}] "${c.id}": coil ${c.coil} outside 0..${coilCount - 1}`);
      if (!Number.isInteger(c.aux) || c.aux < 0 || c.aux >= auxCount) throw new Error(`contactors[${i}] "${c.id}": aux ${c.aux} outside 0..${auxCount - 1}`);
      const other = usedCoils.get(c.coil);
      if (other !== undefined) throw new Error(`contactors[${i}] "${c.id}": coil ${c.coil} already drives "${other}"`);
      usedCoils.set(c.coil, c.id);
      this.slots.set(c.id, { channel: c, closed: c.normallyClosed, aux: { closed: c.normallyClosed, changedAtMs: this.clock.nowMs() } });
    });
    this.ids = o.contactors.map((c) => c.id);
    this.releaseAll();
    this.poll();
  }

  /** Latched after an output write failed: the bank keeps every coil off. */
  get fault(): string | null {
    return this.faultText;
  }

  command(id: string, closed: boolean): void {
    const s = this.slots.get(id);
    if (!s) {
      this.onError?.(`contactor bank: unknown contactor "${id}"`);
      return;
    }
    s.closed = closed;
    if (this.faultText) return;
    const energized = closed !== s.channel.normallyClosed;
    const [dev, ch] = locate(this.outputs, s.channel.coil);
    try {
      dev.set(ch, energized);
      dev.flush();
    } catch (error) {
      this.failSafe(`coil write for "${id}" failed: ${errorText(error)}`);
    }
  }

  commanded(id: string): boolean {
    return this.slots.get(id)?.closed ?? false;
  }

  aux(id: string): AuxReading {
    const s = this.slots.get(id);
    return s ? { ...s.aux } : { closed: false, changedAtMs: 0 };
  }

  /** Sample every aux input once. Never throws: a read failure is a fault (coils released). */
  poll(): void {
    const now = this.clock.nowMs();
    let levels: boolean[] = [];
    try {
      for (const d of this.inputs) levels = levels.concat(d.sample());
    } catch (error) {
      this.failSafe(`aux read failed: ${errorText(error)}`);
      return;
    }
    for (const s of this.slots.values()) {
      const closed = levels[s.channel.aux] === true;
      if (closed !== s.aux.closed) s.aux = { closed, changedAtMs: now };
    }
  }

  releaseAll(): void {
    for (const s of this.slots.values()) s.closed = s.channel.normallyClosed;
    for (const d of this.outputs) d.allOff();
  }

  close(): void {
    this.releaseAll();
    for (const d of this.outputs) d.close();
    for (const d of this.inputs) d.close();
  }

  private failSafe(message: string): void {
    const first = this.faultText === null;
    this.faultText = message;
    this.releaseAll();
    if (first) this.onError?.(`contactor bank: ${message}; all coils released`);
  }
}

function locate<T extends { count: number }>(devices: readonly T[], channel: number): [T, number] {
  let c = channel;
  for (const d of devices) {
    if (c < d.count) return [d, c];
    c -= d.count;
  }
  throw new RangeError(`channel ${channel} outside the devices`);
}
