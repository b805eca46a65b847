/**
 * Contactor health: every command to a contactor goes through here so that
 * operations and breaks under load are counted (and persisted), and the aux
 * feedback is compared with the command:
 *   commanded open, aux closed past the feedback timeout   -> "welded"
 *   commanded closed, aux open past the feedback timeout   -> "stuckOpen"
 *   aux changing on its own (not after a command) N times   -> "feedbackFault"
 * Faults latch until `reset(id)` (operator action after inspection).
 */
import type { Clock } from "../../hal/clock";
import type { ContactorBank } from "../../hal/contactors";
import type { Storage } from "../../hal/storage";
import type { CabinetIndex } from "../config/cabinet-index";
import type { ContactorFault } from "../planner/types";
import type { EventLog } from "../events/event-log";

export interface ContactorCounters {
  operations: number;
  breaksUnderLoad: number;
}

export interface ContactorHealthOptions {
  index: CabinetIndex;
  bank: ContactorBank;
  storage: Storage;
  clock: Clock;
  events: EventLog;
  /** Unexplained aux changes within flickerWindowMs that make a feedback fault. Default 3. */
  flickerCount?: number;
  flickerWindowMs?: number;
}

interface Track {
  id: string;
  /** Position in `trackList`. */
  pos: number;
  commanded: boolean;
  commandedAtMs: number;
  /** When it was last commanded closed (a close reversed at once may still land). */
  closedCommandAtMs: number;
  lastAux: boolean;
  mismatchSinceMs: number | null;
  fault: ContactorFault | null;
  flickersMs: number[];
  counters: ContactorCounters;
}

/** Storage key of a contactor's counters (short: device preference keys are small). */
export function counterKey(id: string): string {
  return `cc/${id}`;
}

/** `auxNow`: this contact could not be read this tick. */
const UNREAD = 2;
/** `steadyAux`: no reading is steady (every one is judged). */
const UNSTEADY = 3;

function parseCounters(text: string | undefined): ContactorCounters {
  if (text === undefined) return { operations: 0, breaksUnderLoad: 0 };
  const [ops, breaks] = text.split(",").map((s) => Number(s));
  return {
    operations: Number.isFinite(ops) && ops >= 0 ? ops : 0,
    breaksUnderLoad: Number.isFinite(breaks) && breaks >= 0 ? breaks : 0,
  };
}

export class ContactorHealth {
  private readonly tracks = new Map<string, Track>();
  /** The tracks in `index.contactors` order (the fast tick walks this array: no iterator per tick). */
  private readonly trackList: Track[];
  /** Contactor id -> position in `trackList` (callers on the fast tick look a position up once and keep it). */
  private readonly trackPosition = new Map<string, number>();
  /** This tick's aux readings by position (1: closed, 0: open, UNREAD: not read), scratch for `update`. */
  private readonly auxNow: Uint8Array;
  /**
   * Per position, the reading that needs no judging: the commanded position when the aux
   * agrees with it and no mismatch is being timed, else UNSTEADY (every reading is judged).
   * Derived from the track's `commanded`, `lastAux` and `mismatchSinceMs` by `refreshSteady`,
   * called wherever one of those changes.
   */
  private readonly steadyAux: Uint8Array;
  /** The contactor ids by position (what `readAllAux` passes to the bank). */
  private readonly trackIds: string[];
  /** Scratch for `update`: positions whose reading this tick needs judging (see `readAllAux`). */
  private readonly movingAt: Uint16Array;
  private readonly bank: ContactorBank;
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly events: EventLog;
  private readonly feedbackTimeoutMs: number;
  private readonly switchingCurrentA: number;
  private readonly flickerCount: number;
  private readonly flickerWindowMs: number;
  /** Bumped whenever a command or a fault verdict changes (lets callers cache what depends only on those). */
  private version = 0;
  /** Contactors with a latched verdict. */
  private faulted = 0;
  /** Bumped whenever a command, an aux reading or a verdict changes (everything `possiblyClosed` reads but the clock). */
  private positions = 0;
  /** Latest close command of any contactor (its `possiblyClosed` window runs a feedback timeout from there). */
  private lastCloseCommandMs = -Infinity;

