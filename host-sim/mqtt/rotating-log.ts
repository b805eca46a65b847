/**
 * A hal Log writing to a file that rotates by size, as seed 002 asks: 5 MB per
 * file, 3 backups (debug.log, debug.log.1 .. debug.log.3, oldest dropped).
 * Synchronous appends: log lines are small and ordering matters more than speed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Log, LogLevel } from "../../hal/log";

export interface RotatingLogOptions {
  file: string;
  maxBytes?: number;
  backups?: number;
  /** Lines below this level are dropped. Default "debug". */
  minLevel?: LogLevel;
  /** Timestamp source for the line prefix; default wall clock ISO time. */
  stamp?: () => string;
  /** Also pass every line on (e.g. a console log). */
  next?: Log;
}

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];

export class RotatingFileLog implements Log {
  readonly file: string;
  readonly maxBytes: number;
  readonly backups: number;
  private size: number;
  private readonly minLevel: number;
  private readonly stamp: () => string;

  constructor(private readonly options: RotatingLogOptions) {
    this.file = options.file;
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.backups = options.backups ?? 3;
    this.minLevel = LEVELS.indexOf(options.minLevel ?? "debug");
    this.stamp = options.stamp ?? (() => new Date().toISOString());
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.size = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
  }

  write(level: LogLevel, message: string): void {
    this.options.next?.write(level, message);
    if (LEVELS.indexOf(level) < this.minLevel) return;
    const line = `${this.stamp()} ${level.toUpperCase()} ${message.replace(/\r?\n/g, " | ")}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.appendFileSync(this.file, line);
      this.size += bytes;
    } catch {
      // A full disk must not stop the controller; the line is lost.
    }
  }

  /** debug.log -> .1 -> .2 -> .3; the oldest is removed. */
  private rotate(): void {
    const name = (i: number) => (i === 0 ? this.file : `${this.file}.${i}`);
    if (this.backups === 0) {
      fs.rmSync(this.file, { force: true });
    } else {
      fs.rmSync(name(this.backups), { force: true });
      for (let i = this.backups - 1; i >= 0; i--) if (fs.existsSync(name(i))) fs.renameSync(name(i), name(i + 1));
    }
    this.size = 0;
  }
}
