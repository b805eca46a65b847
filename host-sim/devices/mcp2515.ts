/**
 * Register-level model of the Microchip MCP2515 stand-alone CAN controller, as its
 * datasheet (DS20001801) describes it, for testing our SPI driver without hardware.
 * Platform-free. Written from the datasheet independently of the driver (its own
 * constants) so a wrong address in one is caught by the other.
 *
 * Modelled: SPI instructions (RESET, READ, WRITE, READ RX BUFFER, LOAD TX BUFFER,
 * RTS, READ STATUS, RX STATUS, BIT MODIFY), operating modes via CANCTRL.REQOP
 * (configuration-only registers locked outside configuration mode), CNF1-3 bit
 * timing (frames only flow when the configured bit rate matches the wire), masks
 * and filters for RXB0/RXB1 with rollover (BUKT), RX overflow flags, three TX
 * buffers with TXP priority (ties: higher buffer first), ABAT, one-shot mode,
 * TEC/REC with warning/passive/bus-off flags, interrupt flags and the INT pin.
 * Not modelled: bit-level timing, sleep/wake-up, RXnBF/TXnRTS pins, CLKOUT.
 */
import type { CanBus, CanFrame } from "../../hal/can";

const R = {
  BFPCTRL: 0x0c, TXRTSCTRL: 0x0d, CANSTAT: 0x0e, CANCTRL: 0x0f, TEC: 0x1c, REC: 0x1d,
  RXM0: 0x20, RXM1: 0x24, CNF3: 0x28, CNF2: 0x29, CNF1: 0x2a, CANINTE: 0x2b, CANINTF: 0x2c, EFLG: 0x2d,
  TXB0CTRL: 0x30, RXB0CTRL: 0x60, RXB1CTRL: 0x70,
} as const;
const FILTER_ADDR = [0x00, 0x04, 0x08, 0x10, 0x14, 0x18];
const MODE = { normal: 0, sleep: 1, loopback: 2, listenOnly: 3, config: 4 } as const;
const INTF = { RX0: 0x01, RX1: 0x02, TX0: 0x04, TX1: 0x08, TX2: 0x10, ERR: 0x20, WAK: 0x40, MERR: 0x80 } as const;
const EFLG = { EWARN: 0x01, RXWAR: 0x02, TXWAR: 0x04, RXEP: 0x08, TXEP: 0x10, TXBO: 0x20, RX0OVR: 0x40, RX1OVR: 0x80 } as const;

export interface Mcp2515ModelOptions {
  oscillatorHz: number;
  /** Bit rate of the wire this controller is attached to. */
  busBitrate: number;
  /** The other nodes on the wire (e.g. a VirtualCanNetwork node). */
  wire?: CanBus;
}

export class Mcp2515Model {
  readonly regs = new Uint8Array(128);
  readonly oscillatorHz: number;
  busBitrate: number;
  wire: CanBus | undefined;
  /** Frames are not acknowledged (no other node, cut cable): every transmission is an error. */
  noAck = false;
  /** SPI transactions seen, for tests. */
  transactions = 0;
  /** Frames put on the wire. */
  readonly transmitted: CanFrame[] = [];

  constructor(o: Mcp2515ModelOptions) {
    this.oscillatorHz = o.oscillatorHz;
    this.busBitrate = o.busBitrate;
    this.wire = o.wire;
    this.reset();
  }

  /** Power-on / RESET instruction: every register to its reset value, configuration mode. */
  reset(): void {
    this.regs.fill(0);
    this.regs[R.CANSTAT] = 0x80;
    this.regs[R.CANCTRL] = 0x87;
  }

  mode(): number {
    return this.regs[R.CANSTAT] >> 5;
  }

  /** INT pin is active low: asserted while an enabled interrupt flag is set. */
  intAsserted(): boolean {
    return (this.regs[R.CANINTE] & this.regs[R.CANINTF]) !== 0;
  }

  /** Bit rate the CNF registers give at this oscillator. */
  configuredBitrate(): number {
    const brp = this.regs[R.CNF1] & 0x3f;
    const cnf2 = this.regs[R.CNF2];
    const prseg = (cnf2 & 0x07) + 1;
    const phseg1 = ((cnf2 >> 3) & 0x07) + 1;
    const phseg2 = (cnf2 & 0x80 ? this.regs[R.CNF3] & 0x07 : Math.max(phseg1, 2) - 1) + 1;
    const tq = 1 + prseg + phseg1 + phseg2;
    return this.oscillatorHz / (2 * (brp + 1) * tq);
  }

  /** Sample point as a fraction of the bit time. */
  samplePoint(): number {
    const cnf2 = this.regs[R.CNF2];
    const prseg = (cnf2 & 0x07) + 1;
    const phseg1 = ((cnf2 >> 3) & 0x07) + 1;
    const phseg2 = (this.regs[R.CNF3] & 0x07) + 1;
    return (1 + prseg + phseg1) / (1 + prseg + phseg1 + phseg2);
  }

