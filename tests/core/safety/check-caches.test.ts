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

/**
 * Causes present per location (`FaultRegistry.causesPresentAt`, `presentVersion`): the
 * per-gun, per-module and per-island checks mark a cause gone only where one is present,
 * and read the bits of their location again only when the version moves. Each test fails
 * if a bit or the version were not kept with the registry's faults.
 */
describe("invariant violations (latched kind bit)", () => {
  it("an invariant violation latched while the audit is clean has its cause marked gone, so an operator reset clears it", () => {
    const rig = new Rig();
    rig.run(50);
    rig.core.faults.raise({ kind: "invariantViolation", severity: "high", scope: { guns: [3] }, location: "§5.1 guns 3,5", cause: "raised by a test", clear: { rule: "operatorReset" } });
    rig.run(20);
    const cleared = rig.sup.operatorReset();
    assert.deepEqual(cleared.map((f) => f.kind), ["invariantViolation"]);
    assert.equal(rig.sup.faults().length, 0);
  });
});

describe("causes present per location (FaultRegistry.causesPresentAt)", () => {
  const spec = (kind: "moduleAlarm" | "moduleOverTemp", location: string, oneShot = false) =>
    ({ kind, severity: "low" as const, scope: { modules: [location] }, location, cause: "x", clear: { rule: "causeGoneFor" as const, ms: 10 }, oneShot });

  it("a bit per kind latched at the location with its cause present; the version moves exactly when a bit does", () => {
    let now = 0;
    const registry = new FaultRegistry({ clock: { nowMs: () => now }, events: new EventLog(64) });
    const alarm = FAULT_KIND_BIT.moduleAlarm;
    const hot = FAULT_KIND_BIT.moduleOverTemp;
    assert.equal(registry.causesPresentAt("A"), 0);
    let v = registry.presentVersion;
    registry.raise(spec("moduleAlarm", "A"));
    assert.equal(registry.causesPresentAt("A"), alarm);
    assert.notEqual(registry.presentVersion, v);
    v = registry.presentVersion;
    registry.raise(spec("moduleAlarm", "A")); // the same cause, still present: a refresh
    assert.equal(registry.presentVersion, v, "a refresh changes no bit");
    registry.raise(spec("moduleOverTemp", "A"));
    assert.equal(registry.causesPresentAt("A"), alarm | hot);
    assert.equal(registry.causesPresentAt("B"), 0, "other locations untouched");
    v = registry.presentVersion;
    registry.causeGone("moduleAlarm", "A");
    assert.equal(registry.causesPresentAt("A"), hot);
    assert.notEqual(registry.presentVersion, v);
    v = registry.presentVersion;
    registry.causeGone("moduleAlarm", "A"); // already gone
    assert.equal(registry.presentVersion, v);
    registry.raise(spec("moduleAlarm", "A")); // back before it cleared
    assert.equal(registry.causesPresentAt("A"), alarm | hot);
    registry.raise(spec("moduleAlarm", "C", true)); // one-shot: no lasting cause
    assert.equal(registry.causesPresentAt("C"), 0);
    registry.causeGone("moduleAlarm", "A");
    registry.causeGone("moduleOverTemp", "A");
    assert.equal(registry.causesPresentAt("A"), 0);
    now = 20;
    registry.evaluateClears(() => true);
    assert.equal(registry.size, 0);
    registry.raise(spec("moduleAlarm", "A"));
    registry.operatorReset(); // refused: the cause is present
    assert.equal(registry.causesPresentAt("A"), alarm);
  });

  it("a fault latched at one module does not hide another's: with M3_0's alarm still present, M4_0's, once gone, clears after 5 s", () => {
    const rig = new Rig();
    rig.run(50);
    rig.plant.modules.get("M3_0")!.alarms = ["fanFail"];
    rig.run(20);
    const m4 = rig.plant.modules.get("M4_0")!;
    m4.alarms = ["fanFail"];
    rig.run(20);
    assert.equal(rig.sup.faults().filter((f) => f.kind === "moduleAlarm").length, 2);
    m4.alarms = [];
    rig.until(() => !rig.sup.faults().some((f) => f.location === "module M4_0"), 5200, "M4_0 alarm cleared");
    assert.ok(rig.sup.faults().some((f) => f.location === "module M3_0"), "M3_0's cause is still present");
  });

  it("a fault latched at one gun does not hide another's: with gun 5's sensor fault still present, gun 3's, once gone, clears after 5 s", () => {
    const rig = new Rig();
    rig.run(50);
    rig.plant.gunVoltageOverride.set(5, NaN);
    rig.run(20);
    rig.plant.gunVoltageOverride.set(3, NaN);
    rig.run(20);
    assert.equal(rig.sup.faults().filter((f) => f.kind === "sensorFault").length, 2);
    rig.plant.gunVoltageOverride.delete(3);
    rig.until(() => !rig.sup.faults().some((f) => f.location === "gun 3"), 5200, "gun 3 sensor fault cleared");
    assert.ok(rig.sup.faults().some((f) => f.location === "gun 5"), "gun 5's cause is still present");
  });
});

