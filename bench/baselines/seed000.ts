/**
 * Baseline: seed 000's pseudocode, written as the seed gives it (§5.2 compute_power_budgets,
 * §5.3 ideal_modules_for_gun and discrete_module_allocation, §6.1 local per-gun MN mapping,
 * §7.2 one-slot islands, §8.1 setpoints). Kept faithful on purpose, including the budget
 * round that can overshoot the capacity when a gun reaches its cap mid-round, the global
 * healthy-module count, and no temperature derating.
 */
import type { CabinetConfig } from "../../src/config";
import { deratingFactor, gunRatingKW, type PlanObservation } from "../../src/planner";
import type { BenchPlan } from "./types";

export function computePowerBudgetsSeed000(active: number[], reqLimited: Map<number, number>, priority: Map<number, number>, systemCap: number): Map<number, number> {
  const budget = new Map<number, number>();
  for (const g of active) budget.set(g, 0);
  const remaining = new Set(active);
  let remainingPower = systemCap;
  while (remaining.size > 0 && remainingPower > 0) {
    let totalWeight = 0;
    for (const h of remaining) totalWeight += 1 + priority.get(h)!;
    let anyCapped = false;
    for (const g of [...remaining]) {
      const share = (remainingPower * (1 + priority.get(g)!)) / totalWeight;
      const candidate = budget.get(g)! + share;
      if (candidate >= reqLimited.get(g)!) {
        const extra = reqLimited.get(g)! - budget.get(g)!;
        budget.set(g, reqLimited.get(g)!);
        remainingPower -= Math.max(extra, 0);
        remaining.delete(g);
        anyCapped = true;
      } else {
        budget.set(g, candidate);
      }
    }
    if (!anyCapped) remainingPower = 0;
  }
  return budget;
}

/** One active gun's share under seed 000: budget, modules enabled in its own slot, P_set. */
export interface Seed000Gun {
  gunId: number;
  /** min(request, P_GUN_LIMIT) (§5.2 req_limited). */
  reqLimitedKW: number;
  gunLimitKW: number;
  budgetKW: number;
  /** §6.1 local per-gun MN mapping: modules of the gun's own slot. */
  enabled: string[];
  /** §8.1 P_set = min(P_budget, enabled x P_MOD, P_GUN_LIMIT). */
  setpointKW: number;
}

export interface Seed000Allocation {
  guns: Seed000Gun[];
  systemCapKW: number;
}

