/**
 * The process image read in batches (docs/process-image.md): the optional HAL batch reads
 * (Sensors.readGuns / readSlotBuses, EvLink.readStatuses, ContactorBank.readAux) and the
 * module bus's readingsVersion. The core must read exactly what the id-by-id reads give,
 * treat an item a batch skipped as unreadable (never last tick's value), fall back to id by
 * id when a batch throws (only the items that really fail get their fallback), and read
 * module replies again whenever the bus's counter changes or a read failed.
 */
import { strict as assert } from "assert";
import type { GunMeasurement } from "../../../hal/sensors";
import type { EvStatus } from "../../../hal/ev-link";
import type { ModuleBus } from "../../../hal/power-modules";
import { indexCabinet } from "../../../src/config";
import { ContactorHealth } from "../../../src/contactors";
import { EventLog } from "../../../src/events";
import { FakePlant } from "../support/fake-plant";
import { Rig } from "../support/rig";

interface BatchCalls {
  guns: number;
  statuses: number;
  slots: number;
  aux: number;
}

/** Batch reads built on the fake plant's own id-by-id reads (so their values are the same). */
function addBatchReads(plant: FakePlant): BatchCalls {
  const calls: BatchCalls = { guns: 0, statuses: 0, slots: 0, aux: 0 };
  const { sensors, ev, bank } = plant;
  sensors.readGuns = (ids, into) => {
    calls.guns++;
    for (let k = 0; k < ids.length; k++) into[k] = sensors.gun(ids[k]);
  };
  sensors.readSlotBuses = (ids, intoV) => {
    calls.slots++;
    for (let k = 0; k < ids.length; k++) intoV[k] = sensors.slotBus(ids[k]).voltageV;
  };
  ev.readStatuses = (ids, into) => {
    calls.statuses++;
    for (let k = 0; k < ids.length; k++) into[k] = ev.status(ids[k]);
  };
  bank.readAux = (ids, into) => {
    calls.aux++;
    for (let k = 0; k < ids.length; k++) into[k] = bank.aux(ids[k]).closed ? 1 : 0;
  };
  return calls;
}

function image(rig: Rig): unknown {
  const r = rig.seq.tickReadings;
  return { guns: [...r.guns], ev: [...r.ev], modules: [...r.modules], slotBusV: [...r.slotBusV] };
}

const gunIds = (rig: Rig) => rig.plant.config.guns.map((g) => g.id);

