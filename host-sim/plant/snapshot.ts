import type { CabinetPlant } from "./plant";

/** JSON-friendly picture of the plant for a dashboard or a report (plain data, no references). */
export interface PlantSnapshot {
  nowMs: number;
  gridPowerKW: number;
  gridEnergyKWh: number;
  estopActive: boolean;
  doorOpen: boolean;
  contactors: {
    id: string;
    kind: string;
    /** Where the coil sends the main contacts. */
    commandedClosed: boolean;
    mainClosed: boolean;
    auxClosed: boolean;
    fault: string | null;
    currentA: number;
    operations: number;
  }[];
  modules: {
    id: string;
    slotId: number | null;
    enabled: boolean;
    running: boolean;
    failed: boolean;
    commsLost: boolean;
    overTemp: boolean;
    tempC: number;
    voltageV: number;
    currentA: number;
    powerKW: number;
    region: number;
  }[];
  guns: {
    id: number;
    plugged: boolean;
    ready: boolean;
    socPct: number | null;
    targetSocPct: number | null;
    requestCurrentA: number;
    stopRequested: boolean;
    voltageV: number;
    currentA: number;
    powerKW: number;
    connectorTempC: number;
    energyKWh: number;
    insulationOhm: number;
    /** Region of the gun's charger-side bus (same number = same island). */
    region: number;
  }[];
  /** Ring only: region per slot bus, voltage per slot. */
  slots: { id: number; region: number; voltageV: number }[];
  activeFaults: { handle: number; kind: string; target: string | number | null; injectedAtMs: number }[];
}

export function plantSnapshot(plant: CabinetPlant): PlantSnapshot {
  const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    nowMs: plant.nowMs,
    gridPowerKW: round(plant.gridPowerW / 1000),
    gridEnergyKWh: round(plant.gridEnergyWh / 1000, 3),
    estopActive: plant.estopActive,
    doorOpen: plant.doorOpen,
    contactors: plant.edges.map((e, i) => ({
      id: e.contactor.id,
      kind: e.kind,
      commandedClosed: e.contactor.targetClosed(),
      mainClosed: e.contactor.mainClosed,
      auxClosed: e.contactor.auxClosed,
      fault: e.contactor.fault,
      currentA: round(Math.abs(plant.edgeCurrent(i))),
      operations: e.contactor.operations,
    })),
    modules: plant.modules.map((m, i) => ({
      id: m.id,
      slotId: plant.index.modules[i].slotId ?? null,
      enabled: m.command.enabled,
      running: m.running,
      failed: m.failed,
      commsLost: m.commsLost,
      overTemp: m.overTempTripped,
      tempC: round(m.tempC, 1),
      voltageV: round(m.outputVoltageV, 1),
      currentA: round(m.outputCurrentA),
      powerKW: round((m.outputCurrentA * m.outputVoltageV) / 1000),
      region: plant.regionOfNode[plant.moduleNode[i]],
    })),
    guns: plant.guns.map((g) => ({
      id: g.id,
      plugged: g.ev !== null,
      ready: g.ev?.ready ?? false,
      socPct: g.ev ? round(g.ev.socPct) : null,
      targetSocPct: g.ev ? g.ev.spec.targetSocPct : null,
      requestCurrentA: g.ev ? round(g.ev.requestCurrentA) : 0,
      stopRequested: g.ev?.stopRequested ?? false,
      voltageV: round(plant.measuredNodeVoltageV[g.evNode], 1),
      currentA: round(g.currentA),
      powerKW: round((g.currentA * plant.nodeVoltageV[g.evNode]) / 1000),
      connectorTempC: round(g.connectorTempC, 1),
      energyKWh: round(g.meterEnergyWh / 1000, 3),
      insulationOhm: plant.insulationOhm(g.id),
      region: plant.regionOfNode[g.busNode],
    })),
    slots: plant.config.topology === "ring"
      ? plant.config.slots.map((s) => ({ id: s.id, region: plant.regionOfNode[plant.slotNode(s.id)], voltageV: round(plant.slotVoltageV(s.id), 1) }))
      : [],
    activeFaults: plant.activeFaults().map((f) => ({ handle: f.handle, kind: f.kind, target: f.target, injectedAtMs: f.injectedAtMs })),
  };
}
