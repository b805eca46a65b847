/**
 * Limit freshness (seed 003 "energy-limit timeouts"): every power limit or
 * request that comes from outside the control loop carries a validity time.
 *
 * - A per-gun limit (energy manager, MQTT demand cap, OCPP TxProfile, ...) that
 *   expires makes that gun's limit 0 kW: the gun ramps to zero instead of running
 *   on a stale value, until the source refreshes it or it is cleared.
 * - The site-wide external (back-office) limit and the grid limit from a site EMS
 *   fall back to their configured defaults when they expire
 *   (config.siteLimits.externalLimitKW, config.siteLimits.gridPowerLimitKW).
 *
 * Expiry is inclusive: a limit set at t with validity v is stale from t + v on.
 * evaluate(nowMs) is called once per control cycle, before the planner, so an
 * expiry takes effect in the first control cycle at or after it.
 */
import type { Log } from "../../hal/log";
import type { CabinetConfig } from "../config/types";

export type LimitResult = { ok: true } | { ok: false; error: string };

export interface LimitTrackerOptions {
  gunIds: number[];
  /** Validity of a limit whose setter gives none (config.timing.limitValidityMs). */
  limitValidityMs: number;
  /** Grid limit when no fresh EMS value is in force (config.siteLimits.gridPowerLimitKW). */
  defaultGridLimitKW: number;
  /** Site external limit when no fresh back-office value is in force; null = none. */
  defaultSiteExternalLimitKW: number | null;
  log?: Log;
}

export function limitTrackerOptionsFromConfig(config: CabinetConfig, log?: Log): LimitTrackerOptions {
  return {
    gunIds: config.guns.map((g) => g.id),
    limitValidityMs: config.timing.limitValidityMs,
    defaultGridLimitKW: config.siteLimits.gridPowerLimitKW,
    defaultSiteExternalLimitKW: config.siteLimits.externalLimitKW,
    log,
  };
}

interface TimedValue {
  powerKW: number;
  setAtMs: number;
  expiresAtMs: number;
  /** The expiry has been logged (log once per expiry, not every cycle). */
  expiryLogged: boolean;
}

export type SiteLimitSource = "external" | "default";

export interface GunLimitState {
  gunId: number;
  /** min over the gun's fresh sources; 0 when any source is stale; null when it has none. */
  limitKW: number | null;
  /** At least one source is stale: the gun must ramp to zero and pause. */
  expired: boolean;
  expiredSources: string[];
  /** Earliest expiry among fresh sources (for diagnostics), null when none. */
  nextExpiryMs: number | null;
}

export interface LimitSnapshot {
  nowMs: number;
  gridLimitKW: number;
  gridLimitSource: SiteLimitSource;
  siteExternalLimitKW: number | null;
  siteExternalLimitSource: SiteLimitSource;
  guns: GunLimitState[];
}

