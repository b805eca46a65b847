/**
 * `Storage` on the Moddable `preference` module (NVS on ESP32, a file on lin).
 *
 * Preference keys are limited to 15 characters (ESP32 NVS) and values to a few
 * kB. Keys that fit are stored as they are; longer keys (and keys starting with
 * "~") are stored under "~" + a 13-character hash + a probe digit, with the full
 * key kept at the front of the value, so `keys()` still returns the real keys.
 *
 * The `preference` object is passed in (board-io.ts passes the real module), so
 * this class is testable under Node.
 */
import type { Storage } from "../storage";

export interface PreferenceLike {
  set(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void;
  get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined;
  delete(domain: string, key: string): void;
  keys(domain: string): string[];
}

const MAX_KEY = 15;
const MAX_VALUE = 3900;
const SEP = "\u0000";

export class PreferenceStorage implements Storage {
  private readonly domain: string;
  private readonly preference: PreferenceLike;

  constructor(options: { domain: string; preference: PreferenceLike }) {
    if (options.domain.length === 0 || options.domain.length > MAX_KEY) throw new Error(`preference storage: domain "${options.domain}" must be 1..${MAX_KEY} characters`);
    this.domain = options.domain;
    this.preference = options.preference;
  }

  get(key: string): string | undefined {
    const slot = this.find(key);
    if (slot === undefined) return undefined;
    const raw = this.preference.get(this.domain, slot);
    if (typeof raw !== "string") return undefined;
    return this.isShort(key) ? raw : raw.slice(raw.indexOf(SEP) + 1);
  }

  set(key: string, value: string): void {
    const stored = this.isShort(key) ? value : key + SEP + value;
    if (stored.length > MAX_VALUE) throw new Error(`preference storage: value for "${key}" is ${stored.length} characters, limit ${MAX_VALUE}`);
    const slot = this.find(key) ?? this.freeSlot(key);
    this.preference.set(this.domain, slot, stored);
  }

  delete(key: string): void {
    const slot = this.find(key);
    if (slot !== undefined) this.preference.delete(this.domain, slot);
  }

  keys(prefix = ""): string[] {
    const out: string[] = [];
    for (const stored of this.preference.keys(this.domain)) {
      let key = stored;
      if (stored.startsWith("~")) {
        const raw = this.preference.get(this.domain, stored);
        if (typeof raw !== "string" || raw.indexOf(SEP) < 0) continue;
        key = raw.slice(0, raw.indexOf(SEP));
      }
      if (key.startsWith(prefix)) out.push(key);
    }
    return out.sort();
  }

  private isShort(key: string): boolean {
    return key.length > 0 && key.length <= MAX_KEY && !key.startsWith("~");
  }

  /** The preference key holding `key`, if stored. */
  private find(key: string): string | undefined {
    if (this.isShort(key)) return this.preference.get(this.domain, key) === undefined ? undefined : key;
    const base = "~" + hash13(key);
    for (let probe = 0; probe < 10; probe++) {
      const slot = base + probe;
      const raw = this.preference.get(this.domain, slot);
      if (raw === undefined) return undefined;
      if (typeof raw === "string" && raw.slice(0, raw.indexOf(SEP)) === key) return slot;
    }
    return undefined;
  }

  private freeSlot(key: string): string {
    if (this.isShort(key)) return key;
    const base = "~" + hash13(key);
    for (let probe = 0; probe < 10; probe++) {
      if (this.preference.get(this.domain, base + probe) === undefined) return base + probe;
    }
    throw new Error(`preference storage: no free slot for "${key}"`);
  }
}

/** 13 base-36 characters of two 32-bit FNV-1a hashes: stable across engines. */
function hash13(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193 + 2) >>> 0;
  }
  return (a.toString(36).padStart(7, "0") + b.toString(36).padStart(7, "0")).slice(0, 13);
}
