/**
 * npm run sim -- <scenario.json> [--report out.json] [--step-ms N] [--window FROM:TO] [--quiet]
 * Runs a scenario headless, as fast as the machine allows, with the real
 * controller on the simulated plant; prints a summary (and writes the JSON report).
 * Exit code 1 when the scenario is invalid or an invariant was violated.
 */
import * as fs from "fs";
import { describeScenarioIssues, loadScenarioFile } from "../scenario/load-file";
import { buildRunReport, type RunReport } from "../run-report";
import { createSimCabinet } from "../sim-cabinet";
import { windowScenario } from "../scenario/window";

interface Window {
  fromS: number;
  toS: number;
}

function parseArgs(argv: string[]): { file: string; report: string | null; stepMs: number | null; window: Window | null; quiet: boolean } | string {
  let file: string | null = null;
  let window: Window | null = null;
  let report: string | null = null;
  let stepMs: number | null = null;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--report") report = argv[++i] ?? null;
    else if (a === "--step-ms") {
      stepMs = Number(argv[++i]);
      if (!Number.isInteger(stepMs) || stepMs < 1 || stepMs > 100) return `--step-ms: must be an integer 1..100, got ${argv[i]}`;
    } else if (a === "--window") {
      const text = argv[++i] ?? "";
      const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(text);
      const fromS = match ? Number(match[1]) : NaN;
      const toS = match ? Number(match[2]) : NaN;
      if (!(toS > fromS)) return `--window: must be FROM:TO in seconds with FROM < TO, got ${JSON.stringify(text)}`;
      window = { fromS, toS };
    } else if (a === "--quiet") quiet = true;
    else if (a.startsWith("--")) return `unknown option ${a}`;
    else file = a;
  }
  if (!file) return "usage: npm run sim -- <scenario.json> [--report out.json] [--step-ms N] [--window FROM:TO] [--quiet]";
  if (report === null && argv.includes("--report")) return "--report: needs a file name";
  return { file, report, stepMs, window, quiet };
}

function summary(r: RunReport): string {
  const lines = [
    `scenario ${r.scenario}: ${r.simulatedS.toFixed(0)} s simulated in ${r.wallS.toFixed(1)} s (${(r.simulatedS / Math.max(1e-9, r.wallS)).toFixed(0)}x)`,
    `energy ${r.energyKWh.toFixed(1)} kWh delivered; finished sessions got ${(100 * r.deliveredVsAskedRatio).toFixed(1)} % of the ${r.askedKWh.toFixed(1)} kWh they asked for, ` +
      `${r.sessionsCompleted} sessions completed, ${r.sessionsReachedTarget} reached target SOC`,
    `time to target SOC: mean ${r.timeToTargetS.mean === null ? "-" : (r.timeToTargetS.mean / 60).toFixed(1) + " min"}, ` +
      `p95 ${r.timeToTargetS.p95 === null ? "-" : (r.timeToTargetS.p95 / 60).toFixed(1) + " min"}`,
    `module-on hours ${r.moduleOnHours.toFixed(1)}, contactor operations ${r.contactorOperations}, ` +
      `breaks under load ${r.breaksUnderLoad.total} (${r.breaksUnderLoad.emergency} emergency)`,
    `faults: ${r.faults.map((f) => `${f.kind}${f.target !== null ? " " + f.target : ""} ${f.reactionMs === null ? "(no hazard seen)" : f.reactionMs + " ms" + (f.met === false ? " LATE" : "")}`).join(", ") || "none"}`,
    `invariant violations: ${r.invariantViolations.length}`,
  ];
  for (const v of r.invariantViolations.slice(0, 10)) lines.push(`  §5.${v.invariant} at ${(v.atMs / 1000).toFixed(2)} s: ${v.kind} ${v.subject}: ${v.details}`);
  return lines.join("\n");
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === "string") {
    console.error(args);
    return 2;
  }
  const loaded = loadScenarioFile(args.file);
  if (!loaded.ok) {
    console.error(describeScenarioIssues(loaded));
    return 1;
  }
  if (args.window && args.window.toS > loaded.scenario.durationS) {
    console.error(`--window: ends at ${args.window.toS} s, after the scenario's durationS ${loaded.scenario.durationS}`);
    return 2;
  }
  // A window starts with an empty cabinet (sessions begun before it are dropped; limits and
  // priorities in force are re-applied at 0 s): see host-sim/scenario/window.ts.
  const scenario = args.window ? windowScenario(loaded.scenario, args.window.fromS, args.window.toS) : loaded.scenario;
  const cabinet = createSimCabinet({ config: loaded.config, seed: scenario.seed, scenario, stepMs: args.stepMs ?? scenario.stepMs ?? 10 });
  const endMs = scenario.durationS * 1000;
  const started = Date.now();
  const tty = process.stderr.isTTY && !args.quiet;
  const sliceMs = Math.max(1000, Math.round(endMs / 200));
  for (let t = 0; t < endMs; ) {
    t = Math.min(endMs, t + sliceMs);
    cabinet.sim.runner.runUntil(t);
    if (tty) {
      const done = t / endMs;
      const bar = "#".repeat(Math.round(done * 40)).padEnd(40, ".");
      process.stderr.write(`\r[${bar}] ${(done * 100).toFixed(0).padStart(3)} %  ${(t / 1000).toFixed(0)} s`);
    }
  }
  if (tty) process.stderr.write("\n");
  const report = buildRunReport(cabinet, scenario.name ?? args.file, (Date.now() - started) / 1000);
  cabinet.controller.close();
  console.log(summary(report));
  if (args.report) fs.writeFileSync(args.report, JSON.stringify(report, null, 2) + "\n");
  return report.invariantViolations.length > 0 ? 1 : 0;
}

process.exitCode = main();
