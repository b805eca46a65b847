/**
 * The seeds' baselines as planning functions `(config, observed, previousPlan) => Plan`, so
 * the simulator can run them through the real controller (sessions, sequencer, supervisor)
 * in place of our planner. The allocation is the seed's, unchanged (seed000Allocation,
 * seed001Assignments); what the adapters add is only what a Plan needs around it:
 *
 * - islands: one slot per gun (seed 000 §7.2). The sequencer derives the contactors from
 *   islandSlots + modules (MNs of the enabled modules closed, the two boundary MCs of the
 *   slot open); Plan.contactors states the seed's ring: MCs around active guns open,
 *   the others closed.
 * - setpoints: seed 000 §8.1 (V_set = EV voltage clamped to the gun's range,
 *   P_set = min(budget, modules x P_MOD, P_GUN_LIMIT)) and §8.2 (I = P_set / max(V_meas,
 *   V_MIN_FOR_DIV), clamped to the cable, ramped by at most I_RAMP_MAX_STEP per control
 *   period up AND down), with V_MIN_FOR_DIV = policy.minVoltageForCurrentV and
 *   I_RAMP_MAX_STEP = policy.currentRampAPerS x the control period.
 * - seed 001 on the ring: its greedy hands out "available modules in id order"; on the
 *   ring a gun's own slot is the only place it can take modules from without islands
 *   (seed 001 has none), so its candidates are the two modules of its own slot. The
 *   budget is seed 001's: P = min(demand, gun max power, modules x P_MOD); like the seed it
 *   ignores the grid limit, external limits and module health. Voltage and current as in
 *   seed 000 §8 (seed 001 gives none).
 * - repartition: always empty (one-slot islands never move); moduleOnSinceMs kept from
 *   the previous plan while a module stays on.
 */
import type { CabinetConfig } from "../../src/config";
import type { PlanFunction } from "../../src/controller/cabinet-controller";
import type { ContactorPosition, GunPlan, Plan, PlanObservation } from "../../src/planner/types";
import { seed000Allocation } from "./seed000";
import { seed001Assignments } from "./seed001";

interface GunShare {
  gunId: number;
  clampedRequestKW: number;
  budgetKW: number;
  setpointKW: number;
  modules: string[];
}

function idleGun(id: number): GunPlan {
  return { id, clampedRequestKW: 0, budgetKW: 0, setpointKW: 0, modules: [], islandSlots: [], voltageSetpointV: 0, currentLimitA: 0, reason: null };
}

