/**
 * The scripted charge-and-fault run that the Moddable simulator test (build/mcsim-test,
 * `npm run test:mcsim`) and the Node tests both execute: the real controller on the
 * simulated ring, two EVs charging, then an insulation (IMD) fault on one gun and a
 * welded MC found when the controller next needs to open it. Platform-free (no Node,
 * no Moddable APIs): it runs unchanged under Node and inside XS.
 */
import { builtinDocument, validateCabinetConfig } from "../../src/config/index";
import { createSimCabinet, type SimCabinet } from "../sim-cabinet";
import type { HostHalOptions } from "../hal/host-hal";
import type { Scenario } from "./types";

/** Gun that gets the IMD fault, and the MC that is welded from the start. */
export const CHARGE_AND_FAULT_IMD_GUN = 4;
export const CHARGE_AND_FAULT_WELDED_MC = "MC_9";

/** A fresh scenario object every call (module-level objects are frozen on a device). */
export function chargeAndFaultScenario(durationS = 30): Scenario {
  return {
    name: "charge-and-fault",
    description: "Two EVs charge on the ring; gun 4 gets an insulation fault at 16 s; MC_9 is welded and found when gun 9 needs its island.",
    config: "ring-12x2",
    durationS,
    seed: 7,
    stepMs: 10,
    events: [
      { type: "fault", atS: 0, kind: "mcWeld", target: CHARGE_AND_FAULT_WELDED_MC },
      { type: "plug", atS: 1, gun: 1, ev: { batteryKWh: 77, socPct: 30, targetSocPct: 80, maxPowerKW: 135, packVoltageV: 400 } },
      { type: "plug", atS: 2, gun: CHARGE_AND_FAULT_IMD_GUN, ev: { batteryKWh: 84, socPct: 20, targetSocPct: 80, maxPowerKW: 230, packVoltageV: 800 } },
      { type: "plug", atS: 8, gun: 9, ev: { batteryKWh: 58, socPct: 25, targetSocPct: 80, maxPowerKW: 120, packVoltageV: 400 } },
      { type: "fault", atS: 16, kind: "imd", target: CHARGE_AND_FAULT_IMD_GUN },
    ],
  };
}

/** Builds the simulated cabinet (real controller, scheduler on simulated time) for the scenario. */
export function createChargeAndFaultCabinet(scenario: Scenario = chargeAndFaultScenario(), hal?: HostHalOptions): SimCabinet {
  const document = typeof scenario.config === "string" ? builtinDocument(scenario.config) : scenario.config;
  const validated = validateCabinetConfig(document);
  if (!validated.ok) throw new Error(`charge-and-fault: config ${JSON.stringify(scenario.config)} rejected`);
  return createSimCabinet({ config: validated.config, seed: scenario.seed, scenario, stepMs: scenario.stepMs ?? 10, hal });
}

export interface ScenarioCheck {
  title: string;
  ok: boolean;
  detail: string;
}

/**
 * What the run must show: no §5 invariant violation seen by the independent observer,
 * energy delivered on the healthy gun, the IMD gun in its physical safe state within the
 * emergency deadline, and every fault reaction the observer timed met its deadline.
 */
export function checkChargeAndFault(cabinet: SimCabinet): ScenarioCheck[] {
  const { plant, observer } = cabinet.sim;
  const checks: ScenarioCheck[] = [];
  const violations = observer.violations;
  checks.push({
    title: "observer reports no invariant violations",
    ok: violations.length === 0,
    detail: violations.slice(0, 3).map((v) => `§5.${v.invariant} ${v.kind} ${v.subject} at ${v.atMs} ms: ${v.details}`).join("; ") || "none",
  });
  const energyWh = plant.guns.reduce((sum, g) => sum + g.meterEnergyWh, 0);
  const gun1 = plant.guns.find((g) => g.id === 1);
  checks.push({
    title: "energy was delivered (gun 1 and the cabinet)",
    ok: energyWh > 100 && gun1 !== undefined && gun1.meterEnergyWh > 50,
    detail: `cabinet ${energyWh.toFixed(0)} Wh, gun 1 ${gun1 ? gun1.meterEnergyWh.toFixed(0) : "-"} Wh`,
  });
  const imd = observer.reactions.find((r) => r.kind === "imd" && r.target === CHARGE_AND_FAULT_IMD_GUN);
  checks.push({
    title: `IMD fault on gun ${CHARGE_AND_FAULT_IMD_GUN} reached its safe state in time`,
    ok: imd !== undefined && imd.startAtMs !== null && imd.safeAtMs !== null && imd.met === true,
    detail: imd ? `hazard at ${imd.startAtMs} ms, safe at ${imd.safeAtMs} ms (${imd.reactionMs} ms, deadline ${imd.deadlineMs} ms)` : "no reaction recorded",
  });
  const faultedGun = plant.guns.find((g) => g.id === CHARGE_AND_FAULT_IMD_GUN);
  const gcClosed = faultedGun ? plant.contactors.get(faultedGun.gcId)?.mainClosed : undefined;
  checks.push({
    title: `gun ${CHARGE_AND_FAULT_IMD_GUN} ends with its GC open and no current`,
    ok: faultedGun !== undefined && gcClosed === false && Math.abs(faultedGun.currentA) < 0.5,
    detail: faultedGun ? `GC ${faultedGun.gcId} ${gcClosed ? "closed" : "open"}, ${faultedGun.currentA.toFixed(1)} A` : "gun missing",
  });
  const late = observer.reactions.filter((r) => r.met === false);
  checks.push({
    title: "every timed fault reaction met its deadline (incl. the welded MC)",
    ok: late.length === 0 && observer.reactions.some((r) => r.kind === "mcWeld"),
    detail: observer.reactions.map((r) => `${r.kind} ${r.target}: ${r.reactionMs === null ? "no hazard" : r.reactionMs + " ms"}${r.met === false ? " LATE" : ""}`).join(", "),
  });
  const weld = cabinet.controller.snapshot().faults.find((f) => f.kind === "contactorWelded" && f.location === CHARGE_AND_FAULT_WELDED_MC);
  const gun9 = plant.guns.find((g) => g.id === 9);
  checks.push({
    title: `controller found the welded ${CHARGE_AND_FAULT_WELDED_MC} and still charged gun 9`,
    ok: weld !== undefined && gun9 !== undefined && gun9.meterEnergyWh > 10,
    detail: `${weld ? weld.message + " at " + weld.atMs + " ms" : "weld not reported"}; gun 9 ${gun9 ? gun9.meterEnergyWh.toFixed(0) : "-"} Wh`,
  });
  checks.push({
    title: "no control-loop errors",
    ok: cabinet.controller.stats().controlErrors === 0,
    detail: cabinet.controller.stats().lastControlError ?? "none",
  });
  return checks;
}

/** Runs the whole scenario as fast as the engine allows and returns the checks. */
export function runChargeAndFault(scenario: Scenario = chargeAndFaultScenario()): ScenarioCheck[] {
  const cabinet = createChargeAndFaultCabinet(scenario);
  try {
    cabinet.sim.runner.runUntil(scenario.durationS * 1000);
    return checkChargeAndFault(cabinet);
  } finally {
    cabinet.controller.close();
  }
}
