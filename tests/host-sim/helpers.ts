import { builtinDocument, parseCabinetConfig, type CabinetConfig } from "../../src/config";
import { createSimulation, type Simulation } from "../../host-sim/scenario/simulation";
import type { PlantParamsOverrides } from "../../host-sim/plant/params";

export function ring(): CabinetConfig {
  return parseCabinetConfig(builtinDocument("ring-12x2"));
}

export function matrix(): CabinetConfig {
  return parseCabinetConfig(builtinDocument("matrix-9x6"));
}

/** A simulation without sensor noise, 1 ms steps. */
export function quietSim(config: CabinetConfig = ring(), plant: PlantParamsOverrides = {}, seed = 7): Simulation {
  return createSimulation({
    config,
    seed,
    stepMs: 1,
    plantParams: { ...plant, sensors: { voltageNoiseV: 0, currentNoiseA: 0, tempNoiseC: 0, ...(plant.sensors ?? {}) } },
  });
}

export const EV400 = { batteryKWh: 77, socPct: 30, targetSocPct: 80, maxPowerKW: 135, packVoltageV: 400 };
export const EV800 = { batteryKWh: 84, socPct: 20, targetSocPct: 80, maxPowerKW: 230, packVoltageV: 800 };

/**
 * Builds a charging island on a ring slot the careful way (MCs open, MNs closed,
 * modules started at the EV voltage, GC closed once precharged) and sets the
 * modules' current limit. Returns when the GC is closed.
 */
export function chargeOnSlot(sim: Simulation, slot: number, perModuleA: number, ev = EV400): void {
  const { hal, runner, plant } = sim;
  plant.plug(slot, ev);
  const ccw = slot === 1 ? 12 : slot - 1;
  hal.contactors.command(`MC_${ccw}`, false);
  hal.contactors.command(`MC_${slot}`, false);
  hal.contactors.command(`MN_${slot}_0`, true);
  hal.contactors.command(`MN_${slot}_1`, true);
  runner.runFor(plant.params.ev.handshakeMs + 50);
  const batteryV = hal.ev.status(slot).batteryVoltageV;
  for (const k of [0, 1]) hal.modules.command(`M${slot}_${k}`, { enabled: true, voltageV: batteryV, currentLimitA: 2 });
  runner.runFor(plant.params.module.startupDelayMs + 1000);
  hal.contactors.command(`GC_${slot}`, true);
  runner.runFor(50);
  const target = hal.ev.status(slot).requestVoltageV;
  for (const k of [0, 1]) hal.modules.command(`M${slot}_${k}`, { enabled: true, voltageV: target, currentLimitA: perModuleA });
}
