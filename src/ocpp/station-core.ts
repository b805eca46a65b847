/**
 * What both OCPP versions share: connection life cycle with back-off, BootNotification
 * gating, heartbeats, the persistent transaction-message queue, charging profiles and the
 * limits sink, reservations. Version specifics live in station201.ts / station16.ts.
 * Driven by tick(nowMs) and transport events; no timers.
 */
import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";
import type { Storage } from "../../hal/storage";
import { AuthCache } from "./auth-cache";
import { reconnectDelayMs } from "./backoff";
import type { OcppConfig } from "./config";
import { DeviceModel, V } from "./device-model";
import { OcppError, type JsonObject } from "./framing";
import { checkPayload, type Schema } from "./payload-schema";
import type { EvseInfo, EvseSnapshot, StationLimits, StationPort } from "./port";
import { RpcEndpoint, type CallOutcome, type HandlerReply } from "./rpc";
import { compositeSchedule, limitAt, type ChargingProfile, type CompositeContext, type RateUnit } from "./smart-charging";
import type { OcppTransport } from "./transport";
import { TxQueue, type QueuedMessage } from "./tx-queue";

export interface StationOptions {
  config: OcppConfig;
  transport: OcppTransport;
  port: StationPort;
  storage: Storage;
  /** Monotonic ms: timeouts, heartbeats, back-off. */
  clock: Clock;
  /** UTC epoch ms for timestamps and Absolute/Recurring profiles; defaults to `clock`. */
  wallClock?: Clock;
  /** Uniform [0,1) source for the back-off jitter (Math.random on host and device, fixed in tests). */
  random: () => number;
  log?: Log;
  firmwareVersion?: string;
  serialNumber?: string;
}

export type ConnectionState = "idle" | "connecting" | "open" | "waiting" | "stopped";
export type Registration = "none" | "Pending" | "Accepted" | "Rejected";

export interface Reservation { id: number; evseId: number; idToken: string; expiresMs: number }

const PROFILES_KEY = "ocpp/profiles";
const RESERVATIONS_KEY = "ocpp/reservations";
const AVAILABILITY_KEY = "ocpp/availability";
const BOOTS_KEY = "ocpp/boots";

/**
 * The limits are pushed to the cabinet on every change and re-pushed at least this often
 * (monotonic clock), so the cabinet can give them a short validity: if the OCPP layer stops
 * ticking, its limits go stale there instead of staying in force for ever.
 */
export const LIMIT_REFRESH_MS = 1000;

export abstract class StationCore {
  protected readonly config: OcppConfig;
  protected readonly transport: OcppTransport;
  protected readonly port: StationPort;
  protected readonly storage: Storage;
  protected readonly clock: Clock;
  protected readonly wallClock: Clock;
  protected readonly random: () => number;
  protected readonly log: Log | undefined;
  protected readonly options: StationOptions;
  readonly model: DeviceModel;
  readonly authCache: AuthCache;
  protected readonly queue: TxQueue;
  protected readonly evseList: EvseInfo[];

  protected state: ConnectionState = "idle";
  registration: Registration = "none";
  /** Registration accepted at least once since this instance started (no re-boot on reconnect). */
  protected everAccepted = false;
  protected rpc: RpcEndpoint | null = null;
  private connectionNumber = 0;
  protected readonly bootNumber: number;
  private failedConnects = 0;
  private nextConnectMs = 0;
  private connectDeadlineMs = 0;
  private nextBootMs = 0;
  private bootInFlight = false;
  protected heartbeatIntervalS: number;
  private lastCallSentMs = 0;
  private queueInFlight = false;
  private queueRetryAtMs = 0;
  protected profiles: ChargingProfile[] = [];
  protected reservations: Reservation[] = [];
  /** OCPP availability per EVSE (0 = station), persisted. */
  protected inoperative: Record<number, boolean> = {};
  protected limitsDirty = true;
  private nextLimitCheckUtcMs = 0;
  private lastLimits: string = "";
  private lastLimitsPushMs = -Infinity;
  /** Last StatusNotification status the CSMS acknowledged, per EVSE. */
  protected reportedStatus: Record<number, string> = {};
  private statusInFlight: Record<number, boolean> = {};
  protected nowMs = 0;
  /** Counts for diagnostics and tests. */
  readonly stats = { callErrorsReceived: 0, timeouts: 0, droppedQueueMessages: 0, connects: 0, lastCloseReason: "", problems: [] as string[] };

