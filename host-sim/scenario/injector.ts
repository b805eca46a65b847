import type { CabinetPlant } from "../plant/plant";
import type { ControllerCommands, Scenario, ScenarioEvent } from "./types";

export interface AppliedEvent {
  atMs: number;
  /** What happened, in words (for the dashboard's event log and reports). */
  text: string;
  event: ScenarioEvent | null;
}

/** What apply() returns when nothing was due (shared and frozen: no allocation per step). */
const NOTHING_APPLIED: readonly AppliedEvent[] = Object.freeze([]);

interface Action {
  atMs: number;
  order: number;
  run: () => string;
  event: ScenarioEvent | null;
}

/**
 * Applies a scenario's events at their simulated times: plug, unplug, EV stops
 * and faults to the plant; grid/external limits, priorities and user stops to
 * the controller through ControllerCommands. Call apply() every step.
 */
export class EventInjector {
  readonly applied: AppliedEvent[] = [];
  private readonly actions: Action[] = [];
  private cursor = 0;

  constructor(scenario: Scenario, private readonly plant: CabinetPlant, private readonly commands: ControllerCommands) {
    let order = 0;
    for (const event of scenario.events) {
      const atMs = Math.round(event.atS * 1000);
      if (event.type === "fault") {
        let handle = 0;
        this.actions.push({ atMs, order: order++, event, run: () => {
          handle = this.plant.injectFault(event.kind, event.target ?? null);
          return `fault ${event.kind}${event.target !== undefined && event.target !== null ? ` on ${event.target}` : ""} injected`;
        } });
        if (event.clearAtS !== undefined) {
          this.actions.push({ atMs: Math.round(event.clearAtS * 1000), order: order++, event: null, run: () => {
            this.plant.clearFault(handle);
            return `fault ${event.kind}${event.target !== undefined && event.target !== null ? ` on ${event.target}` : ""} cleared`;
          } });
        }
      } else {
        this.actions.push({ atMs, order: order++, event, run: () => this.dispatch(event) });
      }
    }
    this.actions.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
  }

  /** Applies everything due by nowMs; returns what was applied in this call. */
  apply(nowMs: number): readonly AppliedEvent[] {
    // Called every step; most steps apply nothing and allocate nothing.
    if (this.cursor >= this.actions.length || this.actions[this.cursor].atMs > nowMs) return NOTHING_APPLIED;
    const out: AppliedEvent[] = [];
    while (this.cursor < this.actions.length && this.actions[this.cursor].atMs <= nowMs) {
      const action = this.actions[this.cursor++];
      const record = { atMs: nowMs, text: action.run(), event: action.event };
      this.applied.push(record);
      out.push(record);
    }
    return out;
  }

  /** Events still to come. */
  get pending(): number {
    return this.actions.length - this.cursor;
  }

  private dispatch(event: Exclude<ScenarioEvent, { type: "fault" }>): string {
    switch (event.type) {
      case "plug":
        this.plant.plug(event.gun, event.ev);
        return `EV plugged into gun ${event.gun}: ${event.ev.batteryKWh} kWh ${event.ev.packVoltageV} V, ${event.ev.socPct}% -> ${event.ev.targetSocPct}%, max ${event.ev.maxPowerKW} kW`;
      case "unplug":
        this.plant.unplug(event.gun);
        return `EV unplugged from gun ${event.gun}`;
      case "stop":
        if (event.by === "ev") {
          this.plant.evStop(event.gun);
          return `EV on gun ${event.gun} requests stop`;
        }
        this.commands.stopSession(event.gun);
        return `user stops the session on gun ${event.gun}`;
      case "gridLimit":
        this.commands.setGridLimit(event.kW);
        return `grid limit ${event.kW} kW`;
      case "externalLimit":
        this.commands.setExternalLimit(event.gun, event.kW);
        return event.kW === null ? `external limit on gun ${event.gun} removed` : `external limit on gun ${event.gun}: ${event.kW} kW`;
      case "priority":
        this.commands.setPriority(event.gun, event.value);
        return `priority of gun ${event.gun}: ${event.value}`;
    }
  }
}

/** Commands that only record what was asked (for runs without a controller, and tests). */
export class RecordingCommands implements ControllerCommands {
  readonly calls: string[] = [];
  setGridLimit(kW: number): void {
    this.calls.push(`gridLimit ${kW}`);
  }
  setExternalLimit(gunId: number, kW: number | null): void {
    this.calls.push(`externalLimit ${gunId} ${kW}`);
  }
  setPriority(gunId: number, priority: number): void {
    this.calls.push(`priority ${gunId} ${priority}`);
  }
  stopSession(gunId: number): void {
    this.calls.push(`stop ${gunId}`);
  }
}
