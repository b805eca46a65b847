/**
 * The supervisor's caches of discrete state (PERF4): each must follow its invalidation,
 * so every test here changes the cached input while the cabinet runs and expects the
 * check to see the change. Each would fail if the cache were never refreshed.
 */
import { strict as assert } from "assert";
import { EventLog } from "../../../src/events/event-log";
import { FAULT_KIND_BIT, FaultRegistry } from "../../../src/safety/faults";
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

describe("module check fast path", () => {
  it("a quiet module is still judged while a fault is latched: its alarm, once gone, clears after 5 s", () => {
    const rig = new Rig();
    rig.run(50);
    const module = rig.plant.modules.get("M3_0")!;
    module.alarms = ["fanFail"];
    rig.run(20);
    assert.ok(rig.sup.faults().some((f) => f.kind === "moduleAlarm" && f.location === "module M3_0"));
    module.alarms = []; // quiet again: only the latched fault sends it through the full judgement
    rig.until(() => !rig.sup.faults().some((f) => f.kind === "moduleAlarm"), 5200, "module alarm cleared");
  });

  it("a module that gets hot, loses comms or raises an alarm is judged although no fault was latched", () => {
    for (const inject of [
      (r: Rig) => { r.plant.modules.get("M3_0")!.tempC = 90; },
      (r: Rig) => { r.plant.modules.get("M3_0")!.online = false; },
      (r: Rig) => { r.plant.modules.get("M3_0")!.alarms = ["fanFail"]; },
    ]) {
      const rig = new Rig();
      rig.run(50);
      assert.equal(rig.sup.faults().length, 0);
      inject(rig);
      rig.run(20);
      assert.equal(rig.sup.faults().filter((f) => f.location === "module M3_0").length, 1);
    }
  });
});

describe("island check fast path", () => {
  it("an island is still judged while a fault is latched: an implausible reading that goes away clears 5 s later", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }]);
    rig.plant.slotBusOverride.set(3, -100);
    rig.until(() => rig.sup.faults().some((f) => f.kind === "implausibleMeasurement"), 300, "implausible measurement");
    rig.plant.slotBusOverride.delete(3); // plausible again while the island ramps down: only the latched fault sends it through the full judgement
    rig.tick();
    assert.ok(rig.seq.isEnergized(3), "still ramping down when the cause went away");
    rig.until(() => !rig.sup.faults().some((f) => f.kind === "implausibleMeasurement"), 5200, "implausible measurement cleared");
  });
});

describe("latched fault kinds (FaultRegistry.latchedKinds)", () => {
  it("a kind's bit is set while a fault of it is latched and cleared with the last one", () => {
    let now = 0;
    const registry = new FaultRegistry({ clock: { nowMs: () => now }, events: new EventLog(64) });
    const spec = (location: string) => ({ kind: "moduleAlarm" as const, severity: "low" as const, scope: { modules: [location] }, location, cause: "x", clear: { rule: "causeGoneFor" as const, ms: 10 } });
    assert.equal(registry.latchedKinds, 0);
    registry.raise(spec("A"));
    registry.raise(spec("B"));
    assert.equal(registry.latchedKinds, FAULT_KIND_BIT.moduleAlarm);
    registry.causeGone("moduleAlarm", "A");
    now = 20;
    registry.evaluateClears(() => true);
    assert.equal(registry.size, 1);
    assert.equal(registry.latchedKinds, FAULT_KIND_BIT.moduleAlarm, "B still latched");
    registry.causeGone("moduleAlarm", "B");
    now = 40;
    registry.evaluateClears(() => true);
    assert.equal(registry.latchedKinds, 0);
  });

  it("the supervisor marks a cause gone once its kind is latched: a door fault clears 1 s after the door closes, twice", () => {
    const rig = new Rig();
    for (let round = 0; round < 2; round++) {
      rig.plant.door = true;
      rig.run(30);
      assert.ok(rig.sup.faults().some((f) => f.kind === "doorOpen"));
      rig.plant.door = false;
      rig.until(() => !rig.sup.faults().some((f) => f.kind === "doorOpen"), 1100, "door fault cleared");
    }
  });
});
