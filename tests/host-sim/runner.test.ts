import { strict as assert } from "assert";
import { SimRunner } from "../../host-sim/hal/runner";
import type { HostHal } from "../../host-sim/hal/host-hal";
import type { CabinetPlant } from "../../host-sim/plant/plant";
import { SimTimerDriver } from "../../host-sim/sim-cabinet";

/** A runner over a plant that only keeps time (the runner's own order is what these tests look at). */
function bareRunner(stepMs = 10): SimRunner {
  const plant = { nowMs: 0, step(ms: number) { this.nowMs += ms; } };
  const hal = { service() {} };
  return new SimRunner(plant as unknown as CabinetPlant, hal as unknown as HostHal, { stepMs });
}

describe("host-sim runner timers", () => {
  it("fires due timers earliest first, registration order on ties, each re-armed timer in its place", () => {
    // Guards the sorted timer list: a re-armed periodic timer must move back behind timers
    // due earlier (else B and D below would never fire), and a new timer goes to its place.
    const runner = bareRunner();
    const fired: string[] = [];
    runner.every(10, (t) => fired.push(`A${t}`));
    runner.every(30, (t) => fired.push(`B${t}`));
    runner.at(25, (t) => fired.push(`C${t}`));
    runner.every(30, (t) => fired.push(`D${t}`));
    runner.runUntil(60);
    assert.deepEqual(fired, ["A10", "A20", "C30", "A30", "B30", "D30", "A40", "A50", "A60", "B60", "D60"]);
    assert.deepEqual(runner.pendingTimers(), [
      { dueMs: 70, periodMs: 10 },
      { dueMs: 90, periodMs: 30 },
      { dueMs: 90, periodMs: 30 },
    ]);
  });

  it("a timer added by a running timer fires in the same step when due; a cancelled one never again", () => {
    const runner = bareRunner();
    const fired: string[] = [];
    const cancelB = runner.every(20, (t) => fired.push(`B${t}`));
    runner.every(10, (t) => {
      fired.push(`A${t}`);
      if (t === 20) runner.at(20, (u) => fired.push(`E${u}`));
      if (t === 30) cancelB();
    });
    runner.runUntil(60);
    assert.deepEqual(fired, ["A10", "B20", "A20", "E20", "A30", "A40", "A50", "A60"]);
  });

  it("a one-shot fires once and its cancel is then a no-op; a timer due at NaN never fires nor blocks others", () => {
    const runner = bareRunner();
    const fired: string[] = [];
    const cancelOnce = runner.at(10, (t) => fired.push(`once${t}`));
    runner.at(NaN, () => fired.push("never"));
    runner.every(20, (t) => fired.push(`P${t}`));
    runner.runUntil(40);
    cancelOnce();
    runner.runUntil(60);
    assert.deepEqual(fired, ["once10", "P20", "P40", "P60"]);
  });

  it("the scheduler's timer driver wakes once at the first step at or after its due time, and not after cancel()", () => {
    const runner = bareRunner(10);
    const driver = new SimTimerDriver(runner, () => runner.nowMs);
    const wakes: number[] = [];
    driver.schedule(25, () => wakes.push(runner.nowMs));
    runner.runUntil(60);
    assert.deepEqual(wakes, [30]);
    driver.schedule(0, () => wakes.push(runner.nowMs));
    driver.schedule(15, () => wakes.push(-runner.nowMs));
    runner.runUntil(100);
    assert.deepEqual(wakes, [30, -80], "schedule() replaces the pending wake");
    driver.schedule(10, () => wakes.push(runner.nowMs));
    driver.cancel();
    runner.runUntil(200);
    assert.deepEqual(wakes, [30, -80]);
  });
});