  protected abstract readonly protocol: string;
  protected abstract readonly requestSchemas: Record<string, Schema>;
  protected abstract readonly knownUnsupported: string[];
  protected abstract bootPayload(): JsonObject;
  protected abstract handleCall(action: string, payload: any): HandlerReply;
  protected abstract evseStatus(evseId: number, snap: EvseSnapshot): string;
  protected abstract statusPayload(evseId: number, status: string): JsonObject;
  /** Per tick transaction logic (start/stop/sample). */
  protected abstract processTransactions(nowMs: number): void;
  /** Rewrites a queued message just before sending (1.6 transaction ids). null = drop it. */
  protected prepareQueued(entry: QueuedMessage): JsonObject | null { return entry.payload; }
  /** Reacts to the CSMS answer of a queued message. */
  protected onQueuedResult(_entry: QueuedMessage, _result: JsonObject): void { /* version specific */ }
  protected abstract transactionOn(evseId: number): { id: string; startMs: number } | null;

  constructor(options: StationOptions) {
    this.options = options;
    this.config = options.config;
    this.transport = options.transport;
    this.port = options.port;
    this.storage = options.storage;
    this.clock = options.clock;
    this.wallClock = options.wallClock ?? options.clock;
    this.random = options.random;
    this.log = options.log;
    this.model = new DeviceModel(options.config, options.storage);
    this.authCache = new AuthCache(options.storage);
    this.queue = new TxQueue(options.storage);
    this.evseList = options.port.evses();
    this.heartbeatIntervalS = this.model.int(V.heartbeat);
    this.bootNumber = Number(this.storage.get(BOOTS_KEY) ?? "0") + 1;
    this.storage.set(BOOTS_KEY, String(this.bootNumber));
    this.profiles = this.loadJson<ChargingProfile[]>(PROFILES_KEY, []);
    this.reservations = this.loadJson<Reservation[]>(RESERVATIONS_KEY, []);
    this.inoperative = this.loadJson<Record<number, boolean>>(AVAILABILITY_KEY, {});
    this.nowMs = this.clock.nowMs();
    // Availability persists across reboot (G03): tell the cabinet again.
    for (const id of Object.keys(this.inoperative)) if (this.inoperative[Number(id)]) this.port.setAvailability(Number(id), false);
  }

  protected loadJson<T>(key: string, fallback: T): T {
    const text = this.storage.get(key);
    if (!text) return fallback;
    try { return JSON.parse(text) as T; } catch { this.note(`storage ${key} unreadable; starting empty`); return fallback; }
  }

  protected note(message: string): void {
    this.stats.problems.push(message);
    if (this.stats.problems.length > 50) this.stats.problems.shift();
    this.log?.write("warn", `ocpp: ${message}`);
  }

  protected utcNow(): number { return this.wallClock.nowMs(); }
  protected isoNow(): string { return new Date(this.utcNow()).toISOString(); }

  get connection(): ConnectionState { return this.state; }
  get online(): boolean { return this.state === "open" && this.registration === "Accepted"; }
  get queuedMessages(): number { return this.queue.length; }
  get chargingProfiles(): ChargingProfile[] { return this.profiles.slice(); }

  /** Begin connecting (at the next tick). */
  start(): void {
    if (this.state === "idle" || this.state === "stopped") {
      this.state = "waiting";
      this.nextConnectMs = this.clock.nowMs();
    }
  }

  /** Close and stay closed (shutdown, tests). */
  stop(): void {
    this.state = "stopped";
    this.rpc?.disconnected();
    this.rpc = null;
    this.transport.close();
  }

  /** Called by the scheduler, e.g. every control or telemetry period. */
  tick(nowMs: number = this.clock.nowMs()): void {
    this.nowMs = nowMs;
    try {
      this.tickConnection(nowMs);
      this.rpc?.tick(nowMs);
      this.expireReservations();
      this.processTransactions(nowMs);
      this.processStatuses();
      this.refreshLimits(false);
      this.pumpQueue(nowMs);
      this.heartbeat(nowMs);
    } catch (error) {
      // Never throw into the control loop: log and carry on with the last limits.
      this.note(`tick failed: ${String((error as Error)?.message ?? error)}`);
    }
  }

