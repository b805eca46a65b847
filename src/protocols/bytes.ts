/** Big-endian helpers over 8-byte CAN payloads; plain arithmetic so XS and V8 agree. */

export function u32be(data: Uint8Array, offset: number): number {
  return ((data[offset] << 24) >>> 0) + (data[offset + 1] << 16) + (data[offset + 2] << 8) + data[offset + 3];
}

export function putU32be(data: Uint8Array, offset: number, value: number): void {
  const v = clampU32(value);
  data[offset] = (v >>> 24) & 0xff;
  data[offset + 1] = (v >>> 16) & 0xff;
  data[offset + 2] = (v >>> 8) & 0xff;
  data[offset + 3] = v & 0xff;
}

export function i32be(data: Uint8Array, offset: number): number {
  return u32be(data, offset) | 0;
}

export function putI32be(data: Uint8Array, offset: number, value: number): void {
  putU32be(data, offset, Math.round(value) >>> 0);
}

export function f32be(data: Uint8Array, offset: number): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat32(offset, false);
}

export function putF32be(data: Uint8Array, offset: number, value: number): void {
  new DataView(data.buffer, data.byteOffset, data.byteLength).setFloat32(offset, value, false);
}

export function u16be(data: Uint8Array, offset: number): number {
  return (data[offset] << 8) | data[offset + 1];
}

export function putU16be(data: Uint8Array, offset: number, value: number): void {
  const v = Math.max(0, Math.min(0xffff, Math.round(value)));
  data[offset] = (v >> 8) & 0xff;
  data[offset + 1] = v & 0xff;
}

/** Round and clamp into u32: setpoints outside the range must not wrap around. */
export function clampU32(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(0xffffffff, Math.round(value));
}

/** Alarm names for the set bits of `value` per `table` (bit index -> name). */
export function bitAlarms(value: number, table: Readonly<Record<number, string>>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(table)) {
    const bit = Number(key);
    if (Math.floor(value / 2 ** bit) % 2 === 1) out.push(table[bit]);
  }
  return out;
}

/** Inverse of bitAlarms: unknown names are ignored. */
export function alarmBits(alarms: readonly string[], table: Readonly<Record<number, string>>): number {
  let value = 0;
  for (const key of Object.keys(table)) {
    const bit = Number(key);
    if (alarms.includes(table[bit])) value += 2 ** bit;
  }
  return value;
}

export function hex(data: Uint8Array): string {
  let s = "";
  for (const b of data) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}
