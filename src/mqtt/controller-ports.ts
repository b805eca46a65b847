/**
 * The MQTT ports over the real cabinet controller (issue 9): what vehicles ask for
 * goes in, what the cabinet does comes out. Platform-free.
 *
 * How an MQTT demand reaches a gun "exactly like an EV request from CAN would"
 * (docs/mqtt.md, "How input reaches the gun"):
 *
 * 1. Request. `MqttEvLink` wraps the cabinet's EvLink (hal/ev-link.ts): while a
 *    gun has a fresh MQTT demand, the EV status the controller reads carries that
 *    demand as the BMS request (requestCurrentA = demand / EV voltage, capped at
 *    the EV's negotiated maximum). A fresh vehicle status can only hold power
 *    back (not ready, paused, stop); SOC fills in when the EV link has none.
 *    Physical facts (plug, voltages, maximums) always come from the EV link, so a
 *    network message can never make the cabinet energize a gun without a vehicle.
 *    The controller itself is unchanged: sessions, planner and sequencer see one
 *    EV request, whichever wire it came on.
 * 2. Freshness. Every new demand also sets a per-gun limit from source "mqtt"
 *    (the demand, valid for demandTimeoutMs). When the device goes silent that
 *    limit goes stale and the gun ramps to zero and pauses (PAUSED_EVSE,
 *    limitExpired) like any stale limit, instead of falling back to the EV's own
 *    request. A new demand refreshes it; the end of the session clears it.
 */
import type { EvLink, EvStatus } from "../../hal/ev-link";
import type { Log } from "../../hal/log";
import type { CabinetSnapshot } from "../controller/snapshot";
import type { SessionEvent as ControllerSessionEvent, SessionListener } from "../sessions/types";
import type { DemandSink, GunMqttInput, SessionEvent, TelemetrySnapshot, TelemetrySource } from "./types";
import { evViewOf } from "./ev-view";

/** The limit source name MQTT demand uses in the controller's LimitTracker. */
export const MQTT_LIMIT_SOURCE = "mqtt";

/** What the adapters need from the controller; CabinetController has all of it. */
export interface ControllerPort {
  buildSnapshot(): CabinetSnapshot;
  subscribe(listener: SessionListener): () => void;
  setGunLimit(gunId: number, source: string, powerKW: number | null, validForMs?: number): { ok: boolean; error?: string };
}

/** The latest MQTT input per gun, shared by the sink (writer) and the EV-link overlay (reader). */
export class MqttGunInputs {
  private readonly byGun = new Map<number, GunMqttInput>();

  set(input: GunMqttInput): void {
    this.byGun.set(input.gunId, input);
  }

  get(gunId: number): GunMqttInput | null {
    return this.byGun.get(gunId) ?? null;
  }

  /** Forgets the demand of a gun (its session ended): the overlay stops applying it. */
  dropDemand(gunId: number): void {
    const input = this.byGun.get(gunId);
    if (input) this.byGun.set(gunId, { ...input, demandKW: null, demandValid: false, demandAtMs: null });
  }
}

