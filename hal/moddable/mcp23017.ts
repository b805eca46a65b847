/**
 * MCP23017 16-bit I/O expander over ECMA-419 I2C, used as 16 coil outputs or 16
 * aux inputs (one role per chip keeps the fail-safe story simple).
 *
 * Fail-safe: the output latch is written to 0 BEFORE the pins are made outputs
 * (after power-on every pin is an input, and the board's pull-downs hold the coil
 * drivers off), and any I2C error turns every output off as far as the bus allows.
 */
import { BitImage, type AuxInputs, type CoilOutputs } from "./bit-ports";
import type { I2cPort, I2cSpec } from "./io-types";

const IODIRA = 0x00;
const IPOLA = 0x02;
const IOCON = 0x0a;
const GPPUA = 0x0c;
const GPIOA = 0x12;
const OLATA = 0x14;

export interface Mcp23017Options {
  i2c: I2cSpec;
  /** 7-bit address, 0x20..0x27 (A2..A0 strapping). */
  address: number;
}

function open(options: Mcp23017Options): I2cPort {
  if (!Number.isInteger(options.address) || options.address < 0x20 || options.address > 0x27) {
    throw new Error(`mcp23017: address 0x${Number(options.address).toString(16)} outside 0x20..0x27`);
  }
  const { io, ...pins } = options.i2c;
  return new io({ ...pins, address: options.address });
}

function writeRegs(i2c: I2cPort, reg: number, values: readonly number[]): void {
  i2c.write(Uint8Array.from([reg, ...values]));
}

function readRegs(i2c: I2cPort, reg: number, count: number): Uint8Array {
  i2c.write(Uint8Array.of(reg), false);
  return new Uint8Array(i2c.read(count));
}

export class Mcp23017Outputs implements CoilOutputs {
  readonly count = 16;
  private readonly i2c: I2cPort;
  private readonly image = new BitImage(16);

  constructor(options: Mcp23017Options) {
    this.i2c = open(options);
    // IOCON: BANK=0, sequential addressing. Latch first, direction second.
    writeRegs(this.i2c, IOCON, [0x00]);
    writeRegs(this.i2c, OLATA, [0x00, 0x00]);
    writeRegs(this.i2c, IODIRA, [0x00, 0x00]);
    const dir = readRegs(this.i2c, IODIRA, 2);
    if (dir[0] !== 0 || dir[1] !== 0) throw new Error(`mcp23017 0x${options.address.toString(16)}: IODIR reads back 0x${dir[1].toString(16)}${dir[0].toString(16)}, expected 0`);
  }

  set(channel: number, energized: boolean): void {
    this.image.set(channel, energized);
  }

  flush(): void {
    writeRegs(this.i2c, OLATA, [this.image.bytes[0], this.image.bytes[1]]);
  }

  allOff(): void {
    this.image.clear();
    try {
      writeRegs(this.i2c, OLATA, [0, 0]);
    } catch {
      // Nothing more we can do over a dead bus: the watchdog/reset path and the
      // pull-downs take over.
    }
  }

  close(): void {
    this.allOff();
    this.i2c.close?.();
  }
}

export class Mcp23017Inputs implements AuxInputs {
  readonly count = 16;
  private readonly i2c: I2cPort;

  /** `activeLow`: aux contacts switch to ground against the internal pull-ups (IPOL inverts). */
  constructor(options: Mcp23017Options & { activeLow?: boolean }) {
    this.i2c = open(options);
    writeRegs(this.i2c, IOCON, [0x00]);
    writeRegs(this.i2c, IODIRA, [0xff, 0xff]);
    writeRegs(this.i2c, IPOLA, options.activeLow === false ? [0, 0] : [0xff, 0xff]);
    writeRegs(this.i2c, GPPUA, [0xff, 0xff]);
  }

  sample(): boolean[] {
    const r = readRegs(this.i2c, GPIOA, 2);
    const out: boolean[] = [];
    for (let k = 0; k < 16; k++) out.push(((r[k >> 3] >> (k & 7)) & 1) === 1);
    return out;
  }

  close(): void {
    this.i2c.close?.();
  }
}
