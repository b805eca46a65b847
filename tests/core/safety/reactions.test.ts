/**
 * Reactions and clearing rules beyond the fault matrix: sequencing timeouts,
 * escalation to an emergency opening, operator reset, automatic clears,
 * internal errors, and the event ring buffer.
 */
import { strict as assert } from "assert";
import { EventLog } from "../../../src/events";
import { overVoltageTripV } from "../../../src/safety";
import { defaultSafety } from "../../../src/config";
import { FakePlant } from "../support/fake-plant";
import { planFor, Rig } from "../support/rig";

describe("safety reactions and clearing rules", () => {
  it("IEC 61851-23 over-voltage bands by negotiated EV maximum", () => {
    const bands = defaultSafety().overVoltageBands;
    assert.deepEqual([400, 500, 501, 750, 850, 1000, 1001, 1500].map((v) => overVoltageTripV(bands, v)), [550, 550, 825, 825, 935, 1100, 1375, 1375]);
  });

  it("zero-current timeout: a load that does not follow the zero limit is cut by an emergency opening after 2 s, counted", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 4 }]);
    rig.run(500);
    const ev = rig.plant.evs.get(4)!;
    ev.ignoresOffer = true;
    rig.plant.modules.get("M4_0")!.forceRunning = true; // a module that ignores "off" and the zero limit
    rig.plan = planFor(rig.plant.config, []);
    const start = rig.plant.nowMs;
    rig.until(() => rig.sup.faults().some((f) => f.kind === "zeroCurrentTimeout"), 5000, "zero-current timeout");
    const fault = rig.sup.faults().find((f) => f.kind === "zeroCurrentTimeout")!;
    assert.equal(fault.severity, "high");
    assert.ok(fault.raisedAtMs - start >= 2000, "not before zeroCurrentTimeoutMs at zero limit");
    assert.equal(rig.plant.contactors.get("GC_4")!.commanded, false);
    assert.ok(rig.core.health.counters("GC_4").breaksUnderLoad >= 1);
    rig.run(30); // the contacts part after their release time
    assert.ok(rig.plant.breaks.some((b) => b.id === "GC_4" || b.id === "MN_4_0"), "the plant saw the break under load");
  });

  it("precharge timeout: the island never reaches the EV voltage -> Medium fault, island off, cleared by unplug", () => {
    const rig = new Rig({ slewVPerMs: 0.01 });
    rig.plant.plug(2);
    rig.plan = planFor(rig.plant.config, [{ gunId: 2 }]);
    rig.until(() => rig.sup.faults().some((f) => f.kind === "prechargeTimeout"), 6000, "precharge timeout");
    const fault = rig.sup.faults().find((f) => f.kind === "prechargeTimeout")!;
    assert.equal(fault.severity, "medium");
    assert.equal(rig.plant.contactors.get("GC_2")!.commanded, false, "GC never closed");
    rig.run(100);
    assert.equal(rig.phase(2), "faulted");
    assert.deepEqual(rig.plant.runningModules(), []);
    rig.plant.unplug(2);
    rig.run(20);
    assert.equal(rig.phase(2), "idle");
  });

  it("e-stop: global emergency; reset refused while pressed, accepted after release; charging resumes", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 1 }, { gunId: 6 }]);
    rig.plant.estop = true;
    rig.run(50);
    assert.deepEqual(rig.plant.runningModules(), []);
    for (const c of rig.plant.contactors.values()) assert.equal(c.commanded, false, c.id);
    assert.deepEqual(rig.sup.operatorReset(), []);
    rig.run(500);
    assert.ok(rig.sup.faults().some((f) => f.kind === "estop"), "never clears by itself");
    rig.plant.estop = false;
    rig.run(20);
    assert.equal(rig.sup.operatorReset().length, 1);
    rig.until(() => rig.phase(1) === "charging" && rig.phase(6) === "charging", 3000, "both charging again");
    assert.deepEqual(rig.plant.violations, []);
  });

  it("door: global emergency, clears by itself 1 s after the door closes", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 9 }]);
    rig.plant.door = true;
    rig.run(30);
    assert.equal(rig.phase(9), "faulted");
    rig.plant.door = false;
    rig.run(900);
    assert.ok(rig.sup.faults().some((f) => f.kind === "doorOpen"));
    rig.run(200);
    assert.ok(!rig.sup.faults().some((f) => f.kind === "doorOpen"));
    rig.until(() => rig.phase(9) === "charging", 3000, "charging again");
  });

  it("an exception inside the supervisor's reaction or the sequencer's step becomes a global High fault, not a crash", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 5 }]);
    rig.seq.errorShutdown = () => {
      throw new Error("boom");
    };
    rig.plant.insulationOhm.set(5, 1000);
    assert.doesNotThrow(() => rig.tick());
    const fault = rig.sup.faults().find((f) => f.kind === "internalError")!;
    assert.equal(fault.location, "supervisor");
    assert.equal(fault.scope.global, true);
    assert.deepEqual(rig.plant.runningModules(), []);
    rig.run(20);
    assert.ok(rig.sup.operatorReset(fault.id).some((f) => f.id === fault.id), "reset once a tick passed cleanly");

    const rig2 = new Rig();
    rig2.startCharging([{ gunId: 6 }]);
    rig2.plan = { ...rig2.plan, guns: null as never };
    assert.doesNotThrow(() => rig2.tick());
    assert.ok(rig2.sup.faults().some((f) => f.kind === "internalError" && f.location === "sequencer"));
    assert.deepEqual(rig2.plant.runningModules(), []);
    assert.equal(rig2.plant.contactors.get("GC_6")!.commanded, false);
  });

  it("bad plan input is refused with a reason naming it, never thrown into the loop", () => {
    const rig = new Rig();
    rig.plant.plug(3);
    const plan = planFor(rig.plant.config, [{ gunId: 3 }]);
    plan.guns[0].islandSlots = [3, 99];
    plan.guns.push({ ...plan.guns[0], id: 42 });
    rig.plan = plan;
    assert.doesNotThrow(() => rig.run(200));
    assert.match(rig.seq.gunStatus(3).reason ?? "", /slot 99/);
    assert.deepEqual(rig.plant.runningModules(), []);
    rig.plan = { ...plan, guns: [{ ...plan.guns[0], islandSlots: [3], modules: ["M7_0"] }] };
    rig.run(200);
    assert.match(rig.seq.gunStatus(3).reason ?? "", /M7_0 cannot reach the island/);
  });

  it("close(): modules off, GC and MN opened, no further steps", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 12 }]);
    rig.seq.close();
    rig.plant.advance(50);
    rig.seq.step(rig.plan);
    assert.deepEqual(rig.plant.runningModules(), []);
    assert.equal(rig.plant.contactors.get("GC_12")!.commanded, false);
    assert.equal(rig.plant.contactors.get("MN_12_0")!.commanded, false);
  });
});