describe("process image: batch reads", () => {
  it("a HAL with batch reads gives the tick the same readings and verdicts as one read id by id", () => {
    const batch = new Rig();
    const calls = addBatchReads(batch.plant);
    const oneByOne = new Rig();
    for (const rig of [batch, oneByOne]) {
      rig.startCharging([{ gunId: 3 }, { gunId: 8 }]);
      rig.plant.weld("GC_8");
      rig.plant.slotBusOverride.set(5, Infinity);
    }
    batch.run(300);
    oneByOne.run(300);
    assert.deepEqual(image(batch), image(oneByOne));
    assert.deepEqual(batch.core.health.faults(), oneByOne.core.health.faults());
    assert.ok(Number.isNaN(batch.seq.slotBusVoltageV(5)), "an infinite bus voltage from a batch counts as unknown");
    assert.ok(calls.guns > 50 && calls.statuses > 50 && calls.slots > 50 && calls.aux > 50, `the batches were used: ${JSON.stringify(calls)}`);
  });

  it("an item a batch skips is unreadable this tick (null / NaN), never last tick's reading", () => {
    const rig = new Rig();
    addBatchReads(rig.plant);
    rig.run(50);
    assert.notEqual(rig.seq.gunReading(5), null);
    assert.notEqual(rig.seq.evReading(5), null);
    assert.ok(Number.isFinite(rig.seq.slotBusVoltageV(5)));
    const skip = gunIds(rig).indexOf(5);
    const { sensors, ev } = rig.plant;
    sensors.readGuns = (ids, into) => ids.forEach((id, k) => void (k !== skip && (into[k] = sensors.gun(id))));
    ev.readStatuses = (ids, into) => ids.forEach((id, k) => void (k !== skip && (into[k] = ev.status(id))));
    const slotSkip = rig.plant.config.slots.findIndex((s) => s.id === 5);
    sensors.readSlotBuses = (ids, intoV) => ids.forEach((id, k) => void (k !== slotSkip && (intoV[k] = sensors.slotBus(id).voltageV)));
    rig.run(10);
    assert.equal(rig.seq.gunReading(5), null);
    assert.equal(rig.seq.evReading(5), null);
    assert.ok(Number.isNaN(rig.seq.slotBusVoltageV(5)));
    assert.notEqual(rig.seq.gunReading(6), null, "the others are read");
    assert.ok(Number.isFinite(rig.seq.slotBusVoltageV(6)));
    rig.run(6000);
    const kinds = rig.sup.faults().filter((f) => f.location === "gun 5").map((f) => f.kind).sort();
    assert.deepEqual(kinds, ["evLinkLost", "sensorFault"]);
  });

  it("a batch that throws is read again id by id: only the id whose read throws gets its fallback", () => {
    const rig = new Rig();
    const calls = addBatchReads(rig.plant);
    const { sensors, ev } = rig.plant;
    const gun = sensors.gun;
    const slotBus = sensors.slotBus;
    sensors.readGuns = () => {
      calls.guns++;
      throw new Error("meter bus busy");
    };
    sensors.readSlotBuses = () => {
      calls.slots++;
      throw new Error("bus sensors busy");
    };
    ev.readStatuses = () => {
      calls.statuses++;
      throw new Error("EV links busy");
    };
    sensors.gun = (id: number): GunMeasurement => {
      if (id === 4) throw new Error("meter 4 down");
      return gun(id);
    };
    sensors.slotBus = (id: number) => {
      if (id === 4) throw new Error("bus sensor 4 down");
      return slotBus(id);
    };
    rig.plant.evLinkDown.add(4);
    rig.run(20);
    assert.ok(calls.guns > 0 && calls.slots > 0 && calls.statuses > 0, "the batches were tried");
    assert.equal(rig.seq.gunReading(4), null);
    assert.equal(rig.seq.evReading(4), null);
    assert.ok(Number.isNaN(rig.seq.slotBusVoltageV(4)));
    for (const id of [1, 3, 5, 12]) {
      assert.deepEqual(rig.seq.gunReading(id), gun(id), `gun ${id}`);
      assert.deepEqual(rig.seq.evReading(id), ev.status(id), `EV ${id}`);
      assert.equal(rig.seq.slotBusVoltageV(id), slotBus(id).voltageV, `slot ${id}`);
    }
  });

  it("an EV status kept from a batch read is a copy later batch reads never change (sessions keep them across ticks)", () => {
    const rig = new Rig();
    const made: EvStatus[] = [];
    const { ev } = rig.plant;
    ev.readStatuses = (ids, into) => ids.forEach((id, k) => made.push((into[k] = ev.status(id))));
    rig.run(10);
    const kept = rig.seq.evReading(2);
    assert.ok(kept !== null && !made.includes(kept), "a copy, not the batch's object");
    const values = { ...kept };
    for (const status of made) Object.assign(status, { requestCurrentA: -1, plugged: false });
    rig.run(10);
    assert.deepEqual(kept, values, "the kept one is untouched");
  });
});

/**
 * The rig's module bus, counting reads and (with `version`) carrying a change counter the
 * test bumps by hand. Changed in place: the sequencer holds that very object.
 */
function countReads(rig: Rig, version: boolean): { bus: ModuleBus & { readingsVersion?: number }; reads: () => number } {
  let reads = 0;
  const bus: ModuleBus & { readingsVersion?: number } = rig.plant.moduleBus;
  const read = bus.read;
  bus.read = (id: string) => {
    reads++;
    return read(id);
  };
  if (version) bus.readingsVersion = 0;
  return { bus, reads: () => reads };
}

