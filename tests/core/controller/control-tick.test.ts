/**
 * The control tick keeps its working state in flat arrays refilled every tick (module
 * operating hours by module position, the readings of the tick). These tests run the real
 * controller on the simulated ring-12x2 cabinet and check that state against what the
 * HAL said at each control tick, and that what the tick hands out (the planner's
 * observation) is never written after it was handed out.
 */
import { strict as assert } from "assert";
import { builtinDocument, parseCabinetConfig } from "../../../src/config";
import { plan as planCabinet } from "../../../src/planner/plan";
import type { Plan, PlanObservation } from "../../../src/planner/types";
import type { CabinetConfig } from "../../../src/config/types";
import { createSimCabinet } from "../../../host-sim/sim-cabinet";

const EV = { batteryKWh: 60, socPct: 30, targetSocPct: 90, maxPowerKW: 100, packVoltageV: 400 };

describe("controller: control tick state", () => {
  it("counts operating hours for exactly the modules that run at each control tick, in module order", () => {
    const config = parseCabinetConfig(builtinDocument("ring-12x2")!);
    const expectedHours = new Map<string, number>();
    const lastMs: { at: number | null } = { at: null };
    let cab: ReturnType<typeof createSimCabinet> | null = null;
    // The planner runs in every control tick after the hours were counted: the reference
    // adds the control period for every module the HAL reports running at that instant.
    const planner = (c: CabinetConfig, observed: PlanObservation, previous: Plan | null): Plan => {
      const nowMs = observed.nowMs;
      const dtMs = lastMs.at === null ? 0 : nowMs - lastMs.at;
      lastMs.at = nowMs;
      for (const m of cab!.controller.index.modules) {
        if (!expectedHours.has(m.id)) expectedHours.set(m.id, 0);
        if (dtMs > 0 && cab!.sim.hal.modules.read(m.id).running) expectedHours.set(m.id, expectedHours.get(m.id)! + dtMs / 3_600_000);
      }
      for (let i = 0; i < observed.modules.length; i++) {
        assert.equal(observed.modules[i].id, cab!.controller.index.modules[i].id);
        assert.equal(observed.modules[i].operatingHours, expectedHours.get(observed.modules[i].id));
      }
      return planCabinet(c, observed, previous);
    };
    cab = createSimCabinet({ config, seed: 3, stepMs: 10, planner });
    cab.sim.runner.runUntil(500);
    cab.sim.plant.plug(1, EV);
    cab.sim.plant.plug(6, EV);
    cab.sim.runner.runUntil(15_000);
    let running = 0;
    for (const m of cab.controller.index.modules) {
      const hours = cab.controller.moduleOperatingHours(m.id);
      assert.equal(hours, expectedHours.get(m.id), m.id);
      if (hours > 0) running++;
    }
    assert.ok(running >= 2, `some modules ran (${running})`);
    assert.ok(running < config.slots.length * 2, "idle modules count no hours");
    assert.equal(cab.controller.moduleOperatingHours("NO_SUCH_MODULE"), 0);
  });

  it("the planner's observation of one tick is not written by the next ticks", () => {
    const config = parseCabinetConfig(builtinDocument("ring-12x2")!);
    const seen: { observed: PlanObservation; json: string }[] = [];
    const planner = (c: CabinetConfig, observed: PlanObservation, previous: Plan | null): Plan => {
      seen.push({ observed, json: JSON.stringify(observed) });
      return planCabinet(c, observed, previous);
    };
    const cab = createSimCabinet({ config, seed: 4, stepMs: 10, planner });
    cab.sim.runner.runUntil(500);
    cab.sim.plant.plug(2, EV);
    cab.sim.runner.runUntil(8_000);
    assert.ok(seen.length > 50);
    for (const s of seen) assert.equal(JSON.stringify(s.observed), s.json);
    assert.notEqual(seen[0].observed.guns, seen[1].observed.guns);
    assert.notEqual(seen[0].observed.modules, seen[1].observed.modules);
  });

  it("a priority set by command reaches the planner and the snapshot for that gun only", () => {
    const config = parseCabinetConfig(builtinDocument("ring-12x2")!);
    let last: PlanObservation | null = null;
    const planner = (c: CabinetConfig, observed: PlanObservation, previous: Plan | null): Plan => {
      last = observed;
      return planCabinet(c, observed, previous);
    };
    const cab = createSimCabinet({ config, seed: 5, stepMs: 10, planner });
    cab.sim.runner.runUntil(300);
    const defaults = config.guns.map((g) => g.priorityDefault);
    assert.deepEqual(last!.guns.map((g) => g.priority), defaults);
    assert.deepEqual(cab.controller.setPriority(config.guns[4].id, 77), { ok: true });
    assert.equal(cab.controller.setPriority(999, 5).ok, false);
    cab.sim.runner.runUntil(600);
    assert.deepEqual(last!.guns.map((g) => g.priority), defaults.map((p, i) => (i === 4 ? 77 : p)));
    assert.deepEqual(cab.controller.buildSnapshot().guns.map((g) => g.priority), defaults.map((p, i) => (i === 4 ? 77 : p)));
  });

  it("a module or gun blocked by a fault is observed unhealthy / inactive; the rest are not", () => {
    const config = parseCabinetConfig(builtinDocument("ring-12x2")!);
    let last: PlanObservation | null = null;
    const planner = (c: CabinetConfig, observed: PlanObservation, previous: Plan | null): Plan => {
      last = observed;
      return planCabinet(c, observed, previous);
    };
    const cab = createSimCabinet({ config, seed: 6, stepMs: 10, planner });
    cab.sim.runner.runUntil(500);
    assert.ok(last!.modules.every((m) => m.healthy));
    cab.sim.plant.injectFault("moduleFail", "M5_0");
    cab.sim.runner.runUntil(5_000);
    const blocks = cab.controller.safety.faults.blocks();
    const unhealthy = last!.modules.filter((m) => !m.healthy).map((m) => m.id);
    assert.ok(unhealthy.includes("M5_0"), `unhealthy: ${unhealthy.join(",")}`);
    for (const m of last!.modules) if (blocks.modules.has(m.id)) assert.equal(m.healthy, false, m.id);
    assert.ok(unhealthy.length < last!.modules.length);
  });

  it("an insulation fault blocks its island's slot: those modules are observed unhealthy while their readings are fine", () => {
    const config = parseCabinetConfig(builtinDocument("ring-12x2")!);
    let last: PlanObservation | null = null;
    const planner = (c: CabinetConfig, observed: PlanObservation, previous: Plan | null): Plan => {
      last = observed;
      return planCabinet(c, observed, previous);
    };
    const cab = createSimCabinet({ config, seed: 7, stepMs: 10, planner });
    cab.sim.runner.runUntil(500);
    const gun = config.guns[0];
    cab.sim.plant.plug(gun.id, EV);
    cab.sim.runner.runUntil(10_000);
    cab.sim.plant.injectFault("imd", gun.id);
    cab.sim.runner.runUntil(13_000);
    const blocks = cab.controller.safety.faults.blocks();
    assert.ok(blocks.slots.has(gun.slotId!), "the gun's slot is blocked");
    const slotModules = config.slots.find((s) => s.id === gun.slotId)!.modules.map((m) => m.id);
    for (const id of slotModules) {
      const r = cab.sim.hal.modules.read(id);
      assert.ok(r.online && r.alarms.length === 0, `${id} reads fine`);
      assert.equal(last!.modules.find((m) => m.id === id)!.healthy, false, id);
    }
    assert.equal(last!.guns[0].active, false);
  });
});