/**
 * The module and island checks reuse what they derived from the module replies while the
 * sequencer's module table is unchanged (`moduleTableVersion`; PERF5). The fake bus gets a
 * change counter the test bumps by hand, so that the table really stays the same between
 * bumps; each test changes a reply, bumps, and expects the check to see it (each fails if
 * the cache ignored the table), or lets the clock alone move a verdict.
 */
describe("module table caches (moduleTableVersion)", () => {
  function versionedRig(): { rig: Rig; bump: () => void } {
    const rig = new Rig();
    const bus = rig.plant.moduleBus as { readingsVersion?: number };
    bus.readingsVersion = 0;
    return { rig, bump: () => void (bus.readingsVersion = (bus.readingsVersion ?? 0) + 1) };
  }

  it("the sequencer's table version changes exactly when the replies are read again", () => {
    const { rig, bump } = versionedRig();
    rig.run(20);
    const v = rig.seq.moduleTableVersion;
    rig.run(50);
    assert.equal(rig.seq.moduleTableVersion, v, "same bus counter: same table");
    bump();
    rig.run(10);
    assert.notEqual(rig.seq.moduleTableVersion, v);
  });

  it("all-quiet modules: a reply that turns hot is judged once the table changes", () => {
    const { rig, bump } = versionedRig();
    rig.run(50);
    rig.plant.modules.get("M3_0")!.tempC = 95;
    bump();
    rig.run(20);
    assert.ok(rig.sup.faults().some((f) => f.kind === "moduleOverTemp" && f.location === "module M3_0"));
  });

  it("all-quiet modules: a module cause latched by someone else is still marked gone, with the same replies", () => {
    const { rig } = versionedRig();
    rig.run(50); // every module quiet, table unchanged from here on
    rig.core.faults.raise({ kind: "moduleAlarm", severity: "low", scope: { modules: ["M3_0"] }, location: "module M3_0", cause: "raised by a test", clear: { rule: "causeGoneFor", ms: 5000 } });
    rig.until(() => !rig.sup.faults().some((f) => f.kind === "moduleAlarm"), 5200, "alarm raised elsewhere cleared");
  });

  it("all-quiet modules: with the same replies, the clock alone times out their comms, at the same tick as a full pass", () => {
    const { rig } = versionedRig();
    rig.run(20);
    const seenMs = Math.min(...rig.plant.index.modules.map((m) => rig.seq.moduleReading(m.id)!.lastSeenMs));
    const timeoutMs = rig.plant.config.safety.moduleCommsTimeoutMs;
    rig.until(() => rig.sup.faults().some((f) => f.kind === "moduleCommsLost"), timeoutMs + 500, "comms lost");
    assert.ok(rig.plant.nowMs - seenMs > timeoutMs && rig.plant.nowMs - 10 - seenMs <= timeoutMs, `raised at the first tick past the timeout (${rig.plant.nowMs} ms)`);
  });

  it("island sums: a module current that rises is summed again once the table changes", () => {
    const { rig, bump } = versionedRig();
    rig.startCharging([{ gunId: 3 }]);
    rig.run(50);
    for (const m of rig.seq.islandModulesOf(3)) rig.plant.moduleCurrentOverride.set(m, 700);
    bump();
    rig.run(20);
    assert.ok(rig.sup.faults().some((f) => f.kind === "islandOverCurrent" && f.location === "gun 3"));
  });

  it("island sums: the worst bus-module difference is the module by module maximum, from either end, and follows the bus every tick", () => {
    for (const [busV, expectedDeltaV] of [[500, 100], [300, 130]] as const) {
      const { rig, bump } = versionedRig();
      rig.startCharging([{ gunId: 3, modules: ["M3_0", "M3_1"] }]);
      const modules = rig.seq.islandModulesOf(3);
      assert.ok(modules.length >= 2, "an island of two modules");
      const bus = rig.plant.moduleBus;
      const read = bus.read;
      // Two modules of the island reporting 400 V and 430 V.
      bus.read = (id: string) => {
        const r = read(id);
        return id === modules[0] ? { ...r, voltageV: 400 } : id === modules[1] ? { ...r, voltageV: 430 } : r;
      };
      bump();
      rig.run(50);
      assert.equal(rig.sup.faults().length, 0);
      // The replies stay the same; only the bus reading (read every tick) moves.
      rig.plant.slotBusOverride.set(3, busV);
      rig.until(() => rig.sup.faults().some((f) => f.kind === "implausibleMeasurement"), 300, "implausible measurement");
      const fault = rig.sup.faults().find((f) => f.kind === "implausibleMeasurement")!;
      assert.equal(fault.values?.deltaV, expectedDeltaV);
    }
  });

  it("island sums follow the MN flags: an MN no longer confirmed takes its module out, with the same replies", () => {
    const { rig, bump } = versionedRig();
    rig.startCharging([{ gunId: 3, modules: ["M3_0", "M3_1"] }]);
    bump();
    rig.run(100);
    const bank = rig.plant.bank;
    const aux = bank.aux.bind(bank);
    const bus = rig.plant.moduleBus;
    const read = bus.read;
    const modules = rig.seq.islandModulesOf(3);
    // Every module of the island reports a voltage far off the bus (the same replies from then on).
    bus.read = (id: string) => (modules.includes(id) ? { ...read(id), voltageV: 900 } : read(id));
    bump();
    rig.run(10);
    const mns = modules.map((m) => `MN_${m.slice(1)}`);
    bank.aux = (id: string) => (mns.includes(id) ? { closed: false, changedAtMs: rig.plant.nowMs } : aux(id));
    rig.run(200);
    assert.ok(!rig.sup.faults().some((f) => f.kind === "implausibleMeasurement"), "modules off their bus are not compared with it");
  });

  // PERF6: a pass that judged a module only to refresh its latched fault (cause present) settles too.
  it("settled with a cause present: the clock alone times out the comms of the module whose fault is latched, at the first tick past the timeout", () => {
    const { rig, bump } = versionedRig();
    rig.run(20);
    rig.plant.modules.get("M3_0")!.alarms = ["fanFail"];
    const bus = rig.plant.moduleBus;
    const read = bus.read;
    // M3_0's reply is the oldest, by far: only its own comms can time out first.
    bus.read = (id: string) => (id === "M3_0" ? { ...read(id), lastSeenMs: read(id).lastSeenMs - 400 } : read(id));
    bump();
    rig.run(20);
    assert.ok(rig.sup.faults().some((f) => f.kind === "moduleAlarm" && f.location === "module M3_0"), "alarm latched, cause present");
    const seenMs = rig.seq.moduleReading("M3_0")!.lastSeenMs;
    const timeoutMs = rig.plant.config.safety.moduleCommsTimeoutMs;
    rig.until(() => rig.sup.faults().some((f) => f.kind === "moduleCommsLost"), timeoutMs + 500, "comms lost");
    assert.ok(rig.sup.faults().some((f) => f.kind === "moduleCommsLost" && f.location === "module M3_0"));
    assert.ok(rig.plant.nowMs - seenMs > timeoutMs && rig.plant.nowMs - 10 - seenMs <= timeoutMs, `raised at the first tick past the timeout (${rig.plant.nowMs} ms)`);
  });

  it("settled with a cause present: a reply that turns hot elsewhere is judged once the table changes, and the latched module's cause, once gone, clears", () => {
    const { rig, bump } = versionedRig();
    rig.run(20);
    const m3 = rig.plant.modules.get("M3_0")!;
    m3.alarms = ["fanFail"];
    bump();
    rig.run(50); // M3_0 judged (a refresh) on every pass: settled on the same replies
    rig.plant.modules.get("M4_0")!.tempC = 95;
    rig.run(50);
    assert.ok(!rig.sup.faults().some((f) => f.kind === "moduleOverTemp"), "same table: M4_0's reply is still the cool one");
    bump();
    rig.run(10);
    assert.ok(rig.sup.faults().some((f) => f.kind === "moduleOverTemp" && f.location === "module M4_0"));
    m3.alarms = [];
    bump();
    rig.until(() => !rig.sup.faults().some((f) => f.kind === "moduleAlarm"), 5200, "M3_0 alarm cleared");
  });

  it("settled with a cause present: a cause latched by someone else at a quiet module is still marked gone, with the same replies", () => {
    const { rig, bump } = versionedRig();
    rig.run(20);
    rig.plant.modules.get("M3_0")!.alarms = ["fanFail"];
    bump();
    rig.run(50);
    rig.core.faults.raise({ kind: "moduleOverTemp", severity: "low", scope: { modules: ["M4_0"] }, location: "module M4_0", cause: "raised by a test", clear: { rule: "causeGoneFor", ms: 1000 } });
    rig.until(() => !rig.sup.faults().some((f) => f.kind === "moduleOverTemp"), 1300, "over-temperature raised elsewhere cleared");
    assert.ok(rig.sup.faults().some((f) => f.kind === "moduleAlarm"), "M3_0's cause is still present");
  });
});
