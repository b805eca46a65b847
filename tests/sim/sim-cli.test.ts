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
});