  // ---------------------------------------------------------------- connection

  private tickConnection(nowMs: number): void {
    if (this.state === "waiting" && nowMs >= this.nextConnectMs) this.connect(nowMs);
    else if (this.state === "connecting" && nowMs >= this.connectDeadlineMs) {
      this.note("connect timed out");
      this.transport.close();
      this.connectionLost("connect timeout");
    }
    if (this.state === "open" && !this.everAccepted && !this.bootInFlight && nowMs >= this.nextBootMs) this.sendBoot();
  }

  private connect(nowMs: number): void {
    this.state = "connecting";
    this.connectDeadlineMs = nowMs + this.model.int(V.messageTimeout) * 1000;
    const connection = ++this.connectionNumber;
    const url = this.config.url.replace(/\/+$/, "") + "/" + encodeURIComponent(this.config.stationId);
    const password = this.model.str(V.password);
    this.transport.connect({
      url,
      protocols: [this.protocol],
      ...(password ? { basicAuth: { username: this.config.stationId, password } } : {}),
    }, {
      onOpen: (protocol) => { if (connection === this.connectionNumber) this.opened(protocol); },
      onMessage: (text) => { if (connection === this.connectionNumber) this.rpc?.receive(text, this.clock.nowMs()); },
      onClose: (reason) => { if (connection === this.connectionNumber) this.connectionLost(reason); },
    });
  }

  private opened(protocol: string): void {
    if (this.state !== "connecting") return;
    if (protocol !== this.protocol) {
      // The CSMS did not select our subprotocol: OCPP-J says close and do not talk.
      this.note(`CSMS selected subprotocol ${JSON.stringify(protocol)}, need ${this.protocol}`);
      this.state = "waiting";
      this.connectionNumber++;
      this.failedConnects++;
      this.transport.close();
      this.scheduleReconnect();
      return;
    }
    this.state = "open";
    this.stats.connects++;
    this.rpc = new RpcEndpoint({
      version: this.protocol === "ocpp1.6" ? "1.6" : "2.0.1",
      send: (text) => this.transport.send(text),
      handler: (action, payload) => this.dispatch(action, payload),
      callTimeoutMs: this.model.int(V.messageTimeout) * 1000,
      idPrefix: `${this.bootNumber}.${this.connectionNumber}.`,
      onProblem: (m) => this.note(m),
    });
    this.queueInFlight = false;
    this.queueRetryAtMs = 0;
    this.statusInFlight = {};
    if (this.everAccepted) {
      this.failedConnects = 0;
      this.lastCallSentMs = this.clock.nowMs();
    } else {
      this.nextBootMs = 0;
      this.sendBoot();
    }
  }

  private connectionLost(reason: string): void {
    if (this.state === "stopped") return;
    const wasOpen = this.state === "open";
    this.state = "waiting";
    this.bootInFlight = false;
    this.queueInFlight = false;
    const rpc = this.rpc;
    this.rpc = null;
    rpc?.disconnected();
    if (!this.everAccepted) this.registration = "none";
    this.stats.lastCloseReason = reason;
    this.log?.write("info", `ocpp: connection closed (${reason})`);
    if (!wasOpen || this.failedConnects > 0) this.failedConnects++;
    else this.failedConnects = 1;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = reconnectDelayMs(Math.max(1, this.failedConnects), {
      waitMinimumS: this.model.int(V.backoffMin),
      randomRangeS: this.model.int(V.backoffRange),
      repeatTimes: this.model.int(V.backoffRepeat),
    }, this.random);
    this.nextConnectMs = this.clock.nowMs() + delay;
  }

  /** The delay until the next connection attempt (diagnostics, tests). */
  get reconnectAtMs(): number { return this.nextConnectMs; }

  // ---------------------------------------------------------------- calls

