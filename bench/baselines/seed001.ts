/**
 * Baseline: seed 001's demand-sorted greedy (`_reassign_modules`), written as the seed
 * gives it: guns sorted by demand (highest first), modules_needed =
 * min(9, max(1, (capped + P - 1) // P)), modules handed out in id order. It looks at neither
 * module health, nor the grid limit, nor a per-gun module policy.
 */
import type { CabinetConfig } from "../../src/config";
import { deratingFactor, type PlanObservation } from "../../src/planner";
import type { BenchPlan } from "./types";

/**
 * seed 001 `_reassign_modules`: guns by demand (highest first, stable), modules_needed =
 * min(module count, max(1, (capped + P - 1) // P)), free modules handed out in id order.
 * `candidates(gunId)` lists the modules a gun can be given, in id order: every module on the
 * matrix (as in the seed); on the ring, the modules of the gun's own slot (sim adapter).
 */
export function seed001Assignments(
  config: CabinetConfig,
  observed: PlanObservation,
  candidates: (gunId: number) => string[],
  moduleCount: number,
): Map<number, string[]> {
  const modulePower = config.modulePowerKW;
  const demands = observed.guns.filter((g) => g.active).map((g) => [g.id, g.requestKW] as const);
  // Python's sorted() is stable: equal demands keep gun order.
  const sortedGuns = demands.slice().sort((a, b) => b[1] - a[1]);
  const assignments = new Map<number, string[]>();
  const assigned = new Set<string>();
  for (const [gunId, demand] of sortedGuns) {
    if (demand <= 0) continue;
    const gun = config.guns.find((g) => g.id === gunId)!;
    const maxAllowedPower = gun.maxPowerKW ?? (gun.maxCurrentA * gun.maxVoltageV) / 1000;
    const capped = Math.min(demand, maxAllowedPower);
    const needed = Math.min(moduleCount, Math.max(1, Math.floor((capped + modulePower - 1) / modulePower)));
    const mine: string[] = [];
    for (const id of candidates(gunId)) {
      if (!assigned.has(id) && mine.length < needed) {
        mine.push(id);
        assigned.add(id);
      }
    }
    assignments.set(gunId, mine);
  }
  return assignments;
}

export function seed001Plan(config: CabinetConfig, observed: PlanObservation): BenchPlan {
  const modulePower = config.modulePowerKW;
  const moduleIds = (config.matrix?.modules ?? []).map((m) => m.id);
  const moduleObs = new Map(observed.modules.map((m) => [m.id, m]));
  const demands = observed.guns.filter((g) => g.active).map((g) => [g.id, g.requestKW] as const);
  const assignments = seed001Assignments(config, observed, () => moduleIds, moduleIds.length);
  const contactors: Record<string, "open" | "closed"> = {};
  for (const row of config.matrix?.rows ?? []) for (const link of row.links) contactors[link.contactor] = "open";
  for (const g of config.guns) contactors[g.gc] = "open";
  let commandedKW = 0;
  let servedKW = 0;
  let modulesOn = 0;
  let most = 0;
  for (const [gunId, demand] of demands) {
    const mine = assignments.get(gunId) ?? [];
    const gun = config.guns.find((g) => g.id === gunId)!;
    const capped = Math.min(demand, gun.maxPowerKW ?? Infinity);
    const commanded = Math.min(capped, mine.length * modulePower);
    let deliverable = 0;
    for (const id of mine) {
      const o = moduleObs.get(id);
      if (o && !o.healthy) continue;
      deliverable += modulePower * deratingFactor(o?.tempC ?? 25, config.moduleRating);
    }
    for (const id of mine) {
      const row = config.matrix!.rows.find((r) => r.moduleId === id)!;
      contactors[row.links.find((l) => l.gunId === gunId)!.contactor] = "closed";
    }
    if (commanded > 0) contactors[gun.gc] = "closed";
    commandedKW += commanded;
    servedKW += Math.min(commanded, deliverable);
    modulesOn += mine.length;
    most = Math.max(most, mine.length);
  }
  return { commandedKW, servedKW, modulesOn, maxModulesPerGun: most, contactors };
}
