/**
 * Scenario windows for the simulator tests and the sim bench: a part of the committed
 * fleet day moved to start at 0 s, so a short run still has arrivals, a module failure
 * and a grid-limit step without simulating the quiet hours before them.
 */
import type { Scenario, ScenarioEvent } from "../host-sim/scenario/types";
import { windowScenario } from "../host-sim/scenario/window";

export { windowScenario };

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
