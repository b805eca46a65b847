/** Shared builders for planner tests (platform-free: runs in mocha and XS). */
import { builtinDocument, parseCabinetConfig, ringDocument, type CabinetConfig, type PolicyConfig } from "../../../src/config";
import { strict as assert } from "assert";
import type { ContactorFault, GunObservation, ModuleObservation, Plan, PlanObservation } from "../../../src/planner";

export function ringConfig(policy: Partial<PolicyConfig> = {}, slots = 12, modulesPerSlot = 2, gridPowerLimitKW = 360): CabinetConfig {
  const doc = ringDocument({ slots, modulesPerSlot, modulePowerKW: 30, gridPowerLimitKW, chargerId: "TEST" });
  doc.policy = { ...policy };
  return parseCabinetConfig(doc);
}

export function matrixConfig(policy: Partial<PolicyConfig> = {}): CabinetConfig {
  const doc = builtinDocument("matrix-9x6")!;
  doc.policy = { ...doc.policy, ...policy };
  return parseCabinetConfig(doc);
}

export interface GunSpec {
  id: number;
  requestKW: number;
  priority?: number;
  evVoltageV?: number;
  limitKW?: number | null;
  charging?: boolean;
}

export function gun(spec: GunSpec): GunObservation {
  return {
    id: spec.id,
    active: true,
    charging: spec.charging ?? false,
    requestKW: spec.requestKW,
    evVoltageV: spec.evVoltageV ?? 800,
    measuredVoltageV: spec.evVoltageV ?? 800,
    priority: spec.priority ?? 0,
    externalLimitKW: spec.limitKW ?? null,
  };
}

export function observe(
  guns: GunSpec[],
  options: { gridLimitKW?: number; modules?: ModuleObservation[]; faults?: Record<string, ContactorFault>; nowMs?: number; siteKW?: number | null } = {},
): PlanObservation {
  return {
    nowMs: options.nowMs ?? 0,
    guns: guns.map(gun),
    modules: options.modules ?? [],
    contactorFaults: options.faults ?? {},
    gridLimitKW: options.gridLimitKW ?? 360,
    siteExternalLimitKW: options.siteKW ?? null,
  };
}

export function failed(...ids: string[]): ModuleObservation[] {
  return ids.map((id) => ({ id, healthy: false, tempC: 25, operatingHours: 0 }));
}

/** A copy of the plan's data: same values, no hidden share (so nothing to reuse from it). */
export function copyPlan(p: Plan): Plan {
  const copy: Plan = {
    ...p,
    guns: p.guns.map((g) => ({ ...g, modules: g.modules.slice(), islandSlots: g.islandSlots.slice() })),
    contactors: { ...p.contactors },
    modulesOn: p.modulesOn.slice(),
    repartition: p.repartition.slice(),
    moduleOnSinceMs: { ...p.moduleOnSinceMs },
  };
  if (p.issues) copy.issues = p.issues.slice();
  return copy;
}

/** Same plan, key order included (JSON), and deep-equal. */
export function assertSamePlan(actual: Plan, expected: Plan): void {
  assert.equal(JSON.stringify(actual), JSON.stringify(expected));
  assert.deepStrictEqual(actual, expected);
}

/** The observation `ms` later, otherwise the same (the next control cycle by default). */
export const later = (o: PlanObservation, ms = 100): PlanObservation => ({ ...o, nowMs: o.nowMs + ms });

/** Ring guns 1, 3, 6 and 9 charging (50, 45, 20, 60 kW) at 1000 ms: the steady case the memo tests start from. */
export function fourGunsCharging(): PlanObservation {
  return observe(
    [
      { id: 1, requestKW: 50, charging: true },
      { id: 3, requestKW: 45, charging: true },
      { id: 6, requestKW: 20, charging: true },
      { id: 9, requestKW: 60, charging: true },
    ],
    { nowMs: 1000 },
  );
}
