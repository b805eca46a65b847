import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { generateFleetDay } from "../../host-sim/scenario/fleet-day";
import { EventInjector, RecordingCommands } from "../../host-sim/scenario/injector";
import { loadScenarioFile } from "../../host-sim/scenario/load-file";
import { formatScenarioIssue, trimScenario, validateScenario } from "../../host-sim/scenario/validate";
import { CabinetPlant } from "../../host-sim/plant/plant";
import type { Scenario } from "../../host-sim/scenario/types";
import { EV400 } from "./helpers";

const scenarios = path.join(__dirname, "..", "..", "host-sim", "scenarios");

function issues(doc: unknown): string[] {
  const r = validateScenario(doc);
  assert.equal(r.ok, false, "expected the scenario to be rejected");
  return r.ok ? [] : r.issues.map(formatScenarioIssue);
}

function has(list: string[], pattern: RegExp): void {
  assert.ok(list.some((l) => pattern.test(l)), `no issue matches ${pattern}; got:\n${list.join("\n")}`);
}

const base = (events: unknown[]): Record<string, unknown> => ({ config: "ring-12x2", durationS: 100, seed: 1, events });

describe("host-sim scenarios", () => {
  it("the committed demo and fleet-day scenarios load", () => {
    for (const f of ["demo.json", "fleet-day.json"]) {
      const r = loadScenarioFile(path.join(scenarios, f));
      assert.ok(r.ok, r.ok ? "" : r.issues.map(formatScenarioIssue).join("\n"));
    }
  });

  it("fleet-day.json is exactly what the seeded generator produces (150 sessions, 24 h, faults, grid steps)", () => {
    const committed = JSON.parse(fs.readFileSync(path.join(scenarios, "fleet-day.json"), "utf8")) as Scenario;
    const generated = generateFleetDay({ seed: committed.seed });
    assert.deepEqual(JSON.parse(JSON.stringify(generated)), committed);
    assert.equal(committed.durationS, 86_400);
    assert.equal(committed.events.filter((e) => e.type === "plug").length, 150);
    assert.ok(committed.events.filter((e) => e.type === "fault" && e.kind === "moduleFail").length >= 2);
    assert.ok(committed.events.filter((e) => e.type === "gridLimit").length >= 2);
    const packs = new Set(committed.events.flatMap((e) => (e.type === "plug" ? [e.ev.packVoltageV] : [])));
    assert.ok(packs.has(400) && packs.has(800));
    assert.notDeepEqual(generateFleetDay({ seed: committed.seed + 1 }).events, committed.events);
  });

  it("rejects bad top-level fields, naming the field and the value", () => {
    const list = issues({ config: "ring-99", durationS: -5, seed: 1.5, extra: true, events: {} });
    has(list, /^config: no built-in configuration named "ring-99"/);
    has(list, /^durationS: must be a number > 0, got -5/);
    has(list, /^seed: must be an integer >= 0, got 1.5/);
    has(list, /^extra: unknown field/);
    has(list, /^events: must be an array, got \{\}/);
  });

  it("reports an inline config's own problems under config.*", () => {
    has(issues({ ...base([]), config: { schemaVersion: 1 } }), /^config\.chargerId: /);
  });

  it("rejects bad events with their path and value", () => {
    const list = issues(base([
      { type: "charge", atS: 1 },
      { type: "plug", atS: 1, gun: 13, ev: EV400 },
      { type: "plug", atS: 200, gun: 2, ev: { ...EV400, socPct: 150 } },
      { type: "plug", atS: 3, gun: 3, ev: { ...EV400, targetSocPct: 10 } },
      { type: "fault", atS: 4, kind: "meltdown", target: "GC_1" },
      { type: "fault", atS: 5, kind: "mcWeld", target: "GC_1" },
      { type: "fault", atS: 6, kind: "moduleFail", target: "M13_0" },
      { type: "fault", atS: 7, kind: "imd", target: "GC_1" },
      { type: "fault", atS: 8, kind: "estop", target: 3 },
      { type: "fault", atS: 9, kind: "door", clearAtS: 2 },
      { type: "gridLimit", atS: 10, kW: -1 },
      { type: "priority", atS: 11, gun: 1, value: 0.5 },
      { type: "stop", atS: 12, gun: 1, by: "robot" },
      { type: "unplug", atS: 13, gun: 1, force: true },
    ]));
    has(list, /^events\[0\]\.type: must be one of plug, unplug, stop, fault, gridLimit, externalLimit, priority, got "charge"/);
    has(list, /^events\[1\]\.gun: 13 is not a gun of this cabinet/);
    has(list, /^events\[2\]\.atS: must be a number in \[0, durationS=100\], got 200/);
    has(list, /^events\[2\]\.ev\.socPct: must be a number in \[0, 100\], got 150/);
    has(list, /^events\[3\]\.ev\.targetSocPct: must be above socPct \(30\), got 10/);
    has(list, /^events\[4\]\.kind: must be one of .*got "meltdown"/);
    has(list, /^events\[5\]\.target: mcWeld needs an MC contactor, got "GC_1" \(GC\)/);
    has(list, /^events\[6\]\.target: "M13_0" is not a module of this cabinet/);
    has(list, /^events\[7\]\.target: imd needs a gun id \(integer\), got "GC_1"/);
    has(list, /^events\[8\]\.target: estop takes no target, got 3/);
    has(list, /^events\[9\]\.clearAtS: must be a number after atS \(9\), got 2/);
    has(list, /^events\[10\]\.kW: must be a number >= 0, got -1/);
    has(list, /^events\[11\]\.value: must be an integer >= 0, got 0.5/);
    has(list, /^events\[12\]\.by: must be "user" or "ev", got "robot"/);
    has(list, /^events\[13\]\.force: unknown field for a unplug event/);
  });

  it("rejects a plug on an occupied gun and an unplug of an empty one", () => {
    const list = issues(base([
      { type: "plug", atS: 1, gun: 1, ev: EV400 },
      { type: "plug", atS: 5, gun: 1, ev: EV400 },
      { type: "unplug", atS: 6, gun: 2 },
    ]));
    has(list, /^events\[1\]: plug at 5 s on gun 1, which already has an EV plugged since 1 s/);
    has(list, /^events\[2\]: unplug at 6 s on gun 2, which has no EV plugged then/);
  });

  it("rejects unknown plant parameter overrides", () => {
    const list = issues({ ...base([]), plant: { module: { startupDelayMs: "soon", warpFactor: 9 }, ev: { contactorMode: "sometimes" }, engine: {} } });
    has(list, /^plant\.ev\.contactorMode: must be one of "atReady", "afterPrecharge", got "sometimes"/);
    has(list, /^plant\.module\.startupDelayMs: must be a number >= 0, got "soon"/);
    has(list, /^plant\.module\.warpFactor: unknown parameter/);
    has(list, /^plant\.engine: unknown parameter block/);
  });

  it("a missing file or bad JSON is reported with the file name", () => {
    const r = loadScenarioFile("/nonexistent/x.json");
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(formatScenarioIssue(r.issues[0]), /^\/nonexistent\/x\.json: cannot read/);
  });

  it("the injector applies each event at its simulated time, and clears faults at clearAtS", () => {
    const r = validateScenario(base([
      { type: "plug", atS: 1, gun: 2, ev: EV400 },
      { type: "fault", atS: 2, kind: "moduleFail", target: "M3_0", clearAtS: 4 },
      { type: "gridLimit", atS: 3, kW: 200 },
      { type: "externalLimit", atS: 3, gun: 2, kW: null },
      { type: "priority", atS: 3.5, gun: 2, value: 1 },
      { type: "stop", atS: 5, gun: 2 },
      { type: "stop", atS: 5, gun: 2, by: "ev" },
      { type: "unplug", atS: 6, gun: 2 },
    ]));
    assert.ok(r.ok);
    if (!r.ok) return;
    const plant = new CabinetPlant(r.config, { seed: 1 });
    const commands = new RecordingCommands();
    const inj = new EventInjector(r.scenario, plant, commands);
    const at = (ms: number) => {
      while (plant.nowMs < ms) plant.step(10);
      inj.apply(plant.nowMs);
    };
    at(990);
    assert.equal(plant.gun(2).ev, null);
    at(1000);
    assert.notEqual(plant.gun(2).ev, null);
    at(2000);
    assert.equal(plant.module("M3_0").failed, true);
    at(3500);
    assert.deepEqual(commands.calls, ["gridLimit 200", "externalLimit 2 null", "priority 2 1"]);
    at(4000);
    assert.equal(plant.module("M3_0").failed, false);
    at(5000);
    assert.deepEqual(commands.calls.slice(3), ["stop 2"]);
    assert.equal(plant.gun(2).ev!.stopRequested, true);
    at(6000);
    assert.equal(plant.gun(2).ev, null);
    assert.equal(plant.sessions.length, 1);
    assert.equal(inj.pending, 0);
    assert.equal(inj.applied.length, 9);
  });

  it("trimScenario keeps the first part and drops clears past the end", () => {
    const s = generateFleetDay({ seed: 5, durationS: 86_400 });
    const t = trimScenario(s, 3 * 3600);
    assert.equal(t.durationS, 3 * 3600);
    assert.ok(t.events.every((e) => e.atS <= 3 * 3600 && (e.type !== "fault" || e.clearAtS === undefined || e.clearAtS <= 3 * 3600)));
    const v = validateScenario(t);
    assert.ok(v.ok, v.ok ? "" : v.issues.map(formatScenarioIssue).join("\n"));
  });
});
