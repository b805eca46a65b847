/**
 * CAN through a serial-line (SLCAN / LAWICEL) adapter over ECMA-419 Serial.
 *
 *   const can = new Slcan({ serial: { io: Serial, port: 1, receive: 16, transmit: 17, baud: 115200 }, bitrate: 125000 });
 *
 * Serial replies are asynchronous, so commands are pipelined: each one waits in a
 * FIFO for its CR (ok), `z`/`Z` (frame queued) or BEL (error). Lines from the
 * adapter are parsed as they arrive; anything malformed (garbage, truncated or
 * overlong lines, bad hex) is counted in `badFrames` and dropped. Nothing here
 * throws after construction.
 * Error counters: SLCAN has no TEC/REC; `txErrors`/`rxErrors` stay 0 and the
 * status flags (`F`, polled by `requestStatus()`) give error-passive, bus error
 * (reported as bus-off) and data overrun.
 */
import { canFilterAccepts, canFrameProblem, emptyCanErrors, type CanBus, type CanErrorCounters, type CanFilter, type CanFrame } from "../can";
import { errorText, type SerialPort, type SerialSpec } from "./io-types";
import { asciiBytes, decodeSlcanFrame, encodeSlcanFrame, parseSlcanStatus, SLCAN_BEL, SLCAN_CR, SLCAN_STATUS, slcanBitrateCommand } from "./slcan-codec";

export interface SlcanOptions {
  serial: SerialSpec;
  bitrate: number;
  listenOnly?: boolean;
  rxQueueLength?: number;
  /** Commands without a reply before the adapter is considered gone (sends refused). */
  maxOutstanding?: number;
  onReadable?: (count: number) => void;
  onError?: (message: string) => void;
}

type Pending = "command" | "frame" | "status" | "open";

const MAX_LINE = 32;

export class Slcan implements CanBus {
  private readonly serial: SerialPort;
  private readonly rx: CanFrame[] = [];
  private readonly pending: Pending[] = [];
  private readonly rxQueueLength: number;
  private readonly maxOutstanding: number;
  private readonly onReadable: ((count: number) => void) | undefined;
  private readonly onError: ((message: string) => void) | undefined;
  private readonly openCommand: string;
  private readonly bitrateCommand: string;
  private line = "";
  private skipping = false;
  private filters: readonly CanFilter[] = [];
  private readonly counters: CanErrorCounters = emptyCanErrors();
  private closed = false;
  private failed = false;
  /** The adapter acknowledged the open command. */
  isOpen = false;
  /** BEL replies received. */
  errorReplies = 0;
  lastBadLine = "";

  constructor(options: SlcanOptions) {
    this.rxQueueLength = options.rxQueueLength ?? 64;
    this.maxOutstanding = options.maxOutstanding ?? 32;
    this.onReadable = options.onReadable;
    this.onError = options.onError;
    this.bitrateCommand = slcanBitrateCommand(options.bitrate);
    this.openCommand = options.listenOnly ? "L" : "O";
    const { io, ...port } = options.serial;
    this.serial = new io({ ...port, format: "buffer", onReadable: () => this.pumpInput() });
    // Close first in case the adapter was left open (its BEL is expected and harmless).
    this.write("C", "command");
    this.write(this.bitrateCommand, "command");
    this.write(this.openCommand, "open");
  }

  send(frame: CanFrame): boolean {
    if (this.closed || this.failed) return false;
    if (canFrameProblem(frame)) {
      this.counters.badFrames++;
      return false;
    }
    if (this.pending.length >= this.maxOutstanding) return false;
    return this.write(encodeSlcanFrame(frame), "frame");
  }

  receive(): CanFrame | undefined {
    if (this.rx.length === 0) this.pumpInput();
    return this.rx.shift();
  }

  setFilters(filters: readonly CanFilter[]): void {
    // Adapters differ in acceptance-code support: filter in software.
    this.filters = filters.slice();
  }

  errors(): CanErrorCounters {
    return { ...this.counters };
  }

