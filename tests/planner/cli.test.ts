import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { runSnapshots } from "../../tools/plan";

const good = {
  config: "ring-12x2",
  gridLimitKW: 360,
  guns: [
    { id: 1, active: true, requestKW: 50, priority: 0, evVoltageV: 800, limitKW: null },
    { id: 3, active: true, requestKW: 100, priority: 1, evVoltageV: 800, limitKW: 80 },
  ],
  modules: [{ id: "M3_0", healthy: false, tempC: 30 }],
  contactors: { MC_7: "welded" },
};

describe("npm run plan (tools/plan.ts)", () => {
  it("prints one line per snapshot in the issue's format", () => {
    const { lines, failed } = runSnapshots([good, good], { sequence: false, reasons: false });
    assert.equal(failed, false);
    assert.equal(lines.length, 2);
    const out = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(out), ["guns", "contactors", "totalKW", "modulesOn"]);
    assert.deepEqual(Object.keys(out.guns[0]), ["id", "budgetKW", "setpointKW", "modules", "islandSlots", "currentLimitA"]);
    const g1 = out.guns.find((g: { id: number }) => g.id === 1);
    const g3 = out.guns.find((g: { id: number }) => g.id === 3);
    assert.equal(g1.budgetKW, 50);
    assert.deepEqual(g3.modules, ["M3_1"]);
    assert.equal(out.totalKW, 80);
    assert.equal(out.modulesOn, 3);
    assert.equal(out.contactors.MC_7, "closed");
    assert.equal(out.contactors.GC_1, "closed");
    assert.equal(out.contactors.MN_3_0, "open");
  });

  it("--sequence feeds each plan to the next: the current limit ramps", () => {
    const seq = runSnapshots([good, good], { sequence: true, reasons: false }).lines.map((l) => JSON.parse(l));
    const single = runSnapshots([good, good], { sequence: false, reasons: false }).lines.map((l) => JSON.parse(l));
    assert.ok(seq[1].guns[0].currentLimitA > seq[0].guns[0].currentLimitA);
    assert.equal(single[1].guns[0].currentLimitA, single[0].guns[0].currentLimitA);
  });

  it("a bad snapshot gets an error naming the field and value; the others still run", () => {
    const bad = [
      { ...good, guns: [{ id: 1, requestKW: "lots" }] },
      good,
      { ...good, modules: [{ id: "M99_0", healthy: false }] },
      { ...good, contactors: { MC_3: "melted" } },
      { ...good, policy: { maxModulesPerGun: -1 } },
      { ...good, config: "ring-13" },
      { ...good, guns: [{ id: 1, reqestKW: 5 }] },
      42,
    ];
    const { lines, failed } = runSnapshots(bad, { sequence: true, reasons: false });
    assert.equal(failed, true);
    assert.equal(lines.length, bad.length);
    const out = lines.map((l) => JSON.parse(l));
    assert.match(out[0].error, /guns\[0\]\.requestKW: .*"lots"/);
    assert.ok(Array.isArray(out[1].guns));
    assert.match(out[2].error, /modules\[0\]\.id: .*"M99_0"/);
    assert.match(out[3].error, /contactors\.MC_3: .*"melted"/);
    assert.match(out[4].error, /policy\.maxModulesPerGun: .*-1/);
    assert.match(out[5].error, /config: .*"ring-13"/);
    assert.match(out[6].error, /guns\[0\]\.reqestKW: unknown field/);
    assert.match(out[7].error, /\[7\]: a snapshot must be an object, got 42/);
  });

  it("--reasons adds why a gun gets less than it asked", () => {
    const out = JSON.parse(runSnapshots([good], { sequence: false, reasons: true }).lines[0]);
    const g3 = out.guns.find((g: { id: number }) => g.id === 3);
    assert.match(g3.reason, /external limit 80 kW/);
    assert.match(g3.reason, /1 usable module in its slot/);
  });

  it("runs as a command with an exit code", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "plan-cli-"));
    const file = path.join(dir, "snapshots.json");
    writeFileSync(file, JSON.stringify([good, { ...good, gridLimitKW: -5 }, { config: "matrix-9x6", guns: [{ id: 1, requestKW: 240 }] }]));
    const run = spawnSync(process.execPath, ["-r", "ts-node/register", "tools/plan.ts", file, "--sequence"], { encoding: "utf8", cwd: path.resolve(__dirname, "../..") });
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 3);
    assert.match(JSON.parse(lines[1]).error, /gridLimitKW: .*-5/);
    assert.equal(JSON.parse(lines[2]).guns[0].modules.length, 6);
    assert.equal(run.status, 1);
  });
});
