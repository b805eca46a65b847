/**
 * CAN through a Microchip MCP2515 over ECMA-419 SPI (Moddable has no CAN support).
 *
 *   const can = new Mcp2515({
 *     spi: { io: SPI, clock: 18, out: 23, in: 19, select: 5, hz: 8_000_000 },
 *     interrupt: { io: Digital, pin: 4 },
 *     oscillatorHz: 16_000_000, bitrate: 125_000,
 *     onReadable: (count) => { ... }, onError: (message) => trace(message),
 *   });
 *
 * The driver never throws after construction: SPI failures are counted, reported
 * through `onError`, and the bus reports bus-off so callers see it and stop.
 * Receive is buffered in software (INT pin or polling through `service()`), and
 * outgoing frames wait in a software queue ordered by id, loaded into the three TX
 * buffers lowest id first with matching TXP priority, like bus arbitration would.
 */
import { canFilterAccepts, canFrameProblem, emptyCanErrors, type CanBus, type CanErrorCounters, type CanFilter, type CanFrame } from "../can";
import { errorText, type DigitalIo, type DigitalPin, type SpiPort, type SpiSpec } from "./io-types";

export const MCP2515 = {
  RESET: 0xc0, READ: 0x03, WRITE: 0x02, READ_RX: 0x90, LOAD_TX: 0x40, RTS: 0x80, READ_STATUS: 0xa0, BIT_MODIFY: 0x05,
  CANSTAT: 0x0e, CANCTRL: 0x0f, TEC: 0x1c, REC: 0x1d, RXM0: 0x20, RXM1: 0x24, CNF3: 0x28, CNF2: 0x29, CNF1: 0x2a,
  CANINTE: 0x2b, CANINTF: 0x2c, EFLG: 0x2d, TXB0CTRL: 0x30, RXB0CTRL: 0x60, RXB1CTRL: 0x70,
  FILTERS: [0x00, 0x04, 0x08, 0x10, 0x14, 0x18] as readonly number[],
} as const;

const MODE_BITS = { normal: 0x00, loopback: 0x40, listenOnly: 0x60, config: 0x80 } as const;

export interface Mcp2515BitTiming {
  cnf1: number;
  cnf2: number;
  cnf3: number;
  timeQuanta: number;
  samplePoint: number;
}

/**
 * CNF1-3 for a bit rate: the most time quanta per bit (16 down to 8) the crystal
 * divides exactly, SJW 1, phase segment 2 as short as allowed (sample point near
 * 87.5 %, the CiA recommendation).
 */
export function mcp2515BitTiming(oscillatorHz: number, bitrate: number): Mcp2515BitTiming {
  for (let tq = 16; tq >= 8; tq--) {
    const divider = oscillatorHz / (2 * bitrate * tq);
    if (!Number.isInteger(divider) || divider < 1 || divider > 64) continue;
    const phseg2 = Math.max(2, Math.round(tq * 0.125));
    const rest = tq - 1 - phseg2;
    const phseg1 = Math.min(8, Math.ceil(rest / 2));
    const prseg = rest - phseg1;
    if (prseg < 1 || prseg > 8 || phseg2 > phseg1) continue;
    return {
      cnf1: divider - 1, // SJW = 1 TQ
      cnf2: 0x80 | ((phseg1 - 1) << 3) | (prseg - 1), // BTLMODE: PHSEG2 from CNF3
      cnf3: phseg2 - 1,
      timeQuanta: tq,
      samplePoint: (1 + prseg + phseg1) / tq,
    };
  }
  throw new Error(`mcp2515: no bit timing for ${bitrate} bit/s with a ${oscillatorHz} Hz crystal`);
}

export interface Mcp2515Options {
  spi: SpiSpec;
  /** The INT pin (active low). Without it, call `service()` (receive() also does). */
  interrupt?: { io: DigitalIo; pin: number };
  oscillatorHz: number;
  bitrate: 125000 | 250000 | 500000 | 1000000;
  filters?: readonly CanFilter[];
  mode?: "normal" | "loopback" | "listenOnly";
  /** One-shot transmission (no automatic retransmit). */
  oneShot?: boolean;
  rxQueueLength?: number;
  txQueueLength?: number;
  /** Frames are waiting in the receive queue. */
  onReadable?: (count: number) => void;
  onError?: (message: string) => void;
}

