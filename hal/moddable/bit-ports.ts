/**
 * What the contactor bank needs from an output or input device, whatever it is
 * (direct pins, an MCP23017, a 74HC595/165 chain). Channels are numbered 0..count-1.
 * `flush`/`sample` talk to the hardware and may throw; the bank catches.
 */
export interface CoilOutputs {
  readonly count: number;
  /** Stage a channel (energized = coil current on); nothing moves until flush(). */
  set(channel: number, energized: boolean): void;
  /** Write the staged state to the hardware. */
  flush(): void;
  /** Every coil off, written at once; best effort, never throws. */
  allOff(): void;
  close(): void;
}

export interface AuxInputs {
  readonly count: number;
  /** Read every channel (true = input active, after the device's polarity handling). */
  sample(): boolean[];
  close(): void;
}

/** Staged bits for outputs, one bit per channel. */
export class BitImage {
  readonly bytes: Uint8Array;
  constructor(readonly count: number) {
    this.bytes = new Uint8Array(Math.ceil(count / 8));
  }
  set(channel: number, on: boolean): void {
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.count) throw new RangeError(`channel ${channel} outside 0..${this.count - 1}`);
    if (on) this.bytes[channel >> 3] |= 1 << (channel & 7);
    else this.bytes[channel >> 3] &= ~(1 << (channel & 7));
  }
  get(channel: number): boolean {
    return ((this.bytes[channel >> 3] >> (channel & 7)) & 1) === 1;
  }
  clear(): void {
    this.bytes.fill(0);
  }
}