describe("process image: module replies and the bus's readingsVersion", () => {
  function rigWithCountedBus(): { rig: Rig; bus: ModuleBus & { readingsVersion?: number }; reads: () => number } {
    const rig = new Rig();
    return { rig, ...countReads(rig, true) };
  }

  it("replies are read again exactly when the counter changes", () => {
    const { rig, bus, reads } = rigWithCountedBus();
    const moduleCount = rig.plant.index.modules.length;
    rig.run(10);
    const first = reads();
    assert.ok(first >= moduleCount, "every module read on the first tick");
    rig.run(50);
    assert.equal(reads(), first, "same counter: not read again");
    const id = rig.plant.index.modules[2].id;
    rig.plant.modules.get(id)!.online = false;
    rig.run(10);
    assert.equal(rig.seq.moduleReading(id)?.online, true, "a change the bus did not signal is not seen (the bus's promise)");
    bus.readingsVersion = (bus.readingsVersion ?? 0) + 1;
    rig.run(10);
    assert.equal(reads(), first + moduleCount, "read again once");
    assert.equal(rig.seq.moduleReading(id)?.online, false, "the new reply is in the table");
  });

  it("a reply that could not be read is read again on the next tick, counter or not", () => {
    const { rig, bus, reads } = rigWithCountedBus();
    const id = rig.plant.index.modules[3].id;
    const read = bus.read;
    let down = true;
    bus.read = (m: string) => {
      if (m === id && down) throw new Error("CAN timeout");
      return read(m);
    };
    rig.run(10);
    assert.equal(rig.seq.moduleReading(id), null);
    assert.notEqual(rig.seq.moduleReading(rig.plant.index.modules[4].id), null, "the others are read");
    down = false;
    const before = reads();
    rig.run(10);
    assert.ok(reads() > before, "read again");
    assert.notEqual(rig.seq.moduleReading(id), null);
    const after = reads();
    rig.run(30);
    assert.equal(reads(), after, "then no more until the counter changes");
  });

  it("a bus without the counter is read every tick", () => {
    const rig = new Rig();
    const counted = countReads(rig, false);
    rig.run(10);
    const perTick = counted.reads();
    rig.run(30);
    assert.equal(counted.reads(), perTick * 4);
  });
});

describe("process image: aux contacts read in one batch (ContactorHealth)", () => {
  function healthOn(plant: FakePlant, events = new EventLog(256)): ContactorHealth {
    return new ContactorHealth({ index: indexCabinet(plant.config), bank: plant.bank, storage: plant.storage, clock: plant.clock, events });
  }

  /** Welds, a stuck-open contactor, flicker and normal closes: every verdict. */
  function exercise(plant: FakePlant, health: ContactorHealth): void {
    plant.weld("MC_2");
    plant.contactors.get("GC_1")!.stuckOpen = true;
    health.command("MC_2", false, 0, "test");
    health.command("GC_1", true, 0, "test");
    health.command("GC_2", true, 0, "test");
    const mn = plant.contactors.get("MN_4_0")!;
    for (let t = 0; t < 1500; t += 10) {
      plant.advance(10);
      if (t % 200 === 0 && t < 600) mn.aux = !mn.aux;
      if (t === 700) health.reset("MN_4_0");
      if (t === 800) health.command("GC_2", false, 0, "test");
      health.update();
    }
  }

  it("gives the verdicts and events of the reads one by one", () => {
    const batchPlant = new FakePlant();
    const calls = addBatchReads(batchPlant);
    const batchEvents = new EventLog(256);
    const batch = healthOn(batchPlant, batchEvents);
    const plainPlant = new FakePlant();
    const plainEvents = new EventLog(256);
    const plain = healthOn(plainPlant, plainEvents);
    exercise(batchPlant, batch);
    exercise(plainPlant, plain);
    assert.ok(calls.aux >= 150, "the batch was used");
    assert.deepEqual(batch.faults(), plain.faults());
    assert.deepEqual(batch.faults(), { MC_2: "welded", GC_1: "stuckOpen", MN_4_0: "welded" });
    assert.deepEqual(batchEvents.recent(256), plainEvents.recent(256));
    for (const id of batch.ids) assert.equal(batch.aux(id), plain.aux(id), id);
  });

  it("a contact the batch skips keeps its last reading, and its pending mismatch is still timed", () => {
    const plant = new FakePlant();
    const { bank } = plant;
    const ids = indexCabinet(plant.config).contactors.map((c) => c.id);
    const skipped = "GC_5";
    const skip = ids.indexOf(skipped);
    bank.readAux = (list, into) => list.forEach((id, k) => void (k !== skip && (into[k] = bank.aux(id).closed ? 1 : 0)));
    const health = healthOn(plant);
    const before = health.aux(skipped);
    health.command(skipped, !before, 0, "test");
    health.command("GC_6", true, 0, "test");
    for (let t = 0; t < 200; t += 10) {
      plant.advance(10);
      health.update();
    }
    assert.equal(health.aux(skipped), before, "last reading kept");
    assert.equal(health.fault(skipped), before ? "welded" : "stuckOpen", "the mismatch was timed on it");
    assert.equal(health.confirmed("GC_6", true), true, "the others are read");
  });

  it("a batch that throws is read id by id (a contact that throws keeps its last reading)", () => {
    const plant = new FakePlant();
    const { bank } = plant;
    const aux = bank.aux;
    bank.readAux = () => {
      throw new Error("expander busy");
    };
    bank.aux = (id: string) => {
      if (id === "GC_3") throw new Error("aux line down");
      return aux(id);
    };
    const health = healthOn(plant);
    health.command("GC_4", true, 0, "test");
    health.command("GC_3", true, 0, "test");
    for (let t = 0; t < 100; t += 10) {
      plant.advance(10);
      health.update();
    }
    assert.equal(health.confirmed("GC_4", true), true);
    assert.equal(health.aux("GC_3"), false, "last reading kept");
  });
});

