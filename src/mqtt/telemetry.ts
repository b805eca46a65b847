/**
 * Outbound payload builders. The schema is documented in docs/mqtt.md; every
 * payload carries `schema` and `tsMs` so consumers can check what they parse.
 * Non-finite numbers become null rather than breaking JSON.
 */
import type { GunMqttInput, GunTelemetry, SessionEvent, TelemetrySnapshot } from "./types";
import type { RejectionCounts } from "./rejections";

export const TELEMETRY_SCHEMA = "vesec.cabinet.telemetry/1";
export const GUN_SCHEMA = "vesec.cabinet.gun/1";
export const FAULTS_SCHEMA = "vesec.cabinet.faults/1";
export const EVENT_SCHEMA = "vesec.cabinet.event/1";
export const INTERFACE_SCHEMA = "vesec.cabinet.mqtt/1";

export const ONLINE = "online";
export const OFFLINE = "offline";

function n(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? Math.round(value * 1000) / 1000 : null;
}

export interface GunTelemetryPayload {
  gunId: number;
  state: string;
  socPct: number | null;
  voltageV: number | null;
  currentA: number | null;
  powerKW: number | null;
  budgetKW: number | null;
  modules: string[];
  island: number[];
  /** What MQTT asked for this gun (null when no fresh demand). */
  mqttDemandKW: number | null;
  vehicleStatus: string | null;
}

export function gunPayload(gun: GunTelemetry, input: GunMqttInput | null): GunTelemetryPayload {
  return {
    gunId: gun.gunId,
    state: String(gun.state),
    socPct: n(gun.socPct ?? input?.socPct ?? null),
    voltageV: n(gun.voltageV),
    currentA: n(gun.currentA),
    powerKW: n(gun.powerKW),
    budgetKW: n(gun.budgetKW),
    modules: gun.modules.map(String),
    island: gun.island.filter((s) => Number.isFinite(s)),
    mqttDemandKW: input ? n(input.demandKW) : null,
    vehicleStatus: input ? input.vehicleStatus : null,
  };
}

export function buildGunMessage(gun: GunTelemetry, input: GunMqttInput | null, nowMs: number): string {
  return JSON.stringify({ schema: GUN_SCHEMA, tsMs: nowMs, ...gunPayload(gun, input) });
}

export function buildCabinetMessage(cabinetId: string, snapshot: TelemetrySnapshot, inputs: readonly GunMqttInput[], nowMs: number): string {
  const inputOf = (gunId: number) => inputs.find((i) => i.gunId === gunId) ?? null;
  const t = snapshot.totals;
  return JSON.stringify({
    schema: TELEMETRY_SCHEMA,
    tsMs: nowMs,
    cabinetId,
    totals: {
      powerKW: n(t.powerKW),
      budgetKW: n(t.budgetKW),
      capacityKW: n(t.capacityKW),
      gridLimitKW: n(t.gridLimitKW),
      modulesOn: snapshot.modules.filter((m) => m.state === "on").length,
      modulesTotal: snapshot.modules.length,
      faultsActive: snapshot.faults.length,
    },
    guns: snapshot.guns.map((g) => gunPayload(g, inputOf(g.gunId))),
    modules: snapshot.modules.map((m) => ({ id: m.id, state: m.state, powerKW: n(m.powerKW), tempC: n(m.tempC) })),
    contactors: snapshot.contactors.map((c) => ({ id: c.id, position: c.position, fault: c.fault })),
    faults: snapshot.faults.map((f) => ({ code: f.code, severity: f.severity, source: f.source, sinceMs: n(f.sinceMs) })),
  });
}

export function buildFaultsMessage(snapshot: TelemetrySnapshot, nowMs: number): string {
  return JSON.stringify({
    schema: FAULTS_SCHEMA,
    tsMs: nowMs,
    faults: snapshot.faults.map((f) => ({ code: f.code, severity: f.severity, source: f.source, sinceMs: n(f.sinceMs) })),
  });
}

export function buildEventMessage(event: SessionEvent): string {
  return JSON.stringify({
    schema: EVENT_SCHEMA,
    seq: event.seq,
    gunId: event.gunId,
    event: event.event,
    atMs: n(event.atMs),
    detail: event.detail ?? null,
  });
}

export function buildInterfaceMessage(accepted: number, rejections: RejectionCounts, connects: number, nowMs: number): string {
  return JSON.stringify({ schema: INTERFACE_SCHEMA, tsMs: nowMs, accepted, connects, rejections });
}
