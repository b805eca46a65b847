/** (device, topic gun id) -> cabinet gun (seed 002: "maps device/topic gun IDs to actual gun numbers"). */
import type { MqttGunMapEntry } from "./config";

export interface GunMapping {
  devices: readonly string[];
  /** null = identity: topic gun id is the cabinet gun id. */
  entries: readonly MqttGunMapEntry[] | null;
  /** The cabinet's guns (identity mapping only accepts these). */
  gunIds: readonly number[];
}

/** The cabinet gun, or null when the pair maps to none. Unknown devices are checked by the caller. */
export function mapGun(mapping: GunMapping, device: string, topicGunId: number): number | null {
  if (mapping.entries === null) return mapping.gunIds.includes(topicGunId) ? topicGunId : null;
  for (const e of mapping.entries) if (e.device === device && e.topicGunId === topicGunId) return e.gunId;
  return null;
}
