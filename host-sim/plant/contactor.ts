import type { ContactorParams } from "./params";
import type { Prng } from "./prng";

export type ContactorFaultKind = "weld" | "stuckOpen" | "flicker";

/** One physical movement of the main contacts, with what flowed or stood across them. */
export interface ContactorMove {
  atMs: number;
  id: string;
  closed: boolean;
  /** Opening: current through the contacts in the step before they parted (A, absolute). */
  currentA: number;
  /** Closing: voltage across the open contacts just before they touched (V, absolute). */
  deltaV: number;
  /** The coil command behind it came from releaseAll() or a hardware trip. */
  released: boolean;
}

/**
 * An HV DC contactor: a coil with operate/release delays, main contacts and an
 * aux (mirror) contact. Normally-closed contactors (MC) rest closed: energizing
 * the coil opens them. Faults: weld (contacts stay closed once closed),
 * stuckOpen (stay open once open), flicker (aux reading toggles at random).
 */
export class ContactorModel {
  readonly id: string;
  readonly normallyClosed: boolean;
  /** Coil energized. */
  coil = false;
  /** Main contacts closed. */
  mainClosed: boolean;
  auxClosed: boolean;
  auxChangedAtMs = 0;
  fault: ContactorFaultKind | null = null;
  /** Operations (physical movements) since construction. */
  operations = 0;
  /** Last coil change came from releaseAll() / a hardware trip. */
  releasedByTrip = false;
  private readonly operateMs: number;
  private readonly releaseMs: number;
  /** Simulated ms at which the contacts reach the coil's position; null when settled. */
  private moveAtMs: number | null = null;
  private auxAtMs: number | null = null;
  private flickerAtMs = 0;

  constructor(id: string, normallyClosed: boolean, private readonly params: ContactorParams, private readonly rng: Prng) {
    this.id = id;
    this.normallyClosed = normallyClosed;
    this.mainClosed = normallyClosed;
    this.auxClosed = normallyClosed;
    // Each unit has its own (repeatable) timing within the datasheet band.
    this.operateMs = rng.uniform(params.operateMinMs, params.operateMaxMs);
    this.releaseMs = rng.uniform(params.releaseMinMs, params.releaseMaxMs);
  }

  /** Where the contacts go with the coil as it is. */
  targetClosed(): boolean {
    return this.normallyClosed ? !this.coil : this.coil;
  }

  setCoil(energized: boolean, nowMs: number, byTrip = false): void {
    if (energized === this.coil) return;
    this.coil = energized;
    this.releasedByTrip = byTrip;
    const delay = energized ? this.operateMs : this.releaseMs;
    this.moveAtMs = nowMs + delay;
  }

  /** Main-contact movement due by nowMs, or null. The caller fills in current / deltaV. */
  advance(nowMs: number): boolean | null {
    let moved: boolean | null = null;
    if (this.moveAtMs !== null && nowMs >= this.moveAtMs) {
      this.moveAtMs = null;
      const want = this.targetClosed();
      const blocked = (this.fault === "weld" && this.mainClosed) || (this.fault === "stuckOpen" && !this.mainClosed);
      if (want !== this.mainClosed && !blocked) {
        this.mainClosed = want;
        this.operations++;
        moved = want;
        this.auxAtMs = nowMs + this.params.auxDelayMs;
      }
    }
    if (this.auxAtMs !== null && nowMs >= this.auxAtMs) {
      this.auxAtMs = null;
      if (this.fault !== "flicker") this.setAux(this.mainClosed, nowMs);
    }
    if (this.fault === "flicker" && nowMs >= this.flickerAtMs) {
      this.setAux(!this.auxClosed, nowMs);
      this.flickerAtMs = nowMs + this.rng.uniform(this.params.flickerMinMs, this.params.flickerMaxMs);
    }
    return moved;
  }

  setFault(kind: ContactorFaultKind | null, nowMs: number): void {
    this.fault = kind;
    if (kind === "flicker") this.flickerAtMs = nowMs;
    if (kind === null) {
      // Cleared: the contacts follow the coil again (a weld freed by service, feedback repaired).
      if (this.mainClosed !== this.targetClosed()) this.moveAtMs = nowMs;
      this.setAux(this.mainClosed, nowMs);
    }
  }

  /** Needs advance() calls: contacts or aux in transit, or flickering. */
  get busy(): boolean {
    return this.moveAtMs !== null || this.auxAtMs !== null || this.fault === "flicker";
  }

  /** True while the contacts are still on their way to the coil's position. */
  get moving(): boolean {
    return this.moveAtMs !== null;
  }

  private setAux(closed: boolean, nowMs: number): void {
    if (closed === this.auxClosed) return;
    this.auxClosed = closed;
    this.auxChangedAtMs = nowMs;
  }
}