/**
 * EvLink.readStatuses as a register read: the link refills one record per gun on every read.
 * The tick sees the same values as any other read; `evReading` (what the control tick hands
 * the charging sessions, which keep it) must never hand out a record the link refills, and
 * must hand out the new values once the status changes.
 */
describe("process image: the EV status register (readStatuses)", () => {
  /** A register read on the fake plant's own statuses: one record per position, refilled. */
  function addRegister(rig: Rig): { records: EvStatus[]; calls: () => number } {
    const { ev } = rig.plant;
    const records: EvStatus[] = [];
    let calls = 0;
    ev.readStatuses = (ids, into) => {
      calls++;
      for (let k = 0; k < ids.length; k++) {
        const status = ev.status(ids[k]);
        if (records.length <= k) records.push({ ...status });
        into[k] = Object.assign(records[k], status);
      }
    };
    return { records, calls: () => calls };
  }

  it("gives the tick the same readings and verdicts as reading id by id", () => {
    const register = new Rig();
    const { calls } = addRegister(register);
    const plain = new Rig();
    for (const rig of [register, plain]) {
      rig.startCharging([{ gunId: 3 }, { gunId: 8 }]);
      rig.plant.insulationOhm.set(8, 10);
    }
    register.run(300);
    plain.run(300);
    assert.deepEqual(image(register), image(plain));
    assert.deepEqual(register.sup.faults().map((f) => [f.kind, f.location]), plain.sup.faults().map((f) => [f.kind, f.location]));
    assert.ok(calls() > 50, "the register read was used");
    // The unplug clear rule reads the register's plugged flag.
    for (const rig of [register, plain]) {
      rig.plant.insulationOhm.set(8, Infinity);
      rig.plant.unplug(8);
      rig.run(100);
    }
    assert.ok(!register.sup.faults().some((f) => f.kind === "insulation"), "unplugging cleared the insulation fault");
    assert.deepEqual(register.sup.faults(), plain.sup.faults());
  });

  it("a status kept from evReading never changes when the link refills its record", () => {
    const rig = new Rig();
    const { records } = addRegister(rig);
    rig.startCharging([{ gunId: 2 }]);
    const pos = gunIds(rig).indexOf(2);
    const kept = rig.seq.evReading(2)!;
    assert.notEqual(kept, records[pos], "not the link's record");
    assert.equal(rig.seq.tickReadings.ev[pos], records[pos], "the tick reads the record itself");
    const snapshot = { ...kept };
    rig.plant.evs.get(2)!.requestCurrentA = 42;
    rig.plant.evs.get(2)!.batteryV = 433;
    rig.run(20);
    assert.equal(records[pos].requestCurrentA, 42, "the record was refilled");
    assert.deepEqual(kept, snapshot, "the kept status is untouched");
    const now = rig.seq.evReading(2)!;
    assert.equal(now.requestCurrentA, 42, "a new status with the new values");
    assert.equal(now.batteryVoltageV, 433);
  });

  it("hands out the same copy while the status is unchanged, a new one on any field's change", () => {
    const rig = new Rig();
    addRegister(rig);
    rig.startCharging([{ gunId: 2 }]);
    const first = rig.seq.evReading(2)!;
    rig.run(50);
    assert.equal(rig.seq.evReading(2), first, "unchanged: the same object");
    assert.ok(Object.isFrozen(first), "a copy no keeper can change");
    for (const [field, value] of [["stopRequested", true], ["paused", true], ["maxCurrentA", 123], ["ready", false]] as const) {
      const before = rig.seq.evReading(2)!;
      (rig.plant.evs.get(2)! as unknown as Record<string, unknown>)[field] = value;
      rig.run(10);
      const after = rig.seq.evReading(2)!;
      assert.notEqual(after, before, `${field} changed: a new copy`);
      assert.equal((after as unknown as Record<string, unknown>)[field], value);
    }
  });
});
