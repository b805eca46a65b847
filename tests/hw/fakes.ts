/** Fake ECMA-419 transports that connect our drivers to the register-level device models. */
import type { DigitalPinOptions, I2cPortOptions, SpiPortOptions } from "../../hal/moddable/io-types";

export interface SpiDevice {
  transaction(tx: Uint8Array): Uint8Array;
}

/** An `embedded:io/spi`-shaped class bound to a device model; each transfer is one CS-low transaction. */
export function spiClassFor(device: SpiDevice, opts: { failAfter?: number } = {}) {
  const state = { transfers: 0, options: undefined as SpiPortOptions | undefined, closed: false };
  class FakeSpi {
    constructor(options: SpiPortOptions) {
      state.options = options;
    }
    transfer(buffer: Uint8Array): void {
      state.transfers++;
      if (opts.failAfter !== undefined && state.transfers > opts.failAfter) throw new Error("SPI bus error");
      buffer.set(device.transaction(buffer));
    }
    close(): void {
      state.closed = true;
    }
  }
  return { io: FakeSpi, state };
}

export interface I2cDevice {
  i2cWrite(address: number, data: Uint8Array): boolean;
  i2cRead(address: number, count: number): Uint8Array | null;
}

export function i2cClassFor(device: I2cDevice, opts: { failAfter?: number } = {}) {
  const state = { ops: 0, options: undefined as I2cPortOptions | undefined, closed: false };
  class FakeI2c {
    private readonly address: number;
    constructor(options: I2cPortOptions) {
      state.options = options;
      this.address = options.address;
    }
    write(buffer: Uint8Array): void {
      state.ops++;
      if (opts.failAfter !== undefined && state.ops > opts.failAfter) throw new Error("I2C bus error");
      if (!device.i2cWrite(this.address, buffer)) throw new Error(`I2C NACK at 0x${this.address.toString(16)}`);
    }
    read(count: number): ArrayBuffer {
      state.ops++;
      if (opts.failAfter !== undefined && state.ops > opts.failAfter) throw new Error("I2C bus error");
      const data = device.i2cRead(this.address, count);
      if (!data) throw new Error(`I2C NACK at 0x${this.address.toString(16)}`);
      return data.slice().buffer;
    }
    close(): void {
      state.closed = true;
    }
  }
  return { io: FakeI2c, state };
}

/** An `embedded:io/digital`-shaped class whose pins are entries of a shared map. */
export function digitalClassFor(levels: Map<number, 0 | 1>, onWrite?: (pin: number, value: 0 | 1) => void) {
  const pins = new Map<number, FakeDigital>();
  class FakeDigital {
    static readonly Input = "input";
    static readonly InputPullUp = "inputPullUp";
    static readonly Output = "output";
    static readonly Falling = 2;
    static readonly Rising = 1;
    readonly pin: number;
    readonly mode: unknown;
    readonly onReadable: (() => void) | undefined;
    closed = false;
    constructor(options: DigitalPinOptions) {
      this.pin = options.pin;
      this.mode = options.mode;
      this.onReadable = options.onReadable;
      pins.set(options.pin, this);
    }
    read(): 0 | 1 {
      return levels.get(this.pin) ?? 1;
    }
    write(value: 0 | 1): void {
      levels.set(this.pin, value);
      onWrite?.(this.pin, value);
    }
    close(): void {
      this.closed = true;
    }
  }
  return { io: FakeDigital, pins };
}

/** An `embedded:io/digitalbank`-shaped class: one word of levels. */
export function digitalBankClassFor() {
  const state = { value: -1, writes: 0, pins: 0, closed: false };
  class FakeBank {
    static readonly Input = "input";
    static readonly InputPullUp = "inputPullUp";
    static readonly Output = "output";
    constructor(options: { pins: number }) {
      state.pins = options.pins;
    }
    read(): number {
      return state.value;
    }
    write(value: number): void {
      state.value = value;
      state.writes++;
    }
    close(): void {
      state.closed = true;
    }
  }
  return { io: FakeBank, state };
}