/** Seed 000 §5.2, §5.3, §6.1, §8.1 for one snapshot (shared by the planner bench and the sim adapter). */
export function seed000Allocation(config: CabinetConfig, observed: PlanObservation): Seed000Allocation {
  const P_MOD_KW = config.modulePowerKW;
  const obsById = new Map(observed.guns.map((g) => [g.id, g]));
  const moduleObs = new Map(observed.modules.map((m) => [m.id, m]));
  const healthy = (id: string) => moduleObs.get(id)?.healthy ?? true;
  const active = config.guns.filter((g) => obsById.get(g.id)?.active).map((g) => g.id);
  const gunLimit = new Map<number, number>();
  const reqLimited = new Map<number, number>();
  const priority = new Map<number, number>();
  for (const id of active) {
    const o = obsById.get(id)!;
    const gun = config.guns.find((g) => g.id === id)!;
    // Smart-charging limits adjust P_GUN_LIMIT (seed 000 §10 "Integration with OCPP").
    const limit = Math.min(gunRatingKW(gun, o.evVoltageV, config.siteLimits.defaultVoltageV), o.externalLimitKW ?? Infinity);
    gunLimit.set(id, limit);
    reqLimited.set(id, Math.min(o.requestKW, limit));
    priority.set(id, o.priority);
  }
  let M_healthy = 0;
  for (const slot of config.slots) for (const m of slot.modules) if (healthy(m.id)) M_healthy++;
  const P_GRID_LIMIT = Math.min(observed.gridLimitKW, observed.siteExternalLimitKW ?? Infinity);
  const P_system_cap = Math.min(M_healthy * P_MOD_KW, P_GRID_LIMIT);
  let sum = 0;
  for (const id of active) sum += reqLimited.get(id)!;
  const budget = sum <= P_system_cap ? new Map(reqLimited) : computePowerBudgetsSeed000(active, reqLimited, priority, P_system_cap);

  const nModules = new Map<number, number>();
  for (const g of active) {
    const b = budget.get(g)!;
    let n = 0;
    if (b > 0) {
      n = b <= 0.8 * P_MOD_KW ? 1 : 2;
      const maxByCable = Math.floor(gunLimit.get(g)! / P_MOD_KW);
      if (maxByCable < 2) n = Math.min(n, maxByCable);
      n = Math.max(0, Math.min(2, n));
    }
    nModules.set(g, n);
  }
  let total = 0;
  for (const g of active) total += nModules.get(g)!;
  const argmin = (candidates: number[]) =>
    candidates.reduce((best, g) => {
      const kb = [priority.get(best)!, budget.get(best)!];
      const kg = [priority.get(g)!, budget.get(g)!];
      return kg[0] < kb[0] || (kg[0] === kb[0] && kg[1] < kb[1]) ? g : best;
    });
  for (const stage of [2, 1]) {
    while (total > M_healthy) {
      const candidates = active.filter((g) => nModules.get(g) === stage);
      if (candidates.length === 0) break;
      const g = argmin(candidates);
      nModules.set(g, nModules.get(g)! - 1);
      total--;
    }
  }

  const guns: Seed000Gun[] = [];
  for (const g of active) {
    const gun = config.guns.find((x) => x.id === g)!;
    const slot = config.slots.find((s) => s.id === gun.slotId)!;
    const [m0, m1] = slot.modules;
    const enabled: string[] = [];
    const n = nModules.get(g)!;
    if (n === 1) {
      if (m0 && healthy(m0.id)) enabled.push(m0.id);
      else if (m1 && healthy(m1.id)) enabled.push(m1.id);
    } else if (n === 2) {
      if (m0 && healthy(m0.id)) enabled.push(m0.id);
      if (m1 && healthy(m1.id)) enabled.push(m1.id);
    }
    const setpointKW = Math.min(budget.get(g)!, enabled.length * P_MOD_KW, gunLimit.get(g)!);
    guns.push({ gunId: g, reqLimitedKW: reqLimited.get(g)!, gunLimitKW: gunLimit.get(g)!, budgetKW: budget.get(g)!, enabled, setpointKW });
  }
  return { guns, systemCapKW: P_system_cap };
}

export function seed000Plan(config: CabinetConfig, observed: PlanObservation): BenchPlan {
  const P_MOD_KW = config.modulePowerKW;
  const moduleObs = new Map(observed.modules.map((m) => [m.id, m]));
  const { guns } = seed000Allocation(config, observed);
  const contactors: Record<string, "open" | "closed"> = {};
  for (const slot of config.slots) {
    contactors[slot.mc] = "closed";
    for (const m of slot.modules) contactors[m.mn] = "open";
  }
  for (const g of config.guns) contactors[g.gc] = "open";
  let commandedKW = 0;
  let servedKW = 0;
  let modulesOn = 0;
  let most = 0;
  for (const a of guns) {
    const gun = config.guns.find((x) => x.id === a.gunId)!;
    const slot = config.slots.find((s) => s.id === gun.slotId)!;
    const enabled = a.enabled;
    for (const id of enabled) contactors[slot.modules.find((m) => m.id === id)!.mn] = "closed";
    // §7.2: open MC_{s-1} and MC_s around every active gun.
    contactors[slot.mc] = "open";
    contactors[config.slots.find((s) => s.id === slot.ccw)!.mc] = "open";
    const P_set = a.setpointKW;
    if (P_set > 0) contactors[gun.gc] = "closed";
    let deliverable = 0;
    for (const id of enabled) deliverable += P_MOD_KW * deratingFactor(moduleObs.get(id)?.tempC ?? 25, config.moduleRating);
    commandedKW += P_set;
    servedKW += Math.min(P_set, deliverable);
    modulesOn += enabled.length;
    most = Math.max(most, enabled.length);
  }
  return { commandedKW, servedKW, modulesOn, maxModulesPerGun: most, contactors };
}
