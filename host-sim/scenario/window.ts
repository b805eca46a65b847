/**
 * A window of a scenario, moved to start at 0 s: `npm run sim -- <file> --window FROM:TO`,
 * the simulator tests and the sim bench run a part of the fleet day without simulating
 * the hours before it. Platform-free.
 */
import type { Scenario, ScenarioEvent } from "./types";

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
