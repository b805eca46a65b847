/**
 * DESIGN.md §5 invariants as pure checks. Every step the sequencer emits goes
 * through `checkStep` (the one place), and `checkState` lets the supervisor and
 * the tests audit the present state. Positions are judged conservatively: a
 * contactor conducts unless it was commanded open AND its aux confirms open AND
 * it is not welded (`possiblyClosed`), which is what makes a welded contactor
 * unusable as a boundary (§5.9).
 */
import { components, type PowerGraph } from "./topology";

export type Step =
  | { kind: "contactor"; id: string; closed: boolean; emergency?: boolean }
  | { kind: "module"; id: string; enabled: boolean }
  | { kind: "currentLimit"; gunId: number; currentA: number };

/** What the checks need to know about the cabinet now. */
export interface SafetyView {
  graph: PowerGraph;
  switchingCurrentA: number;
  prechargeToleranceV: number;
  possiblyClosed(id: string): boolean;
  /** Output commanded on or reported running. */
  moduleEnergized(id: string): boolean;
  /** Module not blocked by a fault or alarm (§5.5). */
  moduleHealthy(id: string): boolean;
  /** Gun of the island the module is assigned to, or null. */
  moduleOwner(id: string): number | null;
  /** Bus nodes of the gun's active island, or null when it has none. */
  islandNodes(gunId: number): readonly number[] | null;
  gunCurrentA(gunId: number): number;
  moduleCurrentA(id: string): number;
  islandVoltageV(gunId: number): number;
  evBatteryVoltageV(gunId: number): number;
  /**
   * Ring: measured voltage of a bus node (slot bus); NaN when unknown. Optional: a view
   * without it skips the MC closing check below.
   */
  busVoltageV?(node: number): number;
  /** min(cable rating, EV maximum, EV request, plan limit) (§5.6). */
  currentCeilingA(gunId: number): number;
  /** Current limit in force now, and the largest increase allowed in this step (ramp). */
  currentLimitA(gunId: number): number;
  maxRampStepA(gunId: number): number;
}

export interface Violation {
  invariant: number;
  message: string;
  guns: number[];
}

const EPS_A = 1e-6;

/** Estimated current a contactor would switch: GC -> gun current, MN -> module current, MC/MX -> everything in its component. */
export function throughCurrentA(view: SafetyView, id: string, comp?: Int32Array): number {
  const edge = view.graph.edgeById.get(id);
  if (!edge) return 0;
  if (edge.kind === "GC") {
    const g = view.graph.nodeGun.get(edge.b);
    return g === undefined ? 0 : Math.abs(view.gunCurrentA(g));
  }
  if (edge.kind === "MN") {
    const m = view.graph.nodeModule.get(edge.a);
    return m === undefined ? 0 : Math.abs(view.moduleCurrentA(m));
  }
  const parts = comp ?? components(view.graph, (c) => view.possiblyClosed(c));
  const ra = parts[edge.a];
  const rb = parts[edge.b];
  let total = 0;
  for (const [m, n] of view.graph.moduleNode) if (parts[n] === ra || parts[n] === rb) total += Math.abs(view.moduleCurrentA(m));
  for (const [g, n] of view.graph.gunNode) if (parts[n] === ra || parts[n] === rb) total = Math.max(total, Math.abs(view.gunCurrentA(g)));
  return total;
}

/**
 * Audit the electrical state given which contactors conduct and which modules are
 * energized: §5.1 (one closed GC per connected part), §5.2 (an energized part
 * holds one island's buses only, never bridged), §5.5 (energized modules are
 * healthy and assigned to that island).
 */
export function auditComponents(
  view: SafetyView,
  conducts: (id: string) => boolean,
  energized: (moduleId: string) => boolean,
): Violation[] {
  const g = view.graph;
  const parts = components(g, conducts);
  const out: Violation[] = [];
  const gunsByPart = new Map<number, number[]>();
  for (const [gun, n] of g.gunNode) {
    const gc = g.gcOfGun.get(gun);
    if (gc === undefined || !conducts(gc)) continue;
    const list = gunsByPart.get(parts[n]) ?? [];
    list.push(gun);
    gunsByPart.set(parts[n], list);
  }
  for (const [, guns] of gunsByPart) {
    if (guns.length > 1) out.push({ invariant: 1, message: `GCs of guns ${guns.join(",")} closed on one connected bus`, guns });
  }
  const ownersByPart = new Map<number, Set<number | null>>();
  for (const [m, n] of g.moduleNode) {
    if (!energized(m)) continue;
    const owner = view.moduleOwner(m);
    if (owner === null) out.push({ invariant: 5, message: `module ${m} energized without an island`, guns: [] });
    else if (!view.moduleHealthy(m)) out.push({ invariant: 5, message: `unhealthy module ${m} energized`, guns: [owner] });
    const set = ownersByPart.get(parts[n]) ?? new Set<number | null>();
    set.add(owner);
    ownersByPart.set(parts[n], set);
  }
  for (const [part, owners] of ownersByPart) {
    const guns = [...owners].filter((o): o is number => o !== null);
    if (guns.length > 1) {
      out.push({ invariant: 2, message: `islands of guns ${guns.join(",")} bridged while energized`, guns });
      continue;
    }
    if (guns.length === 0) continue;
    const owner = guns[0];
    const allowed = new Set(view.islandNodes(owner) ?? []);
    for (const [slot, n] of g.slotNode) {
      if (parts[n] === part && !allowed.has(n)) {
        out.push({ invariant: 2, message: `energized island of gun ${owner} reaches slot ${slot} outside it`, guns: [owner] });
        break;
      }
    }
    for (const [gun, n] of g.gunBusNode) {
      if (g.slotNode.size > 0) break; // ring: bus nodes are slots, checked above
      if (parts[n] === part && !allowed.has(n)) {
        out.push({ invariant: 2, message: `energized island of gun ${owner} reaches gun ${gun}'s bus`, guns: [owner, gun] });
      }
    }
    // §5.5 "a module belongs to one island": no other module may still hang on an energized
    // island (an MN commanded open whose aux has not confirmed, or a welded one).
    for (const [m, n] of g.moduleNode) {
      if (parts[n] === part && view.moduleOwner(m) !== owner) {
        out.push({ invariant: 5, message: `module ${m} of no island (or another) is connected to the energized island of gun ${owner}`, guns: [owner] });
      }
    }
    const closedGuns = gunsByPart.get(part) ?? [];
    for (const other of closedGuns) {
      if (other !== owner) out.push({ invariant: 1, message: `gun ${other}'s GC is closed on the energized island of gun ${owner}`, guns: [owner, other] });
    }
  }
  return out;
}