/** Seed 000 §8.1 / §8.2 around a seed's allocation, one-slot islands, the seed's ring positions. */
function toPlan(config: CabinetConfig, observed: PlanObservation, previous: Plan | null, shares: GunShare[], capacityKW: number): Plan {
  const policy = config.policy;
  const dtMs = previous ? Math.max(0, observed.nowMs - previous.nowMs) : config.timing.controlPeriodMs;
  const stepA = (policy.currentRampAPerS * dtMs) / 1000;
  const byId = new Map(shares.map((s) => [s.gunId, s]));
  const obsById = new Map(observed.guns.map((g) => [g.id, g]));
  const previousGun = new Map((previous?.guns ?? []).map((g) => [g.id, g]));
  const contactors: Record<string, ContactorPosition> = {};
  for (const slot of config.slots) {
    contactors[slot.mc] = "closed";
    for (const m of slot.modules) contactors[m.mn] = "open";
  }
  for (const g of config.guns) contactors[g.gc] = "open";
  const modulesOn: string[] = [];
  const moduleOnSinceMs: Record<string, number> = {};
  let totalKW = 0;
  const guns = config.guns.map((gun): GunPlan => {
    const share = byId.get(gun.id);
    const o = obsById.get(gun.id);
    if (!share || !o) return idleGun(gun.id);
    const slot = config.slots.find((s) => s.id === gun.slotId);
    if (slot) {
      contactors[slot.mc] = "open";
      contactors[config.slots.find((s) => s.id === slot.ccw)!.mc] = "open";
      for (const id of share.modules) contactors[slot.modules.find((m) => m.id === id)!.mn] = "closed";
    }
    if (share.setpointKW > 0 && share.modules.length > 0) contactors[gun.gc] = "closed";
    for (const id of share.modules) {
      modulesOn.push(id);
      moduleOnSinceMs[id] = previous?.moduleOnSinceMs[id] ?? observed.nowMs;
    }
    totalKW += share.setpointKW;
    // §8.1: V_target = clamp(ev_req_voltage, V_EV_MIN, V_EV_MAX).
    const evV = o.evVoltageV > 0 ? o.evVoltageV : config.siteLimits.defaultVoltageV;
    const voltageSetpointV = Math.min(gun.maxVoltageV, Math.max(gun.minVoltageV, evV));
    // §8.2: I_target = P_set / max(V_meas, V_MIN_FOR_DIV), cable clamp, ramp both ways.
    const vSafe = Math.max(Number.isFinite(o.measuredVoltageV) ? o.measuredVoltageV : 0, policy.minVoltageForCurrentV);
    let targetA = Math.min(gun.maxCurrentA, (share.setpointKW * 1000) / vSafe);
    const before = previousGun.get(gun.id);
    const previousA = before ? before.currentLimitA : 0;
    if (targetA > previousA + stepA) targetA = previousA + stepA;
    if (targetA < previousA - stepA) targetA = previousA - stepA;
    const currentLimitA = Math.max(0, targetA);
    return {
      id: gun.id,
      clampedRequestKW: share.clampedRequestKW,
      budgetKW: share.budgetKW,
      setpointKW: share.setpointKW,
      modules: share.modules,
      islandSlots: slot && share.modules.length > 0 ? [slot.id] : [],
      voltageSetpointV,
      currentLimitA,
      reason: share.setpointKW + 1e-6 < o.requestKW ? "baseline allocation" : null,
    };
  });
  return { nowMs: observed.nowMs, guns, contactors, modulesOn, totalKW, capacityKW, repartition: [], moduleOnSinceMs };
}

/** Seed 000's pseudocode (one-slot islands, boundary MCs open) as a planning function. */
export const seed000PlanFunction: PlanFunction = (config, observed, previousPlan) => {
  const allocation = seed000Allocation(config, observed);
  const shares = allocation.guns.map((g) => ({
    gunId: g.gunId,
    clampedRequestKW: g.reqLimitedKW,
    budgetKW: g.budgetKW,
    setpointKW: g.setpointKW,
    modules: g.enabled,
  }));
  return toPlan(config, observed, previousPlan, shares, allocation.systemCapKW);
};

/** Seed 001's demand-sorted greedy on the ring (modules from the gun's own slot) as a planning function. */
export const seed001RingPlanFunction: PlanFunction = (config, observed, previousPlan) => {
  const slotModules = new Map<number, string[]>();
  let moduleCount = 0;
  for (const slot of config.slots) {
    slotModules.set(slot.id, slot.modules.map((m) => m.id));
    moduleCount += slot.modules.length;
  }
  const ownSlot = (gunId: number) => slotModules.get(config.guns.find((g) => g.id === gunId)?.slotId ?? -1) ?? [];
  const assignments = seed001Assignments(config, observed, ownSlot, moduleCount);
  const shares: GunShare[] = [];
  for (const o of observed.guns) {
    if (!o.active) continue;
    const gun = config.guns.find((g) => g.id === o.id)!;
    const mine = assignments.get(o.id) ?? [];
    const capped = Math.min(o.requestKW, gun.maxPowerKW ?? (gun.maxCurrentA * gun.maxVoltageV) / 1000);
    const setpointKW = Math.max(0, Math.min(capped, mine.length * config.modulePowerKW));
    shares.push({ gunId: o.id, clampedRequestKW: capped, budgetKW: setpointKW, setpointKW, modules: mine });
  }
  return toPlan(config, observed, previousPlan, shares, moduleCount * config.modulePowerKW);
};