  /** One SPI transaction (chip select low for its duration): returns the bytes clocked out on SO. */
  transaction(tx: Uint8Array): Uint8Array {
    this.transactions++;
    const rx = new Uint8Array(tx.length);
    if (tx.length === 0) return rx;
    const op = tx[0];
    if (op === 0xc0) {
      this.reset();
    } else if (op === 0x03) {
      let a = tx[1];
      for (let i = 2; i < tx.length; i++) rx[i] = this.readReg(a++ & 0x7f);
    } else if (op === 0x02) {
      let a = tx[1];
      for (let i = 2; i < tx.length; i++) this.writeReg(a++ & 0x7f, tx[i]);
    } else if ((op & 0xf9) === 0x90) {
      const n = (op >> 2) & 1;
      let a = (n ? 0x71 : 0x61) + (op & 0x02 ? 5 : 0);
      for (let i = 1; i < tx.length; i++) rx[i] = this.regs[a++ & 0x7f];
      // Raising CS after READ RX BUFFER clears the buffer's RXnIF.
      this.regs[R.CANINTF] &= ~(n ? INTF.RX1 : INTF.RX0);
    } else if ((op & 0xf8) === 0x40 && (op & 0x07) <= 5) {
      const buf = (op & 0x07) >> 1;
      let a = 0x31 + buf * 0x10 + (op & 1 ? 5 : 0);
      for (let i = 1; i < tx.length; i++) this.regs[a++ & 0x7f] = tx[i];
    } else if ((op & 0xf8) === 0x80) {
      for (let b = 0; b < 3; b++) if (op & (1 << b)) this.regs[R.TXB0CTRL + b * 0x10] |= 0x08;
    } else if (op === 0xa0) {
      const s = this.readStatus();
      for (let i = 1; i < tx.length; i++) rx[i] = s;
    } else if (op === 0xb0) {
      const s = this.rxStatus();
      for (let i = 1; i < tx.length; i++) rx[i] = s;
    } else if (op === 0x05 && tx.length >= 4) {
      const a = tx[1] & 0x7f;
      if (this.bitModifiable(a)) this.writeReg(a, (this.regs[a] & ~tx[2]) | (tx[3] & tx[2]));
      else this.writeReg(a, tx[3]);
    }
    return rx;
  }

  /** Let time pass: receive pending wire frames, transmit requested buffers. */
  step(): void {
    const mode = this.mode();
    if (this.wire) {
      for (let f = this.wire.receive(); f; f = this.wire.receive()) {
        if (mode === MODE.config || mode === MODE.sleep || mode === MODE.loopback) continue;
        if (this.configuredBitrate() !== this.busBitrate) {
          // Wrong bit rate: every frame looks like an error to us.
          this.bumpRec(1);
          continue;
        }
        this.accept(f);
        if (this.regs[R.REC] > 0) this.regs[R.REC]--;
        this.updateErrorFlags();
      }
    }
    if (mode === MODE.normal || mode === MODE.loopback) this.transmitOne(mode === MODE.loopback);
  }

  /** Deliver a frame as if received from the wire (test helper). */
  inject(frame: CanFrame): void {
    const mode = this.mode();
    if (mode === MODE.normal || mode === MODE.listenOnly) this.accept(frame);
  }

  private readReg(a: number): number {
    if ((a & 0x0f) === 0x0e) return this.regs[R.CANSTAT];
    if ((a & 0x0f) === 0x0f) return this.regs[R.CANCTRL];
    return this.regs[a];
  }

  private bitModifiable(a: number): boolean {
    return [R.BFPCTRL, R.TXRTSCTRL, R.CANCTRL, R.CNF3, R.CNF2, R.CNF1, R.CANINTE, R.CANINTF, R.EFLG, 0x30, 0x40, 0x50, R.RXB0CTRL, R.RXB1CTRL].includes(a);
  }

  private writeReg(a: number, v: number): void {
    const config = this.mode() === MODE.config;
    if ((a & 0x0f) === 0x0f) {
      this.regs[R.CANCTRL] = v;
      if (v & 0x10) this.abortAll();
      this.enterMode(v >> 5);
      return;
    }
    if ((a & 0x0f) === 0x0e || a === R.TEC || a === R.REC) return; // read-only
    // Filters, masks and CNF1-3 can be written only in configuration mode (datasheet §10).
    if (a < 0x30 && !(a === R.CANINTE || a === R.CANINTF || a === R.EFLG || a === R.BFPCTRL || a === R.TXRTSCTRL) && !config) return;
    if (a === R.EFLG) {
      // Only the overflow flags are writable (cleared) by the MCU.
      this.regs[a] = (this.regs[a] & 0x3f) | (v & this.regs[a] & 0xc0);
      return;
    }
    if (a === 0x30 || a === 0x40 || a === 0x50) {
      const keep = this.regs[a] & 0x70; // ABTF, MLOA, TXERR read-only
      this.regs[a] = keep | (v & 0x0b);
      return;
    }
    this.regs[a] = v;
  }

