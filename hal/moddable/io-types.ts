/**
 * The slice of the ECMA-419 IO classes our drivers use, as structural types, so a
 * driver can be handed the real `embedded:io/...` class on the device or a fake
 * transport in tests (ECMA-419 peripheral pattern: `{ io: SPI, ...pins }`).
 * No imports: this file type-checks under Node and under @moddable/typings.
 */

export type IoBuffer = ArrayBuffer | Uint8Array;

export interface SpiPort {
  /** Full duplex: clocks `buffer` out and replaces its contents with what came in. */
  transfer(buffer: Uint8Array): void;
  close?(): void;
}
export interface SpiPortOptions {
  clock: number;
  out?: number;
  in?: number;
  select?: number;
  active?: 1 | 0;
  hz: number;
  mode?: number;
  port?: number;
}
export type SpiIo = new (options: SpiPortOptions) => SpiPort;
/** How a driver is told about its SPI bus: the class plus its pins. */
export type SpiSpec = SpiPortOptions & { io: SpiIo };

export interface I2cPort {
  write(buffer: Uint8Array, stop?: boolean): void;
  read(byteLength: number, stop?: boolean): ArrayBuffer;
  close?(): void;
}
export interface I2cPortOptions {
  data: number;
  clock: number;
  hz: number;
  address: number;
  port?: number;
}
export type I2cIo = new (options: I2cPortOptions) => I2cPort;
export type I2cSpec = Omit<I2cPortOptions, "address"> & { io: I2cIo };

export interface DigitalPin {
  read(): 0 | 1;
  write(value: 0 | 1): void;
  close(): void;
}
export interface DigitalPinOptions {
  pin: number;
  mode: unknown;
  edge?: number;
  onReadable?: () => void;
}
export interface DigitalIo {
  new (options: DigitalPinOptions): DigitalPin;
  readonly Input: unknown;
  readonly InputPullUp: unknown;
  readonly Output: unknown;
  readonly Falling: number;
  readonly Rising: number;
}

export interface DigitalBankPort {
  read(): number;
  write(value: number): void;
  close(): void;
}
export interface DigitalBankOptions {
  pins: number;
  mode: unknown;
  bank?: number | string;
}
export interface DigitalBankIo {
  new (options: DigitalBankOptions): DigitalBankPort;
  readonly Input: unknown;
  readonly InputPullUp: unknown;
  readonly Output: unknown;
}

export interface SerialPort {
  read(): number | ArrayBuffer | undefined;
  write(value: IoBuffer): void;
  close(): void;
}
export interface SerialPortOptions {
  receive: number;
  transmit: number;
  baud: number;
  port: number;
  format?: "buffer";
  onReadable?: (bytes: number) => void;
}
export type SerialIo = new (options: SerialPortOptions) => SerialPort;
export type SerialSpec = Omit<SerialPortOptions, "onReadable" | "format"> & { io: SerialIo };

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
