/**
 * npm run bench -- control [--quick] [--json]
 *
 * The cost of the main loop (issue 5): one full control cycle (controlTick:
 * read, limits, sessions, planner) and one fast safety tick (fastTick: supervisor,
 * sequencer) with 12 guns charging on ring-12x2, in Node and inside XS (xsnap), and
 * the worst case of each step against its scheduler budget (defaultTaskBudgets()).
 * The workload (bench/control-workload.ts) is the real controller on the simulated
 * cabinet: timings are taken inside the scheduled run, with disturbances (grid limit
 * down/up, a module failure, a remote stop, an unplug and a re-plug) so that the
 * worst case is not a steady state. XS computrons come from direct calls with the 12
 * guns charging (the engine's own metering: it does not drift with machine load).
 */
import * as path from "path";
import { performance } from "perf_hooks";
import { defaultTaskBudgets } from "../src/scheduler/standard-tasks";
import { createControlWorkload, measuredRun, minOverRuns, STEP_NAMES, type StepName, type StepSamples } from "./control-workload";
import type { BenchSuite, BenchTable } from "./types";

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))];
}
const median = (xs: number[]) => quantile(xs, 0.5);
const p95 = (xs: number[]) => quantile(xs, 0.95);
const max = (xs: number[]) => (xs.length === 0 ? NaN : Math.max(...xs));
const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/** Which scheduler task each step runs in, hence its budget. */
const TASK_OF: Record<StepName, "safety" | "control" | "telemetry"> = {
  fastTick: "safety",
  "supervisor.tick": "safety",
  "sequencer.step": "safety",
  controlTick: "control",
  "limits.evaluate": "control",
  "sessions.update": "control",
  planner: "control",
  buildSnapshot: "telemetry",
};

function budgetMs(step: StepName): number {
  const b = defaultTaskBudgets();
  return TASK_OF[step] === "safety" ? b.safetyMs : TASK_OF[step] === "control" ? b.controlMs : b.telemetryMs;
}

/** controlTick minus its timed parts: HAL reads (12 guns, 24 modules), hour counters, the planner's observation. */
function withRemainder(s: StepSamples): Record<string, number[]> {
  const out: Record<string, number[]> = { ...s };
  const n = Math.min(s.controlTick.length, s["limits.evaluate"].length, s["sessions.update"].length, s.planner.length);
  out["read + observe"] = [];
  // The four lists are pushed once per control cycle, in step (a failing cycle would break the pairing: none fail here).
  for (let i = 0; i < n; i++) out["read + observe"].push(s.controlTick[i] - s["limits.evaluate"][i] - s["sessions.update"][i] - s.planner[i]);
  return out;
}

interface XsResult {
  samples: StepSamples;
  /** Raw maximum of each step over every repetition (scheduling noise included). */
  rawMaxUs: Record<string, number>;
  computrons: { controlTick: number; fastTick: number; buildSnapshot: number };
  setupS: number;
  repeats: number;
}

async function runXs(measureMs: number, snapshots: number, repeats: number, direct: { control: number; fast: number; snapshot: number }): Promise<XsResult> {
  const here = __dirname;
  const { bundleForXs } = await import(path.join(here, "..", "build", "xs", "bundle.mjs"));
  const { startXsWorker } = await import(path.join(here, "..", "build", "xs", "worker.mjs"));
  const entry = `
    import { createControlWorkload, measuredRun } from ${JSON.stringify(path.join(here, "control-workload"))};
    const send = (x) => issueCommand(new TextEncoder().encode(JSON.stringify(x)).buffer);
    const nowUs = () => performance.now() * 1000;
    const w = createControlWorkload({ nowUs });
    if (w.chargingGuns() !== 12) throw new Error("XS workload: " + w.chargingGuns() + " guns charging");
    w.setTiming(false);
    const c = w.cab.controller;
    globalThis.direct = (what, n) => { for (let i = 0; i < n; i++) c[what](); };
    globalThis.measured = (ms, snaps) => send(measuredRun(nowUs, ms, snaps).samples);
  `;
  const script: string = await bundleForXs({ contents: entry, harness: false });
  let received: StepSamples | null = null;
  const worker = await startXsWorker({ onMessage: (m: StepSamples) => { received = m; return null; }, name: "control-bench" });
  try {
    const t0 = performance.now();
    await worker.evaluate(script);
    const setupS = (performance.now() - t0) / 1000;
    const empty = await worker.evaluate("void 0");
    const meter = async (what: string, n: number) => ((await worker.evaluate(`globalThis.direct(${JSON.stringify(what)}, ${n})`)).meter.compute - empty.meter.compute) / n;
    const computrons = {
      controlTick: await meter("controlTick", direct.control),
      fastTick: await meter("fastTick", direct.fast),
      buildSnapshot: await meter("buildSnapshot", direct.snapshot),
    };
    const runs: StepSamples[] = [];
    for (let r = 0; r < repeats; r++) {
      received = null;
      await worker.evaluate(`globalThis.measured(${measureMs}, ${snapshots})`);
      if (!received) throw new Error("XS run sent no samples");
      runs.push(received);
    }
    return { samples: minOverRuns(runs) ?? runs[0], rawMaxUs: rawMax(runs), computrons, setupS, repeats };
  } finally {
    await worker.close();
  }
}

