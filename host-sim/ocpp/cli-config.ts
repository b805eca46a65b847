/** The demo's EVSE list from the default cabinet configuration (12 guns for ring-12x2). */
import { builtinDocument, parseCabinetConfig } from "../../src/config";
import { evsesFromCabinet } from "../../src/ocpp/cabinet-evses";
import type { EvseInfo } from "../../src/ocpp/port";

export function parseConfigOrBuiltin(name = "ring-12x2"): EvseInfo[] {
  return evsesFromCabinet(parseCabinetConfig(builtinDocument(name)!));
}
