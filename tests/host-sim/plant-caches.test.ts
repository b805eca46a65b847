import { strict as assert } from "assert";
import { CabinetPlant, type PlantRegion } from "../../host-sim/plant/plant";
import { EvModel } from "../../host-sim/plant/ev";
import { defaultPlantParams } from "../../host-sim/plant/params";
import { PowerModuleModel } from "../../host-sim/plant/power-module";
import { defaultModuleRating } from "../../src/config";
import { chargeOnSlot, EV400, EV800, quietSim, ring } from "./helpers";

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

  it("an EV's cached `connected` follows every write of ready and contactorsClosed", () => {
    const params = { ...defaultPlantParams().ev, contactorMode: "afterPrecharge" as const };
    const ev = new EvModel({ ...EV400 }, 0, params);
    assert.equal(ev.connected, false, "plugged, no handshake yet");
    ev.prepare(params.handshakeMs);
    assert.equal(ev.ready, true);
    assert.equal(ev.connected, false, "ready, EV contactors still open");
    ev.contactorsClosed = true;
    assert.equal(ev.connected, true, "EV contactors closed");
    ev.ready = false;
    assert.equal(ev.connected, false, "not ready");
    ev.ready = true;
    assert.equal(ev.connected, true, "ready again");
    ev.requestStop();
    ev.absorb(0, 400, 10, params.handshakeMs + 10);
    assert.equal(ev.superviseContactors(400, params.handshakeMs + 20), true, "stopped and no current: the EV opens its contactors");
    assert.equal(ev.contactorsClosed, false);
    assert.equal(ev.connected, false, "opened after the stop");
    const atReady = new EvModel({ ...EV400 }, 0, defaultPlantParams().ev);
    atReady.prepare(defaultPlantParams().ev.handshakeMs);
    assert.equal(atReady.connected, true, "atReady mode: connected at the end of the handshake");
  });

  it("contactor currents formed on demand equal the node balance of the last step (charging and discharging)", () => {
    const sim = quietSim(ring(), {}, 3);
    chargeOnSlot(sim, 5, 40, EV400);
    sim.runner.runFor(2000);
    const { plant } = sim;
    const dtS = sim.runner.stepMs / 1000;
    const bleedS = 1 / plant.params.bus.bleedResistanceOhm;
    const mi = plant.moduleIndexById.get("M5_0")!;
    const k = plant.moduleNode[mi];
    const e = plant.edgeIndexByContactor.get("MN_5_0")!;
    const capF = plant.nodes[k].capacitanceF;
    /** The module node is a leaf: its MN carries the node's whole injection (module current in, capacitor, bleeder, discharge out). */
    const expected = (v0: number, perFarad: number) => {
      const v = plant.nodeVoltageV[k];
      return -(capF * (v - v0)) / dtS - bleedS * v - v * perFarad * capF + plant.modules[mi].outputCurrentA;
    };
    for (let i = 0; i < 5; i++) {
      const v0 = plant.nodeVoltageV[k];
      sim.runner.step();
      assert.ok(plant.modules[mi].outputCurrentA > 30, `charging: ${plant.modules[mi].outputCurrentA} A`);
      // A flow formed from a stale voltage (the one before the step before) would differ here: the bus moves every step.
      assert.equal(Math.abs(plant.edgeCurrent(e)), Math.abs(expected(v0, 0)), `step ${i}`);
    }
    // Everything off, contactors as they are: the region discharges through the discharge circuit.
    sim.plant.unplug(5);
    for (const m of [0, 1]) sim.hal.modules.command(`M5_${m}`, { enabled: false, voltageV: 0, currentLimitA: 0 });
    sim.runner.runFor(20);
    const r = plant.regions[plant.regionOfNode[k]];
    const perFarad = 1 / plant.params.bus.dischargeResistanceOhm / r.capacitanceF;
    for (let i = 0; i < 5; i++) {
      const v0 = plant.nodeVoltageV[k];
      sim.runner.step();
      assert.ok(v0 > 1, `still charged: ${v0} V`);
      assert.equal(plant.modules[mi].running, false);
      assert.equal(Math.abs(plant.edgeCurrent(e)), Math.abs(expected(v0, perFarad)), `discharging step ${i}`);
    }
  });

  it("a gun with no EV carries current only while its GC is closed (the empty-gun shortcut needs an open GC)", () => {
    const sim = quietSim(ring(), {}, 4);
    chargeOnSlot(sim, 7, 40, EV400);
    sim.runner.runFor(1000);
    const { plant } = sim;
    const g = plant.gun(7);
    assert.ok(g.currentA > 30, `charging: ${g.currentA} A`);
    plant.unplug(7);
    sim.runner.step();
    // GC still closed, no EV: the cable capacitance and the bleeder still take current through the GC.
    assert.notEqual(g.currentA, 0, "GC closed: the EV-side node's injection flows through it");
    const meter = g.meterEnergyWh;
    sim.hal.contactors.command("GC_7", false);
    sim.runner.runFor(200);
    assert.equal(g.currentA, 0, "GC open, no EV");
    const meterOpen = g.meterEnergyWh;
    assert.notEqual(meterOpen, meter, "the meter moved while the GC was closed");
    const tempBefore = g.connectorTempC;
    sim.runner.runFor(1000);
    assert.equal(g.meterEnergyWh, meterOpen, "no current: the meter stands");
    assert.ok(g.connectorTempC < tempBefore, `the connector still cools: ${tempBefore} -> ${g.connectorTempC}`);
  });

  it("measured node voltages equal the true ones without a copy each step, and again after an over-voltage fault is cleared", () => {
    const sim = quietSim(ring(), {}, 8);
    const { plant } = sim;
    const same = (what: string) => assert.deepEqual(Array.from(plant.measuredNodeVoltageV), Array.from(plant.nodeVoltageV), what);
    plant.plug(9, EV800);
    for (let i = 0; i < 400; i++) {
      sim.runner.step();
      same(`plugging, step ${i}`);
    }
    chargeOnSlot(sim, 2, 40, EV400);
    for (let i = 0; i < 300; i++) {
      sim.runner.step();
      same(`charging, step ${i}`);
    }
    const g = plant.gun(2);
    const busNode = g.busNode;
    const handle = plant.injectFault("overVoltage", 2);
    sim.runner.step();
    assert.ok(plant.measuredNodeVoltageV[busNode] > plant.nodeVoltageV[busNode] + 100, `fault seen: ${plant.measuredNodeVoltageV[busNode]} V`);
    plant.clearFault(handle);
    sim.runner.step();
    same("fault cleared");
    // Everything off: the charged regions discharge and go quiet at 0 V.
    plant.unplug(2);
    sim.hal.contactors.releaseAll();
    for (const m of [0, 1]) sim.hal.modules.command(`M2_${m}`, { enabled: false, voltageV: 0, currentLimitA: 0 });
    for (let i = 0; i < 3000; i++) {
      sim.runner.step();
      if (i % 10 === 0) same(`discharging, step ${i}`);
    }
    assert.ok(plant.nodeVoltageV[busNode] < 60, `discharged: ${plant.nodeVoltageV[busNode]} V`);
    // The lone EV-side node of gun 9 held its pack's voltage; unplugged, it discharges and its region goes quiet.
    const evNode = plant.gun(9).evNode;
    assert.ok(plant.nodeVoltageV[evNode] > 500, `gun 9 inlet at the pack voltage: ${plant.nodeVoltageV[evNode]} V`);
    plant.unplug(9);
    for (let i = 0; i < 5000 && plant.nodeVoltageV[evNode] > 0; i++) {
      sim.runner.step();
      same(`gun 9 discharging, step ${i}`);
    }
    assert.equal(plant.nodeVoltageV[evNode], 0, "gun 9 inlet settled at 0 V");
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
  it("a module keeps its command object for a repeated equal command and takes every changed field of a new one", () => {
    const params = defaultPlantParams().module;
    const m = new PowerModuleModel("M", 30, defaultModuleRating(), params, 25);
    m.receive({ enabled: true, voltageV: 500, currentLimitA: 40 }, 0);
    const held = m.command;
    m.receive({ enabled: true, voltageV: 500, currentLimitA: 40 }, 100);
    assert.equal(m.command, held, "an equal command keeps the object a reader may hold");
    assert.equal(m.lastTrafficMs, 100, "an equal command still counts as traffic");
    m.receive({ enabled: true, voltageV: 500, currentLimitA: 41 }, 200);
    assert.equal(m.command.currentLimitA, 41, "current limit changed");
    m.receive({ enabled: true, voltageV: 501, currentLimitA: 41 }, 300);
    assert.equal(m.command.voltageV, 501, "voltage changed");
    m.receive({ enabled: false, voltageV: 501, currentLimitA: 41 }, 400);
    assert.equal(m.command.enabled, false, "enable changed");
    m.receive({ enabled: false, voltageV: -0, currentLimitA: 41 }, 500);
    assert.ok(Object.is(m.command.voltageV, -0), "-0 is a different value from 0 for this comparison");
    assert.deepEqual(held, { enabled: true, voltageV: 500, currentLimitA: 40 }, "the held object was never written");
  });
});
