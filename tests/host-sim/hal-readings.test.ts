import { strict as assert } from "assert";
import { chargeOnSlot, EV400, quietSim } from "./helpers";

describe("host-sim HAL readings (allocation-free paths)", () => {
  it("an EV's reported battery voltage is its terminal voltage, while charging and after", () => {
    const sim = quietSim();
    chargeOnSlot(sim, 3, 40, EV400);
    const ev = sim.plant.gun(3).ev!;
    for (let i = 0; i < 400; i++) {
      sim.runner.step();
      if (i % 50 === 0) assert.equal(sim.hal.ev.status(3).batteryVoltageV, ev.terminalVoltageV(), `step ${i}`);
    }
    assert.ok(Math.abs(ev.batteryCurrentA) > 10, "charging");
    sim.plant.evStop(3);
    sim.runner.runFor(2000);
    assert.equal(sim.hal.ev.status(3).batteryVoltageV, ev.terminalVoltageV());
  });

  it("module readings carry the module's own alarm list (shared lists, same words and order)", () => {
    const sim = quietSim();
    const m = sim.plant.module("M4_1");
    const readAlarms = () => {
      sim.runner.runFor(200);
      return [...sim.hal.modules.read("M4_1").alarms];
    };
    assert.deepEqual(readAlarms(), m.alarms());
    assert.deepEqual(readAlarms(), []);
    sim.plant.injectFault("moduleFail", "M4_1");
    assert.deepEqual(readAlarms(), ["fault"]);
    m.tempC = m.rating.derateStartTempC + 1;
    assert.deepEqual(readAlarms(), m.alarms());
    assert.deepEqual(m.alarms(), ["fault", "derating"]);
    m.tempC = m.rating.tripTempC + 1; // the module trips itself on its next step
    assert.deepEqual(readAlarms(), ["fault", "overTemp"]);
    sim.plant.clearFault(1);
    assert.deepEqual(readAlarms(), m.alarms());
    assert.deepEqual(m.alarms(), ["overTemp"]);
    assert.ok(Object.isFrozen(sim.hal.modules.read("M4_1").alarms), "shared lists cannot be changed by a reader");
  });
});
