/**
 * Coil outputs on a 74HC595 chain and aux inputs on a 74HC165 chain, both over
 * ECMA-419 SPI. Wiring: 595 RCLK on the SPI select pin (latches when a write
 * ends), 595 /OE on a GPIO (held high by a pull-up until we have written a known
 * state), 165 /PL on a GPIO.
 *
 * Fail-safe: outputs are enabled only after an all-off image is latched; on any
 * SPI error /OE goes high (outputs float, the pull-downs hold the drivers off)
 * and stays high until the bank is re-created.
 */
import { BitImage, type AuxInputs, type CoilOutputs } from "./bit-ports";
import type { DigitalIo, DigitalPin, SpiPort, SpiSpec } from "./io-types";

export interface Hc595Options {
  spi: SpiSpec;
  chips: number;
  /** /OE pin (active low). */
  outputEnable: { io: DigitalIo; pin: number };
}

export class Hc595Outputs implements CoilOutputs {
  readonly count: number;
  private readonly spi: SpiPort;
  private readonly oe: DigitalPin;
  private readonly image: BitImage;
  private readonly chips: number;
  private disabled = false;

  constructor(options: Hc595Options) {
    if (!Number.isInteger(options.chips) || options.chips < 1 || options.chips > 16) throw new Error(`hc595: chips ${options.chips} outside 1..16`);
    this.chips = options.chips;
    this.count = options.chips * 8;
    this.image = new BitImage(this.count);
    const { io: Digital, pin } = options.outputEnable;
    this.oe = new Digital({ pin, mode: Digital.Output });
    this.oe.write(1);
    const { io, ...pins } = options.spi;
    this.spi = new io(pins);
    this.flush();
    this.oe.write(0);
  }

  set(channel: number, energized: boolean): void {
    this.image.set(channel, energized);
  }

  flush(): void {
    if (this.disabled) throw new Error("hc595: outputs disabled after an error");
    // Farthest chip first: after the last byte, byte i sits in chip i.
    const out = new Uint8Array(this.chips);
    for (let c = 0; c < this.chips; c++) out[this.chips - 1 - c] = this.image.bytes[c];
    try {
      this.spi.transfer(out);
    } catch (error) {
      this.disable();
      throw error;
    }
  }

  allOff(): void {
    this.image.clear();
    try {
      if (!this.disabled) this.spi.transfer(new Uint8Array(this.chips));
    } catch {
      this.disable();
    }
  }

  close(): void {
    this.allOff();
    this.disable();
    this.oe.close();
    this.spi.close?.();
  }

  private disable(): void {
    this.disabled = true;
    try {
      this.oe.write(1);
    } catch {
      // A GPIO that fails too: only the hardware watchdog is left.
    }
  }
}

export interface Hc165Options {
  spi: SpiSpec;
  chips: number;
  /** /PL pin (active low parallel load). */
  load: { io: DigitalIo; pin: number };
  /** Aux contacts pull the inputs low when active. */
  activeLow?: boolean;
}

export class Hc165Inputs implements AuxInputs {
  readonly count: number;
  private readonly spi: SpiPort;
  private readonly pl: DigitalPin;
  private readonly chips: number;
  private readonly activeLow: boolean;

  constructor(options: Hc165Options) {
    if (!Number.isInteger(options.chips) || options.chips < 1 || options.chips > 16) throw new Error(`hc165: chips ${options.chips} outside 1..16`);
    this.chips = options.chips;
    this.count = options.chips * 8;
    this.activeLow = options.activeLow ?? true;
    const { io: Digital, pin } = options.load;
    this.pl = new Digital({ pin, mode: Digital.Output });
    this.pl.write(1);
    const { io, ...pins } = options.spi;
    this.spi = new io(pins);
  }

  sample(): boolean[] {
    this.pl.write(0);
    this.pl.write(1);
    const buf = new Uint8Array(this.chips);
    this.spi.transfer(buf);
    const out: boolean[] = [];
    for (let k = 0; k < this.count; k++) {
      const high = ((buf[k >> 3] >> (k & 7)) & 1) === 1;
      out.push(this.activeLow ? !high : high);
    }
    return out;
  }

  close(): void {
    this.pl.close();
    this.spi.close?.();
  }
}
