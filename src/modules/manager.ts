/**
 * The module manager: the `ModuleBus` the controller uses, on top of one
 * power-module protocol and one `CanBus`.
 *
 * Everything happens in `tick()`, called from the control loop (≤ 100 ms): drain
 * received frames, decode, update per-module state, poll the modules that are due
 * and (re)send setpoints. No timers and no callbacks, so a flood of frames or a
 * bad frame can never run code outside the loop or throw into it.
 *
 * Per-module state:
 *   unknown  never heard since start (and the silence timeout has not run out yet)
 *   online   answering, output off, no alarm
 *   running  answering, output on, no alarm
 *   faulted  answering with at least one alarm (unhealthy)
 *   offline  silent for longer than `offlineAfterMs`
 * The last command is cached; it is re-sent when it changes, when a module comes
 * back from offline/unknown, and whenever the module's reported output state
 * disagrees with it.
 */
import type { CanBus, CanFrame } from "../../hal/can";
import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";
import type { ModuleBus, ModuleCommand, ModuleReading } from "../../hal/power-modules";
import type { ModuleObservation } from "../planner/types";
import type { ModuleProtocol, ModuleReport } from "../protocols/types";

export type ModuleState = "unknown" | "online" | "running" | "faulted" | "offline";

export interface ManagedModule {
  id: string;
  /** Protocol address on the CAN bus. */
  address: number;
}

export interface ModuleManagerOptions {
  bus: CanBus;
  protocol: ModuleProtocol;
  clock: Clock;
  modules: readonly ManagedModule[];
  /** How often every module is polled; capped at 1000 ms (modules time out after ~10 s). */
  pollPeriodMs?: number;
  /** Silence after which a module is offline. */
  offlineAfterMs?: number;
  /** Send one broadcast instead of per-module setpoints when every module has the same command. */
  useBroadcast?: boolean;
  /** At most this many frames are drained per tick, so a babbling bus cannot stall the loop. */
  maxFramesPerTick?: number;
  /** After the bus reports bus-off, wait this long, then ask it to recover (null = never). */
  busOffRecoveryMs?: number | null;
  log?: Log;
}

export interface ModuleHealth {
  id: string;
  address: number;
  state: ModuleState;
  healthy: boolean;
  tempC: number;
  alarms: readonly string[];
  lastSeenMs: number;
  /** Commands the module refused (error code / status in its reply). */
  refusedCommands: number;
  /** Times its cached setpoint was re-applied after communication returned. */
  reapplied: number;
}

export interface ModuleManagerStats {
  framesReceived: number;
  /** Frames no decoder accepted (garbage, wrong length, unknown command). */
  badFrames: number;
  /** Valid frames from an address that is not ours. */
  unknownModuleFrames: number;
  framesSent: number;
  /** `send` returned false (TX full or bus-off). */
  sendFailures: number;
  lastBadFrameReason: string;
  /** Times the manager asked the bus to leave bus-off. */
  busOffRecoveries: number;
}

interface Entry {
  id: string;
  address: number;
  heard: boolean;
  lastSeenMs: number;
  voltageV: number;
  currentA: number;
  tempC: number;
  running: boolean;
  alarms: string[];
  command: ModuleCommand | null;
  /** Command must be (re)sent on the next tick. */
  dirty: boolean;
  offline: boolean;
  nextPollMs: number;
  refused: number;
  reapplied: number;
  runningSinceMs: number | null;
  runningMs: number;
}

const MAX_POLL_PERIOD_MS = 1000;

