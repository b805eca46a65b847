/** The optimum served power a bench snapshot allows, to rate every planner against. */
import type { CabinetConfig } from "../../src/config";
import { gunRatingKW, type PlanObservation } from "../../src/planner";
import { bruteForceServedKW } from "../../tests/core/planner/arbitrary";

/** Ring: brute force over every MC pattern (the same one the exactness tests use). */
export function ringOptimumKW(config: CabinetConfig, observed: PlanObservation): number {
  return bruteForceServedKW(config, observed);
}

/**
 * Matrix with equal module powers: choose k_g modules per gun (k_g <= policy max,
 * sum <= healthy modules) maximizing min(shared limit, sum of min(clamped_g, k_g x P)),
 * by dynamic programming over guns and modules used.
 */
export function matrixOptimumKW(config: CabinetConfig, observed: PlanObservation): number {
  const P = config.modulePowerKW;
  const moduleObs = new Map(observed.modules.map((m) => [m.id, m]));
  const healthy = (config.matrix?.modules ?? []).filter((m) => moduleObs.get(m.id)?.healthy ?? true).length;
  const clamped = observed.guns
    .filter((g) => g.active)
    .map((g) => {
      const gun = config.guns.find((x) => x.id === g.id)!;
      return Math.max(0, Math.min(g.requestKW, gunRatingKW(gun, g.evVoltageV, config.siteLimits.defaultVoltageV), g.externalLimitKW ?? Infinity));
    });
  let best = new Array<number>(healthy + 1).fill(0);
  for (const c of clamped) {
    const next = best.slice();
    for (let used = 0; used <= healthy; used++) {
      for (let k = 1; k <= config.policy.maxModulesPerGun && used + k <= healthy; k++) {
        const v = best[used] + Math.min(c, k * P);
        if (v > next[used + k]) next[used + k] = v;
      }
    }
    best = next;
  }
  const site = observed.siteExternalLimitKW ?? config.siteLimits.externalLimitKW;
  return Math.min(Math.max(...best), observed.gridLimitKW, site ?? Infinity);
}