function finiteOrZero(value: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/**
 * The EV status the controller sees for a gun: the EV link's, with a fresh MQTT
 * demand as the request and a fresh MQTT vehicle status able only to hold power
 * back. Pure; returns `ev` itself when MQTT has nothing fresh for the gun.
 */
export function overlayEvStatus(ev: EvStatus, input: GunMqttInput | null): EvStatus {
  if (input === null) return ev;
  const hasDemand = input.demandValid && input.demandKW !== null;
  const hasStatus = input.vehicleStatus !== null;
  const fillSoc = ev.socPct === null && input.socPct !== null;
  if (!hasDemand && !hasStatus && !fillSoc) return ev;
  const out: EvStatus = { ...ev };
  if (fillSoc) out.socPct = input.socPct;
  if (hasDemand) {
    const requested = finiteOrZero(ev.requestVoltageV);
    const voltageV = requested > 0 ? requested : Math.max(0, finiteOrZero(ev.batteryVoltageV));
    // Below 1 V there is no meaningful current for a power demand (and a denormal voltage
    // would turn any demand into an infinite current).
    let currentA = voltageV >= 1 ? ((input.demandKW as number) * 1000) / voltageV : 0;
    if (!Number.isFinite(currentA)) currentA = 0;
    const maxA = finiteOrZero(ev.maxCurrentA);
    if (maxA > 0) currentA = Math.min(currentA, maxA);
    out.requestCurrentA = Math.max(0, currentA);
  }
  if (hasStatus) {
    const view = evViewOf({ ...input, demandKW: null, demandValid: false });
    // "disconnected" from a device does not unplug a cable the EV link sees: it only withholds readiness.
    out.ready = ev.ready && view.plugged && view.ready;
    out.paused = ev.paused || view.paused;
    out.stopRequested = ev.stopRequested || view.stopRequested;
  }
  return out;
}

/** The cabinet's EvLink with MQTT demand and status laid over it (see the file comment). */
export class MqttEvLink implements EvLink {
  constructor(private readonly inner: EvLink, private readonly inputs: MqttGunInputs) {}

  status(gunId: number): EvStatus {
    return overlayEvStatus(this.inner.status(gunId), this.inputs.get(gunId));
  }

  offer(gunId: number, maxCurrentA: number, presentVoltageV: number): void {
    this.inner.offer(gunId, maxCurrentA, presentVoltageV);
  }
}

export interface ControllerDemandSinkOptions {
  controller: ControllerPort;
  inputs: MqttGunInputs;
  /** The MQTT config's demandTimeoutMs: the validity of each demand as a per-gun limit. */
  demandTimeoutMs: number;
  log?: Log;
}

/**
 * DemandSink into the controller: stores the input for the EV-link overlay and
 * turns each new demand into a per-gun "mqtt" limit valid for demandTimeoutMs.
 * When a gun's session finishes, its MQTT limit and demand are cleared so that a
 * silent device of the last vehicle does not hold the next one at zero; a session
 * that starts without a fresh demand clears a lapsed one for the same reason.
 */
export class ControllerDemandSink implements DemandSink {
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ControllerDemandSinkOptions) {
    this.unsubscribe = options.controller.subscribe((event) => {
      if (event.type === "SessionFinished") this.endOfSession(event.gunId);
      else if (event.type === "SessionStarted") this.startOfSession(event.gunId);
    });
  }

  updateGunInput(input: GunMqttInput): void {
    const previous = this.options.inputs.get(input.gunId);
    this.options.inputs.set(input);
    if (!input.demandValid || input.demandKW === null) return; // an expired demand lapses with its limit
    const newDemand = input.demandAtMs === undefined
      ? previous === null || previous.lastUpdateMs !== input.lastUpdateMs
      : previous === null || previous.demandAtMs !== input.demandAtMs;
    if (!newDemand) return;
    const result = this.options.controller.setGunLimit(input.gunId, MQTT_LIMIT_SOURCE, input.demandKW, this.options.demandTimeoutMs);
    if (!result.ok) this.write("warn", `mqtt: demand for gun ${input.gunId} not applied: ${result.error ?? "refused"}`);
  }

  close(): void {
    this.unsubscribe();
  }

  /** A demand that lapsed before this vehicle arrived was not its demand: it must not hold the new session at zero. */
  private startOfSession(gunId: number): void {
    if (this.options.inputs.get(gunId)?.demandValid) return;
    this.options.controller.setGunLimit(gunId, MQTT_LIMIT_SOURCE, null);
  }

  private endOfSession(gunId: number): void {
    this.options.inputs.dropDemand(gunId);
    this.options.controller.setGunLimit(gunId, MQTT_LIMIT_SOURCE, null);
  }

  private write(level: "info" | "warn", message: string): void {
    try {
      this.options.log?.write(level, message);
    } catch {
      // logging must never break the inbound path
    }
  }
}