  private enterMode(mode: number): void {
    if (mode > 4) mode = MODE.config;
    const pending = [0, 1, 2].some((b) => this.regs[R.TXB0CTRL + b * 0x10] & 0x08);
    // Configuration mode is entered only once pending transmissions are done/aborted.
    if (mode === MODE.config && pending) return;
    if (mode === MODE.config) {
      // Our model of recovery: leaving bus-off through configuration mode clears the error state.
      this.regs[R.TEC] = 0;
      this.regs[R.REC] = 0;
      this.regs[R.EFLG] &= 0xc0;
    }
    this.regs[R.CANSTAT] = (this.regs[R.CANSTAT] & 0x1f) | (mode << 5);
  }

  private abortAll(): void {
    for (let b = 0; b < 3; b++) {
      const a = R.TXB0CTRL + b * 0x10;
      if (this.regs[a] & 0x08) this.regs[a] = (this.regs[a] & ~0x08) | 0x40;
    }
  }

  private readStatus(): number {
    const f = this.regs[R.CANINTF];
    const t = (b: number) => (this.regs[R.TXB0CTRL + b * 0x10] >> 3) & 1;
    return (f & 1) | (f & 2) | (t(0) << 2) | ((f >> 2) & 1) << 3 | (t(1) << 4) | ((f >> 3) & 1) << 5 | (t(2) << 6) | ((f >> 4) & 1) << 7;
  }

  private rxStatus(): number {
    const f = this.regs[R.CANINTF] & 3;
    const buf = f & 1 ? R.RXB0CTRL : f & 2 ? R.RXB1CTRL : 0;
    let type = 0;
    if (buf) {
      const ext = (this.regs[buf + 2] & 0x08) !== 0;
      const rtr = (this.regs[buf + 5] & 0x40) !== 0;
      type = (ext ? 2 : 0) | (rtr ? 1 : 0);
    }
    const hit = buf === R.RXB0CTRL ? this.regs[R.RXB0CTRL] & 1 : buf ? this.regs[R.RXB1CTRL] & 7 : 0;
    return (f << 6) | (type << 3) | hit;
  }

  private accept(f: CanFrame): void {
    const rxb0 = this.regs[R.RXB0CTRL];
    const rxb1 = this.regs[R.RXB1CTRL];
    let target = -1;
    let hit = 0;
    for (const [buf, ctrl, filters, mask] of [[0, rxb0, [0, 1], R.RXM0], [1, rxb1, [2, 3, 4, 5], R.RXM1]] as const) {
      const rxm = (ctrl >> 5) & 3;
      if (rxm === 3) {
        target = buf;
        hit = filters[0];
        break;
      }
      const m = filters.find((n) => this.matches(f, FILTER_ADDR[n], mask));
      if (m !== undefined) {
        target = buf;
        hit = m;
        break;
      }
    }
    if (target < 0) return;
    if (target === 0) {
      if (!(this.regs[R.CANINTF] & INTF.RX0)) return this.store(0, f, hit);
      if (rxb0 & 0x04) {
        if (!(this.regs[R.CANINTF] & INTF.RX1)) return this.store(1, f, hit);
        return this.overflow(EFLG.RX1OVR);
      }
      return this.overflow(EFLG.RX0OVR);
    }
    if (!(this.regs[R.CANINTF] & INTF.RX1)) return this.store(1, f, hit);
    this.overflow(EFLG.RX1OVR);
  }

  private overflow(flag: number): void {
    this.regs[R.EFLG] |= flag;
    this.regs[R.CANINTF] |= INTF.ERR;
  }

  private matches(f: CanFrame, filterAddr: number, maskAddr: number): boolean {
    const filt = decodeId(this.regs, filterAddr);
    const mask = decodeId(this.regs, maskAddr);
    if (filt.extended !== f.extended) return false;
    const sid = f.extended ? f.id >>> 18 : f.id;
    if (((sid ^ filt.sid) & mask.sid) !== 0) return false;
    if (f.extended && (((f.id & 0x3ffff) ^ filt.eid) & mask.eid) !== 0) return false;
    return true;
  }

