/**
 * The power path as a graph: bus nodes joined by contactors. Ring: slot buses
 * "S<slot>", module outputs "M<id>", EV sides "G<gun>"; MC joins two slot buses,
 * MN a module to its slot bus, GC a slot bus to its EV. Matrix: gun buses "B<gun>";
 * MX joins a module to a gun bus, GC a gun bus to its EV. Electrically connected
 * parts are the components over closed (or possibly closed) contactors.
 */
import type { CabinetIndex, ContactorKind } from "../config/cabinet-index";

export interface PowerEdge {
  id: string;
  kind: ContactorKind;
  a: number;
  b: number;
}

export interface PowerGraph {
  readonly nodeNames: readonly string[];
  readonly edges: readonly PowerEdge[];
  readonly edgeById: ReadonlyMap<string, PowerEdge>;
  /** Node where each gun's island voltage lives (ring: its slot bus; matrix: its gun bus). */
  readonly gunBusNode: ReadonlyMap<number, number>;
  readonly gunNode: ReadonlyMap<number, number>;
  readonly moduleNode: ReadonlyMap<string, number>;
  readonly slotNode: ReadonlyMap<number, number>;
  /** Inverse maps for reporting. */
  readonly nodeGun: ReadonlyMap<number, number>;
  readonly nodeModule: ReadonlyMap<number, string>;
  readonly nodeSlot: ReadonlyMap<number, number>;
  readonly gcOfGun: ReadonlyMap<number, string>;
  /** MN (ring) or MX (matrix) contactors of each module. */
  readonly moduleEdges: ReadonlyMap<string, readonly string[]>;
}

export function buildPowerGraph(index: CabinetIndex): PowerGraph {
  const names: string[] = [];
  const add = (name: string): number => {
    names.push(name);
    return names.length - 1;
  };
  const slotNode = new Map<number, number>();
  const moduleNode = new Map<string, number>();
  const gunNode = new Map<number, number>();
  const gunBusNode = new Map<number, number>();
  const config = index.config;
  if (config.topology === "ring") for (const s of config.slots) slotNode.set(s.id, add(`S${s.id}`));
  for (const m of index.modules) moduleNode.set(m.id, add(`M${m.id}`));
  for (const g of config.guns) {
    gunNode.set(g.id, add(`G${g.id}`));
    if (config.topology === "ring") {
      const s = slotNode.get(g.slotId ?? -1);
      if (s !== undefined) gunBusNode.set(g.id, s);
    } else {
      gunBusNode.set(g.id, add(`B${g.id}`));
    }
  }
  const edges: PowerEdge[] = [];
  const gcOfGun = new Map<number, string>();
  for (const c of index.contactors) {
    let a: number | undefined;
    let b: number | undefined;
    if (c.kind === "MC") {
      a = slotNode.get(c.slotId ?? -1);
      b = slotNode.get(c.cwSlotId ?? -1);
    } else if (c.kind === "MN") {
      a = moduleNode.get(c.moduleId ?? "");
      b = slotNode.get(c.slotId ?? -1);
    } else if (c.kind === "MX") {
      a = moduleNode.get(c.moduleId ?? "");
      b = gunBusNode.get(c.gunId ?? -1);
    } else {
      a = gunBusNode.get(c.gunId ?? -1);
      b = gunNode.get(c.gunId ?? -1);
      if (c.gunId !== undefined) gcOfGun.set(c.gunId, c.id);
    }
    if (a !== undefined && b !== undefined) edges.push({ id: c.id, kind: c.kind, a, b });
  }
  const moduleEdges = new Map<string, string[]>();
  for (const e of edges) {
    if (e.kind !== "MN" && e.kind !== "MX") continue;
    const m = [...moduleNode].find(([, n]) => n === e.a)?.[0];
    if (m !== undefined) moduleEdges.set(m, [...(moduleEdges.get(m) ?? []), e.id]);
  }
  const invert = <K>(m: Map<K, number>) => new Map([...m].map(([k, v]) => [v, k] as [number, K]));
  return {
    nodeNames: names,
    edges,
    edgeById: new Map(edges.map((e) => [e.id, e])),
    gunBusNode,
    gunNode,
    moduleNode,
    slotNode,
    nodeGun: invert(gunNode),
    nodeModule: invert(moduleNode),
    nodeSlot: invert(slotNode),
    gcOfGun,
    moduleEdges,
  };
}

/** Component representative of every node, given which contactors conduct. */
export function components(graph: PowerGraph, conducts: (id: string) => boolean): Int32Array {
  const parent = new Int32Array(graph.nodeNames.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const e of graph.edges) {
    if (!conducts(e.id)) continue;
    const ra = find(e.a);
    const rb = find(e.b);
    if (ra !== rb) parent[ra] = rb;
  }
  for (let i = 0; i < parent.length; i++) parent[i] = find(i);
  return parent;
}

/**
 * The bus nodes of an island: ring -> its slots; matrix -> its gun bus.
 * Returns null (with a reason) when the slots do not make sense for this cabinet.
 */
export function islandBusNodes(graph: PowerGraph, index: CabinetIndex, gunId: number, islandSlots: readonly number[]): number[] | string {
  if (index.config.topology === "matrix") {
    const b = graph.gunBusNode.get(gunId);
    return b === undefined ? `gun ${gunId} is not in the cabinet` : [b];
  }
  const gun = index.gunById.get(gunId);
  if (!gun) return `gun ${gunId} is not in the cabinet`;
  const slots = islandSlots.length > 0 ? islandSlots : [gun.slotId ?? -1];
  const nodes: number[] = [];
  for (const s of slots) {
    const n = graph.slotNode.get(s);
    if (n === undefined) return `island slot ${s} is not in the cabinet`;
    nodes.push(n);
  }
  if (!slots.includes(gun.slotId ?? -1)) return `island slots [${slots.join(",")}] do not hold gun ${gunId}'s slot ${gun.slotId}`;
  return nodes;
}

/**
 * Contactor positions an island needs: every contactor with both ends inside the
 * island (its buses and its modules) closed, every other contactor touching it
 * open. GCs are left out: the sequencer closes the GC only after precharge.
 */
export function islandRequirements(graph: PowerGraph, busNodes: readonly number[], moduleIds: readonly string[]): Map<string, boolean> {
  const inside = new Set<number>(busNodes);
  for (const m of moduleIds) {
    const n = graph.moduleNode.get(m);
    if (n !== undefined) inside.add(n);
  }
  const out = new Map<string, boolean>();
  for (const e of graph.edges) {
    if (e.kind === "GC") continue;
    const ia = inside.has(e.a);
    const ib = inside.has(e.b);
    if (ia && ib) out.set(e.id, true);
    else if (ia || ib) out.set(e.id, false);
  }
  return out;
}
