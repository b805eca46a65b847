import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { deratingFactor, gunRatingKW, moduleCountFor, selectModules, thresholdFactor, waterFill } from "../../../src/planner";
import { defaultModuleRating, defaultPolicy } from "../../../src/config";
import { runs } from "./arbitrary";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe("planner algorithm A: clamping, derating, water-filling", () => {
  it("rates a gun at Imax x V with V = EV voltage capped by the gun max voltage", () => {
    const gun = { id: 1, gc: "GC_1", maxVoltageV: 500, minVoltageV: 200, maxCurrentA: 200, priorityDefault: 0 };
    close(gunRatingKW(gun, 400, 800), 80);
    close(gunRatingKW(gun, 900, 800), 100); // capped at 500 V
    close(gunRatingKW(gun, 0, 450), 90); // EV voltage unknown: site default
    close(gunRatingKW({ ...gun, maxPowerKW: 50 }, 400, 800), 50);
  });

  it("derates linearly between derateStartTempC and tripTempC", () => {
    const r = defaultModuleRating(); // 65 .. 85 °C
    assert.equal(deratingFactor(25, r), 1);
    assert.equal(deratingFactor(65, r), 1);
    close(deratingFactor(75, r), 0.5);
    assert.equal(deratingFactor(85, r), 0);
    assert.equal(deratingFactor(120, r), 0);
  });

  it("does not overshoot where the seed pseudocode does (a gun capped mid-round)", () => {
    // Seed 000 §5.2 gives [10, 78.3, 78.3] = 166.7 kW out of 100 kW here.
    const b = waterFill([10, 100, 100], [1, 1, 1], 100);
    close(b[0], 10);
    close(b[1], 45);
    close(b[2], 45);
  });

  it("gives everyone their cap when the capacity suffices, and weights by (1 + priority)", () => {
    assert.deepEqual(waterFill([10, 20], [1, 1], 100), [10, 20]);
    const b = waterFill([100, 100], [1, 3], 80);
    close(b[0], 20);
    close(b[1], 60);
    assert.deepEqual(waterFill([10, 20], [1, 1], 0), [0, 0]);
  });

  it("is exact weighted max-min: sum = min(capacity, sum of caps), nobody above cap, an uncapped gun has the highest level", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cap: fc.double({ min: 0, max: 500, noNaN: true }), weight: fc.integer({ min: 1, max: 5 }) }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 2000, noNaN: true }),
        (guns, capacity) => {
          const caps = guns.map((g) => g.cap);
          const weights = guns.map((g) => g.weight);
          const b = waterFill(caps, weights, capacity);
          const sum = b.reduce((a, x) => a + x, 0);
          const sumCaps = caps.reduce((a, x) => a + x, 0);
          assert.ok(sum <= capacity + 1e-9, "sum exceeds capacity");
          close(sum, Math.min(capacity, sumCaps), 1e-6);
          b.forEach((x, i) => {
            assert.ok(x >= 0 && x <= caps[i] + 1e-9);
            if (x < caps[i] - 1e-6) b.forEach((y, j) => assert.ok(x / weights[i] >= y / weights[j] - 1e-6, "an uncapped gun is below another's level"));
          });
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

describe("planner algorithms B and C: module count and selection", () => {
  const policy = defaultPolicy();
  const full = [30, 30, 30, 30, 30, 30];

  it("uses the seed thresholds 0.8 / 1.6 x module power and continues them past the list", () => {
    assert.equal(thresholdFactor([0.8, 1.6], 1), 0.8);
    close(thresholdFactor([0.8, 1.6], 3), 2.4);
    close(thresholdFactor([0.9], 3), 2.7);
    assert.equal(moduleCountFor(0, full, 2, 9, policy, 30), 0);
    assert.equal(moduleCountFor(24, full, 2, 9, policy, 30), 1);
    assert.equal(moduleCountFor(25, full, 2, 9, policy, 30), 2);
    assert.equal(moduleCountFor(60, full, 2, 9, policy, 30), 2);
    assert.equal(moduleCountFor(100, full, 6, 9, policy, 30), 5); // 100 > 2.4 x 30 ... <= 4.0 x 30
  });

  it("never uses more modules than the cable can carry, but enough to deliver the budget", () => {
    // A 40 kW cable: threshold says 2 for 30 kW; the cable allows ceil(40 / 30) = 2.
    assert.equal(moduleCountFor(30, full, 6, 2, policy, 30), 2);
    // Derated modules: 3 x 15 kW needed for 40 kW even though the cable count is 2.
    assert.equal(moduleCountFor(40, [15, 15, 15], 3, 2, policy, 30), 3);
  });

  it("respects the policy minimum for a gun that gets power", () => {
    assert.equal(moduleCountFor(5, full, 6, 9, { ...policy, minModulesPerGun: 2 }, 30), 2);
    assert.equal(moduleCountFor(5, [30], 1, 9, { ...policy, minModulesPerGun: 2 }, 30), 1);
  });

  it("keeps running modules, then prefers cooler ones, then fewer operating hours", () => {
    const m = (id: string, tempC: number, hours: number, wasOn = false, powerKW = 30) => ({ id, index: 0, powerKW, tempC, operatingHours: hours, wasOn, onSinceMs: wasOn ? 0 : -1 });
    assert.deepEqual(selectModules([m("A", 40, 1), m("B", 30, 9), m("C", 30, 2)], 2, 40).map((x) => x.id), ["C", "B"]);
    assert.deepEqual(selectModules([m("A", 40, 1, true), m("B", 30, 9), m("C", 30, 2)], 1, 20).map((x) => x.id), ["A"]);
    // A running module that got too hot to carry the budget is not kept.
    assert.deepEqual(selectModules([m("A", 80, 1, true, 7.5), m("B", 30, 9)], 1, 20).map((x) => x.id), ["B"]);
  });
});