/** The controller's snapshot in the MQTT telemetry terms (pure). */
export function telemetryOfSnapshot(s: CabinetSnapshot): TelemetrySnapshot {
  return {
    guns: s.guns.map((g) => ({
      gunId: g.id,
      state: g.state,
      socPct: g.socPct,
      voltageV: g.voltageV,
      currentA: g.currentA,
      powerKW: g.powerKW,
      budgetKW: g.budgetKW,
      modules: [...g.modules],
      island: [...g.islandSlots],
    })),
    totals: {
      powerKW: s.totalPowerKW,
      budgetKW: s.guns.reduce((sum, g) => sum + g.budgetKW, 0),
      capacityKW: s.capacityKW,
      gridLimitKW: s.gridLimitKW,
    },
    modules: s.modules.map((m) => ({ id: m.id, state: m.state, powerKW: m.powerKW, tempC: Number.isFinite(m.tempC) ? m.tempC : null })),
    // The auxiliary contact is what the contactor really did; a fault says why it disagrees with the command.
    contactors: s.contactors.map((c) => ({ id: c.id, position: c.aux, fault: c.fault })),
    faults: s.faults.map((f) => ({ code: f.kind, severity: f.severity, source: f.location, sinceMs: f.atMs })),
  };
}

/** One controller session event as MQTT publishes it (no id tokens: they identify people). */
export function sessionEventOf(event: ControllerSessionEvent, seq: number): SessionEvent {
  const parts: string[] = [];
  if (event.sessionId !== null) parts.push(`session ${event.sessionId}`);
  if (event.reason !== undefined) parts.push(`reason ${event.reason}`);
  if (event.pauseReasons !== undefined && event.pauseReasons.length > 0) parts.push(`pause ${event.pauseReasons.join(",")}`);
  if (event.energyWh !== undefined) parts.push(`energyWh ${Math.round(event.energyWh)}`);
  if (event.reservationId !== undefined) parts.push(`reservation ${event.reservationId}`);
  if (event.detail !== undefined) parts.push(event.detail);
  const out: SessionEvent = { seq, gunId: event.gunId, event: event.type, atMs: event.atMs };
  if (parts.length > 0) out.detail = parts.join("; ");
  return out;
}

export interface ControllerTelemetrySourceOptions {
  /** Session events kept for a publisher that is offline (oldest dropped). Default 256. */
  maxEvents?: number;
}

/**
 * TelemetrySource over the controller: a snapshot of this instant, and the session
 * events since a sequence number from a bounded buffer fed by controller.subscribe().
 */
export class ControllerTelemetrySource implements TelemetrySource {
  private readonly events: SessionEvent[] = [];
  private seq = 0;
  private readonly maxEvents: number;
  private readonly unsubscribe: () => void;

  constructor(private readonly controller: ControllerPort, options: ControllerTelemetrySourceOptions = {}) {
    this.maxEvents = Math.max(1, options.maxEvents ?? 256);
    this.unsubscribe = controller.subscribe((event) => {
      this.events.push(sessionEventOf(event, ++this.seq));
      if (this.events.length > this.maxEvents) this.events.splice(0, this.events.length - this.maxEvents);
    });
  }

  snapshot(): TelemetrySnapshot {
    return telemetryOfSnapshot(this.controller.buildSnapshot());
  }

  sessionEventsSince(afterSeq: number): SessionEvent[] {
    return this.events.filter((e) => e.seq > afterSeq);
  }

  close(): void {
    this.unsubscribe();
  }
}

export interface ControllerMqttPorts {
  sink: ControllerDemandSink;
  source: ControllerTelemetrySource;
  /** Unsubscribes both from the controller. */
  close(): void;
}

/**
 * Both ports over one controller. `inputs` must be the same table the controller's
 * EvLink overlay (MqttEvLink) reads, created before the controller.
 */
export function controllerMqttPorts(controller: ControllerPort, inputs: MqttGunInputs, demandTimeoutMs: number, log?: Log): ControllerMqttPorts {
  const sink = new ControllerDemandSink({ controller, inputs, demandTimeoutMs, log });
  const source = new ControllerTelemetrySource(controller);
  return { sink, source, close: () => { sink.close(); source.close(); } };
}
