/**
 * Node only: regenerates host-sim/scenarios/fleet-day.json.
 *   node -r ts-node/register host-sim/scenario/write-fleet-day.ts [seed]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { generateFleetDay } from "./fleet-day";
import { formatScenario, formatScenarioIssue, validateScenario } from "./validate";

export const FLEET_DAY_SEED = 20261121;

const seed = Number(process.argv[2] ?? FLEET_DAY_SEED);
const scenario = generateFleetDay({ seed });
const result = validateScenario(scenario);
if (!result.ok) {
  console.error(result.issues.map(formatScenarioIssue).join("\n"));
  process.exit(1);
}
const out = path.join(__dirname, "..", "scenarios", "fleet-day.json");
fs.writeFileSync(out, formatScenario(scenario));
console.log(`wrote ${out}: ${scenario.events.filter((e) => e.type === "plug").length} sessions, ${scenario.events.length} events`);
