import "./xs-globals";
/** fast-check generators for random cabinets and observations, and a ring brute force. */
import fc from "fast-check";
import { parseCabinetConfig, ringDocument, type CabinetConfig } from "../../../src/config";
import { deratingFactor, gunRatingKW, type ContactorFault, type Plan, type PlanObservation } from "../../../src/planner";

/** Runs per property: fewer inside XS (an interpreter), same properties. */
export const IN_XS = typeof (globalThis as { process?: unknown }).process === "undefined";
export const runs = (n: number) => (IN_XS ? Math.max(10, Math.floor(n / 4)) : n);

export interface RingCase {
  config: CabinetConfig;
  observed: PlanObservation;
}

const fault = fc.oneof(
  { weight: 10, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom<ContactorFault>("welded", "stuckOpen", "feedbackFault") },
);

export const ringCase = (maxSlots = 12): fc.Arbitrary<RingCase> =>
  fc
    .record({
      slots: fc.integer({ min: 2, max: maxSlots }),
      perSlot: fc.integer({ min: 1, max: 3 }),
      maxModules: fc.integer({ min: 1, max: 6 }),
      minModules: fc.integer({ min: 0, max: 2 }),
      multi: fc.boolean(),
      gridKW: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.constant(10_000)),
      siteKW: fc.option(fc.integer({ min: 0, max: 500 }), { freq: 4 }),
      guns: fc.array(
        fc.record({
          active: fc.boolean(),
          requestKW: fc.oneof(fc.integer({ min: 0, max: 250 }), fc.double({ min: 0, max: 250, noNaN: true })),
          priority: fc.integer({ min: 0, max: 3 }),
          limitKW: fc.option(fc.integer({ min: 0, max: 200 }), { freq: 4 }),
          evVoltageV: fc.integer({ min: 0, max: 1000 }),
          measuredVoltageV: fc.integer({ min: 0, max: 1000 }),
          gc: fault,
        }),
        { minLength: 12, maxLength: 12 },
      ),
      modules: fc.array(
        fc.record({ healthy: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), tempC: fc.integer({ min: 20, max: 90 }), mn: fault }),
        { minLength: 36, maxLength: 36 },
      ),
      mc: fc.array(fault, { minLength: 12, maxLength: 12 }),
      nowMs: fc.integer({ min: 0, max: 100_000 }),
    })
    .map((r) => {
      const doc = ringDocument({ slots: r.slots, modulesPerSlot: r.perSlot, modulePowerKW: 30, gridPowerLimitKW: r.gridKW, chargerId: "PROP" });
      const minModules = Math.min(r.minModules, r.maxModules, r.multi ? r.maxModules : r.perSlot);
      doc.policy = { maxModulesPerGun: r.maxModules, minModulesPerGun: minModules, multiSlotIslands: r.multi };
      const config = parseCabinetConfig(doc);
      const faults: Record<string, ContactorFault> = {};
      const modules: PlanObservation["modules"] = [];
      let m = 0;
      for (const slot of config.slots) {
        const i = slot.id - 1;
        if (r.mc[i]) faults[slot.mc] = r.mc[i]!;
        if (r.guns[i].gc) faults[`GC_${slot.id}`] = r.guns[i].gc!;
        for (const mod of slot.modules) {
          const spec = r.modules[m++];
          if (spec.mn) faults[mod.mn] = spec.mn;
          modules.push({ id: mod.id, healthy: spec.healthy, tempC: spec.tempC, operatingHours: m });
        }
      }
      const observed: PlanObservation = {
        nowMs: r.nowMs,
        guns: config.guns.map((g, i) => ({
          id: g.id,
          active: r.guns[i].active,
          charging: false,
          requestKW: r.guns[i].requestKW,
          evVoltageV: r.guns[i].evVoltageV,
          measuredVoltageV: r.guns[i].measuredVoltageV,
          priority: r.guns[i].priority,
          externalLimitKW: r.guns[i].limitKW,
        })),
        modules,
        contactorFaults: faults,
        gridLimitKW: r.gridKW,
        siteExternalLimitKW: r.siteKW,
      };
      return { config, observed };
    });

/**
 * Brute force over every MC open/closed pattern (faulted MCs fixed where they are stuck):
 * each electrically connected component can power at most one active gun, only if it holds
 * no welded/unverifiable MN and no idle gun with a welded GC, and holds exactly one active
 * gun, or several that no MC could separate (every MC between consecutive ones welded or
 * unverifiable): then one of them whose partners' GCs can open. The gun's cap is
 * min(clamped request, best policy-max modules of the component, or of its own slot without
 * multi-slot islands). Returns the best min(shared limit, sum of caps).
 */