  constructor(options: ContactorHealthOptions) {
    this.bank = options.bank;
    this.storage = options.storage;
    this.clock = options.clock;
    this.events = options.events;
    this.feedbackTimeoutMs = options.index.config.policy.contactorFeedbackTimeoutMs;
    this.switchingCurrentA = options.index.config.policy.switchingCurrentA;
    this.flickerCount = options.flickerCount ?? 3;
    this.flickerWindowMs = options.flickerWindowMs ?? 1000;
    const now = this.clock.nowMs();
    for (const info of options.index.contactors) {
      const aux = this.readAux(info.id, false);
      const track: Track = {
        id: info.id,
        pos: -1,
        commanded: this.safeCommanded(info.id, info.normallyClosed),
        commandedAtMs: now,
        closedCommandAtMs: -Infinity,
        lastAux: aux,
        mismatchSinceMs: null,
        fault: null,
        flickersMs: [],
        counters: parseCounters(this.storage.get(counterKey(info.id))),
      };
      this.tracks.set(info.id, track);
    }
    this.trackList = [...this.tracks.values()];
    this.trackList.forEach((t, i) => {
      t.pos = i;
      this.trackPosition.set(t.id, i);
    });
    this.auxNow = new Uint8Array(this.trackList.length);
    this.trackIds = this.trackList.map((t) => t.id);
    this.movingAt = new Uint16Array(this.trackList.length);
    this.steadyAux = new Uint8Array(this.trackList.length);
    for (const t of this.trackList) this.refreshSteady(t);
  }

  /** Position of a contactor for the `...At` queries below, or -1 when it is not in this cabinet. */
  positionOf(id: string): number {
    return this.trackPosition.get(id) ?? -1;
  }

  /** Changes whenever any contactor's commanded position or fault verdict changes. */
  get stateVersion(): number {
    return this.version;
  }

  /** Changes whenever a command, an aux reading or a verdict changes. */
  get positionVersion(): number {
    return this.positions;
  }

  /**
   * Whether some contactor may still count as closed only because it was commanded
   * closed within the last feedback timeout at `nowMs` (the one time-dependent part of
   * `possiblyClosed`). Once false, it stays false until the next command.
   */
  closeWindowOpen(nowMs: number): boolean {
    return nowMs - this.lastCloseCommandMs <= this.feedbackTimeoutMs;
  }

  get ids(): string[] {
    return [...this.tracks.keys()];
  }

  /**
   * Command a contactor. Returns true when the command changed something.
   * `throughCurrentA` is the best estimate of the current it switches: above the
   * switching threshold the operation is counted and logged as a break under load.
   */
  command(id: string, closed: boolean, throughCurrentA: number, reason: string): boolean {
    const t = this.tracks.get(id);
    if (!t || t.commanded === closed) return false;
    const now = this.clock.nowMs();
    try {
      this.bank.command(id, closed);
    } catch (error) {
      this.events.push(now, "refused", id, `bank refused command ${closed ? "close" : "open"}: ${String(error)}`);
      return false;
    }
    t.commanded = closed;
    this.version += 1;
    this.positions += 1;
    t.commandedAtMs = now;
    if (closed) {
      t.closedCommandAtMs = now;
      this.lastCloseCommandMs = Math.max(this.lastCloseCommandMs, now);
    }
    t.mismatchSinceMs = t.lastAux !== closed ? now : null;
    this.refreshSteady(t);
    t.counters.operations += 1;
    const underLoad = Math.abs(throughCurrentA) > this.switchingCurrentA;
    if (underLoad) t.counters.breaksUnderLoad += 1;
    this.persist(t);
    this.events.push(now, "command", id, `${closed ? "close" : "open"} (${reason})${underLoad ? " BREAK UNDER LOAD" : ""}`,
      { currentA: throughCurrentA, operations: t.counters.operations, breaksUnderLoad: t.counters.breaksUnderLoad });
    return true;
  }