export class ModuleManager implements ModuleBus {
  readonly ids: readonly string[];
  private readonly bus: CanBus;
  private readonly protocol: ModuleProtocol;
  private readonly clock: Clock;
  private readonly log: Log | undefined;
  private readonly pollPeriodMs: number;
  private readonly offlineAfterMs: number;
  private readonly useBroadcast: boolean;
  private readonly maxFramesPerTick: number;
  private readonly byId = new Map<string, Entry>();
  private readonly byAddress = new Map<number, Entry>();
  private readonly startedMs: number;
  private readonly counters: ModuleManagerStats = { framesReceived: 0, badFrames: 0, unknownModuleFrames: 0, framesSent: 0, sendFailures: 0, lastBadFrameReason: "", busOffRecoveries: 0 };
  private readonly busOffRecoveryMs: number | null;
  private busOffSinceMs: number | null = null;
  private closed = false;

  constructor(options: ModuleManagerOptions) {
    this.bus = options.bus;
    this.protocol = options.protocol;
    this.clock = options.clock;
    this.log = options.log;
    this.pollPeriodMs = Math.min(MAX_POLL_PERIOD_MS, options.pollPeriodMs ?? 500);
    this.offlineAfterMs = options.offlineAfterMs ?? 3000;
    this.useBroadcast = options.useBroadcast ?? false;
    this.maxFramesPerTick = options.maxFramesPerTick ?? 256;
    this.busOffRecoveryMs = options.busOffRecoveryMs === undefined ? 1000 : options.busOffRecoveryMs;
    if (!(this.pollPeriodMs > 0)) throw new Error(`module manager: pollPeriodMs ${options.pollPeriodMs} must be > 0`);
    if (!(this.offlineAfterMs > this.pollPeriodMs)) throw new Error(`module manager: offlineAfterMs ${this.offlineAfterMs} must exceed pollPeriodMs ${this.pollPeriodMs}`);
    this.startedMs = this.clock.nowMs();
    const p = this.protocol;
    options.modules.forEach((m, i) => {
      if (!Number.isInteger(m.address) || m.address < p.minAddress || m.address > p.maxAddress) {
        throw new Error(`module manager: modules[${i}] "${m.id}" address ${m.address} outside ${p.name} range ${p.minAddress}..${p.maxAddress}`);
      }
      if (this.byId.has(m.id)) throw new Error(`module manager: modules[${i}] duplicate id "${m.id}"`);
      if (this.byAddress.has(m.address)) throw new Error(`module manager: modules[${i}] "${m.id}" reuses address ${m.address}`);
      const e: Entry = {
        id: m.id, address: m.address, heard: false, lastSeenMs: -Infinity, voltageV: 0, currentA: 0, tempC: Number.NaN,
        running: false, alarms: [], command: null, dirty: false, offline: false,
        // Stagger first polls across the period so a large bank does not burst.
        nextPollMs: this.startedMs + Math.floor((i * this.pollPeriodMs) / Math.max(1, options.modules.length)),
        refused: 0, reapplied: 0, runningSinceMs: null, runningMs: 0,
      };
      this.byId.set(m.id, e);
      this.byAddress.set(m.address, e);
    });
    this.ids = options.modules.map((m) => m.id);
    this.bus.setFilters(this.protocol.replyFilters());
  }

  command(id: string, command: ModuleCommand): void {
    const e = this.byId.get(id);
    if (!e) {
      this.log?.write("warn", `module manager: command for unknown module "${id}" ignored`);
      return;
    }
    const c: ModuleCommand = {
      enabled: command.enabled === true,
      voltageV: Number.isFinite(command.voltageV) && command.voltageV > 0 ? command.voltageV : 0,
      currentLimitA: Number.isFinite(command.currentLimitA) && command.currentLimitA > 0 ? command.currentLimitA : 0,
    };
    const prev = e.command;
    if (!prev || prev.enabled !== c.enabled || prev.voltageV !== c.voltageV || prev.currentLimitA !== c.currentLimitA) e.dirty = true;
    e.command = c;
  }

  /** Command every module off at once (broadcast when the protocol has one). */
  allOff(): void {
    for (const e of this.byId.values()) this.command(e.id, { enabled: false, voltageV: e.command?.voltageV ?? 0, currentLimitA: 0 });
  }

