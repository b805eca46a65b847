/**
 * Coil outputs and aux inputs on the MCU's own pins, one ECMA-419 `Digital` per
 * pin, or a `DigitalBank` when the pins share a GPIO bank (one write for all).
 */
import { BitImage, type AuxInputs, type CoilOutputs } from "./bit-ports";
import type { DigitalBankIo, DigitalBankPort, DigitalIo, DigitalPin } from "./io-types";

export class PinOutputs implements CoilOutputs {
  readonly count: number;
  private readonly pins: DigitalPin[];
  private readonly image: BitImage;

  constructor(options: { io: DigitalIo; pins: readonly number[]; activeLow?: boolean }) {
    const Digital = options.io;
    this.count = options.pins.length;
    this.image = new BitImage(this.count);
    this.activeLow = options.activeLow ?? false;
    this.pins = options.pins.map((pin) => {
      const d = new Digital({ pin, mode: Digital.Output });
      d.write(this.level(false));
      return d;
    });
  }

  private readonly activeLow: boolean;

  private level(energized: boolean): 0 | 1 {
    return energized !== this.activeLow ? 1 : 0;
  }

  set(channel: number, energized: boolean): void {
    this.image.set(channel, energized);
  }

  flush(): void {
    this.pins.forEach((p, i) => p.write(this.level(this.image.get(i))));
  }

  allOff(): void {
    this.image.clear();
    for (const p of this.pins) {
      try {
        p.write(this.level(false));
      } catch {
        // Keep going: every other pin still has to go off.
      }
    }
  }

  close(): void {
    this.allOff();
    for (const p of this.pins) p.close();
  }
}

export class PinInputs implements AuxInputs {
  readonly count: number;
  private readonly pins: DigitalPin[];
  private readonly activeLow: boolean;

  constructor(options: { io: DigitalIo; pins: readonly number[]; activeLow?: boolean }) {
    const Digital = options.io;
    this.count = options.pins.length;
    this.activeLow = options.activeLow ?? true;
    this.pins = options.pins.map((pin) => new Digital({ pin, mode: this.activeLow ? Digital.InputPullUp : Digital.Input }));
  }

  sample(): boolean[] {
    return this.pins.map((p) => (p.read() === 1) !== this.activeLow);
  }

  close(): void {
    for (const p of this.pins) p.close();
  }
}

/** Outputs on pins of one GPIO bank: `pins` is the bank bit mask, channels in ascending bit order. */
export class BankOutputs implements CoilOutputs {
  readonly count: number;
  private readonly bank: DigitalBankPort;
  private readonly bits: number[];
  private readonly image: BitImage;

  constructor(options: { io: DigitalBankIo; pins: number; bank?: number | string }) {
    this.bits = [];
    for (let b = 0; b < 32; b++) if ((options.pins >>> b) & 1) this.bits.push(b);
    this.count = this.bits.length;
    this.image = new BitImage(this.count);
    this.bank = new options.io({ pins: options.pins, mode: options.io.Output, bank: options.bank });
    this.bank.write(0);
  }

  set(channel: number, energized: boolean): void {
    this.image.set(channel, energized);
  }

  flush(): void {
    let value = 0;
    this.bits.forEach((b, i) => {
      if (this.image.get(i)) value |= 1 << b;
    });
    this.bank.write(value >>> 0);
  }

  allOff(): void {
    this.image.clear();
    try {
      this.bank.write(0);
    } catch {
      // Best effort.
    }
  }

  close(): void {
    this.allOff();
    this.bank.close();
  }
}
