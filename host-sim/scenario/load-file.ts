import * as fs from "node:fs";
import { formatScenarioIssue, validateScenario, type ScenarioResult } from "./validate";

/** Node only: reads and validates a scenario file. Errors name the file, the field and the value. */
export function loadScenarioFile(file: string): ScenarioResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    return { ok: false, issues: [{ path: file, message: `cannot read: ${(error as Error).message}` }] };
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, issues: [{ path: file, message: `not valid JSON: ${(error as Error).message}` }] };
  }
  return validateScenario(document);
}

export function describeScenarioIssues(result: ScenarioResult): string {
  return result.ok ? "ok" : result.issues.map(formatScenarioIssue).join("\n");
}
