/**
 * The device's configuration document is the cabinet configuration (src/config, strict: it
 * rejects unknown keys) plus an optional `ocpp` block. This splits the two, validates the
 * block with validateOcppConfig, and wires a station to a controller. Platform-free.
 */
import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";
import type { Storage } from "../../hal/storage";
import type { CabinetController } from "../controller/cabinet-controller";
import { validateOcppConfig, type OcppConfig, type OcppConfigIssue } from "./config";
import { ControllerPort, type OcppAuthorizationHooks } from "./controller-port";
import { Station16 } from "./station16";
import { Station201 } from "./station201";
import type { OcppTransport } from "./transport";

export interface DeviceDocumentParts {
  /** The document without its `ocpp` key, for validateCabinetConfig(). */
  cabinet: unknown;
  /** null when the document has no `ocpp` block (OCPP off). */
  ocpp: { ok: true; config: OcppConfig } | { ok: false; issues: OcppConfigIssue[] } | null;
}

export function splitDeviceDocument(document: unknown): DeviceDocumentParts {
  if (typeof document !== "object" || document === null || Array.isArray(document) || !("ocpp" in document)) {
    return { cabinet: document, ocpp: null };
  }
  const { ocpp, ...cabinet } = document as Record<string, unknown>;
  if (ocpp === null) return { cabinet, ocpp: null };
  return { cabinet, ocpp: validateOcppConfig(ocpp, "ocpp") };
}

export interface AttachOcppOptions {
  config: OcppConfig;
  /** Created with `hooks` (the same OcppAuthorizationHooks) and `autoAuthorizeToken: null`. */
  controller: CabinetController;
  hooks: OcppAuthorizationHooks;
  transport: OcppTransport;
  storage: Storage;
  /** The controller's monotonic clock. */
  clock: Clock;
  /** UTC epoch ms (timestamps, Absolute profiles). */
  wallClock: Clock;
  random: () => number;
  log?: Log;
  meterEnergyWh?: (gunId: number) => number | null;
  localIdToken?: (gunId: number) => string | null;
  onReset?: (kind: "Immediate" | "OnIdle") => boolean;
  firmwareVersion?: string;
  serialNumber?: string;
}

/**
 * A station over the controller. The caller ticks it (`station.tick()`) from the scheduler's
 * comms task or every control period; the limits it pushes stay valid for
 * OCPP_LIMIT_VALIDITY_MS, so ticking must not stop for longer than that.
 */
export function attachOcpp(options: AttachOcppOptions): { station: Station201 | Station16; port: ControllerPort } {
  const port = new ControllerPort({
    controller: options.controller,
    clock: options.clock,
    authorizationHooks: options.hooks,
    ...(options.meterEnergyWh ? { meterEnergyWh: options.meterEnergyWh } : {}),
    ...(options.localIdToken ? { localIdToken: options.localIdToken } : {}),
    ...(options.onReset ? { onReset: options.onReset } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const common = {
    config: options.config, transport: options.transport, port, storage: options.storage, clock: options.clock,
    wallClock: options.wallClock, random: options.random,
    ...(options.log ? { log: options.log } : {}),
    ...(options.firmwareVersion ? { firmwareVersion: options.firmwareVersion } : {}),
    ...(options.serialNumber ? { serialNumber: options.serialNumber } : {}),
  };
  const station = options.config.version === "1.6" ? new Station16(common) : new Station201(common);
  port.setAuthorizer((gunId, idToken, done) => station.authorize(gunId, idToken, done));
  return { station, port };
}