export class Mcp2515 implements CanBus {
  private readonly spi: SpiPort;
  private readonly intPin: DigitalPin | undefined;
  private readonly rx: CanFrame[] = [];
  private readonly tx: CanFrame[] = [];
  private readonly rxQueueLength: number;
  private readonly txQueueLength: number;
  private readonly onReadable: ((count: number) => void) | undefined;
  private readonly onError: ((message: string) => void) | undefined;
  private readonly modeBits: number;
  private filters: readonly CanFilter[] = [];
  private readonly counters: CanErrorCounters = emptyCanErrors();
  /** TX buffers we loaded and have not seen complete: id per buffer, or -1. */
  private readonly loaded = [-1, -1, -1];
  private failed = false;
  private closed = false;
  /** SPI failures seen (the driver stops using the chip after the first). */
  spiFaults = 0;

  constructor(options: Mcp2515Options) {
    const { io, ...pins } = options.spi;
    this.spi = new io(pins);
    this.rxQueueLength = options.rxQueueLength ?? 64;
    this.txQueueLength = options.txQueueLength ?? 32;
    this.onReadable = options.onReadable;
    this.onError = options.onError;
    this.modeBits = MODE_BITS[options.mode ?? "normal"] | (options.oneShot ? 0x08 : 0);
    const timing = mcp2515BitTiming(options.oscillatorHz, options.bitrate);

    this.command([MCP2515.RESET]);
    const stat = this.readRegs(MCP2515.CANSTAT, 1)[0];
    if (stat >> 5 !== 4) throw new Error(`mcp2515: not in configuration mode after reset (CANSTAT 0x${stat.toString(16)}): check SPI wiring`);
    this.writeRegs(MCP2515.CNF3, [timing.cnf3, timing.cnf2, timing.cnf1]);
    const back = this.readRegs(MCP2515.CNF3, 3);
    if (back[0] !== timing.cnf3 || back[1] !== timing.cnf2 || back[2] !== timing.cnf1) throw new Error("mcp2515: CNF registers do not read back: check SPI wiring");
    this.programFilters(options.filters ?? []);
    // Interrupts: RX0, RX1, TX0-2, error, message error.
    this.writeRegs(MCP2515.CANINTE, [0xbf]);
    this.writeRegs(MCP2515.CANINTF, [0]);
    this.requestMode(this.modeBits);
    if (options.interrupt) {
      const { io: Digital, pin } = options.interrupt;
      this.intPin = new Digital({ pin, mode: Digital.InputPullUp, edge: Digital.Falling, onReadable: () => this.service() });
    }
  }

  send(frame: CanFrame): boolean {
    if (this.closed || this.failed || this.counters.busOff) return false;
    if (canFrameProblem(frame)) {
      this.counters.badFrames++;
      return false;
    }
    if (this.tx.length >= this.txQueueLength) return false;
    // Keep the software queue ordered by id (stable), as the bus would arbitrate.
    let i = this.tx.length;
    while (i > 0 && this.tx[i - 1].id > frame.id) i--;
    this.tx.splice(i, 0, { id: frame.id, extended: frame.extended, data: frame.data.slice(0, 8), remote: frame.remote });
    this.guard(() => this.pump(this.readStatus()));
    return true;
  }

  receive(): CanFrame | undefined {
    if (this.rx.length === 0) this.service();
    return this.rx.shift();
  }

  setFilters(filters: readonly CanFilter[]): void {
    if (this.closed || this.failed) return;
    this.guard(() => {
      this.requestMode(MODE_BITS.config);
      this.programFilters(filters);
      this.requestMode(this.modeBits);
    });
  }

  errors(): CanErrorCounters {
    if (!this.closed && !this.failed) {
      this.guard(() => {
        const [tec, rec] = this.readRegs(MCP2515.TEC, 2);
        const eflg = this.readRegs(MCP2515.EFLG, 1)[0];
        this.counters.txErrors = tec;
        this.counters.rxErrors = rec;
        this.counters.errorPassive = (eflg & 0x18) !== 0;
        if (eflg & 0x20) this.counters.busOff = true;
      });
    }
    return { ...this.counters };
  }