  /**
   * Read every aux contact and update fault verdicts. Cheap; call every fast tick.
   * `nowMs` lets a caller that already read the clock in this tick pass it on.
   */
  update(nowMs?: number): void {
    const now = nowMs ?? this.clock.nowMs();
    const list = this.trackList;
    const auxNow = this.auxNow;
    // Every contact is read (once) and compared in the same pass; only the contactors whose
    // reading is not the steady one are judged below, in position order as before.
    const moving = this.readAllAux();
    const movingAt = this.movingAt;
    for (let k = 0; k < moving; k++) {
      const i = movingAt[k];
      const t = list[i];
      const aux = auxNow[i] === 1;
      if (aux !== t.lastAux) {
        t.lastAux = aux;
        this.positions += 1;
        this.events.push(now, "feedback", t.id, `aux ${aux ? "closed" : "open"}`);
        const explained = now - t.commandedAtMs <= this.feedbackTimeoutMs && aux === t.commanded;
        if (!explained) {
          t.flickersMs.push(now);
          while (t.flickersMs.length > 0 && now - t.flickersMs[0] > this.flickerWindowMs) t.flickersMs.shift();
          if (t.flickersMs.length >= this.flickerCount) this.latch(t, "feedbackFault", now);
        }
      }
      if (aux !== t.commanded) {
        if (t.mismatchSinceMs === null) t.mismatchSinceMs = now;
        if (now - t.mismatchSinceMs > this.feedbackTimeoutMs) this.latch(t, t.commanded ? "stuckOpen" : "welded", now);
      } else {
        t.mismatchSinceMs = null;
      }
      this.refreshSteady(t);
    }
  }

  /** Recompute `steadyAux` of a track (after its command, last aux reading or mismatch timer changed). */
  private refreshSteady(t: Track): void {
    this.steadyAux[t.pos] = t.lastAux === t.commanded && t.mismatchSinceMs === null ? (t.lastAux ? 1 : 0) : UNSTEADY;
  }

  private latch(t: Track, fault: ContactorFault, now: number): void {
    // A weld is the most restrictive verdict: it is never downgraded by a later reading.
    if (t.fault === fault || t.fault === "welded") return;
    if (t.fault === null) this.faulted += 1;
    t.fault = fault;
    this.version += 1;
    this.positions += 1;
    this.events.push(now, "fault", t.id, `contactor ${fault} (commanded ${t.commanded ? "closed" : "open"}, aux ${t.lastAux ? "closed" : "open"})`);
  }

  /** Latched contactor faults, in the shape the planner observes. */
  faults(): Record<string, ContactorFault> {
    const out: Record<string, ContactorFault> = {};
    for (const t of this.tracks.values()) if (t.fault) out[t.id] = t.fault;
    return out;
  }

  /** Whether any contactor has a latched verdict (cheaper than `faults()` when none has). */
  hasFaults(): boolean {
    return this.faulted > 0;
  }

  /** `confirmed` by position (see `positionOf`); false for -1. */
  confirmedAt(position: number, closed: boolean): boolean {
    const t = this.trackList[position];
    if (t === undefined) return false;
    if (t.fault === "feedbackFault" || (t.fault === "welded" && !closed)) return false;
    return t.commanded === closed && t.lastAux === closed;
  }

  fault(id: string): ContactorFault | null {
    return this.tracks.get(id)?.fault ?? null;
  }

  commanded(id: string): boolean {
    return this.tracks.get(id)?.commanded ?? false;
  }

  aux(id: string): boolean {
    return this.tracks.get(id)?.lastAux ?? false;
  }

  /**
   * Conservative position for safety decisions: closed unless commanded open AND aux
   * confirms open AND the contactor is not welded or flickering AND it was not
   * commanded closed within the last feedback timeout.
   */
  possiblyClosed(id: string): boolean {
    const t = this.tracks.get(id);
    if (!t) return false;
    if (t.commanded || t.lastAux || t.fault === "welded" || t.fault === "feedbackFault") return true;
    // A close command reversed within the operate time may still close the contacts:
    // the contactor counts as closed until a full feedback timeout has passed since.
    return this.clock.nowMs() - t.closedCommandAtMs <= this.feedbackTimeoutMs;
  }

