import { strict as assert } from "assert";
import { CabinetPlant, type PlantRegion } from "../../host-sim/plant/plant";
import { EvModel } from "../../host-sim/plant/ev";
import { defaultPlantParams } from "../../host-sim/plant/params";
import { PowerModuleModel } from "../../host-sim/plant/power-module";
import { defaultModuleRating } from "../../src/config";
import { chargeOnSlot, EV400, quietSim, ring } from "./helpers";

/** Every solver list of every region agrees with the region's own index lists (they are derived from them). */
function assertRegionListsCurrent(plant: CabinetPlant): void {
  plant.regions.forEach((r: PlantRegion, ri) => {
    assert.deepEqual(r.moduleModels, r.modules.map((mi) => plant.modules[mi]), `region ${ri} moduleModels`);
    assert.deepEqual(r.moduleNodes, r.modules.map((mi) => plant.moduleNode[mi]), `region ${ri} moduleNodes`);
    assert.deepEqual(r.evGunModels.map((g) => g.id), r.evGuns.map((gi) => plant.guns[gi].id), `region ${ri} evGunModels`);
    for (const mi of r.modules) assert.equal(plant.regionOfNode[plant.moduleNode[mi]], ri, `module ${plant.modules[mi].id} is in region ${ri}`);
  });
}

describe("host-sim plant caches", () => {
  it("the solver's per-region module and gun lists follow every topology change", () => {
    const sim = quietSim();
    const { plant, hal, runner } = sim;
    assertRegionListsCurrent(plant);
    const before = plant.regionOfNode[plant.moduleNode[plant.moduleIndexById.get("M3_0")!]];
    hal.contactors.command("MN_3_0", true);
    runner.runFor(30);
    const after = plant.regionOfNode[plant.moduleNode[plant.moduleIndexById.get("M3_0")!]];
    assert.notEqual(plant.regions[after].nodes.length, 1, "MN_3_0 closed: the module joined the bus");
    assert.notEqual(before, -1);
    assertRegionListsCurrent(plant);
    hal.contactors.command("MC_3", false);
    hal.contactors.command("GC_3", true);
    runner.runFor(30);
    assertRegionListsCurrent(plant);
    hal.contactors.releaseAll();
    runner.runFor(30);
    assertRegionListsCurrent(plant);
  });

  it("charges exactly as before when the step size changes (the per-step quotients are formed again)", () => {
    const sim = quietSim(ring(), {}, 11);
    chargeOnSlot(sim, 4, 30, EV400);
    sim.runner.runFor(1000);
    const { plant } = sim;
    const region = plant.regions[plant.regionOfNode[plant.gun(4).busNode]];
    for (const dtMs of [1, 10, 1, 5]) {
      plant.step(dtMs);
      assert.equal(region.capPerStepDtS, dtMs / 1000, `formed for ${dtMs} ms`);
      assert.equal(region.capPerStepFPerS, region.capacitanceF / (dtMs / 1000), `capacitance per step for ${dtMs} ms`);
    }
    assert.ok(plant.gun(4).currentA > 50, `still charging: ${plant.gun(4).currentA} A`);
  });

  it("the cached per-step quotients give the same numbers as forming them afresh every step, across step-size changes", () => {
    const cached = quietSim(ring(), {}, 5);
    const fresh = quietSim(ring(), {}, 5);
    chargeOnSlot(cached, 6, 40, EV400);
    chargeOnSlot(fresh, 6, 40, EV400);
    cached.runner.runFor(1000);
    fresh.runner.runFor(1000);
    const steps = [10, 10, 1, 1, 1, 5, 10, 2, 10];
    for (let i = 0; i < 300; i++) {
      const dtMs = steps[i % steps.length];
      for (const r of fresh.plant.regions) r.capPerStepDtS = NaN;
      cached.plant.step(dtMs);
      fresh.plant.step(dtMs);
    }
    assert.deepEqual(Array.from(cached.plant.nodeVoltageV), Array.from(fresh.plant.nodeVoltageV));
    assert.equal(cached.plant.gun(6).ev!.socPct, fresh.plant.gun(6).ev!.socPct);
    assert.ok(cached.plant.gun(6).currentA > 50, `charging: ${cached.plant.gun(6).currentA} A`);
  });

  it("a module's per-step quotients (reference slew, idle input energy) are formed again when the step size changes", () => {
    const params = defaultPlantParams().module;
    const rating = defaultModuleRating();
    const idle = new PowerModuleModel("idle", 30, rating, params, 25);
    const noLoad = new PowerModuleModel("noLoad", 30, rating, params, 25);
    noLoad.receive({ enabled: true, voltageV: 900, currentLimitA: 10 }, 0);
    let now = 0;
    noLoad.prepare(now, 1);
    now += params.startupDelayMs;
    noLoad.prepare(now, 1);
    assert.equal(noLoad.running, true);
    for (const dtMs of [1000, 10, 1, 10, 250, 10]) {
      now += dtMs;
      noLoad.lastTrafficMs = now;
      const vRefBefore = noLoad.vRefV;
      noLoad.prepare(now, dtMs);
      assert.equal(noLoad.vRefV, Math.min(900, vRefBefore + (params.voltageRampVPerS * dtMs) / 1000), `slew for ${dtMs} ms`);
      const idleBefore = idle.inputEnergyWh;
      idle.finish(0, dtMs, 25, 1);
      assert.equal(idle.inputEnergyWh, idleBefore + (params.standbyLossW * (dtMs / 1000)) / 3600, `standby energy for ${dtMs} ms`);
      const noLoadBefore = noLoad.inputEnergyWh;
      noLoad.finish(0, dtMs, 25, 1);
      assert.equal(noLoad.inputEnergyWh, noLoadBefore + (params.noLoadLossW * (dtMs / 1000)) / 3600, `no-load energy for ${dtMs} ms`);
    }
  });

  it("an EV's per-step hours are formed again when the step size changes", () => {
    const params = defaultPlantParams().ev;
    const ev = new EvModel({ ...EV400, socPct: 20, targetSocPct: 90 }, 0, params);
    let now = 0;
    for (const dtMs of [1000, 10, 1, 10, 250]) {
      now += dtMs;
      const whBefore = ev.deliveredWh;
      ev.absorb(100, 400, dtMs, now);
      assert.equal(ev.deliveredWh, whBefore + 100 * 400 * (dtMs / 3_600_000), `energy for ${dtMs} ms`);
    }
  });
});
