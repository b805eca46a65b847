/**
 * Models of 74HC595 (serial-in, parallel-out, latched) and 74HC165 (parallel-in,
 * serial-out) chains on an SPI bus. Platform-free.
 *
 * 74HC595 chain: bytes shift in MSB first; after N bytes the first byte sent sits
 * in the chip farthest from the MCU. The chip select line is wired to RCLK, so
 * the storage register latches when a transaction ends. /OE (active low) gates the
 * outputs: while high they float, and the board's pull-downs keep coils off. /MR
 * clears the shift register (not the storage register).
 * 74HC165 chain: /PL low loads the parallel inputs; then each byte clocked out is
 * one chip, nearest the MCU first, input H (bit 7) first.
 */

export class Hc595ChainModel {
  readonly chips: number;
  private shift: Uint8Array;
  private storage: Uint8Array;
  /** /OE level (1 = outputs disabled, the pull-downs win). Power-on: pulled up by the board. */
  oe: 0 | 1 = 1;
  /** Bytes shifted in since the last latch (to detect short writes). */
  lastTransactionBytes = 0;

  constructor(chips: number) {
    this.chips = chips;
    this.shift = new Uint8Array(chips);
    // Power-on contents of the storage register are undefined: model them as all ones
    // so a test fails if the driver enables outputs before writing them.
    this.storage = new Uint8Array(chips).fill(0xff);
  }

  transaction(tx: Uint8Array): Uint8Array {
    for (const byte of tx) {
      // Each new byte pushes the chain one chip farther.
      for (let i = this.chips - 1; i > 0; i--) this.shift[i] = this.shift[i - 1];
      this.shift[0] = byte;
    }
    this.lastTransactionBytes = tx.length;
    this.storage = this.shift.slice(); // CS rising edge = RCLK
    return new Uint8Array(tx.length);
  }

  masterReset(): void {
    this.shift.fill(0);
  }

  /** Output k (chip floor(k/8), Q bit k%8) as driven: false when /OE is high. */
  output(k: number): boolean {
    if (this.oe === 1) return false;
    return ((this.storage[k >> 3] >> (k & 7)) & 1) === 1;
  }

  outputsOn(): number[] {
    const on: number[] = [];
    for (let k = 0; k < this.chips * 8; k++) if (this.output(k)) on.push(k);
    return on;
  }
}

export class Hc165ChainModel {
  readonly chips: number;
  /** Parallel input levels: bit k%8 of inputs[k>>3]. */
  readonly inputs: Uint8Array;
  private shift: Uint8Array;
  /** /PL level: low loads continuously. */
  private pl: 0 | 1 = 1;

  constructor(chips: number) {
    this.chips = chips;
    this.inputs = new Uint8Array(chips);
    this.shift = new Uint8Array(chips);
  }

  setInput(k: number, high: boolean): void {
    if (high) this.inputs[k >> 3] |= 1 << (k & 7);
    else this.inputs[k >> 3] &= ~(1 << (k & 7));
  }

  setLoad(level: 0 | 1): void {
    this.pl = level;
    if (level === 0) this.shift = this.inputs.slice();
  }

  transaction(tx: Uint8Array): Uint8Array {
    const rx = new Uint8Array(tx.length);
    for (let i = 0; i < tx.length; i++) {
      if (this.pl === 0) this.shift = this.inputs.slice();
      rx[i] = this.shift[0];
      // The serial input of the last chip is tied low.
      for (let c = 0; c < this.chips - 1; c++) this.shift[c] = this.shift[c + 1];
      this.shift[this.chips - 1] = 0;
    }
    return rx;
  }
}