  recoverBusOff(): void {
    if (this.closed || this.failed || !this.counters.busOff) return;
    this.guard(() => {
      // Abort whatever was pending, pass through configuration mode (clears the error state), rejoin.
      this.bitModify(MCP2515.CANCTRL, 0x10, 0x10);
      this.requestMode(MODE_BITS.config);
      this.bitModify(MCP2515.CANCTRL, 0x10, 0x00);
      this.loaded.fill(-1);
      this.requestMode(this.modeBits);
      this.counters.busOff = false;
      this.counters.busOffRecoveries++;
      this.pump(this.readStatus());
    });
  }

  /** Read what the chip has: received frames, completed transmissions, errors. Never throws. */
  service(): void {
    if (this.closed || this.failed) return;
    this.guard(() => {
      const status = this.readStatus();
      const [intf, eflg] = this.readRegs(MCP2515.CANINTF, 2);
      let clear = 0;
      if (intf & 0x01) this.readRxBuffer(0);
      if (intf & 0x02) this.readRxBuffer(1);
      if (intf & 0x20) {
        if (eflg & 0xc0) {
          this.counters.rxOverflows += ((eflg >> 6) & 1) + ((eflg >> 7) & 1);
          this.bitModify(MCP2515.EFLG, 0xc0, 0);
        }
        if (eflg & 0x20) this.counters.busOff = true;
        this.counters.errorPassive = (eflg & 0x18) !== 0;
        clear |= 0x20;
      }
      if (intf & 0x80) clear |= 0x80;
      for (let b = 0; b < 3; b++) if (intf & (0x04 << b)) clear |= 0x04 << b;
      if (clear) this.bitModify(MCP2515.CANINTF, clear, 0);
      this.pump(status);
    });
    if (this.rx.length > 0) this.onReadable?.(this.rx.length);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.bitModify(MCP2515.CANCTRL, 0x10, 0x10);
      this.writeRegs(MCP2515.CANCTRL, [0x80]);
    } catch {
      // Closing a dead chip: nothing more to do.
    }
    this.intPin?.close();
    this.spi.close?.();
    this.rx.length = 0;
    this.tx.length = 0;
  }

  /** Frames waiting in the software transmit queue (not yet in a hardware buffer). */
  pendingTx(): number {
    return this.tx.length;
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.spiFaults++;
      this.failed = true;
      this.counters.busOff = true;
      this.onError?.(`mcp2515: SPI failure, controller disabled: ${errorText(error)}`);
    }
  }

  private pump(status: number): void {
    for (let b = 0; b < 3; b++) {
      const busy = (status >> (2 + 2 * b)) & 1;
      if (!busy) this.loaded[b] = -1;
    }
    for (let b = 0; b < 3 && this.tx.length > 0; b++) {
      if (this.loaded[b] >= 0) continue;
      const f = this.tx.shift()!;
      const lowerIdsPending = this.loaded.filter((id) => id >= 0 && id < f.id).length;
      const txp = 3 - Math.min(3, lowerIdsPending);
      this.command([MCP2515.LOAD_TX | (b << 1), ...idBytes(f.id, f.extended), (f.remote ? 0x40 : 0) | f.data.length, ...padded(f.data)]);
      this.bitModify(MCP2515.TXB0CTRL + b * 0x10, 0x03, txp);
      this.command([MCP2515.RTS | (1 << b)]);
      this.loaded[b] = f.id;
    }
  }

  private readRxBuffer(n: number): void {
    const r = this.command([MCP2515.READ_RX | (n << 2), ...new Array<number>(13).fill(0)]);
    const sidh = r[1];
    const sidl = r[2];
    const extended = (sidl & 0x08) !== 0;
    const sid = (sidh << 3) | (sidl >> 5);
    const id = extended ? ((sid << 18) | ((sidl & 3) << 16) | (r[3] << 8) | r[4]) >>> 0 : sid;
    const dlc = r[5] & 0x0f;
    if (dlc > 8) {
      this.counters.badFrames++;
      return;
    }
    const remote = extended ? (r[5] & 0x40) !== 0 : (sidl & 0x10) !== 0;
    const frame: CanFrame = { id, extended, data: Uint8Array.from(r.slice(6, 6 + dlc)) };
    if (remote) frame.remote = true;
    // Hardware filters can only approximate a long filter list: finish in software.
    if (!canFilterAccepts(this.filters, frame)) return;
    if (this.rx.length >= this.rxQueueLength) {
      this.counters.rxOverflows++;
      return;
    }
    this.rx.push(frame);
  }

  /**
   * Map a filter list onto 2 masks x 6 filters. Buffer 0 takes the first filter's
   * mask and every filter with that same mask (up to 2); buffer 1 gets the AND of
   * the remaining masks (a superset) and up to 4 ids; if more remain, buffer 1
   * accepts everything and the software filter decides.
   */
  private programFilters(filters: readonly CanFilter[]): void {
    this.filters = filters.slice();
    if (filters.length === 0) {
      this.writeRegs(MCP2515.RXB0CTRL, [0x64]); // RXM=11 any, BUKT rollover
      this.writeRegs(MCP2515.RXB1CTRL, [0x60]);
      return;
    }
    const first = filters[0];
    const group0 = filters.filter((f) => f.mask === first.mask && f.extended === first.extended).slice(0, 2);
    const rest = filters.filter((f) => !group0.includes(f));
    this.writeRegs(MCP2515.RXM0, idBytes(first.mask, first.extended));
    this.writeRegs(MCP2515.FILTERS[0], idBytes(group0[0].id, group0[0].extended));
    this.writeRegs(MCP2515.FILTERS[1], idBytes((group0[1] ?? group0[0]).id, (group0[1] ?? group0[0]).extended));
    this.writeRegs(MCP2515.RXB0CTRL, [0x04]); // filters on, BUKT rollover
    if (rest.length === 0) {
      // Buffer 1 repeats buffer 0's filters (it also receives rollover).
      this.writeRegs(MCP2515.RXM1, idBytes(first.mask, first.extended));
      for (let i = 2; i < 6; i++) this.writeRegs(MCP2515.FILTERS[i], idBytes(group0[i % group0.length].id, group0[i % group0.length].extended));
      this.writeRegs(MCP2515.RXB1CTRL, [0x00]);
    } else if (rest.length <= 4 && rest.every((f) => f.extended === rest[0].extended)) {
      const mask = rest.reduce((m, f) => m & f.mask, 0x1fffffff);
      this.writeRegs(MCP2515.RXM1, idBytes(mask, rest[0].extended));
      for (let i = 0; i < 4; i++) {
        const f = rest[i] ?? rest[0];
        this.writeRegs(MCP2515.FILTERS[2 + i], idBytes(f.id, f.extended));
      }
      this.writeRegs(MCP2515.RXB1CTRL, [0x00]);
    } else {
      this.writeRegs(MCP2515.RXB1CTRL, [0x60]);
    }
  }

  private requestMode(bits: number): void {
    this.writeRegs(MCP2515.CANCTRL, [bits]);
    const want = bits & 0xe0;
    for (let i = 0; i < 10; i++) {
      if ((this.readRegs(MCP2515.CANSTAT, 1)[0] & 0xe0) === want) return;
    }
    throw new Error(`mcp2515: mode 0x${want.toString(16)} not reached`);
  }

  private readStatus(): number {
    return this.command([MCP2515.READ_STATUS, 0])[1];
  }

  private readRegs(address: number, count: number): number[] {
    const r = this.command([MCP2515.READ, address, ...new Array<number>(count).fill(0)]);
    return r.slice(2);
  }

  private writeRegs(address: number, values: readonly number[]): void {
    this.command([MCP2515.WRITE, address, ...values]);
  }

  private bitModify(address: number, mask: number, value: number): void {
    this.command([MCP2515.BIT_MODIFY, address, mask, value]);
  }

  /** One chip-select-framed SPI transaction. */
  private command(bytes: readonly number[]): number[] {
    const buffer = Uint8Array.from(bytes);
    this.spi.transfer(buffer);
    return Array.from(buffer);
  }
}

/** SIDH, SIDL, EID8, EID0 for an id (29-bit ids split as SID = bits 28-18, EID = 17-0). */
export function idBytes(id: number, extended: boolean): number[] {
  const sid = extended ? id >>> 18 : id & 0x7ff;
  const eid = extended ? id & 0x3ffff : 0;
  return [(sid >> 3) & 0xff, ((sid & 7) << 5) | (extended ? 0x08 : 0) | ((eid >> 16) & 3), (eid >> 8) & 0xff, eid & 0xff];
}

function padded(data: Uint8Array): number[] {
  const out = new Array<number>(8).fill(0);
  for (let i = 0; i < Math.min(8, data.length); i++) out[i] = data[i];
  return out;
}
