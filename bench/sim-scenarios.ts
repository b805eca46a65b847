/**
 * Scenario windows for the simulator tests and the sim bench: a part of the committed
 * fleet day moved to start at 0 s, so a short run still has arrivals, a module failure
 * and a grid-limit step without simulating the quiet hours before them.
 */
import type { Scenario, ScenarioEvent } from "../host-sim/scenario/types";

/**
 * Events with fromS <= atS < toS, shifted by -fromS. The cabinet starts empty, so a stop or
 * unplug of a session that began before the window is dropped; the grid limit, external
 * limits and priorities in force at fromS are re-applied at 0 s; a fault clear past the
 * end is dropped (the fault stays, as with trimScenario).
 */
export function windowScenario(scenario: Scenario, fromS: number, toS: number): Scenario {
  const durationS = toS - fromS;
  const head: ScenarioEvent[] = [];
  const lastGrid = [...scenario.events].reverse().find((e) => e.type === "gridLimit" && e.atS < fromS);
  if (lastGrid) head.push({ ...lastGrid, atS: 0 } as ScenarioEvent);
  const standing = new Map<string, ScenarioEvent>();
  for (const e of scenario.events) {
    if (e.atS >= fromS) break;
    if (e.type === "externalLimit" || e.type === "priority") standing.set(`${e.type}:${e.gun}`, { ...e, atS: 0 });
  }
  head.push(...standing.values());
  const plugged = new Set<number>();
  const body: ScenarioEvent[] = [];
  for (const e of scenario.events) {
    if (e.atS < fromS || e.atS >= toS) continue;
    const atS = Math.round((e.atS - fromS) * 1000) / 1000;
    if (e.type === "plug") plugged.add(e.gun);
    if ((e.type === "unplug" || e.type === "stop") && !plugged.has(e.gun)) continue;
    if (e.type === "unplug") plugged.delete(e.gun);
    const copy = JSON.parse(JSON.stringify({ ...e, atS })) as ScenarioEvent;
    if (copy.type === "fault" && copy.clearAtS !== undefined) {
      if (copy.clearAtS >= toS) delete copy.clearAtS;
      else copy.clearAtS = Math.round((copy.clearAtS - fromS) * 1000) / 1000;
    }
    body.push(copy);
  }
  return { ...scenario, name: `${scenario.name ?? "scenario"} ${fromS}-${toS} s`, durationS, events: [...head, ...body] };
}

/** The committed fleet day's start of the window used by the tests and `bench sim --quick`. */
export const FLEET_WINDOW_FROM_S = 67200;
export const FLEET_WINDOW_TO_S = 69660;
/** When the moved grid step (360 -> 200 kW) happens in the window. */
export const GRID_STEP_AT_S = 1900;

/**
 * 41 minutes of the fleet day (18:40-19:21): eight arrivals, a session that starts and ends
 * inside (gun 1, 18:41-19:20), users' and EVs' stops, and the 19:18 failure of M2_0 just
 * after gun 2 starts on it. The fleet day's 17:00 grid step (360 -> 200 kW) is moved to
 * 19:12 (1900 s in), when six EVs are charging, so the window also has a grid-limit step
 * down that bites.
 */
export function fleetWindowScenario(fleetDay: Scenario): Scenario {
  const w = windowScenario(fleetDay, FLEET_WINDOW_FROM_S, FLEET_WINDOW_TO_S);
  const events = w.events.filter((e) => !(e.type === "gridLimit" && e.atS === 0));
  const gridStep = { type: "gridLimit", atS: GRID_STEP_AT_S, kW: 200 } as ScenarioEvent;
  const at = events.findIndex((e) => e.atS > GRID_STEP_AT_S);
  events.splice(at < 0 ? events.length : at, 0, gridStep);
  return { ...w, name: "fleet-day window (18:40-19:21, grid step at 19:12)", events };
}
