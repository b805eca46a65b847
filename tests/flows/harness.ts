/**
 * End-to-end flow harness: the real controller (sessions, limits, planner,
 * sequencer, supervisor, scheduler) on the host HAL over the simulated plant, in
 * simulated time with 1 ms steps. It records what the controller commands
 * (contactor coils, module commands), what the plant does (main-contact moves,
 * aux readings), the session events, and one entry per control cycle (the plan).
 */
import { builtinDocument, parseCabinetConfig, type CabinetConfig } from "../../src/config";
import type { Plan } from "../../src/planner/types";
import type { SessionEvent } from "../../src/sessions/types";
import type { ModuleCommand } from "../../hal/power-modules";
import { createSimCabinet, type SimCabinet } from "../../host-sim/sim-cabinet";
import type { EvSpec } from "../../host-sim/plant/ev";

export const EV400: EvSpec = { batteryKWh: 77, socPct: 30, targetSocPct: 80, maxPowerKW: 135, packVoltageV: 400 };
export const EV800: EvSpec = { batteryKWh: 84, socPct: 20, targetSocPct: 80, maxPowerKW: 230, packVoltageV: 800 };

export interface ContactorCommandRecord {
  atMs: number;
  id: string;
  closed: boolean;
  /** The aux reading of every contactor named in `watchContactors` at the moment of the command. */
  auxClosed: Record<string, boolean>;
  /** Current through the contactor's main contacts at the moment of the command (plant, A). */
  currentA: number;
  /** GC commands only: plant voltages across the GC at the moment of the command (true values). */
  busV?: number;
  evSideV?: number;
  /** GC commands only: modules whose output stage runs at that moment. */
  runningModules?: string[];
}

export interface ModuleCommandRecord extends ModuleCommand {
  atMs: number;
  id: string;
}

export interface PlanRecord {
  atMs: number;
  plan: Plan;
}

export interface Sample {
  atMs: number;
  /** Gun current measured by the plant (A, true value). */
  currentA: number;
  /** Current limit the sequencer offers the EV (A). */
  offeredA: number;
}

export interface FlowRig {
  cab: SimCabinet;
  config: CabinetConfig;
  contactorCmds: ContactorCommandRecord[];
  moduleCmds: ModuleCommandRecord[];
  sessionEvents: SessionEvent[];
  plans: PlanRecord[];
  /** Per-millisecond samples of the watched guns. */
  samples: Map<number, Sample[]>;
  now(): number;
  runUntil(ms: number): void;
  /** Runs until the predicate holds (checked every step); fails the test after maxMs. */
  runUntilTrue(what: string, predicate: () => boolean, maxMs: number): number;
  eventsOf(gunId: number): SessionEvent[];
  /** Plans made at or after `atMs` (each is one control cycle). */
  plansFrom(atMs: number): PlanRecord[];
  gunPlan(record: PlanRecord, gunId: number): Plan["guns"][number] | undefined;
}

export interface FlowRigOptions {
  config?: CabinetConfig | string;
  seed?: number;
  /** Guns whose current is sampled every step. */
  watchGuns?: number[];
  /** Contactors whose aux is captured with every contactor command. */
  watchContactors?: string[];
  /** Free vend token, or null so that sessions ask for authorization (seed 003 AuthRequired). */
  autoAuthorizeToken?: string | null;
  /** When authorization is required: authorize every AuthRequired at once with this token. */
  authorizeWith?: string;
  policy?: Partial<CabinetConfig["policy"]>;
}

export function loadConfig(name: string, policy: Partial<CabinetConfig["policy"]> = {}): CabinetConfig {
  const doc = builtinDocument(name) as { policy?: Record<string, unknown> };
  doc.policy = { ...(doc.policy ?? {}), ...policy };
  return parseCabinetConfig(doc);
}

