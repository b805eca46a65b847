/** Local authorization cache (2.0.1 C10-C12, 1.6 §3.5.1): idToken -> last status, with expiry. */
import type { Storage } from "../../hal/storage";

const KEY = "ocpp/authcache";
const MAX_ENTRIES = 256;

export interface CachedAuth { status: string; expiresMs: number | null; seenMs: number }

export class AuthCache {
  private entries: Record<string, CachedAuth> = {};
  private readonly storage: Storage;

  constructor(storage: Storage) {
    this.storage = storage;
    try { this.entries = JSON.parse(storage.get(KEY) ?? "{}") as Record<string, CachedAuth>; } catch { this.entries = {}; }
  }

  /** "Accepted" when the token was accepted and has not expired; null when unknown. */
  lookup(idToken: string, utcMs: number): string | null {
    const e = this.entries[idToken];
    if (!e) return null;
    if (e.expiresMs !== null && utcMs >= e.expiresMs) return "Expired";
    return e.status;
  }

  store(idToken: string, status: string, utcMs: number, lifetimeS: number, expiresMs?: number): void {
    const fromLifetime = lifetimeS > 0 ? utcMs + lifetimeS * 1000 : null;
    const expiry = expiresMs !== undefined ? (fromLifetime === null ? expiresMs : Math.min(expiresMs, fromLifetime)) : fromLifetime;
    this.entries[idToken] = { status, expiresMs: expiry, seenMs: utcMs };
    const keys = Object.keys(this.entries);
    if (keys.length > MAX_ENTRIES) {
      // Evict the least recently seen token (C11.FR.?: cache full behaviour is implementation specific).
      keys.sort((a, b) => this.entries[a].seenMs - this.entries[b].seenMs);
      delete this.entries[keys[0]];
    }
    this.storage.set(KEY, JSON.stringify(this.entries));
  }

  clear(): void {
    this.entries = {};
    this.storage.set(KEY, "{}");
  }

  get size(): number { return Object.keys(this.entries).length; }
}
