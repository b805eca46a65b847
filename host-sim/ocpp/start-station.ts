/**
 * Host wiring of the OCPP station: picks the version, builds the `ws` transport and a tick
 * loop. `npm start -- --csms ... --ocpp ... --id ...` uses it through sim-station.ts with
 * the simulated cabinet's ControllerPort, ticked on simulated time.
 */
import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";
import type { Storage } from "../../hal/storage";
import { validateOcppConfig, type OcppConfig } from "../../src/ocpp/config";
import type { StationPort } from "../../src/ocpp/port";
import { Station16 } from "../../src/ocpp/station16";
import { Station201 } from "../../src/ocpp/station201";
import { WsTransport, type WsTransportOptions } from "./ws-transport";

export interface OcppCliOptions { csms: string; version: string; stationId: string; password: string | null }

/** Parses `--csms URL --ocpp 2.0.1|1.6 --id ID [--password PW]` out of argv; null when --csms is absent. */
export function parseOcppArgs(argv: string[]): OcppCliOptions | { error: string } | null {
  const value = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const csms = value("--csms");
  if (csms === undefined) return null;
  const version = value("--ocpp") ?? "2.0.1";
  const stationId = value("--id");
  if (!stationId) return { error: "--id <stationId> is required with --csms" };
  return { csms, version, stationId, password: value("--password") ?? null };
}

export interface RunningStation {
  station: Station201 | Station16;
  stop(): void;
}

export function startOcppStation(options: {
  cli: OcppCliOptions | OcppConfig; port: StationPort; storage: Storage; log: Log; tickMs?: number; tls?: WsTransportOptions;
  /** Monotonic clock of the station (default Date.now; the simulator passes its simulated clock). */
  clock?: Clock;
  /** UTC clock for timestamps and Absolute profiles (default: clock). */
  wallClock?: Clock;
  /** Runs tick every tickMs; returns a cancel function (default setInterval; the simulator uses its runner). */
  schedule?: (tick: () => void, periodMs: number) => () => void;
}): RunningStation {
  const doc = "url" in options.cli ? options.cli : { url: options.cli.csms, version: options.cli.version, stationId: options.cli.stationId, password: options.cli.password };
  const checked = validateOcppConfig(doc);
  if (!checked.ok) throw new Error(`ocpp config: ${checked.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  const clock = options.clock ?? { nowMs: () => Date.now() };
  const common = {
    config: checked.config, transport: new WsTransport(options.tls), port: options.port, storage: options.storage, clock,
    ...(options.wallClock ? { wallClock: options.wallClock } : {}), random: Math.random, log: options.log,
  };
  const station = checked.config.version === "1.6" ? new Station16(common) : new Station201(common);
  station.start();
  const schedule = options.schedule ?? ((tick: () => void, periodMs: number) => {
    const timer = setInterval(tick, periodMs);
    return () => clearInterval(timer);
  });
  const cancel = schedule(() => station.tick(), options.tickMs ?? 100);
  return { station, stop: () => { cancel(); station.stop(); } };
}
