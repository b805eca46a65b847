import type { CabinetConfigDocument, GunConfig, SlotConfig } from "./types";

/**
 * Built-in cabinets. Generated rather than stored as JSON so the device build
 * needs no file system; `npm run validate -- ring-12x2` checks them like any file.
 */

export interface RingOptions {
  slots: number;
  modulesPerSlot: number;
  modulePowerKW: number;
  gridPowerLimitKW: number;
  chargerId: string;
}

export function ringDocument(options: RingOptions): CabinetConfigDocument {
  const n = options.slots;
  const slots: SlotConfig[] = [];
  const guns: GunConfig[] = [];
  for (let id = 1; id <= n; id++) {
    const modules = [];
    for (let k = 0; k < options.modulesPerSlot; k++) {
      modules.push({ id: `M${id}_${k}`, mn: `MN_${id}_${k}` });
    }
    slots.push({
      id,
      modules,
      gunId: id,
      mc: `MC_${id}`,
      cw: id === n ? 1 : id + 1,
      ccw: id === 1 ? n : id - 1,
    });
    guns.push({
      id,
      slotId: id,
      gc: `GC_${id}`,
      maxVoltageV: 1000,
      minVoltageV: 200,
      maxCurrentA: 200,
      priorityDefault: 0,
    });
  }
  return {
    schemaVersion: 1,
    chargerId: options.chargerId,
    topology: "ring",
    modulePowerKW: options.modulePowerKW,
    slots,
    guns,
    siteLimits: { gridPowerLimitKW: options.gridPowerLimitKW, defaultVoltageV: 800 },
  };
}

export interface MatrixOptions {
  modules: number;
  guns: number;
  modulePowerKW: number;
  gunMaxPowerKW: number;
  gridPowerLimitKW: number;
  chargerId: string;
}

export function matrixDocument(options: MatrixOptions): CabinetConfigDocument {
  const modules = [];
  const rows = [];
  for (let m = 1; m <= options.modules; m++) {
    modules.push({ id: `PM${m}` });
    const links = [];
    for (let g = 1; g <= options.guns; g++) links.push({ gunId: g, contactor: `MX_${m}_${g}` });
    rows.push({ moduleId: `PM${m}`, links });
  }
  const guns: GunConfig[] = [];
  for (let g = 1; g <= options.guns; g++) {
    guns.push({
      id: g,
      gc: `GC_${g}`,
      maxVoltageV: 1000,
      minVoltageV: 200,
      maxCurrentA: 400,
      maxPowerKW: options.gunMaxPowerKW,
      priorityDefault: 0,
    });
  }
  return {
    schemaVersion: 1,
    chargerId: options.chargerId,
    topology: "matrix",
    modulePowerKW: options.modulePowerKW,
    matrix: { modules, rows },
    guns,
    siteLimits: { gridPowerLimitKW: options.gridPowerLimitKW, defaultVoltageV: 800 },
    policy: { minModulesPerGun: 1, maxModulesPerGun: 6 },
  };
}

export const BUILTIN_CONFIG_NAMES = ["ring-12x2", "matrix-9x6"] as const;
export type BuiltinConfigName = (typeof BUILTIN_CONFIG_NAMES)[number];

/** A fresh document for a built-in name, or undefined. */
export function builtinDocument(name: string): CabinetConfigDocument | undefined {
  switch (name) {
    case "ring-12x2":
      return ringDocument({
        slots: 12,
        modulesPerSlot: 2,
        modulePowerKW: 30,
        gridPowerLimitKW: 360,
        chargerId: "SITE_001_CAB_01",
      });
    case "matrix-9x6":
      return matrixDocument({
        modules: 9,
        guns: 6,
        modulePowerKW: 40,
        gunMaxPowerKW: 240,
        gridPowerLimitKW: 360,
        chargerId: "SITE_001_MATRIX_01",
      });
    default:
      return undefined;
  }
}
