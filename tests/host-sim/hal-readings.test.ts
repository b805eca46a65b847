import { strict as assert } from "assert";
import { SensorNoise } from "../../host-sim/hal/host-hal";
import { Prng } from "../../host-sim/plant/prng";
import type { GunMeasurement } from "../../hal/sensors";
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
  it("a gun reading draws the same noise as voltage(), current(), temp() one by one, for every mix of zero and non-zero deviations", () => {
    for (const [voltageNoiseV, currentNoiseA, tempNoiseC] of [[0.5, 0.2, 0.1], [0, 0.2, 0.1], [0.5, 0, 0.1], [0.5, 0.2, 0], [0, 0, 0], [NaN, 1, -1]]) {
      const sd = { voltageNoiseV, currentNoiseA, tempNoiseC };
      const one = new SensorNoise(new Prng(9), sd);
      const batch = new SensorNoise(new Prng(9), sd);
      const record: GunMeasurement = { voltageV: 0, currentA: 0, connectorTempC: 0, insulationOhm: 0, energyWh: 0 };
      for (let k = 0; k < 5000; k++) {
        const v = 400 + k;
        const a = k % 7 === 0 ? 0 : 100 - k / 100;
        const c = 25 + k / 1000;
        batch.gunReading(record, v, a, c);
        const at = `${JSON.stringify(sd)} read ${k}`;
        assert.strictEqual(record.voltageV, one.voltage(v), `${at}: voltage`);
        assert.strictEqual(record.currentA, one.current(a), `${at}: current`);
        assert.strictEqual(record.connectorTempC, one.temp(c), `${at}: temperature`);
      }
      // The two cursors end at the same place: a module reading after them draws the same.
      assert.strictEqual(batch.voltage(1), one.voltage(1), `${JSON.stringify(sd)}: cursor after`);
    }
  });
});
