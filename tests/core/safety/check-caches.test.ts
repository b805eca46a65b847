/**
 * The supervisor's caches of discrete state (PERF4): each must follow its invalidation,
 * so every test here changes the cached input while the cabinet runs and expects the
 * check to see the change. Each would fail if the cache were never refreshed.
 */
import { strict as assert } from "assert";
import { Rig } from "../support/rig";

describe("safety check caches", () => {
  it("MN confirmation flags follow the contactors: an MN confirmed closed after the first ticks puts its module under the plausibility check", () => {
    const rig = new Rig();
    // Gun 5 charging first: the flags are read while MN_3_0 is still open.
    rig.startCharging([{ gunId: 5 }]);
    rig.run(100);
    rig.startCharging([{ gunId: 5 }, { gunId: 3 }]);
    rig.plant.slotBusOverride.set(3, -100); // the bus reading now disagrees with the running module
    rig.until(() => rig.sup.faults().some((f) => f.kind === "implausibleMeasurement"), 300, "implausible measurement");
  });

  it("MN confirmation flags follow the contactors: an MN no longer confirmed takes its module out of the plausibility check", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }]);
    rig.run(100);
    // The MN's aux drops open while it is commanded closed: no longer confirmed (its
    // module may be off the bus), so a disagreeing bus reading is not implausible.
    const mn = rig.plant.contactors.get("MN_3_0")!;
    rig.plant.slotBusOverride.set(3, -100);
    const bank = rig.plant.bank;
    const aux = bank.aux.bind(bank);
    bank.aux = (id: string) => (id === mn.id ? { closed: false, changedAtMs: rig.plant.nowMs } : aux(id));
    rig.run(200);
    assert.ok(!rig.sup.faults().some((f) => f.kind === "implausibleMeasurement"), "a module off its bus is not compared with it");
  });
});
