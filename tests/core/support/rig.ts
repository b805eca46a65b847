/**
 * Test rig: a fake plant with the real safety core on top, a hand-made plan
 * builder (the planner is written elsewhere) and a tick loop that runs the
 * supervisor and the sequencer every 10 ms of simulated time.
 */
import type { CabinetConfig } from "../../../src/config";
import type { ContactorPosition, GunPlan, Plan } from "../../../src/planner/types";
import { createSafetyCore, type SafetyCore } from "../../../src/safety";
import { ContactorSequencer, type SafetyView, type Step, type Violation } from "../../../src/sequencer";
import { SafetySupervisor } from "../../../src/safety/supervisor";
import { ContactorHealth } from "../../../src/contactors/health";
import { EventLog } from "../../../src/events/event-log";
import { FaultRegistry } from "../../../src/safety/faults";
import { FakePlant, type PlantOptions } from "./fake-plant";

export interface GunSpec {
  gunId: number;
  /** Ring slots of the island; default [gun's slot]. */
  slots?: number[];
  /** Default: the first module of the gun's slot. */
  modules?: string[];
  currentLimitA?: number;
  voltageV?: number;
}

/** A plan as the planner would make it: islands isolated, other MCs per the idle policy. */
export function planFor(config: CabinetConfig, specs: GunSpec[], nowMs = 0): Plan {
  const contactors: Record<string, ContactorPosition> = {};
  const idleMc: ContactorPosition = specs.length === 0 && config.policy.idleRingMc === "open" ? "open" : "closed";
  for (const s of config.slots) {
    contactors[s.mc] = idleMc;
    for (const m of s.modules) contactors[m.mn] = "open";
  }
  for (const g of config.guns) contactors[g.gc] = "open";
  const guns: GunPlan[] = [];
  for (const spec of specs) {
    const gun = config.guns.find((g) => g.id === spec.gunId)!;
    const slots = spec.slots ?? [gun.slotId!];
    const slotCfg = config.slots.find((s) => s.id === gun.slotId)!;
    const modules = spec.modules ?? [slotCfg.modules[0].id];
    for (const s of slots) {
      const slot = config.slots.find((x) => x.id === s)!;
      const ccw = config.slots.find((x) => x.id === slot.ccw)!;
      if (!slots.includes(slot.cw)) contactors[slot.mc] = "open";
      else contactors[slot.mc] = "closed";
      if (!slots.includes(ccw.id)) contactors[ccw.mc] = "open";
      for (const m of slot.modules) contactors[m.mn] = modules.includes(m.id) ? "closed" : "open";
    }
    contactors[gun.gc] = "closed";
    guns.push({
      id: spec.gunId, clampedRequestKW: 60, budgetKW: 60, setpointKW: 60, modules, islandSlots: slots,
      voltageSetpointV: spec.voltageV ?? 0, currentLimitA: spec.currentLimitA ?? 100, reason: null,
    });
  }
  return { nowMs, guns, contactors, modulesOn: guns.flatMap((g) => g.modules), totalKW: 0, capacityKW: 720, repartition: [], moduleOnSinceMs: {} };
}

export interface RigOptions extends PlantOptions {
  /** Replace the §5 step check (mutation tests only). */
  check?: (view: SafetyView, step: Step) => Violation | null;
}

export class Rig {
  readonly plant: FakePlant;
  readonly core: SafetyCore;
  plan: Plan;
  readonly periodMs = 10;

  constructor(options: RigOptions = {}) {
    this.plant = new FakePlant(options);
    const config = this.plant.config;
    if (options.check) {
      const hal = this.plant.hal;
      const events = new EventLog(2048);
      const health = new ContactorHealth({ index: this.plant.index, bank: hal.contactors, storage: hal.storage, clock: hal.clock, events });
      const faults = new FaultRegistry({ clock: hal.clock, events });
      const sequencer = new ContactorSequencer({ config, index: this.plant.index, ...hal, events, health, faults, check: options.check });
      const supervisor = new SafetySupervisor({ sequencer, ...hal });
      this.core = { events, health, faults, sequencer, supervisor };
    } else {
      this.core = createSafetyCore({ config, index: this.plant.index, hal: this.plant.hal, eventCapacity: 2048 });
    }
    this.plan = planFor(config, []);
  }

  get seq(): ContactorSequencer {
    return this.core.sequencer;
  }

  get sup(): SafetySupervisor {
    return this.core.supervisor;
  }

  /** One fast tick: time passes, supervisor, sequencer (the main loop's order). */
  tick(): void {
    this.plant.advance(this.periodMs);
    this.core.supervisor.tick();
    this.core.sequencer.step(this.plan);
    this.plant.settle();
  }

  run(ms: number): void {
    for (let t = 0; t < ms; t += this.periodMs) this.tick();
  }

  /** Run until the predicate holds (checked after each tick); returns the elapsed ms or throws. */
  until(predicate: () => boolean, maxMs: number, what: string): number {
    const start = this.plant.nowMs;
    while (!predicate()) {
      if (this.plant.nowMs - start > maxMs) throw new Error(`timed out after ${maxMs} ms waiting for ${what}; gun statuses: ${JSON.stringify(this.seq.gunStatuses().filter((g) => g.phase !== "idle"))}; faults: ${this.sup.faults().map((f) => f.kind + "@" + f.location).join(" ")}`);
      this.tick();
    }
    return this.plant.nowMs - start;
  }

  phase(gunId: number): string {
    return this.seq.gunStatus(gunId).phase;
  }

  /** Plug an EV and plan a one-slot island for it, then run until it charges. */
  startCharging(specs: GunSpec[], ev: Parameters<FakePlant["plug"]>[1] = {}): number {
    for (const s of specs) this.plant.plug(s.gunId, ev);
    this.plan = planFor(this.plant.config, specs, this.plant.nowMs);
    return this.until(() => specs.every((s) => this.phase(s.gunId) === "charging" && this.plant.gunCurrentA(s.gunId) > 10), 3000, "charging");
  }
}