  /**
   * Sends a CALL unless the registration forbids it: before Accepted only BootNotification
   * and messages answering a TriggerMessage go out (B02/B03).
   */
  protected send(action: string, payload: JsonObject, done?: (o: CallOutcome) => void, triggered = false): boolean {
    const allowed = this.state === "open" && this.rpc !== null &&
      (this.registration === "Accepted" || action === "BootNotification" || (triggered && this.registration === "Pending"));
    if (!allowed) {
      done?.({ ok: false, reason: "disconnected" });
      return false;
    }
    this.lastCallSentMs = this.clock.nowMs();
    this.rpc!.call(action, payload, this.lastCallSentMs, (outcome) => {
      if (!outcome.ok && outcome.reason === "error") {
        this.stats.callErrorsReceived++;
        this.note(`${action} got CALLERROR ${outcome.code}: ${outcome.description}`);
      }
      if (!outcome.ok && outcome.reason === "timeout") this.stats.timeouts++;
      done?.(outcome);
    });
    return true;
  }

  private sendBoot(): void {
    this.bootInFlight = true;
    this.send("BootNotification", this.bootPayload(), (o) => {
      this.bootInFlight = false;
      if (!o.ok) {
        this.nextBootMs = this.clock.nowMs() + Math.min(this.heartbeatIntervalS, 60) * 1000;
        return;
      }
      const status = String(o.payload.status);
      const interval = typeof o.payload.interval === "number" ? o.payload.interval : 0;
      if (status === "Accepted") {
        this.registration = "Accepted";
        this.everAccepted = true;
        this.failedConnects = 0;
        if (interval > 0) {
          this.heartbeatIntervalS = interval;
          this.model.setInternal(V.heartbeat, String(interval));
        }
        this.lastCallSentMs = this.clock.nowMs();
        this.reportedStatus = {};
        this.onAccepted();
      } else {
        this.registration = status === "Pending" ? "Pending" : "Rejected";
        // Retry after the interval the CSMS gave (B02.FR.01 / B03.FR.01), default 60 s.
        this.nextBootMs = this.clock.nowMs() + (interval > 0 ? interval : 60) * 1000;
      }
    });
  }

  /** Registration accepted: report every EVSE (12 StatusNotifications for the default cabinet). */
  protected onAccepted(): void {
    this.processStatuses();
  }

  private heartbeat(nowMs: number): void {
    if (!this.online) return;
    if (nowMs - this.lastCallSentMs >= this.heartbeatIntervalS * 1000) this.send("Heartbeat", {});
  }

  private dispatch(action: string, payload: JsonObject): HandlerReply {
    if (this.registration === "Rejected") throw new OcppError("SecurityError", "registration was rejected; not accepting calls");
    const schema = this.requestSchemas[action];
    if (!schema) {
      if (this.knownUnsupported.includes(action)) throw new OcppError("NotSupported", `${action} is not supported`);
      throw new OcppError("NotImplemented", `unknown action ${action}`);
    }
    checkPayload(schema, payload, action, this.protocol !== "ocpp1.6");
    return this.handleCall(action, payload);
  }

  // ---------------------------------------------------------------- status

  protected processStatuses(): void {
    if (!this.online) return;
    for (const id of this.statusTargets()) {
      if (this.statusInFlight[id]) continue;
      const status = this.statusOf(id);
      if (this.reportedStatus[id] === status) continue;
      this.statusInFlight[id] = true;
      const sent = this.send("StatusNotification", this.statusPayload(id, status), (o) => {
        this.statusInFlight[id] = false;
        if (o.ok) this.reportedStatus[id] = status;
      });
      if (!sent) this.statusInFlight[id] = false;
    }
  }

  /** Which ids get StatusNotifications (1.6 adds connector 0). */
  protected statusTargets(): number[] { return this.evseList.map((e) => e.evseId); }
  protected statusOf(id: number): string { return this.evseStatus(id, this.port.snapshot(id)); }

  protected baseStatus(evseId: number, snap: EvseSnapshot): "Faulted" | "Unavailable" | "Reserved" | null {
    if (snap.faulted) return "Faulted";
    if (!snap.operative || this.inoperative[evseId] || this.inoperative[0]) return "Unavailable";
    if (!snap.plugged && this.reservations.some((r) => r.evseId === evseId)) return "Reserved";
    return null;
  }