  /** Commanded and confirmed by aux in the given position (never "open" for a welded one). */
  confirmed(id: string, closed: boolean): boolean {
    const t = this.tracks.get(id);
    if (!t) return false;
    // A welded contactor can be confirmed closed (it is), never open; flickering feedback confirms nothing.
    if (t.fault === "feedbackFault" || (t.fault === "welded" && !closed)) return false;
    return t.commanded === closed && t.lastAux === closed;
  }

  counters(id: string): ContactorCounters {
    const c = this.tracks.get(id)?.counters;
    return c ? { ...c } : { operations: 0, breaksUnderLoad: 0 };
  }

  /** Operator reset after inspection: forget the latched fault of one contactor. */
  reset(id: string): boolean {
    const t = this.tracks.get(id);
    if (!t || t.fault === null) return false;
    t.fault = null;
    this.faulted -= 1;
    this.version += 1;
    this.positions += 1;
    t.flickersMs = [];
    t.mismatchSinceMs = null;
    // Clearing the timer can only make the contact steady: without this the next update would
    // judge it once (which changes nothing on a steady contact) and refresh it there.
    this.refreshSteady(t);
    this.events.push(this.clock.nowMs(), "clear", id, "contactor fault reset by operator");
    return true;
  }

  private persist(t: Track): void {
    try {
      this.storage.set(counterKey(t.id), `${t.counters.operations},${t.counters.breaksUnderLoad}`);
    } catch (error) {
      this.events.push(this.clock.nowMs(), "info", t.id, `counters not persisted: ${String(error)}`);
    }
  }

  /**
   * Every aux contact into `auxNow` (in one batch call when the bank has one, else id by
   * id); a contact that could not be read keeps its last reading. The positions whose
   * reading is not the steady one (aux moved, or disagrees with the command, or a mismatch
   * is being timed: see `steadyAux`) go to `movingAt`; returns their count. Judging them
   * reads and writes only their own track, so reading all first and judging after is what
   * a one-pass loop does.
   */
  private readAllAux(): number {
    const auxNow = this.auxNow;
    auxNow.fill(UNREAD);
    if (!this.readAuxBatch()) this.readAuxOneByOne();
    const steady = this.steadyAux;
    const movingAt = this.movingAt;
    const n = auxNow.length;
    let moving = 0;
    for (let i = 0; i < n; i++) {
      const aux = auxNow[i];
      // Steady state (nothing moved, nothing pending): one comparison and on to the next contactor.
      if (aux === steady[i]) continue;
      if (aux === UNREAD) {
        // Unreadable: judged on its last reading, which only matters while it is not steady.
        auxNow[i] = this.trackList[i].lastAux ? 1 : 0;
        if (steady[i] !== UNSTEADY) continue;
      }
      movingAt[moving++] = i;
    }
    return moving;
  }

  /** `bank.readAux` into `auxNow`, when the bank has it; false when it has not or it threw (then read id by id). */
  private readAuxBatch(): boolean {
    const bank = this.bank;
    if (bank.readAux === undefined) return false;
    try {
      bank.readAux(this.trackIds, this.auxNow);
      return true;
    } catch {
      this.auxNow.fill(UNREAD);
      return false;
    }
  }

  /**
   * `bank.aux` of every contactor into `auxNow`, one `try` per pass rather than per read (on
   * XS a try costs more than the read): a read that throws leaves UNREAD, and the pass
   * resumes after it.
   */
  private readAuxOneByOne(): void {
    const ids = this.trackIds;
    const auxNow = this.auxNow;
    const bank = this.bank;
    const n = ids.length;
    for (let i = 0; i < n; ) {
      try {
        for (; i < n; i++) auxNow[i] = bank.aux(ids[i]).closed ? 1 : 0;
      } catch {
        i++;
      }
    }
  }

  private readAux(id: string, fallback: boolean): boolean {
    try {
      return this.bank.aux(id).closed;
    } catch {
      return fallback;
    }
  }

  private safeCommanded(id: string, fallback: boolean): boolean {
    try {
      return this.bank.commanded(id);
    } catch {
      return fallback;
    }
  }
}
