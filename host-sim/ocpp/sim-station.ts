/**
 * The simulated cabinet as an OCPP Charging Station: the real controller (createSimCabinet)
 * with authorization required (autoAuthorizeToken null, the OCPP hooks), a ControllerPort,
 * and the station ticked from the simulation every 100 ms of simulated time. Used by
 * `npm start -- --csms ...` and the end-to-end tests (tests/ocpp-sim).
 */
import type { Log } from "../../hal/log";
import type { Storage } from "../../hal/storage";
import type { OcppConfig } from "../../src/ocpp/config";
import { ControllerPort, OcppAuthorizationHooks } from "../../src/ocpp/controller-port";
import { createSimCabinet, type SimCabinet, type SimCabinetOptions } from "../sim-cabinet";
import { JsonFileStorage } from "./file-storage";
import { startOcppStation, type OcppCliOptions, type RunningStation } from "./start-station";
import type { WsTransportOptions } from "./ws-transport";

export interface SimOcppOptions extends Omit<SimCabinetOptions, "hooks" | "autoAuthorizeToken"> {
  ocpp: OcppCliOptions | OcppConfig;
  storage?: Storage;
  log?: Log;
  /** Token presented at a gun when an EV plugs in (simulated RFID); null = wait for a remote start. */
  localIdToken?: (gunId: number) => string | null;
  /** Station tick period in simulated ms (default 100, the control period). */
  tickMs?: number;
  tls?: WsTransportOptions;
  /** UTC epoch that simulated time 0 maps to (default: now minus the simulated time). */
  epochMs?: number;
}

export interface SimOcpp {
  cabinet: SimCabinet;
  port: ControllerPort;
  running: RunningStation;
  stop(): void;
}

export function createSimCabinetWithOcpp(options: SimOcppOptions): SimOcpp {
  const hooks = new OcppAuthorizationHooks();
  const { ocpp, storage, log, localIdToken, tickMs, tls, epochMs, ...simOptions } = options;
  const cabinet = createSimCabinet({ ...simOptions, hooks, autoAuthorizeToken: null });
  const clock = cabinet.sim.hal.clock;
  const stationLog: Log = log ?? cabinet.sim.hal.log;
  const port = new ControllerPort({
    controller: cabinet.controller,
    clock,
    authorizationHooks: hooks,
    meterEnergyWh: (gunId) => cabinet.sim.hal.sensors.gun(gunId).energyWh,
    ...(localIdToken ? { localIdToken } : {}),
    onReset: (kind) => {
      stationLog.write("info", `ocpp: ${kind} reset requested (the simulator does not reboot)`);
      return true;
    },
    log: stationLog,
  });
  // Simulated time runs on a UTC clock that started when the simulation did.
  const epoch = epochMs ?? Date.now() - clock.nowMs();
  const running = startOcppStation({
    cli: ocpp,
    port,
    storage: storage ?? new JsonFileStorage(null),
    log: stationLog,
    clock,
    wallClock: { nowMs: () => epoch + clock.nowMs() },
    tickMs: tickMs ?? 100,
    ...(tls ? { tls } : {}),
    schedule: (tick, periodMs) => cabinet.sim.runner.every(periodMs, () => tick()),
  });
  const station = running.station;
  port.setAuthorizer((gunId, idToken, done) => station.authorize(gunId, idToken, done));
  return { cabinet, port, running, stop: () => running.stop() };
}

