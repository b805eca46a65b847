/**
 * The fixed, seeded bench set: sequences of observations that evolve like a site does
 * (sessions arrive and leave, requests drift, modules warm up and fail, the grid limit
 * steps). Same seed, same set, on every machine. Platform-free (also bundled into XS).
 */
import type { CabinetConfig } from "../../src/config";
import type { PlanObservation } from "../../src/planner";

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SnapshotOptions {
  sequences: number;
  steps: number;
  seed: number;
  /** Largest request drawn (kW). */
  maxRequestKW: number;
  /** Temperatures drawn (derating above 65 °C); matrix optimum needs equal module powers. */
  derating: boolean;
  gridChoicesKW: number[];
}

/** Sequences of observations for one cabinet; each sequence starts from scratch. */
export function benchSequences(config: CabinetConfig, o: SnapshotOptions): PlanObservation[][] {
  const random = rng(o.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const moduleIds = config.topology === "ring" ? config.slots.flatMap((s) => s.modules.map((m) => m.id)) : (config.matrix?.modules ?? []).map((m) => m.id);
  const out: PlanObservation[][] = [];
  for (let s = 0; s < o.sequences; s++) {
    let gridKW = pick(o.gridChoicesKW);
    const guns = config.guns.map((g) => ({
      id: g.id,
      active: random() < 0.5,
      requestKW: 5 + random() * (o.maxRequestKW - 5),
      priority: random() < 0.15 ? 1 + Math.floor(random() * 2) : 0,
      evVoltageV: pick([400, 600, 800, 950]),
      limitKW: random() < 0.1 ? 20 + Math.floor(random() * 80) : null,
    }));
    const modules = moduleIds.map((id) => ({ id, healthy: random() > 0.05, tempC: o.derating ? 25 + random() * 50 : 25, hours: Math.floor(random() * 5000) }));
    const sequence: PlanObservation[] = [];
    for (let step = 0; step < o.steps; step++) {
      if (step > 0) {
        if (random() < 0.05) gridKW = pick(o.gridChoicesKW);
        for (const g of guns) {
          if (random() < 0.08) {
            g.active = !g.active;
            g.requestKW = 5 + random() * (o.maxRequestKW - 5);
          } else {
            g.requestKW = Math.max(0, g.requestKW * (0.92 + random() * 0.16));
          }
        }
        for (const m of modules) {
          if (random() < 0.01) m.healthy = !m.healthy;
          if (o.derating) m.tempC = Math.min(90, Math.max(20, m.tempC + (random() - 0.5) * 4));
        }
      }
      sequence.push({
        nowMs: step * 1000,
        guns: guns.map((g) => ({
          id: g.id,
          active: g.active,
          charging: g.active && step > 0,
          requestKW: Math.round(g.requestKW * 10) / 10,
          evVoltageV: g.evVoltageV,
          measuredVoltageV: g.evVoltageV,
          priority: g.priority,
          externalLimitKW: g.limitKW,
        })),
        modules: modules.map((m) => ({ id: m.id, healthy: m.healthy, tempC: Math.round(m.tempC * 10) / 10, operatingHours: m.hours })),
        contactorFaults: {},
        gridLimitKW: gridKW,
        siteExternalLimitKW: null,
      });
    }
    out.push(sequence);
  }
  return out;
}
