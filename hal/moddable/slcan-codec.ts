/**
 * The SLCAN / LAWICEL text protocol of common USB-CAN adapters (CANable,
 * CANtact, USBtin, LAWICEL CANUSB), pure encode/decode, shared by the driver and
 * the adapter model. Commands end with CR; the adapter answers CR (ok) or BEL
 * (error). Frames: `tiiildd..` (11-bit), `Tiiiiiiiildd..` (29-bit), `r`/`R` remote.
 */
import type { CanFrame } from "../can";

export const SLCAN_CR = 0x0d;
export const SLCAN_BEL = 0x07;

/** `S<n>` bitrate codes. */
export const SLCAN_BITRATES: readonly number[] = [10000, 20000, 50000, 100000, 125000, 250000, 500000, 800000, 1000000];

export function slcanBitrateCommand(bitrate: number): string {
  const code = SLCAN_BITRATES.indexOf(bitrate);
  if (code < 0) throw new Error(`slcan: bitrate ${bitrate} has no S code (one of ${SLCAN_BITRATES.join(", ")})`);
  return `S${code}`;
}

const HEX = "0123456789ABCDEF";

function hexDigits(value: number, digits: number): string {
  let s = "";
  for (let i = digits - 1; i >= 0; i--) s += HEX[Math.floor(value / 16 ** i) % 16];
  return s;
}

/** The line (without CR) that transmits a frame. */
export function encodeSlcanFrame(f: CanFrame): string {
  const kind = f.extended ? (f.remote ? "R" : "T") : f.remote ? "r" : "t";
  const id = hexDigits(f.id, f.extended ? 8 : 3);
  let s = `${kind}${id}${f.data.length}`;
  if (!f.remote) for (const b of f.data) s += hexDigits(b, 2);
  return s;
}

function parseHex(text: string): number | null {
  if (text.length === 0) return null;
  let v = 0;
  for (const ch of text) {
    const d = HEX.indexOf(ch.toUpperCase());
    if (d < 0) return null;
    v = v * 16 + d;
  }
  return v;
}

/**
 * A frame line (without CR) to a frame, or a reason it is not one. Accepts an
 * optional 4-digit timestamp after the data (adapters with `Z1`).
 */
export function decodeSlcanFrame(line: string): { ok: true; frame: CanFrame } | { ok: false; reason: string } {
  const kind = line[0];
  if (kind !== "t" && kind !== "T" && kind !== "r" && kind !== "R") return { ok: false, reason: `slcan: not a frame line: ${JSON.stringify(line.slice(0, 20))}` };
  const extended = kind === "T" || kind === "R";
  const remote = kind === "r" || kind === "R";
  const idLen = extended ? 8 : 3;
  if (line.length < 1 + idLen + 1) return { ok: false, reason: `slcan: truncated frame line ${JSON.stringify(line)}` };
  const id = parseHex(line.slice(1, 1 + idLen));
  const dlc = parseHex(line[1 + idLen]);
  if (id === null || dlc === null) return { ok: false, reason: `slcan: bad hex in ${JSON.stringify(line)}` };
  if (id > (extended ? 0x1fffffff : 0x7ff)) return { ok: false, reason: `slcan: id 0x${id.toString(16)} out of range in ${JSON.stringify(line)}` };
  if (dlc > 8) return { ok: false, reason: `slcan: length ${dlc} > 8 in ${JSON.stringify(line)}` };
  const dataStart = 2 + idLen;
  const dataLen = remote ? 0 : dlc * 2;
  const rest = line.length - dataStart - dataLen;
  if (rest !== 0 && rest !== 4) return { ok: false, reason: `slcan: ${rest < 0 ? "truncated" : "overlong"} frame line ${JSON.stringify(line)}` };
  const data = new Uint8Array(remote ? dlc : dlc);
  if (!remote) {
    for (let i = 0; i < dlc; i++) {
      const b = parseHex(line.slice(dataStart + 2 * i, dataStart + 2 * i + 2));
      if (b === null) return { ok: false, reason: `slcan: bad hex in ${JSON.stringify(line)}` };
      data[i] = b;
    }
  }
  if (rest === 4 && parseHex(line.slice(line.length - 4)) === null) return { ok: false, reason: `slcan: bad timestamp in ${JSON.stringify(line)}` };
  const frame: CanFrame = { id, extended, data };
  if (remote) frame.remote = true;
  return { ok: true, frame };
}

/** LAWICEL `F` status flags. */
export const SLCAN_STATUS = { rxFull: 0x01, txFull: 0x02, errorWarning: 0x04, dataOverrun: 0x08, errorPassive: 0x20, arbitrationLost: 0x40, busError: 0x80 } as const;

export function parseSlcanStatus(line: string): number | null {
  if (line.length !== 3 || line[0] !== "F") return null;
  return parseHex(line.slice(1));
}

export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}
