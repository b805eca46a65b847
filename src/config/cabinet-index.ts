import type { CabinetConfig, GunConfig } from "./types";

/** What a contactor does in the power path. MX = a module-to-gun link of the matrix. */
export type ContactorKind = "GC" | "MC" | "MN" | "MX";

export interface ContactorInfo {
  id: string;
  kind: ContactorKind;
  /** Normally-closed contactors (MC) are closed with the coil off. */
  normallyClosed: boolean;
  gunId?: number;
  /** GC: slot of its gun; MN: slot of its module; MC: the slot on its counter-clockwise side. */
  slotId?: number;
  /** MC: the slot on its clockwise side. */
  cwSlotId?: number;
  moduleId?: string;
}

export interface ModuleInfo {
  id: string;
  /** Ring: the slot holding it; matrix: undefined. */
  slotId?: number;
  /** Ring: its MN contactor. */
  mn?: string;
  /** Position in the cabinet's module list, stable for the life of the config. */
  index: number;
  address: number;
}

/**
 * Lookups derived once from a validated config, so that hot paths do not search
 * arrays. Derived state only: it can always be rebuilt from the config.
 */
export interface CabinetIndex {
  readonly config: CabinetConfig;
  readonly modules: readonly ModuleInfo[];
  readonly moduleById: ReadonlyMap<string, ModuleInfo>;
  readonly contactors: readonly ContactorInfo[];
  readonly contactorById: ReadonlyMap<string, ContactorInfo>;
  readonly gunById: ReadonlyMap<number, GunConfig>;
  /** Ring only: slot ids in clockwise order starting from the first slot of the config. */
  readonly ringOrder: readonly number[];
  /** Gun nameplate power: min(maxPowerKW, maxCurrentA x maxVoltageV). */
  gunMaxPowerKW(gunId: number): number;
}

export function indexCabinet(config: CabinetConfig): CabinetIndex {
  const modules: ModuleInfo[] = [];
  const contactors: ContactorInfo[] = [];
  const gunById = new Map(config.guns.map((g) => [g.id, g]));

  if (config.topology === "ring") {
    for (const slot of config.slots) {
      slot.modules.forEach((m) => {
        modules.push({ id: m.id, slotId: slot.id, mn: m.mn, index: modules.length, address: m.address ?? modules.length });
        contactors.push({ id: m.mn, kind: "MN", normallyClosed: false, slotId: slot.id, moduleId: m.id });
      });
      contactors.push({ id: slot.mc, kind: "MC", normallyClosed: true, slotId: slot.id, cwSlotId: slot.cw });
    }
  } else if (config.matrix) {
    for (const m of config.matrix.modules) {
      modules.push({ id: m.id, index: modules.length, address: m.address ?? modules.length });
    }
    for (const row of config.matrix.rows) {
      for (const link of row.links) {
        contactors.push({ id: link.contactor, kind: "MX", normallyClosed: false, gunId: link.gunId, moduleId: row.moduleId });
      }
    }
  }
  for (const gun of config.guns) {
    contactors.push({ id: gun.gc, kind: "GC", normallyClosed: false, gunId: gun.id, slotId: gun.slotId });
  }

  const ringOrder: number[] = [];
  if (config.topology === "ring" && config.slots.length > 0) {
    const slotById = new Map(config.slots.map((s) => [s.id, s]));
    let current = config.slots[0].id;
    do {
      ringOrder.push(current);
      current = slotById.get(current)!.cw;
    } while (current !== config.slots[0].id && ringOrder.length <= config.slots.length);
  }

  return {
    config,
    modules,
    moduleById: new Map(modules.map((m) => [m.id, m])),
    contactors,
    contactorById: new Map(contactors.map((c) => [c.id, c])),
    gunById,
    ringOrder,
    gunMaxPowerKW(gunId: number): number {
      const gun = gunById.get(gunId);
      if (!gun) return 0;
      const byCable = (gun.maxCurrentA * gun.maxVoltageV) / 1000;
      return gun.maxPowerKW === undefined ? byCable : Math.min(gun.maxPowerKW, byCable);
    },
  };
}
