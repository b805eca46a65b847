/** The cabinet's guns as OCPP EVSEs (one connector each, EVSE id = gun id). */
import type { CabinetConfig } from "../config/index";
import type { EvseInfo } from "./port";

export function evsesFromCabinet(config: CabinetConfig): EvseInfo[] {
  return config.guns
    .map((g) => ({
      evseId: g.id,
      maxPowerKW: g.maxPowerKW ?? (g.maxCurrentA * g.maxVoltageV) / 1000,
      nominalVoltageV: config.siteLimits.defaultVoltageV,
    }))
    .sort((a, b) => a.evseId - b.evseId);
}