  read(id: string): ModuleReading {
    const e = this.byId.get(id);
    if (!e) return { online: false, running: false, voltageV: 0, currentA: 0, tempC: Number.NaN, alarms: ["unknownModule"], lastSeenMs: 0 };
    const state = this.stateOf(e);
    const online = state !== "unknown" && state !== "offline";
    return {
      online,
      running: online && e.running,
      voltageV: online ? e.voltageV : 0,
      currentA: online ? e.currentA : 0,
      tempC: e.tempC,
      alarms: online ? e.alarms.slice() : ["commsLost"],
      lastSeenMs: e.heard ? e.lastSeenMs : 0,
    };
  }

  state(id: string): ModuleState {
    const e = this.byId.get(id);
    return e ? this.stateOf(e) : "unknown";
  }

  health(id: string): ModuleHealth | undefined {
    const e = this.byId.get(id);
    if (!e) return undefined;
    const state = this.stateOf(e);
    return {
      id: e.id, address: e.address, state, healthy: state === "online" || state === "running", tempC: e.tempC,
      alarms: e.alarms.slice(), lastSeenMs: e.heard ? e.lastSeenMs : 0, refusedCommands: e.refused, reapplied: e.reapplied,
    };
  }

  /** What the planner needs: health, temperature (25 °C when never reported) and running hours. */
  observations(): ModuleObservation[] {
    const now = this.clock.nowMs();
    const out: ModuleObservation[] = [];
    for (const e of this.byId.values()) {
      const state = this.stateOf(e);
      const ms = e.runningMs + (e.runningSinceMs !== null ? now - e.runningSinceMs : 0);
      out.push({ id: e.id, healthy: state === "online" || state === "running", tempC: Number.isFinite(e.tempC) ? e.tempC : 25, operatingHours: ms / 3600000 });
    }
    return out;
  }

  stats(): ModuleManagerStats {
    return { ...this.counters };
  }

  /** One control-loop step. Never throws. */
  tick(): void {
    if (this.closed) return;
    const now = this.clock.nowMs();
    try {
      this.drain(now);
      this.superviseBus(now);
      this.updateOffline(now);
      this.sendCommands();
      this.poll(now);
    } catch (error) {
      // A driver fault must not stop the control loop; the bus error counters and
      // the offline timeout make it visible.
      this.log?.write("error", `module manager: tick failed: ${String(error)}`);
    }
  }

  close(): void {
    if (this.closed) return;
    // Leave the modules off: commanding off is the safe state of a power stage.
    for (const e of this.byId.values()) e.command = { enabled: false, voltageV: e.command?.voltageV ?? 0, currentLimitA: 0 };
    for (const e of this.byId.values()) this.sendAll(this.protocol.setpointFrames(e.address, e.command!));
    this.closed = true;
  }

  private stateOf(e: Entry): ModuleState {
    if (!e.heard) return e.offline ? "offline" : "unknown";
    if (e.offline) return "offline";
    if (e.alarms.length > 0) return "faulted";
    return e.running ? "running" : "online";
  }

  private drain(now: number): void {
    for (let i = 0; i < this.maxFramesPerTick; i++) {
      const f = this.bus.receive();
      if (!f) return;
      this.counters.framesReceived++;
      this.accept(f, now);
    }
  }

  private accept(f: CanFrame, now: number): void {
    const r = this.protocol.decodeReply(f);
    if (!r.ok) {
      this.counters.badFrames++;
      this.counters.lastBadFrameReason = r.reason;
      return;
    }
    const e = this.byAddress.get(r.value.address);
    if (!e) {
      this.counters.unknownModuleFrames++;
      return;
    }
    this.apply(e, r.value, now);
  }

