/**
 * An `embedded:io/serial`-shaped class over a host serial device or pseudo-terminal
 * (Node only, unlike the plant models): lets the SLCAN driver run on a laptop
 * against a USB-CAN adapter (/dev/ttyACM0) or, in tests, a pty.
 *
 *   const Serial = ttySerialClass("/dev/ttyACM0");
 *   new Slcan({ serial: { io: Serial, port: 0, receive: 0, transmit: 0, baud: 115200 }, bitrate: 125000 });
 *
 * The line is put in raw mode (no echo, no CR/LF translation); the baud rate is
 * the device's (USB CDC adapters ignore it).
 */
import * as fs from "node:fs";
import * as tty from "node:tty";
import type { SerialPortOptions } from "../../hal/moddable/io-types";

export function ttySerialClass(path: string) {
  return class TtySerial {
    private readonly fd: number;
    private readonly stream: tty.ReadStream;
    private readonly chunks: Buffer[] = [];
    private closed = false;

    constructor(options: SerialPortOptions) {
      this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
      this.stream = new tty.ReadStream(this.fd);
      this.stream.setRawMode(true);
      this.stream.on("data", (chunk: Buffer) => {
        this.chunks.push(chunk);
        options.onReadable?.(chunk.length);
      });
      this.stream.on("error", () => undefined);
    }

    read(): ArrayBuffer | undefined {
      if (this.chunks.length === 0) return undefined;
      const all = Buffer.concat(this.chunks.splice(0));
      return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    }

    write(value: Uint8Array | ArrayBuffer): void {
      if (this.closed) throw new Error(`${path}: closed`);
      const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
      let offset = 0;
      while (offset < bytes.length) offset += fs.writeSync(this.fd, bytes, offset, bytes.length - offset);
    }

    close(): void {
      if (this.closed) return;
      this.closed = true;
      this.stream.destroy();
    }
  };
}
