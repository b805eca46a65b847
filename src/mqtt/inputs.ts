/**
 * Per-gun MQTT inputs with freshness. A value older than the timeout is dropped:
 * a source that goes silent stops requesting power, like any stale limit.
 */
import type { GunMqttInput, VehicleStatus } from "./types";
import type { DecodedValue } from "./payload";

interface Stamped<T> { value: T; atMs: number }

interface GunRecord {
  demand: Stamped<number> | null;
  soc: Stamped<number> | null;
  status: Stamped<VehicleStatus> | null;
  device: string | null;
  lastUpdateMs: number | null;
}

export class GunInputTable {
  private readonly records = new Map<number, GunRecord>();

  constructor(gunIds: readonly number[], private readonly timeoutMs: number) {
    for (const id of gunIds) this.records.set(id, { demand: null, soc: null, status: null, device: null, lastUpdateMs: null });
  }

  /** Applies an accepted value; returns the gun's new input, or null for a gun not in the table. */
  apply(gunId: number, device: string, value: DecodedValue, nowMs: number): GunMqttInput | null {
    const r = this.records.get(gunId);
    if (!r) return null;
    if (value.messageType === "demand") r.demand = { value: value.demandKW, atMs: nowMs };
    else if (value.messageType === "soc") r.soc = { value: value.socPct, atMs: nowMs };
    else r.status = { value: value.vehicleStatus, atMs: nowMs };
    r.device = device;
    r.lastUpdateMs = nowMs;
    return this.view(gunId, r);
  }

  /** Drops values older than the timeout; returns the inputs of guns that changed. */
  expire(nowMs: number): GunMqttInput[] {
    const changed: GunMqttInput[] = [];
    const stale = (s: Stamped<unknown> | null) => s !== null && nowMs - s.atMs >= this.timeoutMs;
    for (const [gunId, r] of this.records) {
      let touched = false;
      if (stale(r.demand)) { r.demand = null; touched = true; }
      if (stale(r.soc)) { r.soc = null; touched = true; }
      if (stale(r.status)) { r.status = null; touched = true; }
      if (touched) changed.push(this.view(gunId, r));
    }
    return changed;
  }

  all(): GunMqttInput[] {
    return [...this.records].map(([gunId, r]) => this.view(gunId, r));
  }

  get(gunId: number): GunMqttInput | null {
    const r = this.records.get(gunId);
    return r ? this.view(gunId, r) : null;
  }

  private view(gunId: number, r: GunRecord): GunMqttInput {
    return {
      gunId,
      demandKW: r.demand ? r.demand.value : null,
      demandValid: r.demand !== null,
      socPct: r.soc ? r.soc.value : null,
      vehicleStatus: r.status ? r.status.value : null,
      device: r.device,
      lastUpdateMs: r.lastUpdateMs,
      demandAtMs: r.demand ? r.demand.atMs : null,
    };
  }
}
