import type { Log, LogLevel } from "../log";

/** Log lines through the XS `trace` global: to xsbug or, on lin, the console. */
export class TraceLog implements Log {
  write(level: LogLevel, message: string): void {
    trace(`[${level}] ${message}\n`);
  }
}