  /** Ask the adapter for its status flags (the reply updates errors()). */
  requestStatus(): void {
    if (!this.closed && !this.failed && this.pending.length < this.maxOutstanding) this.write("F", "status");
  }

  recoverBusOff(): void {
    if (this.closed || this.failed) return;
    // Re-opening resets the adapter's controller.
    this.isOpen = false;
    this.write("C", "command");
    this.write(this.openCommand, "open");
    if (this.counters.busOff) {
      this.counters.busOff = false;
      this.counters.busOffRecoveries++;
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.serial.write(asciiBytes("C\r"));
    } catch {
      // Closing anyway.
    }
    this.closed = true;
    this.isOpen = false;
    this.serial.close();
    this.rx.length = 0;
  }

  /** Commands sent and not yet answered. */
  outstanding(): number {
    return this.pending.length;
  }

  /** Read whatever the serial port has and parse it. Never throws. */
  pumpInput(): void {
    if (this.closed || this.failed) return;
    try {
      for (let i = 0; i < 64; i++) {
        const chunk = this.serial.read();
        if (chunk === undefined || typeof chunk === "number") break;
        const bytes = new Uint8Array(chunk);
        if (bytes.length === 0) break;
        for (const b of bytes) this.byte(b);
      }
    } catch (error) {
      this.fail(`serial read failed: ${errorText(error)}`);
    }
    if (this.rx.length > 0) this.onReadable?.(this.rx.length);
  }

  private write(command: string, kind: Pending): boolean {
    try {
      this.serial.write(asciiBytes(command + "\r"));
      this.pending.push(kind);
      return true;
    } catch (error) {
      this.fail(`serial write failed: ${errorText(error)}`);
      return false;
    }
  }

  private fail(message: string): void {
    this.failed = true;
    this.counters.busOff = true;
    this.onError?.(`slcan: ${message}`);
  }

  private byte(b: number): void {
    if (b === SLCAN_BEL) {
      this.line = "";
      this.skipping = false;
      const what = this.pending.shift();
      this.errorReplies++;
      if (what === "open") this.onError?.("slcan: adapter refused to open the channel");
      else if (what === "frame") this.onError?.("slcan: adapter refused a frame");
      return;
    }
    if (b === SLCAN_CR || b === 0x0a) {
      const line = this.line;
      this.line = "";
      if (this.skipping) {
        this.skipping = false;
        return;
      }
      if (b === 0x0a && line === "") return; // tolerate CRLF
      this.handleLine(line);
      return;
    }
    if (this.skipping) return;
    if (b < 0x20 || b > 0x7e || this.line.length >= MAX_LINE) {
      // Garbage or a line that never ends: drop it and resynchronize on the next CR.
      this.bad(`garbage byte 0x${b.toString(16)} after ${JSON.stringify(this.line.slice(0, 20))}`);
      this.line = "";
      this.skipping = true;
      return;
    }
    this.line += String.fromCharCode(b);
  }

  private handleLine(line: string): void {
    if (line === "") {
      const what = this.pending.shift();
      if (what === "open") this.isOpen = true;
      return;
    }
    const c = line[0];
    if ((c === "z" || c === "Z") && line.length === 1) {
      this.pending.shift();
      return;
    }
    if (c === "F") {
      const flags = parseSlcanStatus(line);
      if (flags === null) return this.bad(`bad status line ${JSON.stringify(line)}`);
      this.pending.shift();
      this.counters.errorPassive = (flags & SLCAN_STATUS.errorPassive) !== 0;
      this.counters.busOff = (flags & SLCAN_STATUS.busError) !== 0;
      if (flags & SLCAN_STATUS.dataOverrun) this.counters.rxOverflows++;
      return;
    }
    const r = decodeSlcanFrame(line);
    if (!r.ok) return this.bad(r.reason);
    if (!canFilterAccepts(this.filters, r.frame)) return;
    if (this.rx.length >= this.rxQueueLength) {
      this.counters.rxOverflows++;
      return;
    }
    this.rx.push(r.frame);
  }

  private bad(reason: string): void {
    this.counters.badFrames++;
    this.lastBadLine = reason;
  }
}
