/**
 * Contactor health (issue 4 deliverable 2): welded / stuck open / flickering aux,
 * what each means for the cabinet (seed 000 §9.3), and the persisted operation
 * and break-under-load counters.
 */
import { strict as assert } from "assert";
import { indexCabinet } from "../../../src/config";
import { ContactorHealth } from "../../../src/contactors";
import { EventLog } from "../../../src/events";
import { FakePlant } from "../support/fake-plant";
import { planFor, Rig } from "../support/rig";

function healthOn(plant: FakePlant): ContactorHealth {
  return new ContactorHealth({ index: indexCabinet(plant.config), bank: plant.bank, storage: plant.storage, clock: plant.clock, events: new EventLog(64) });
}

describe("contactor health", () => {
  it("commanded open but aux closed past the feedback timeout is a weld; not before", () => {
    const plant = new FakePlant();
    const health = healthOn(plant);
    plant.weld("MC_2");
    health.command("MC_2", false, 0, "test");
    for (let t = 0; t < 100; t += 10) {
      plant.advance(10);
      health.update();
    }
    assert.equal(health.fault("MC_2"), null, "100 ms is the timeout itself");
    plant.advance(10);
    health.update();
    assert.equal(health.fault("MC_2"), "welded");
    assert.equal(health.possiblyClosed("MC_2"), true);
    assert.equal(health.confirmed("MC_2", false), false);
    assert.deepEqual(health.faults(), { MC_2: "welded" });
  });

  it("an unreadable aux keeps its last reading (and its pending mismatch) while the contactors after it are still judged", () => {
    const plant = new FakePlant();
    const ids = indexCabinet(plant.config).contactors.map((c) => c.id);
    const unreadable = ids[0];
    const welded = ids[ids.length - 1];
    const closing = ids[1];
    let unreadableNow = false;
    const health = new ContactorHealth({
      index: indexCabinet(plant.config),
      bank: { ...plant.bank, aux: (id: string) => {
        if (id === unreadable && unreadableNow) throw new Error("aux line unreadable");
        return plant.bank.aux(id);
      } },
      storage: plant.storage, clock: plant.clock, events: new EventLog(64),
    });
    health.command(welded, true, 0, "test");
    for (let t = 0; t < 100; t += 10) {
      plant.advance(10);
      health.update();
    }
    assert.equal(health.confirmed(welded, true), true);
    plant.weld(welded);
    health.command(welded, false, 0, "test");
    health.command(closing, true, 0, "test");
    // Commanded against its aux, then unreadable: the mismatch keeps being timed on the last reading.
    const wasClosed = health.aux(unreadable);
    health.command(unreadable, !wasClosed, 0, "test");
    unreadableNow = true;
    for (let t = 0; t < 150; t += 10) {
      plant.advance(10);
      health.update();
    }
    assert.equal(health.aux(unreadable), wasClosed, "last reading kept");
    assert.equal(health.fault(unreadable), wasClosed ? "welded" : "stuckOpen");
    assert.equal(health.fault(welded), "welded", "a contactor after the unreadable one is still judged");
    assert.equal(health.fault(closing), null);
    assert.equal(health.confirmed(closing, true), true, "a normal close after the unreadable one lands");
  });

  it("commanded closed but aux open past the timeout is stuck open; a normal close is not", () => {
    const plant = new FakePlant();
    const health = healthOn(plant);
    plant.contactors.get("GC_1")!.stuckOpen = true;
    health.command("GC_1", true, 0, "test");
    health.command("GC_2", true, 0, "test");
    for (let t = 0; t < 150; t += 10) {
      plant.advance(10);
      health.update();
    }
    assert.equal(health.fault("GC_1"), "stuckOpen");
    assert.equal(health.fault("GC_2"), null);
    assert.equal(health.confirmed("GC_2", true), true);
  });

  it("an aux that changes on its own three times within a second is a feedback fault, and counts as possibly closed", () => {
    const plant = new FakePlant();
    const health = healthOn(plant);
    const mn = plant.contactors.get("MN_4_0")!;
    for (let i = 0; i < 3; i++) {
      plant.advance(200);
      mn.aux = !mn.aux;
      health.update();
      if (i < 2) assert.notEqual(health.fault("MN_4_0"), "feedbackFault");
    }
    mn.aux = false;
    plant.advance(10);
    health.update();
    assert.equal(health.fault("MN_4_0"), "feedbackFault");
    assert.equal(health.possiblyClosed("MN_4_0"), true);
    assert.equal(health.reset("MN_4_0"), true);
    assert.equal(health.fault("MN_4_0"), null);
  });

  it("operations and breaks under load are counted and persisted, and survive a restart", () => {
    const plant = new FakePlant();
    const health = healthOn(plant);
    health.command("GC_3", true, 0, "close");
    health.command("GC_3", false, 120, "emergency");
    health.command("GC_3", false, 0, "again: no change, not counted");
    assert.deepEqual(health.counters("GC_3"), { operations: 2, breaksUnderLoad: 1 });
    assert.equal(plant.storage.get("cc/GC_3"), "2,1");
    const again = healthOn(plant);
    assert.deepEqual(again.counters("GC_3"), { operations: 2, breaksUnderLoad: 1 });
    plant.storage.set("cc/GC_4", "garbage,-3");
    assert.deepEqual(healthOn(plant).counters("GC_4"), { operations: 0, breaksUnderLoad: 0 });
  });

  it("welded GC (§9.3): found when the gun stops, the gun is faulted and its slot never energized again", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 2 }]);
    rig.run(300);
    rig.plant.weld("GC_2");
    rig.plan = planFor(rig.plant.config, []);
    rig.run(1500);
    assert.equal(rig.core.health.fault("GC_2"), "welded");
    const fault = rig.sup.faults().find((f) => f.kind === "contactorWelded" && f.location === "GC_2")!;
    assert.equal(fault.severity, "medium");
    assert.deepEqual(fault.scope.guns, [2]);
    assert.deepEqual(fault.scope.slots, [2]);
    rig.plant.plug(3);
    rig.plan = planFor(rig.plant.config, [{ gunId: 2 }, { gunId: 3, slots: [2, 3], modules: ["M2_0", "M3_0"] }]);
    rig.run(1000);
    assert.equal(rig.phase(2), "faulted");
    assert.notEqual(rig.phase(3), "charging");
    assert.deepEqual(rig.plant.runningModules(), []);
    assert.deepEqual(rig.plant.violations, []);
  });

  it("welded MN (§9.3): module forced onto its bus, module and slot blocked, no island over that slot", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 7, modules: ["M7_0", "M7_1"] }]);
    rig.run(300);
    rig.plant.weld("MN_7_1");
    rig.plan = planFor(rig.plant.config, []);
    rig.run(1500);
    const fault = rig.sup.faults().find((f) => f.kind === "contactorWelded" && f.location === "MN_7_1")!;
    assert.deepEqual(fault.scope.modules, ["M7_1"]);
    assert.deepEqual(fault.scope.slots, [7]);
    rig.plan = planFor(rig.plant.config, [{ gunId: 7, modules: ["M7_0"] }]);
    rig.run(1000);
    assert.notEqual(rig.phase(7), "charging");
    assert.match(rig.seq.gunStatus(7).reason ?? "", /blocked/);
    assert.deepEqual(rig.plant.runningModules(), []);
  });

  it("stuck-open GC: the gun gets a fault instead of charging, and its island is switched off", () => {
    const rig = new Rig();
    rig.plant.contactors.get("GC_9")!.stuckOpen = true;
    rig.plant.plug(9);
    rig.plan = planFor(rig.plant.config, [{ gunId: 9 }]);
    rig.run(1000);
    assert.ok(rig.sup.faults().some((f) => f.kind === "contactorStuckOpen" && f.scope.guns.includes(9)));
    assert.equal(rig.phase(9), "faulted");
    assert.deepEqual(rig.plant.runningModules(), []);
  });

  it("operator reset clears a contactor fault only together with the contactor's verdict", () => {
    const rig = new Rig();
    rig.plant.weld("MC_10");
    rig.plant.plug(10);
    rig.plan = planFor(rig.plant.config, [{ gunId: 10 }]);
    rig.run(500);
    const fault = rig.sup.faults().find((f) => f.location === "MC_10")!;
    rig.plant.repair("MC_10");
    rig.run(50);
    const cleared = rig.sup.operatorReset(fault.id);
    assert.deepEqual(cleared.map((f) => f.id), [fault.id]);
    assert.equal(rig.core.health.fault("MC_10"), null);
    rig.until(() => rig.phase(10) === "charging", 3000, "charging after repair");
  });
});
