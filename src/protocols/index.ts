import { infypower } from "./infypower";
import { uugreen } from "./uugreen";
import { winline } from "./winline";
import type { ModuleProtocol } from "./types";

export type { Decoded, ModuleCapabilities, ModuleItem, ModuleProtocol, ModuleReport, ModuleRequest, ModuleSetpoint, ModuleSnapshot } from "./types";
export { infypower } from "./infypower";
export { uugreen } from "./uugreen";
export { winline } from "./winline";

/** The protocol named in the config (`moduleRating.protocol`); "sim" has no CAN protocol. */
export function protocolByName(name: string): ModuleProtocol | null {
  switch (name) {
    case "infypower":
      return infypower;
    case "uugreen":
      return uugreen;
    case "winline":
      return winline;
    default:
      return null;
  }
}

export const allProtocols: readonly ModuleProtocol[] = [infypower, uugreen, winline];
