import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { CabinetHal } from "../../hal/index";
import { EV400, quietSim } from "./helpers";

const root = path.join(__dirname, "..", "..");

describe("host-sim host HAL", () => {
  it("implements every hal/ interface and drives every contactor and module of the cabinet", () => {
    const sim = quietSim();
    const hal: CabinetHal = sim.hal;
    assert.equal(hal.contactors.ids.length, 12 + 12 + 24);
    assert.equal(hal.modules.ids.length, 24);
    hal.contactors.command("NOPE_1", true);
    assert.match(sim.hal.log.lines[0].message, /unknown contactor "NOPE_1" ignored/);
    hal.storage.set("a/b", "1");
    hal.storage.set("c", "2");
    assert.deepEqual(hal.storage.keys("a/"), ["a/b"]);
    assert.equal(hal.storage.get("c"), "2");
    assert.equal(hal.inputs.estopActive(), false);
    sim.plant.injectFault("door", null);
    assert.equal(hal.inputs.doorOpen(), true);
    assert.equal(hal.sensors.gun(1).insulationOhm, sim.plant.params.imd.healthyOhm);
    sim.plant.injectFault("imd", 1);
    assert.ok(hal.sensors.gun(1).insulationOhm < sim.plant.config.safety.insulationFaultOhm);
  });

  it("reports the EV's status and battery voltage on the EV side of an open GC", () => {
    const sim = quietSim();
    assert.equal(sim.hal.ev.status(1).plugged, false);
    sim.plant.plug(1, EV400);
    sim.runner.runFor(2500);
    const st = sim.hal.ev.status(1);
    assert.equal(st.plugged, true);
    assert.equal(st.ready, true);
    assert.ok(st.requestCurrentA > 0);
    assert.ok(st.maxVoltageV > st.requestVoltageV && st.requestVoltageV > st.batteryVoltageV);
    assert.ok(Math.abs(sim.hal.sensors.gun(1).voltageV - st.batteryVoltageV) < 1);
    sim.hal.ev.offer(1, 50, 380);
    assert.equal(sim.plant.gun(1).offeredCurrentA, 50);
  });

  it("module readings refresh from the plant while the module answers, and show it offline when silent", () => {
    const sim = quietSim();
    assert.equal(sim.hal.modules.read("M1_0").online, false, "nothing heard yet");
    sim.hal.modules.command("M1_0", { enabled: true, voltageV: 500, currentLimitA: 5 });
    sim.runner.runFor(sim.plant.params.module.startupDelayMs + 200);
    const r = sim.hal.modules.read("M1_0");
    assert.equal(r.online, true);
    assert.equal(r.running, true);
    assert.ok(sim.plant.nowMs - r.lastSeenMs <= 100);
    sim.plant.injectFault("moduleCommsLoss", "M1_0");
    sim.runner.runFor(sim.plant.config.safety.moduleCommsTimeoutMs + 200);
    assert.equal(sim.hal.modules.read("M1_0").online, false);
  });

  it("the hardware watchdog, once fed, releases every coil and stops modules when feeding stops", () => {
    const sim = quietSim();
    sim.hal.contactors.command("GC_1", true);
    sim.hal.contactors.command("MC_1", false);
    sim.hal.modules.command("M1_0", { enabled: true, voltageV: 500, currentLimitA: 5 });
    const stop = sim.runner.every(10, () => sim.hal.feedWatchdog());
    sim.runner.runFor(1000);
    assert.equal(sim.plant.contactor("GC_1").mainClosed, true);
    stop();
    sim.runner.runFor(sim.plant.params.site.watchdogTimeoutMs + 50);
    assert.equal(sim.plant.watchdogTrips, 1);
    assert.equal(sim.plant.contactor("GC_1").mainClosed, false);
    assert.equal(sim.plant.contactor("MC_1").mainClosed, true);
    assert.equal(sim.plant.module("M1_0").command.enabled, false);
  });

  it("the runner fires periodic tasks at their simulated times, after the plant step", () => {
    const sim = quietSim();
    const fast: number[] = [];
    const control: number[] = [];
    sim.runner.every(10, (t) => fast.push(t));
    sim.runner.every(100, (t) => control.push(t));
    sim.runner.runUntil(300);
    assert.equal(fast.length, 30);
    assert.deepEqual(control, [100, 200, 300]);
    assert.equal(sim.plant.nowMs, 300);
  });

  it("plant, host HAL, observer and scenario code use no Node APIs or Math.random", () => {
    const forbidden = /from "(node:)?(fs|path|os|child_process|net|http|events|util|process|timers)"|\bprocess\.|\bsetTimeout\(|\bsetInterval\(|\bconsole\.|Math\.random|\bBuffer\b|\brequire\(/;
    const nodeOnly = new Set(["host-sim/hal/realtime.ts", "host-sim/scenario/load-file.ts", "host-sim/scenario/write-fleet-day.ts"]);
    for (const dir of ["host-sim/plant", "host-sim/hal", "host-sim/observer", "host-sim/scenario"]) {
      for (const f of fs.readdirSync(path.join(root, dir))) {
        const rel = `${dir}/${f}`;
        if (!f.endsWith(".ts") || nodeOnly.has(rel)) continue;
        const text = fs.readFileSync(path.join(root, rel), "utf8");
        assert.doesNotMatch(text, forbidden, rel);
      }
    }
  });

  it("runs inside a real XS engine", async function () {
    this.timeout(60_000);
    const runner = await import(path.join(root, "build", "xs-test.mjs"));
    const result = await runner.runXsTests([path.join(__dirname, "fixtures", "plant-in-xs.fixture.ts")], { quiet: true });
    assert.deepEqual(result.failures, []);
    assert.equal(result.passed, 2);
  });
});

describe("host-sim snapshot and observer report", () => {
  it("snapshots the plant as plain JSON and summarizes the observer", async () => {
    const { plantSnapshot } = await import("../../host-sim/plant/snapshot");
    const { observerReport } = await import("../../host-sim/observer/report");
    const { chargeOnSlot } = await import("./helpers");
    const sim = quietSim();
    chargeOnSlot(sim, 3, 30);
    sim.runner.runFor(2000);
    sim.plant.injectFault("gcWeld", "GC_3");
    sim.runner.step();
    const snap = JSON.parse(JSON.stringify(plantSnapshot(sim.plant)));
    assert.equal(snap.guns.length, 12);
    assert.equal(snap.modules.length, 24);
    const gun3 = snap.guns.find((g: { id: number }) => g.id === 3);
    assert.ok(gun3.plugged && gun3.currentA > 50);
    assert.equal(snap.contactors.find((c: { id: string }) => c.id === "GC_3").fault, "weld");
    assert.notEqual(snap.slots[2].region, snap.slots[3].region, "slot 3 is its own island");
    const report = observerReport(sim.observer, sim.plant);
    assert.deepEqual(report.invariantViolations, []);
    assert.ok(report.contactorOperations.byContactor["GC_3"] === 1 && report.contactorOperations.total >= 5);
    assert.equal(report.faults.length, 1);
  });
});

describe("host-sim real-time pacing", () => {
  it("advances simulated time while running and not after stop()", async () => {
    const { runRealTime } = await import("../../host-sim/hal/realtime");
    const sim = quietSim();
    let frames = 0;
    const handle = runRealTime(sim.runner, { speed: 20, frameMs: 10, onFrame: () => frames++ });
    await new Promise((resolve) => setTimeout(resolve, 150));
    handle.stop();
    const at = sim.plant.nowMs;
    assert.ok(at > 0 && frames > 0, `simulated ${at} ms in ${frames} frames`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(sim.plant.nowMs, at);
  });
});