export function bruteForceServedKW(config: CabinetConfig, observed: PlanObservation): number {
  const slots = config.slots;
  const n = slots.length;
  const faults = observed.contactorFaults;
  const policy = config.policy;
  const obsById = new Map(observed.guns.map((g) => [g.id, g]));
  const moduleObs = new Map(observed.modules.map((m) => [m.id, m]));
  const site = observed.siteExternalLimitKW ?? config.siteLimits.externalLimitKW;
  const shared = Math.min(observed.gridLimitKW, site === null ? Infinity : site);
  const activeAt: boolean[] = [];
  const clampedAt: number[] = [];
  const blockedAt: boolean[] = [];
  const powersAt: number[][] = [];
  for (const slot of slots) {
    const gunCfg = config.guns.find((g) => g.slotId === slot.id);
    const obs = gunCfg ? obsById.get(gunCfg.id) : undefined;
    const active = !!obs && obs.active;
    activeAt.push(active);
    const gcFault = gunCfg ? faults[gunCfg.gc] : undefined;
    let blocked = false;
    for (const m of slot.modules) if (faults[m.mn] === "welded" || faults[m.mn] === "feedbackFault") blocked = true;
    if (!active && (gcFault === "welded" || gcFault === "feedbackFault")) blocked = true;
    if (active && (gcFault === "stuckOpen" || gcFault === "feedbackFault")) blocked = true;
    blockedAt.push(blocked);
    let clamped = 0;
    if (active && gunCfg && obs) {
      const limit = obs.externalLimitKW ?? Infinity;
      clamped = Math.max(0, Math.min(obs.requestKW, gunRatingKW(gunCfg, obs.evVoltageV, config.siteLimits.defaultVoltageV), limit));
    }
    clampedAt.push(clamped);
    const powers: number[] = [];
    for (const m of slot.modules) {
      const o = moduleObs.get(m.id);
      const healthy = o ? o.healthy : true;
      const p = config.modulePowerKW * deratingFactor(o ? o.tempC : 25, config.moduleRating);
      if (healthy && p > 0 && faults[m.mn] === undefined) powers.push(p);
    }
    powersAt.push(powers);
  }
  const fixedOpen: (boolean | null)[] = slots.map((s) => {
    const f = faults[s.mc];
    if (f === "welded" || f === "feedbackFault") return false;
    if (f === "stuckOpen") return true;
    return null;
  });
  const mnWeldedAt = slots.map((s) => s.modules.some((m) => faults[m.mn] === "welded" || faults[m.mn] === "feedbackFault"));
  const gcCannotOpen = slots.map((s) => {
    const g = config.guns.find((x) => x.slotId === s.id);
    const f = g ? faults[g.gc] : undefined;
    return f === "welded" || f === "feedbackFault";
  });
  const capOf = (component: number[], closedRing: boolean): number => {
    const guns: number[] = [];
    for (let t = 0; t < component.length; t++) {
      const i = component[t];
      if ((blockedAt[i] && !activeAt[i]) || mnWeldedAt[i]) return 0;
      if (activeAt[i]) guns.push(t);
    }
    if (guns.length === 0) return 0;
    if (guns.length > 1) {
      // Separable pairs (a cuttable MC between consecutive guns): none on an arc, at most
      // one around the closed ring (the ring is then one arc of joined guns).
      let separable = 0;
      const pairs = closedRing ? guns.length : guns.length - 1;
      for (let q = 0; q < pairs; q++) {
        const from = guns[q];
        const to = q + 1 < guns.length ? guns[q + 1] : guns[0] + component.length;
        for (let t = from; t < to; t++) if (fixedOpen[component[t % component.length]] !== false) { separable++; break; }
      }
      if (separable > (closedRing ? 1 : 0)) return 0;
    }
    let best = 0;
    for (const t of guns) {
      const gunAt = component[t];
      if (blockedAt[gunAt]) continue;
      if (guns.some((u) => u !== t && gcCannotOpen[component[u]])) continue;
      const powers = policy.multiSlotIslands ? component.flatMap((i) => powersAt[i]) : powersAt[gunAt].slice();
      powers.sort((a, b) => b - a);
      let sum = 0;
      for (let i = 0; i < Math.min(policy.maxModulesPerGun, powers.length); i++) sum += powers[i];
      best = Math.max(best, Math.min(clampedAt[gunAt], sum));
    }
    return best;
  };
  let best = 0;
  for (let pattern = 0; pattern < 1 << n; pattern++) {
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const open = ((pattern >> i) & 1) === 1;
      if (fixedOpen[i] !== null && fixedOpen[i] !== open) ok = false;
    }
    if (!ok) continue;
    let total = 0;
    if (pattern === 0) total = capOf(slots.map((_, i) => i), true);
    else {
      let first = 0;
      while (((pattern >> first) & 1) === 0) first++;
      let component: number[] = [];
      for (let step = 1; step <= n; step++) {
        const i = (first + step) % n;
        component.push(i);
        if ((pattern >> i) & 1) {
          total += capOf(component, false);
          component = [];
        }
      }
    }
    const served = Math.min(shared, total);
    if (served > best) best = served;
  }
  return best;
}

/** Electrically connected components of the ring under the plan's MC positions (slot positions). */
export function ringComponents(config: CabinetConfig, p: Plan): number[][] {
  const slots = config.slots;
  const n = slots.length;
  const open = slots.map((s) => p.contactors[s.mc] === "open");
  if (!open.some((o) => o)) return [slots.map((s) => s.id)];
  let first = open.indexOf(true);
  const out: number[][] = [];
  let component: number[] = [];
  for (let step = 1; step <= n; step++) {
    const i = (first + step) % n;
    component.push(slots[i].id);
    if (open[i]) {
      out.push(component);
      component = [];
    }
  }
  return out;
}