describe("event log (bounded ring buffer)", () => {
  it("keeps the newest events, in order, with gap-revealing sequence numbers", () => {
    const log = new EventLog(4);
    for (let i = 1; i <= 6; i++) log.push(i * 10, "info", "test", `e${i}`);
    assert.equal(log.size, 4);
    assert.equal(log.lastSeq, 6);
    assert.deepEqual(log.since(0).map((e) => e.seq), [3, 4, 5, 6]);
    assert.deepEqual(log.since(4).map((e) => e.message), ["e5", "e6"]);
    assert.deepEqual(log.recent(2).map((e) => e.atMs), [50, 60]);
    assert.deepEqual(log.since(6), []);
  });

  it("records commands, feedback, faults and clears of a session", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }]);
    rig.plant.connectorTempC.set(3, 99);
    rig.run(100);
    const kinds = new Set(rig.core.events.since(0).map((e) => e.kind));
    for (const k of ["command", "feedback", "fault", "phase", "module"]) assert.ok(kinds.has(k as never), `no ${k} event`);
    const fault = rig.core.events.since(0).find((e) => e.kind === "fault")!;
    assert.equal(fault.source, "gun 3");
    assert.ok(fault.values && fault.values.tempC === 99);
    assert.ok(new FakePlant().logLines.length === 0);
  });
});
