/**
 * A deliberately broken sequencer for mutation tests: it applies the plan at once
 * (contactors, modules, current offers) with no ordering, no feedback checks, no
 * zero-current wait and no precharge. The property tests run against it to show
 * that each §5 oracle can fail.
 */
import type { Plan } from "../../../src/planner/types";
import type { FakePlant } from "./fake-plant";

export function naiveStep(plant: FakePlant, plan: Plan): void {
  for (const [id, pos] of Object.entries(plan.contactors)) plant.bank.command(id, pos === "closed");
  const on = new Map<string, { v: number; a: number }>();
  for (const g of plan.guns) {
    const ev = plant.ev.status(g.id);
    for (const m of g.modules) on.set(m, { v: ev.batteryVoltageV, a: g.currentLimitA / g.modules.length });
    plant.ev.offer(g.id, g.currentLimitA, ev.batteryVoltageV);
  }
  for (const m of plant.moduleBus.ids) {
    const x = on.get(m);
    plant.moduleBus.command(m, x ? { enabled: true, voltageV: x.v, currentLimitA: x.a } : { enabled: false, voltageV: 0, currentLimitA: 0 });
  }
  for (const g of plant.config.guns) if (!plan.guns.some((p) => p.id === g.id)) plant.ev.offer(g.id, 0, 0);
}