/** The present state, judged conservatively. */
export function checkState(view: SafetyView): Violation[] {
  return auditComponents(view, (id) => view.possiblyClosed(id), (m) => view.moduleEnergized(m));
}

/**
 * Would this step keep every §5 invariant? Returns null when it may be emitted,
 * or the violation (naming the invariant) when it must be refused.
 */
export function checkStep(view: SafetyView, step: Step): Violation | null {
  if (step.kind === "module") {
    if (!step.enabled) return null; // switching an output off never breaks an invariant
    const owner = view.moduleOwner(step.id);
    if (owner === null) return { invariant: 5, message: `module ${step.id} has no island`, guns: [] };
    if (!view.moduleHealthy(step.id)) return { invariant: 5, message: `module ${step.id} is not healthy`, guns: [owner] };
    const after = auditComponents(view, (id) => view.possiblyClosed(id), (m) => m === step.id || view.moduleEnergized(m));
    return firstNew(after, view);
  }
  if (step.kind === "currentLimit") {
    const ceiling = view.currentCeilingA(step.gunId);
    if (step.currentA < 0 || !Number.isFinite(step.currentA)) return { invariant: 6, message: `gun ${step.gunId} current limit ${step.currentA} A is not a current`, guns: [step.gunId] };
    const rise = step.currentA - view.currentLimitA(step.gunId);
    if (rise <= 0) return null; // lowering the limit is always allowed: ramps down are never refused
    if (step.currentA > ceiling + EPS_A) return { invariant: 6, message: `gun ${step.gunId} limit ${step.currentA.toFixed(1)} A above ceiling ${ceiling.toFixed(1)} A`, guns: [step.gunId] };
    if (rise > view.maxRampStepA(step.gunId) + EPS_A) return { invariant: 6, message: `gun ${step.gunId} limit rises ${rise.toFixed(1)} A in one step (ramp ${view.maxRampStepA(step.gunId).toFixed(1)} A)`, guns: [step.gunId] };
    return null;
  }
  // Contactor step.
  const edge = view.graph.edgeById.get(step.id);
  if (!edge) return { invariant: 3, message: `unknown contactor ${step.id}`, guns: [] };
  if (step.emergency && !step.closed) return null; // emergency opening: allowed, counted as a break under load if loaded
  const current = throughCurrentA(view, step.id);
  if (current > view.switchingCurrentA) {
    return { invariant: 3, message: `${step.id} would switch ${current.toFixed(1)} A (threshold ${view.switchingCurrentA} A)`, guns: [] };
  }
  if (!step.closed) return null;
  if (edge.kind === "GC") {
    const gun = view.graph.nodeGun.get(edge.b)!;
    if (view.islandNodes(gun) === null) return { invariant: 4, message: `GC of gun ${gun} without an island of its own`, guns: [gun] };
    const dv = Math.abs(view.islandVoltageV(gun) - view.evBatteryVoltageV(gun));
    if (!(dv <= view.prechargeToleranceV)) {
      return { invariant: 4, message: `GC of gun ${gun}: island ${view.islandVoltageV(gun).toFixed(0)} V vs EV ${view.evBatteryVoltageV(gun).toFixed(0)} V (tolerance ${view.prechargeToleranceV} V)`, guns: [gun] };
    }
  }
  if (edge.kind === "MC" && view.busVoltageV) {
    // Closing an MC between two bus segments that stand at different voltages dumps
    // one bus capacitance into the other (an inrush through the closing contacts):
    // wait until a released bus has discharged. Unknown voltages count as different.
    const dv = Math.abs(view.busVoltageV(edge.a) - view.busVoltageV(edge.b));
    if (!(dv <= view.prechargeToleranceV)) {
      return { invariant: 3, message: `${step.id} would close between bus segments more than ${view.prechargeToleranceV} V apart (a bus not yet discharged)`, guns: [] };
    }
  }
  const after = auditComponents(view, (id) => id === step.id || view.possiblyClosed(id), (m) => view.moduleEnergized(m));
  return firstNew(after, view);
}

/**
 * A step is refused for violations it would create; one that already exists (say a
 * weld the supervisor is handling) must not block unrelated steps elsewhere.
 */
function firstNew(after: Violation[], view: SafetyView): Violation | null {
  if (after.length === 0) return null;
  const before = new Set(checkState(view).map((v) => v.message));
  for (const v of after) if (!before.has(v.message)) return v;
  return null;
}