  private apply(e: Entry, r: ModuleReport, now: number): void {
    const wasAway = e.offline;
    e.heard = true;
    e.offline = false;
    e.lastSeenMs = now;
    if (wasAway && e.command) {
      // Comms returned (or first contact): whatever the module did meanwhile, put our setpoint back.
      e.dirty = true;
      e.reapplied++;
      this.log?.write("info", `module ${e.id}: communication back, re-applying setpoint`);
    }
    if (!r.accepted) {
      e.refused++;
      return;
    }
    if (r.voltageV !== undefined && (r.item === "measurement" || r.item === "voltage")) e.voltageV = r.voltageV;
    if (r.currentA !== undefined && (r.item === "measurement" || r.item === "current")) e.currentA = r.currentA;
    if (r.tempC !== undefined) e.tempC = r.tempC;
    if (r.alarms !== undefined) e.alarms = r.alarms.slice();
    if (r.running !== undefined && r.item === "status") {
      this.setRunning(e, r.running, now);
      // The module's output disagrees with what we asked: ask again (e.g. it timed out and switched off).
      if (e.command && e.command.enabled !== r.running && e.alarms.length === 0) e.dirty = true;
    }
  }

  private setRunning(e: Entry, running: boolean, now: number): void {
    if (running && e.runningSinceMs === null) e.runningSinceMs = now;
    if (!running && e.runningSinceMs !== null) {
      e.runningMs += now - e.runningSinceMs;
      e.runningSinceMs = null;
    }
    e.running = running;
  }

  /** Bus-off: wait (the fault may be ours, e.g. a wrong bit rate), then rejoin; modules time out meanwhile. */
  private superviseBus(now: number): void {
    if (this.busOffRecoveryMs === null) return;
    if (!this.bus.errors().busOff) {
      this.busOffSinceMs = null;
      return;
    }
    if (this.busOffSinceMs === null) {
      this.busOffSinceMs = now;
      this.log?.write("error", "module manager: CAN bus-off");
      return;
    }
    if (now - this.busOffSinceMs >= this.busOffRecoveryMs) {
      this.busOffSinceMs = null;
      this.counters.busOffRecoveries++;
      this.bus.recoverBusOff();
    }
  }

  private updateOffline(now: number): void {
    for (const e of this.byId.values()) {
      const since = e.heard ? e.lastSeenMs : this.startedMs;
      if (!e.offline && now - since > this.offlineAfterMs) {
        e.offline = true;
        this.setRunning(e, false, now);
        this.log?.write("warn", `module ${e.id}: no reply for ${now - since} ms, offline`);
      }
    }
  }

  private sendCommands(): void {
    const dirty = [...this.byId.values()].filter((e) => e.dirty && e.command);
    if (dirty.length === 0) return;
    const first = dirty[0].command!;
    const same = (c: ModuleCommand | null): boolean => !!c && c.enabled === first.enabled && c.voltageV === first.voltageV && c.currentLimitA === first.currentLimitA;
    if (this.useBroadcast && dirty.length === this.byId.size && dirty.every((e) => same(e.command))) {
      const frames = this.protocol.broadcastSetpointFrames(first);
      if (frames && this.sendAll(frames)) {
        for (const e of dirty) e.dirty = false;
        return;
      }
    }
    for (const e of dirty) {
      // Offline modules get their setpoint when they come back.
      if (e.offline) continue;
      if (this.sendAll(this.protocol.setpointFrames(e.address, e.command!))) e.dirty = false;
    }
  }

  private poll(now: number): void {
    for (const e of this.byId.values()) {
      if (now < e.nextPollMs) continue;
      e.nextPollMs += this.pollPeriodMs;
      // After a stall, do not fire a burst of catch-up polls.
      if (e.nextPollMs <= now) e.nextPollMs = now + this.pollPeriodMs;
      this.sendAll(this.protocol.pollFrames(e.address));
    }
  }

  private sendAll(frames: readonly CanFrame[]): boolean {
    let ok = true;
    for (const f of frames) {
      if (this.bus.send(f)) this.counters.framesSent++;
      else {
        this.counters.sendFailures++;
        ok = false;
      }
    }
    return ok;
  }
}
