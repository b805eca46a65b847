/**
 * The same sequencer on the full contactor matrix (seed 001, matrix-9x6): an island
 * is a gun bus with the modules linked to it; moving a module between guns is a
 * stop -> re-link -> restart of both islands, with the MX links switched at zero current.
 */
import { strict as assert } from "assert";
import { builtinDocument, validateCabinetConfig, type CabinetConfig } from "../../../src/config";
import type { ContactorPosition, Plan } from "../../../src/planner/types";
import { Rig } from "../support/rig";

function matrixConfig(): CabinetConfig {
  const r = validateCabinetConfig(builtinDocument("matrix-9x6")!);
  if (!r.ok) throw new Error("matrix-9x6 invalid");
  return r.config;
}

function matrixPlan(config: CabinetConfig, assign: Record<number, string[]>, nowMs = 0): Plan {
  const contactors: Record<string, ContactorPosition> = {};
  for (const row of config.matrix!.rows) {
    for (const l of row.links) contactors[l.contactor] = (assign[l.gunId] ?? []).includes(row.moduleId) ? "closed" : "open";
  }
  for (const g of config.guns) contactors[g.gc] = assign[g.id] ? "closed" : "open";
  const guns = Object.entries(assign).map(([id, modules]) => ({
    id: Number(id), clampedRequestKW: 80, budgetKW: 80, setpointKW: 80, modules, islandSlots: [], voltageSetpointV: 0, currentLimitA: 120, reason: null,
  }));
  return { nowMs, guns, contactors, modulesOn: guns.flatMap((g) => g.modules), totalKW: 0, capacityKW: 360, repartition: [], moduleOnSinceMs: {} };
}

describe("sequencer on the matrix topology (matrix-9x6)", () => {
  it("two guns charge on their own modules; a module moved between them switches its links at zero current", () => {
    const config = matrixConfig();
    const rig = new Rig({ config });
    rig.plant.plug(2, { batteryV: 400, maxV: 500 });
    rig.plant.plug(3, { batteryV: 650, maxV: 800 });
    rig.plan = matrixPlan(config, { 2: ["PM1", "PM2"], 3: ["PM3"] });
    rig.until(() => rig.phase(2) === "charging" && rig.phase(3) === "charging", 2000, "both charging");
    rig.run(1500);
    assert.equal(rig.plant.gunCurrentA(2), 120);
    assert.equal(rig.plant.gunCurrentA(3), 120);
    rig.plan = matrixPlan(config, { 2: ["PM1"], 3: ["PM2", "PM3"] }, rig.plant.nowMs);
    rig.until(() => rig.phase(3) === "charging" && rig.seq.gunStatus(3).modules.length === 2 && rig.plant.gunCurrentA(3) > 10, 4000, "re-linked");
    assert.equal(rig.plant.contactors.get("MX_2_2")!.commanded, false);
    assert.equal(rig.plant.contactors.get("MX_2_3")!.commanded, true);
    assert.deepEqual(rig.plant.breaks, []);
    assert.deepEqual(rig.plant.violations, []);
  });

  it("a welded link keeps its module out of any other gun's island", () => {
    const config = matrixConfig();
    const rig = new Rig({ config });
    rig.plant.plug(1);
    rig.plant.plug(4, { batteryV: 600, maxV: 700 });
    rig.plan = matrixPlan(config, { 1: ["PM5"] });
    rig.until(() => rig.phase(1) === "charging", 2000, "gun 1 charging");
    rig.plant.weld("MX_5_1");
    rig.plan = matrixPlan(config, { 4: ["PM5"] }, rig.plant.nowMs);
    rig.run(2000);
    assert.equal(rig.core.health.fault("MX_5_1"), "welded");
    assert.notEqual(rig.phase(4), "charging");
    assert.deepEqual(rig.plant.runningModules(), []);
    assert.deepEqual(rig.plant.violations, []);
  });
});