function rawMax(runs: StepSamples[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of STEP_NAMES) out[k] = Math.max(...runs.map((r) => max(r[k])));
  return out;
}

const suite: BenchSuite = {
  name: "control",
  async run({ quick }) {
    const measureMs = quick ? 3000 : 10_000;
    const xsMeasureMs = quick ? 2000 : 6000;
    const snapshots = quick ? 20 : 100;
    const repeats = quick ? 3 : 5;
    const xsRepeats = quick ? 2 : 3;

    // Node: the same deterministic run `repeats` times; sample-by-sample minimum.
    const nowUs = () => performance.now() * 1000;
    const setupStarted = performance.now();
    const probe = createControlWorkload({ nowUs });
    const nodeSetupS = (performance.now() - setupStarted) / 1000;
    void probe;
    const nodeRuns: StepSamples[] = [];
    let violations = 0;
    let controlErrors = 0;
    for (let r = 0; r < repeats; r++) {
      const run = measuredRun(nowUs, measureMs, snapshots);
      nodeRuns.push(run.samples);
      violations += run.violations;
      controlErrors += run.controlErrors;
    }
    const nodeMin = minOverRuns(nodeRuns);
    const node = withRemainder(nodeMin ?? nodeRuns[0]);
    const nodeRawMax = rawMax(nodeRuns);

    const xs = await runXs(xsMeasureMs, snapshots, xsRepeats, { control: quick ? 10 : 50, fast: quick ? 50 : 300, snapshot: quick ? 5 : 20 });
    const xsS = withRemainder(xs.samples);

    const headline: BenchTable = {
      title: `main loop, ring-12x2 with 12 guns charging, disturbed (node: ${measureMs / 1000} s simulated x ${repeats}, xs: ${xsMeasureMs / 1000} s x ${xs.repeats}; per-sample minimum over the repetitions)`,
      columns: ["call", "node median µs", "node p95 µs", "node max µs", "xs median µs", "xs p95 µs", "xs computrons/call"],
      rows: (["controlTick", "fastTick", "buildSnapshot"] as const).map((k) => [
        k, round(median(node[k])), round(p95(node[k])), round(max(node[k])), round(median(xsS[k])), round(p95(xsS[k])), Math.round(xs.computrons[k]),
      ]),
    };
    const stepNames = ["fastTick", "supervisor.tick", "sequencer.step", "controlTick", "read + observe", "limits.evaluate", "sessions.update", "planner", "buildSnapshot"];
    const steps: BenchTable = {
      title: "worst case of each step against its scheduler budget (defaultTaskBudgets(), per task run); raw max = before filtering, host noise included",
      columns: ["step", "task", "budget ms", "runs", "node max µs", "node max/budget", "node raw max µs", "xs max µs", "xs max/budget", "xs raw max µs"],
      rows: stepNames.map((k) => {
        const task = k === "read + observe" ? "control" : TASK_OF[k as StepName];
        const b = k === "read + observe" ? budgetMs("controlTick") : budgetMs(k as StepName);
        const nm = max(node[k]);
        const xm = max(xsS[k]);
        const pct = (us: number) => `${round((us / 1000 / b) * 100)} %`;
        return [k, task, b, node[k].length, round(nm), pct(nm), round(nodeRawMax[k] ?? NaN), round(xm), pct(xm), round(xs.rawMaxUs[k] ?? NaN)];
      }),
    };
    const stats = (v: number[]) => ({ runs: v.length, medianUs: median(v), p95Us: p95(v), maxUs: max(v) });
    const figures: Record<string, unknown> = {
      guns: 12,
      repeats: { node: repeats, xs: xs.repeats },
      filtered: { node: nodeMin !== null, xs: true },
      nodeSetupS,
      xsSetupS: xs.setupS,
      observerViolations: violations,
      controlErrors,
      budgetsMs: defaultTaskBudgets(),
      node: Object.fromEntries(Object.entries(node).map(([k, v]) => [k, stats(v)])),
      nodeRawMaxUs: nodeRawMax,
      xs: Object.fromEntries(Object.entries(xsS).map(([k, v]) => [k, stats(v)])),
      xsRawMaxUs: xs.rawMaxUs,
      xsComputronsPerCall: xs.computrons,
    };
    const notes: BenchTable = {
      title: "run",
      columns: ["item", "value"],
      rows: [
        ["setup to 12 guns charging (node / xs, one workload)", `${round(nodeSetupS, 2)} s / ${round(xs.setupS, 2)} s`],
        ["repetitions lined up sample by sample (node)", nodeMin !== null ? "yes" : "no: first run shown unfiltered"],
        ["invariant violations seen by the observer (node runs)", violations],
        ["control cycles that failed (node runs)", controlErrors],
      ],
    };
    return { tables: [headline, steps, notes], figures };
  },
};

export default suite;
