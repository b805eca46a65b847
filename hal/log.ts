/** Where the firmware writes its human-readable log lines. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Log {
  write(level: LogLevel, message: string): void;
}