  protected setInoperative(evseId: number, inoperative: boolean): void {
    if (inoperative) this.inoperative[evseId] = true;
    else delete this.inoperative[evseId];
    this.storage.set(AVAILABILITY_KEY, JSON.stringify(this.inoperative));
    this.port.setAvailability(evseId, !inoperative);
  }

  // ---------------------------------------------------------------- queue

  /** Queues a transaction message persistently; it goes out in order when online. */
  protected enqueue(action: string, payload: JsonObject, localTx?: string): void {
    this.queue.push(action, payload, localTx);
    if (this.queue.length > this.maxQueuedMessages) {
      // Storage is finite: after a very long outage give up the oldest periodic meter
      // sample, never a transaction start or end.
      const victim = this.queue.all().find((e) => this.isPeriodicSample(e));
      if (victim) {
        this.queue.remove(victim.seq);
        this.stats.droppedQueueMessages++;
      }
    }
    this.pumpQueue(this.nowMs);
  }

  /** Upper bound of the persistent queue (override per storage size). */
  protected maxQueuedMessages = 1000;

  protected isPeriodicSample(e: QueuedMessage): boolean {
    return (e.action === "TransactionEvent" && e.payload.triggerReason === "MeterValuePeriodic") || e.action === "MeterValues";
  }

  private pumpQueue(nowMs: number): void {
    if (!this.online || this.queueInFlight || nowMs < this.queueRetryAtMs) return;
    const entry = this.queue.head();
    if (!entry) return;
    const payload = this.prepareQueued(entry);
    if (payload === null) {
      this.queue.remove(entry.seq);
      this.pumpQueue(nowMs);
      return;
    }
    this.queueInFlight = true;
    this.send(entry.action, payload, (o) => {
      this.queueInFlight = false;
      if (o.ok) {
        this.queue.remove(entry.seq);
        this.onQueuedResult(entry, o.payload);
        this.pumpQueue(this.clock.nowMs());
        return;
      }
      if (o.reason === "disconnected") return; // stays at the head; not an attempt
      entry.attempts++;
      const maxAttempts = this.model.int(V.txAttempts);
      if (entry.attempts >= maxAttempts) {
        this.stats.droppedQueueMessages++;
        this.note(`dropping ${entry.action} #${entry.seq} after ${entry.attempts} attempts`);
        this.queue.remove(entry.seq);
        this.queueRetryAtMs = 0;
      } else {
        this.queue.update(entry);
        // E04 / 1.6 §4.8: wait RetryInterval x attempts before the next try.
        this.queueRetryAtMs = this.clock.nowMs() + this.model.int(V.txRetryInterval) * 1000 * entry.attempts;
      }
    });
  }

  // ---------------------------------------------------------------- smart charging

  protected saveProfiles(): void {
    this.storage.set(PROFILES_KEY, JSON.stringify(this.profiles));
    this.limitsDirty = true;
  }

  protected compositeContext(): CompositeContext {
    return {
      transaction: (evseId) => this.transactionOn(evseId),
      voltageV: (evseId) => {
        const info = this.evseList.find((e) => e.evseId === evseId) ?? this.evseList[0];
        if (!info) return 400;
        const measured = evseId > 0 ? this.port.snapshot(evseId).meter.voltageV : 0;
        return measured > 50 ? measured : info.nominalVoltageV;
      },
    };
  }

  /** Pushes limits to the cabinet when they change (checked at every period boundary) and at least every LIMIT_REFRESH_MS. */
  protected refreshLimits(force: boolean): void {
    const utc = this.utcNow();
    const mono = this.clock.nowMs();
    // The monotonic refresh also covers a wall clock that jumped backwards.
    const refreshDue = mono - this.lastLimitsPushMs >= LIMIT_REFRESH_MS;
    if (!force && !this.limitsDirty && !refreshDue && utc < this.nextLimitCheckUtcMs) return;
    this.limitsDirty = false;
    const ctx = this.compositeContext();
    const site = limitAt(this.profiles, 0, utc, "W", ctx, utc);
    let next = site.nextMs;
    const limits: StationLimits = { siteLimitKW: site.limit === null ? null : site.limit / 1000, gunLimitsKW: {} };
    for (const e of this.evseList) {
      const r = limitAt(this.profiles, e.evseId, utc, "W", ctx, utc);
      next = Math.min(next, r.nextMs);
      limits.gunLimitsKW[e.evseId] = r.limit === null ? null : r.limit / 1000;
    }
    this.nextLimitCheckUtcMs = Math.min(next, utc + 1000);
    const key = JSON.stringify(limits);
    if (force || refreshDue || key !== this.lastLimits) {
      this.lastLimits = key;
      this.lastLimitsPushMs = mono;
      this.port.applyLimits(limits);
    }
  }