function isPowerKW(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

export class LimitTracker {
  private readonly gunLimits = new Map<number, Map<string, TimedValue>>();
  /**
   * The state of a gun without any limit source, one frozen value per gun: evaluate()
   * hands it out for every such gun (most guns, most cycles) instead of a new one. It
   * depends on nothing but the gun id, and nobody can write it.
   */
  private readonly unlimited = new Map<number, GunLimitState>();
  private gridLimit: TimedValue | null = null;
  private siteExternalLimit: TimedValue | null = null;

  constructor(private readonly options: LimitTrackerOptions) {
    for (const id of options.gunIds) {
      this.gunLimits.set(id, new Map());
      this.unlimited.set(id, Object.freeze({ gunId: id, limitKW: null, expired: false, expiredSources: Object.freeze([]) as unknown as string[], nextExpiryMs: null }));
    }
  }

  static fromConfig(config: CabinetConfig, log?: Log): LimitTracker {
    return new LimitTracker(limitTrackerOptionsFromConfig(config, log));
  }

  /**
   * Set (or refresh) a per-gun limit from one source. Each source is tracked
   * separately; the gun's limit is the smallest fresh one.
   */
  setGunLimit(gunId: number, source: string, powerKW: number, nowMs: number, validForMs?: number): LimitResult {
    const sources = this.gunLimits.get(gunId);
    if (!sources) return { ok: false, error: `gunId: no gun ${JSON.stringify(gunId)} in this cabinet` };
    if (typeof source !== "string" || source.length === 0) return { ok: false, error: `source must be a non-empty string, got ${JSON.stringify(source)}` };
    const timed = this.timed(`gun ${gunId} limit (${source})`, powerKW, nowMs, validForMs);
    if (typeof timed === "string") return { ok: false, error: timed };
    sources.set(source, timed);
    return { ok: true };
  }

  /** Remove a gun's limit from one source (or all sources): the gun is no longer bound by it. */
  clearGunLimit(gunId: number, source?: string): LimitResult {
    const sources = this.gunLimits.get(gunId);
    if (!sources) return { ok: false, error: `gunId: no gun ${JSON.stringify(gunId)} in this cabinet` };
    if (source === undefined) sources.clear();
    else sources.delete(source);
    return { ok: true };
  }

  /** Site-wide external limit from the back office (e.g. OCPP ChargingStationMaxProfile). */
  setSiteExternalLimit(powerKW: number, nowMs: number, validForMs?: number): LimitResult {
    const timed = this.timed("site external limit", powerKW, nowMs, validForMs);
    if (typeof timed === "string") return { ok: false, error: timed };
    this.siteExternalLimit = timed;
    return { ok: true };
  }

  clearSiteExternalLimit(): void {
    this.siteExternalLimit = null;
  }

  /** Grid limit from a site EMS (seed 000 C.3); takes effect in the next control cycle. */
  setGridLimit(powerKW: number, nowMs: number, validForMs?: number): LimitResult {
    const timed = this.timed("grid limit", powerKW, nowMs, validForMs);
    if (typeof timed === "string") return { ok: false, error: timed };
    this.gridLimit = timed;
    return { ok: true };
  }

  clearGridLimit(): void {
    this.gridLimit = null;
  }

  /** The limits in force at nowMs. Logs each expiry once. */
  evaluate(nowMs: number): LimitSnapshot {
    const grid = this.fresh(this.gridLimit, nowMs, "grid limit", "falls back to the configured grid limit");
    const site = this.fresh(this.siteExternalLimit, nowMs, "site external limit", "falls back to the configured default");
    const guns: GunLimitState[] = [];
    for (const [gunId, sources] of this.gunLimits) {
      if (sources.size === 0) {
        guns.push(this.unlimited.get(gunId)!);
        continue;
      }
      let limitKW: number | null = null;
      let nextExpiryMs: number | null = null;
      const expiredSources: string[] = [];
      for (const [source, value] of sources) {
        if (nowMs >= value.expiresAtMs) {
          expiredSources.push(source);
          this.logExpiry(value, `gun ${gunId} limit (${source}) expired at ${value.expiresAtMs} ms: gun ramps to zero until refreshed`);
          continue;
        }
        limitKW = limitKW === null ? value.powerKW : Math.min(limitKW, value.powerKW);
        if (nextExpiryMs === null || value.expiresAtMs < nextExpiryMs) nextExpiryMs = value.expiresAtMs;
      }
      const expired = expiredSources.length > 0;
      guns.push({ gunId, limitKW: expired ? 0 : limitKW, expired, expiredSources, nextExpiryMs });
    }
    return {
      nowMs,
      gridLimitKW: grid === null ? this.options.defaultGridLimitKW : grid,
      gridLimitSource: grid === null ? "default" : "external",
      siteExternalLimitKW: site === null ? this.options.defaultSiteExternalLimitKW : site,
      siteExternalLimitSource: site === null ? "default" : "external",
      guns,
    };
  }

  private fresh(value: TimedValue | null, nowMs: number, what: string, fallback: string): number | null {
    if (value === null) return null;
    if (nowMs < value.expiresAtMs) return value.powerKW;
    this.logExpiry(value, `${what} ${value.powerKW} kW expired at ${value.expiresAtMs} ms: ${fallback}`);
    return null;
  }

  private timed(what: string, powerKW: number, nowMs: number, validForMs: number | undefined): TimedValue | string {
    if (!isPowerKW(powerKW)) return `${what}: powerKW must be a number >= 0, got ${String(powerKW)}`;
    if (typeof nowMs !== "number" || !Number.isFinite(nowMs)) return `${what}: nowMs must be a finite number, got ${String(nowMs)}`;
    const validity = validForMs ?? this.options.limitValidityMs;
    if (typeof validity !== "number" || !Number.isFinite(validity) || validity <= 0) return `${what}: validForMs must be a positive number, got ${String(validForMs)}`;
    return { powerKW, setAtMs: nowMs, expiresAtMs: nowMs + validity, expiryLogged: false };
  }

  private logExpiry(value: TimedValue, message: string): void {
    if (value.expiryLogged) return;
    value.expiryLogged = true;
    try {
      this.options.log?.write("warn", `limits: ${message}`);
    } catch {
      // Logging must never break the control cycle.
    }
  }
}

/** The limit state of one gun from a snapshot (a gun without limits: null, not expired). */
export function gunLimitOf(snapshot: LimitSnapshot, gunId: number): GunLimitState {
  return snapshot.guns.find((g) => g.gunId === gunId) ?? { gunId, limitKW: null, expired: false, expiredSources: [], nextExpiryMs: null };
}