export function flowRig(options: FlowRigOptions = {}): FlowRig {
  const config = typeof options.config === "object" ? options.config : loadConfig(options.config ?? "ring-12x2", options.policy);
  const cab = createSimCabinet({ config, seed: options.seed ?? 3, stepMs: 1, autoAuthorizeToken: options.autoAuthorizeToken });
  const { sim, controller } = cab;
  const now = () => sim.hal.clock.nowMs();
  const watchContactors = options.watchContactors ?? [];
  const contactorCmds: ContactorCommandRecord[] = [];
  const moduleCmds: ModuleCommandRecord[] = [];
  const sessionEvents: SessionEvent[] = [];
  const plans: PlanRecord[] = [];
  const samples = new Map<number, Sample[]>();

  const bank = sim.hal.contactors;
  const command = bank.command.bind(bank);
  bank.command = (id: string, closed: boolean) => {
    const auxClosed: Record<string, boolean> = {};
    for (const w of watchContactors) auxClosed[w] = sim.plant.contactor(w).auxClosed;
    const record: ContactorCommandRecord = { atMs: now(), id, closed, auxClosed, currentA: Math.abs(sim.plant.contactorCurrentA(id)) };
    const gun = sim.plant.guns.find((g) => g.gcId === id);
    if (gun) {
      record.busV = sim.plant.nodeVoltageV[gun.busNode];
      record.evSideV = sim.plant.nodeVoltageV[gun.evNode];
      record.runningModules = sim.plant.modules.filter((m) => m.running).map((m) => m.id);
    }
    contactorCmds.push(record);
    command(id, closed);
  };
  const bus = sim.hal.modules;
  const moduleCommand = bus.command.bind(bus);
  bus.command = (id: string, cmd: ModuleCommand) => {
    moduleCmds.push({ atMs: now(), id, ...cmd });
    moduleCommand(id, cmd);
  };
  controller.subscribe((event) => {
    sessionEvents.push(event);
    if (event.type === "AuthRequired" && options.authorizeWith) controller.sessions.authorize(event.gunId, options.authorizeWith);
  });
  for (const g of options.watchGuns ?? []) samples.set(g, []);
  sim.runner.onStep((atMs) => {
    const p = controller.plan();
    if (p && (plans.length === 0 || plans[plans.length - 1].plan !== p)) plans.push({ atMs, plan: p });
    for (const [g, list] of samples) {
      list.push({ atMs, currentA: sim.plant.gun(g).currentA, offeredA: controller.safety.sequencer.allowedCurrentA(g) });
    }
  });

  return {
    cab,
    config,
    contactorCmds,
    moduleCmds,
    sessionEvents,
    plans,
    samples,
    now,
    runUntil: (ms) => sim.runner.runUntil(ms),
    runUntilTrue(what, predicate, maxMs) {
      const end = now() + maxMs;
      sim.runner.runUntil(end, predicate);
      if (!predicate()) throw new Error(`flow: ${what} did not happen within ${maxMs} ms (now ${now()} ms)`);
      return now();
    },
    eventsOf: (gunId) => sessionEvents.filter((e) => e.gunId === gunId),
    plansFrom: (atMs) => plans.filter((p) => p.atMs >= atMs),
    gunPlan: (record, gunId) => record.plan.guns.find((g) => g.id === gunId),
  };
}

/** The first contactor command matching, at or after `fromMs`. */
export function firstCommand(rig: FlowRig, id: string, closed: boolean, fromMs = 0): ContactorCommandRecord | undefined {
  return rig.contactorCmds.find((c) => c.id === id && c.closed === closed && c.atMs >= fromMs);
}

/** The last contactor command matching, at or before `toMs`. */
export function lastCommand(rig: FlowRig, id: string, closed: boolean, toMs = Infinity): ContactorCommandRecord | undefined {
  const list = rig.contactorCmds.filter((c) => c.id === id && c.closed === closed && c.atMs <= toMs);
  return list[list.length - 1];
}

/** Plugs an EV and runs until the gun is CHARGING with its GC closed (aux), returning that time. */
export function plugAndCharge(rig: FlowRig, gunId: number, ev: EvSpec = EV400, maxMs = 15_000): number {
  rig.cab.sim.plant.plug(gunId, ev);
  return rig.runUntilTrue(`gun ${gunId} charging`, () => rig.cab.controller.sessions.view(gunId)?.state === "CHARGING", maxMs);
}

/** Runs until the gun carries at least `currentA` (plant truth). */
export function runUntilCurrent(rig: FlowRig, gunId: number, currentA: number, maxMs = 10_000): number {
  return rig.runUntilTrue(`gun ${gunId} at ${currentA} A`, () => rig.cab.sim.plant.gun(gunId).currentA >= currentA, maxMs);
}

/** Violations of DESIGN.md §5 seen by the independent observer, as text (empty when none). */
export function observerViolations(rig: FlowRig): string[] {
  return rig.cab.sim.observer.violations.map((v) => `${v.atMs} ms §5.${v.invariant} ${v.kind} ${v.subject}: ${v.details}`);
}