  /**
   * The composite schedule as reported to the CSMS: whole-second periods from now; where no
   * profile limits the EVSE, its capability (station: the sum of all EVSEs) is reported.
   */
  protected compositeForWire(evseId: number, durationS: number, unit: RateUnit): { startMs: number; periods: { startPeriod: number; limit: number }[] } {
    const startMs = this.utcNow();
    const ctx = this.compositeContext();
    const capabilityKW = evseId === 0 ? this.evseList.reduce((s, e) => s + e.maxPowerKW, 0) : (this.evseList.find((e) => e.evseId === evseId)?.maxPowerKW ?? 0);
    const capability = unit === "W" ? capabilityKW * 1000 : (capabilityKW * 1000) / ctx.voltageV(evseId);
    const periods: { startPeriod: number; limit: number }[] = [];
    for (const q of compositeSchedule(this.profiles, evseId, startMs, durationS, unit, ctx)) {
      const limit = Math.round((q.limit === null ? capability : Math.min(q.limit, capability)) * 10) / 10;
      if (periods.length === 0 || periods[periods.length - 1].limit !== limit) periods.push({ startPeriod: q.startPeriodS, limit });
    }
    return { startMs, periods };
  }

  /** The limits last pushed to the cabinet. */
  get appliedLimits(): StationLimits | null {
    return this.lastLimits ? (JSON.parse(this.lastLimits) as StationLimits) : null;
  }

  // ---------------------------------------------------------------- reservations

  protected saveReservations(): void {
    this.storage.set(RESERVATIONS_KEY, JSON.stringify(this.reservations));
  }

  private expireReservations(): void {
    const utc = this.utcNow();
    const expired = this.reservations.filter((r) => r.expiresMs <= utc);
    if (expired.length === 0) return;
    this.reservations = this.reservations.filter((r) => r.expiresMs > utc);
    this.saveReservations();
    for (const r of expired) this.reservationEnded(r, "Expired");
  }

  /** CancelReservation (both versions): Accepted when the id was reserved, Rejected otherwise. */
  protected cancelReservation(reservationId: unknown): { payload: { status: "Accepted" | "Rejected" } } {
    const r = this.reservations.find((x) => x.id === reservationId);
    if (!r) return { payload: { status: "Rejected" } };
    this.reservations = this.reservations.filter((x) => x !== r);
    this.saveReservations();
    return { payload: { status: "Accepted" } };
  }

  /** DataTransfer (both versions): no vendor extensions, so our own vendor id knows no message ids and anything else is unknown. */
  protected dataTransfer(vendorId: unknown): { payload: { status: "UnknownMessageId" | "UnknownVendorId" } } {
    return { payload: { status: vendorId === this.config.vendor ? "UnknownMessageId" : "UnknownVendorId" } };
  }

  /** Version hook: 2.0.1 reports ReservationStatusUpdate. */
  protected reservationEnded(_r: Reservation, _why: "Expired" | "Removed"): void { /* default none */ }

  /** Consumes a reservation when its token starts a transaction on the EVSE. */
  protected consumeReservation(evseId: number, idToken: string | undefined): Reservation | null {
    const r = this.reservations.find((x) => x.evseId === evseId && (idToken === undefined || x.idToken === idToken));
    if (!r) return null;
    this.reservations = this.reservations.filter((x) => x !== r);
    this.saveReservations();
    return r;
  }

  protected evseExists(evseId: number): boolean {
    return this.evseList.some((e) => e.evseId === evseId);
  }

  protected isUsable(evseId: number, snap: EvseSnapshot): boolean {
    return !snap.faulted && snap.operative && !this.inoperative[evseId] && !this.inoperative[0];
  }
}