  private store(buf: number, f: CanFrame, hit: number): void {
    const base = buf ? 0x71 : 0x61;
    encodeId(this.regs, base, f.id, f.extended);
    // Received standard remote frames are flagged by SRR in SIDL, extended ones by RTR in DLC.
    if (f.remote && !f.extended) this.regs[base + 1] |= 0x10;
    this.regs[base + 4] = (f.remote && f.extended ? 0x40 : 0) | Math.min(8, f.data.length);
    for (let i = 0; i < 8; i++) this.regs[base + 5 + i] = f.data[i] ?? 0;
    const ctrl = buf ? R.RXB1CTRL : R.RXB0CTRL;
    if (buf) this.regs[ctrl] = (this.regs[ctrl] & ~0x07) | (hit & 7);
    else this.regs[ctrl] = (this.regs[ctrl] & ~0x01) | (hit & 1);
    this.regs[R.CANINTF] |= buf ? INTF.RX1 : INTF.RX0;
  }

  private transmitOne(loopback: boolean): void {
    if (this.regs[R.EFLG] & EFLG.TXBO) return;
    let best = -1;
    let bestPrio = -1;
    for (let b = 0; b < 3; b++) {
      const c = this.regs[R.TXB0CTRL + b * 0x10];
      if (!(c & 0x08)) continue;
      const p = c & 3;
      if (p >= bestPrio) {
        best = b;
        bestPrio = p;
      }
    }
    if (best < 0) return;
    const ctrlAddr = R.TXB0CTRL + best * 0x10;
    const base = ctrlAddr + 1;
    const id = decodeId(this.regs, base);
    const dlc = this.regs[base + 4] & 0x0f;
    const frame: CanFrame = {
      id: id.extended ? ((id.sid << 18) | id.eid) >>> 0 : id.sid,
      extended: id.extended,
      data: this.regs.slice(base + 5, base + 5 + Math.min(8, dlc)),
      remote: (this.regs[base + 4] & 0x40) !== 0 || undefined,
    };
    const ok = loopback || (!this.noAck && this.wire !== undefined && this.configuredBitrate() === this.busBitrate);
    if (ok) {
      if (loopback) this.accept(frame);
      else {
        this.wire!.send(frame);
        this.transmitted.push(frame);
        if (this.regs[R.TEC] > 0) this.regs[R.TEC]--;
      }
      this.regs[ctrlAddr] &= ~0x18;
      this.regs[R.CANINTF] |= INTF.TX0 << best;
    } else {
      this.regs[ctrlAddr] |= 0x10; // TXERR
      this.regs[R.CANINTF] |= INTF.MERR;
      const tec = this.regs[R.TEC] + 8;
      if (tec > 255) {
        this.regs[R.TEC] = 255;
        this.regs[R.EFLG] |= EFLG.TXBO;
        this.regs[R.CANINTF] |= INTF.ERR;
      } else this.regs[R.TEC] = tec;
      // One-shot mode: no retransmission.
      if (this.regs[R.CANCTRL] & 0x08) this.regs[ctrlAddr] &= ~0x08;
    }
    this.updateErrorFlags();
  }

  private bumpRec(n: number): void {
    this.regs[R.REC] = Math.min(255, this.regs[R.REC] + n);
    this.updateErrorFlags();
  }

  private updateErrorFlags(): void {
    const tec = this.regs[R.TEC];
    const rec = this.regs[R.REC];
    const before = this.regs[R.EFLG];
    let e = before & (EFLG.RX0OVR | EFLG.RX1OVR | EFLG.TXBO);
    if (tec >= 96) e |= EFLG.TXWAR;
    if (rec >= 96) e |= EFLG.RXWAR;
    if (tec >= 96 || rec >= 96) e |= EFLG.EWARN;
    if (tec >= 128) e |= EFLG.TXEP;
    if (rec >= 128) e |= EFLG.RXEP;
    this.regs[R.EFLG] = e;
    if ((e & 0x3f) !== (before & 0x3f)) this.regs[R.CANINTF] |= INTF.ERR;
  }
}

function decodeId(regs: Uint8Array, a: number): { sid: number; eid: number; extended: boolean } {
  const sidh = regs[a];
  const sidl = regs[a + 1];
  return {
    sid: (sidh << 3) | (sidl >> 5),
    eid: ((sidl & 0x03) << 16) | (regs[a + 2] << 8) | regs[a + 3],
    extended: (sidl & 0x08) !== 0,
  };
}

function encodeId(regs: Uint8Array, a: number, id: number, extended: boolean): void {
  const sid = extended ? id >>> 18 : id;
  const eid = extended ? id & 0x3ffff : 0;
  regs[a] = (sid >> 3) & 0xff;
  regs[a + 1] = ((sid & 7) << 5) | (extended ? 0x08 : 0) | ((eid >> 16) & 3);
  regs[a + 2] = (eid >> 8) & 0xff;
  regs[a + 3] = eid & 0xff;
}
