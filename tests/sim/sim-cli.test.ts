/**
 * `npm run sim -- <scenario.json> [--report out.json]` (host-sim/cli/sim.ts) as a user runs it:
 * a bad scenario file exits 1 naming the field and the value; a good one exits 0, prints the
 * summary and writes the report with the keys docs/simulator.md documents.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

const ROOT = path.join(__dirname, "..", "..");

function sim(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ["-r", "ts-node/register", path.join("host-sim", "cli", "sim.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    // Types are checked by the typecheck tier; the child only needs to run.
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout ?? "", stderr: run.stderr ?? "" };
}

const REPORT_KEYS = [
  "scenario", "simulatedS", "wallS", "energyKWh", "askedKWh", "deliveredVsAskedRatio", "sessionsCompleted",
  "sessionsReachedTarget", "timeToTargetS", "guns", "moduleOnHours", "contactorOperations", "breaksUnderLoad",
  "faults", "invariantViolations", "controlErrors",
];

describe("npm run sim (host-sim/cli/sim.ts)", function () {
  this.timeout(150_000);
  const dir = mkdtempSync(path.join(tmpdir(), "sim-cli-"));

  it("a bad scenario file exits 1 with every problem named by field and value", () => {
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({
      config: "ring-12x2",
      durationS: -5,
      seed: 1,
      events: [{ type: "fault", atS: 1, kind: "mcWeld", target: "GC_1" }],
    }));
    const r = sim([file, "--report", path.join(dir, "never.json")]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /durationS: .*-5/);
    assert.match(r.stderr, /events\[0\]\.target: .*"GC_1"/);
    assert.throws(() => readFileSync(path.join(dir, "never.json")), "no report for a scenario that did not run");
  });

  it("a missing file and bad JSON exit 1 naming the file", () => {
    const missing = sim([path.join(dir, "nope.json")]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.json: cannot read/);
    const broken = path.join(dir, "broken.json");
    writeFileSync(broken, '{ "config": "ring-12x2", ');
    const bad = sim([broken]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /broken\.json: not valid JSON/);
  });

  it("--report writes the documented JSON (a short session, a module failure under load)", () => {
    const file = path.join(dir, "short.json");
    writeFileSync(file, JSON.stringify({
      name: "cli-short",
      config: "ring-12x2",
      durationS: 90,
      seed: 5,
      stepMs: 10,
      events: [
        { type: "plug", atS: 1, gun: 3, ev: { batteryKWh: 40, socPct: 30, targetSocPct: 80, maxPowerKW: 60, packVoltageV: 400 } },
        { type: "fault", atS: 40, kind: "moduleFail", target: "M3_0" },
        { type: "stop", atS: 70, gun: 3 },
        { type: "unplug", atS: 80, gun: 3 },
      ],
    }));
    const out = path.join(dir, "report.json");
    const r = sim([file, "--report", out, "--quiet"]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /scenario cli-short: 90 s simulated/);
    assert.match(r.stdout, /invariant violations: 0/);
    const report = JSON.parse(readFileSync(out, "utf8"));
    assert.deepEqual(Object.keys(report), REPORT_KEYS);
    assert.equal(report.scenario, "cli-short");
    assert.equal(report.simulatedS, 90);
    assert.deepEqual(Object.keys(report.timeToTargetS), ["mean", "p95"]);
    assert.equal(report.guns.length, 12);
    assert.deepEqual(Object.keys(report.guns[0]), ["gunId", "energyKWh", "sessionsCompleted"]);
    assert.deepEqual(Object.keys(report.breaksUnderLoad), ["total", "emergency", "nonEmergency", "list"]);
    assert.equal(report.sessionsCompleted, 1);
    const gun3 = report.guns.find((g: { gunId: number }) => g.gunId === 3);
    assert.ok(gun3.energyKWh > 0 && gun3.sessionsCompleted === 1);
    assert.ok(report.energyKWh > 0 && report.contactorOperations > 0 && report.moduleOnHours > 0);
    assert.equal(report.faults.length, 1);
    const fault = report.faults[0];
    for (const key of ["kind", "target", "injectedAtMs", "safeAtMs", "reactionMs", "deadlineMs", "met", "reachedSafeState"]) assert.ok(key in fault, `faults[0].${key}`);
    assert.equal(fault.kind, "moduleFail");
    assert.equal(fault.target, "M3_0");
    assert.notEqual(fault.met, false);
    assert.deepEqual(report.invariantViolations, []);
  });

  it("npm run sim's bundled runner with --window runs a part of the scenario, moved to 0 s", () => {
    const file = path.join(dir, "window.json");
    writeFileSync(file, JSON.stringify({
      name: "cli-window",
      config: "ring-12x2",
      durationS: 300,
      seed: 7,
      stepMs: 10,
      events: [
        { type: "plug", atS: 5, gun: 1, ev: { batteryKWh: 40, socPct: 30, targetSocPct: 80, maxPowerKW: 60, packVoltageV: 400 } },
        { type: "plug", atS: 200, gun: 4, ev: { batteryKWh: 40, socPct: 30, targetSocPct: 80, maxPowerKW: 60, packVoltageV: 400 } },
        { type: "stop", atS: 240, gun: 4 },
        { type: "unplug", atS: 250, gun: 4 },
        { type: "unplug", atS: 260, gun: 1 },
      ],
    }));
    const out = path.join(dir, "window-report.json");
    // As `npm run sim` runs it (package.json): one esbuild bundle, not ts-node.
    const run = spawnSync(process.execPath, [path.join("build", "run-bundled.mjs"), path.join("host-sim", "cli", "sim.ts"), file, "--window", "190:270", "--report", out, "--quiet"], {
      cwd: ROOT, encoding: "utf8", timeout: 120_000,
    });
    assert.equal(run.status, 0, (run.stdout ?? "") + (run.stderr ?? ""));
    assert.match(run.stdout, /scenario cli-window 190-270 s: 80 s simulated/);
    const report = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(report.simulatedS, 80);
    // gun 4's session lies inside the window; gun 1's began before it and is not in it.
    assert.equal(report.sessionsCompleted, 1);
    assert.ok(report.guns.find((g: { gunId: number }) => g.gunId === 4).energyKWh > 0);
    assert.equal(report.guns.find((g: { gunId: number }) => g.gunId === 1).energyKWh, 0);
    const bad = sim([file, "--window", "270:190"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--window: must be FROM:TO in seconds with FROM < TO, got "270:190"/);
    const late = sim([file, "--window", "100:400"]);
    assert.equal(late.status, 2);
    assert.match(late.stderr, /--window: ends at 400 s, after the scenario's durationS 300/);
  });
});
