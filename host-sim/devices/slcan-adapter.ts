/**
 * A USB-CAN adapter speaking SLCAN (LAWICEL), as seen from the host's serial
 * port: bytes in, bytes out, and a CAN bus on the other side. Platform-free; the
 * pty test wires it to a real pseudo-terminal.
 *
 * Behaviour follows the LAWICEL CANUSB manual: `S0`-`S8` only while closed, `O`/`L`
 * only when a bit rate was set and the channel is closed, `C` only when open,
 * `t`/`T`/`r`/`R` only when open (and not listen-only), reply `z`/`Z` CR after a
 * queued frame, CR after other commands, BEL on any error; `F` returns the status
 * flags, `V` a version. Received frames are sent as frame lines while open.
 */
import type { CanBus } from "../../hal/can";
import { asciiBytes, decodeSlcanFrame, encodeSlcanFrame, SLCAN_BITRATES } from "../../hal/moddable/slcan-codec";

export class SlcanAdapterModel {
  private readonly bus: CanBus;
  private readonly output: (bytes: Uint8Array) => void;
  private line = "";
  bitrate: number | null = null;
  open = false;
  listenOnly = false;
  /** Status flags the next `F` reports (tests set them). */
  statusFlags = 0;
  /** Commands answered with BEL. */
  errors = 0;
  readonly log: string[] = [];

  constructor(o: { bus: CanBus; output: (bytes: Uint8Array) => void }) {
    this.bus = o.bus;
    this.output = o.output;
  }

  /** Bytes from the host. */
  input(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (b === 0x0d) {
        const line = this.line;
        this.line = "";
        this.command(line);
      } else if (this.line.length < 64) this.line += String.fromCharCode(b);
    }
  }

  /** Forward CAN frames received on the bus to the host while open. */
  step(): void {
    for (let f = this.bus.receive(); f; f = this.bus.receive()) {
      if (this.open) this.output(asciiBytes(encodeSlcanFrame(f) + "\r"));
    }
  }

  /** Write raw bytes to the host (tests inject garbage this way). */
  raw(text: string): void {
    this.output(asciiBytes(text));
  }

  private ok(text = ""): void {
    this.output(asciiBytes(text + "\r"));
  }

  private bel(): void {
    this.errors++;
    this.output(Uint8Array.of(0x07));
  }

  private command(line: string): void {
    this.log.push(line);
    const c = line[0];
    if (c === "S" && line.length === 2) {
      const code = line.charCodeAt(1) - 0x30;
      if (this.open || code < 0 || code >= SLCAN_BITRATES.length) return this.bel();
      this.bitrate = SLCAN_BITRATES[code];
      return this.ok();
    }
    if ((c === "O" || c === "L") && line.length === 1) {
      if (this.open || this.bitrate === null) return this.bel();
      this.open = true;
      this.listenOnly = c === "L";
      return this.ok();
    }
    if (c === "C" && line.length === 1) {
      if (!this.open) return this.bel();
      this.open = false;
      return this.ok();
    }
    if (c === "F" && line.length === 1) {
      if (!this.open) return this.bel();
      const flags = this.statusFlags;
      this.statusFlags = 0;
      return this.ok(`F${flags.toString(16).toUpperCase().padStart(2, "0")}`);
    }
    if (c === "V" && line.length === 1) return this.ok("V1013");
    if (c === "t" || c === "T" || c === "r" || c === "R") {
      if (!this.open || this.listenOnly) return this.bel();
      const r = decodeSlcanFrame(line);
      if (!r.ok) return this.bel();
      if (!this.bus.send(r.frame)) return this.bel();
      return this.ok(c === "t" || c === "r" ? "z" : "Z");
    }
    this.bel();
  }
}
