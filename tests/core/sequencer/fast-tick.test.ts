/**
 * The fast tick's prepared tables and shortcuts (docs/safety.md, "third round"):
 * each one is only a cache of something the tick could compute again, so each test
 * changes the input the cache depends on and checks that the tick follows it.
 */
import { strict as assert } from "assert";
import type { Plan } from "../../../src/planner/types";
import { planFor, Rig } from "../support/rig";

function withGunLimit(plan: Plan, gunId: number, currentLimitA: number): Plan {
  return { ...plan, guns: plan.guns.map((g) => (g.id === gunId ? { ...g, currentLimitA } : g)) };
}

describe("fast tick: prepared tables follow their inputs", () => {
  it("the plan's per-gun entries are looked up again for a new plan object (current ceiling follows)", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3, currentLimitA: 100 }]);
    rig.run(2000);
    assert.ok(rig.seq.allowedCurrentA(3) > 60, `ramped up first (${rig.seq.allowedCurrentA(3)} A)`);
    rig.plan = withGunLimit(rig.plan, 3, 40);
    rig.run(20);
    assert.ok(rig.seq.allowedCurrentA(3) <= 40, `new plan object: ceiling 40 A (${rig.seq.allowedCurrentA(3)} A)`);
  });

  it("the per-gun entries are looked up again when the same plan object gets another guns array", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3, currentLimitA: 100 }]);
    rig.run(2000);
    const plan = rig.plan;
    plan.guns = plan.guns.map((g) => ({ ...g, currentLimitA: 30 }));
    rig.run(20);
    assert.ok(rig.seq.allowedCurrentA(3) <= 30, `same plan object, new guns array: ceiling 30 A (${rig.seq.allowedCurrentA(3)} A)`);
  });

  it("a gun listed twice in a plan takes its first entry, as a search by id would", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3, currentLimitA: 100 }]);
    rig.run(2000);
    const first = { ...rig.plan.guns[0], currentLimitA: 25 };
    rig.plan = { ...rig.plan, guns: [first, ...rig.plan.guns] };
    rig.run(20);
    assert.ok(rig.seq.allowedCurrentA(3) <= 25, `first entry wins (${rig.seq.allowedCurrentA(3)} A)`);
  });

  it("a new plan that only moves a contactor of no island is still carried out (the plan shape compares contactors)", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }]);
    const far = rig.plant.config.slots.find((s) => s.id === 9)!.mc;
    assert.equal(rig.core.health.commanded(far), true, `${far} closed by the first plan`);
    rig.plan = { ...rig.plan, contactors: { ...rig.plan.contactors, [far]: "open" } };
    rig.run(50);
    assert.equal(rig.core.health.commanded(far), false, `${far} opened by the new plan`);
    rig.plan = { ...rig.plan, contactors: { ...rig.plan.contactors, [far]: "closed" } };
    rig.run(50);
    assert.equal(rig.core.health.commanded(far), true, `${far} closed again`);
  });

  it("the island list is a new array when an island comes or goes, the same one otherwise", () => {
    const rig = new Rig();
    const before = rig.seq.energizedIslands;
    rig.startCharging([{ gunId: 3 }]);
    const charging = rig.seq.energizedIslands;
    assert.notEqual(charging, before);
    assert.deepEqual(charging.map((i) => i.gunId), [3]);
    assert.equal(charging[0].modulePos.length, charging[0].modules.length);
    rig.run(100);
    assert.equal(rig.seq.energizedIslands, charging, "nothing changed: same list");
    rig.plant.unplug(3);
    rig.until(() => !rig.seq.isEnergized(3), 3000, "island released");
    assert.deepEqual(rig.seq.energizedIslands, []);
    assert.deepEqual(charging.map((i) => i.gunId), [3], "a list handed out earlier is not changed");
  });

  it("a reason for a gun outside the cabinet (bad plan) is kept like any other", () => {
    const rig = new Rig();
    rig.plant.plug(3);
    const plan = planFor(rig.plant.config, [{ gunId: 3 }]);
    plan.guns.push({ ...plan.guns[0], id: 42 });
    rig.plan = plan;
    rig.run(50);
    assert.match(rig.seq.gunStatus(42).reason ?? "", /not in the cabinet/);
  });

  it("every module is commanded off on the first step, then only on changes", () => {
    const rig = new Rig();
    const bus = rig.plant.moduleBus;
    const command = bus.command.bind(bus);
    const sent: string[] = [];
    bus.command = (id, cmd) => {
      sent.push(`${id}:${cmd.enabled ? "on" : "off"}`);
      command(id, cmd);
    };
    rig.run(10);
    const modules = rig.core.sequencer.index.modules.map((m) => `${m.id}:off`);
    assert.deepEqual(sent, modules, "one OFF per module, in module order");
    rig.run(100);
    assert.equal(sent.length, modules.length, "nothing more while nothing changes");
  });

  it("the count of modules last sent OFF matches the sent commands through a charge and a stop", () => {
    const rig = new Rig();
    const seq = rig.core.sequencer as unknown as { sentOffCount: number; sentOff(slot: number): boolean };
    const recount = () => rig.core.sequencer.index.modules.filter((_, i) => seq.sentOff(i)).length;
    rig.run(10);
    assert.equal(seq.sentOffCount, recount());
    rig.startCharging([{ gunId: 3 }, { gunId: 7, modules: ["M7_0", "M7_1"] }]);
    assert.equal(seq.sentOffCount, recount());
    assert.ok(recount() < rig.core.sequencer.index.modules.length, "some modules on");
    rig.plant.unplug(3);
    rig.until(() => !rig.seq.isEnergized(3), 3000, "island 3 released");
    assert.equal(seq.sentOffCount, recount());
    rig.plant.estop = true;
    rig.run(20);
    assert.equal(seq.sentOffCount, recount());
    assert.equal(recount(), rig.core.sequencer.index.modules.length, "all off after the e-stop");
  });

  it("the blocks say `none` exactly while nothing is latched", () => {
    const rig = new Rig();
    rig.run(20);
    assert.equal(rig.core.faults.blocks().none, true);
    rig.plant.door = true;
    rig.run(20);
    assert.equal(rig.core.faults.blocks().none, false);
    rig.plant.door = false;
    rig.until(() => rig.core.faults.size === 0, 3000, "door fault cleared");
    assert.equal(rig.core.faults.blocks().none, true);
  });

  it("an island's blocked verdict is judged again when the blocks change: a fault on its module, latched after an unrelated one, ramps it down", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }]);
    const spec = (module: string) => ({ kind: "moduleAlarm" as const, severity: "low" as const, scope: { modules: [module] }, location: `module ${module}`,
      cause: "raised by a test", clear: { rule: "causeGoneFor" as const, ms: 60_000 } });
    // Latched straight in the registry (no supervisor reaction): only the sequencer's blocked verdict can stop the island.
    rig.core.faults.raise(spec("M8_0"));
    rig.run(50);
    assert.equal(rig.phase(3), "charging", "a fault elsewhere blocks nothing of the island");
    const module = rig.seq.islandModulesOf(3)[0];
    rig.core.faults.raise(spec(module));
    rig.tick();
    // Blocked: a fast ramp-down for the latched fault (a target merely gone would ramp at the ramp rate).
    const rampDowns = rig.core.events.recent(20).filter((e) => e.source === "gun 3" && e.message.startsWith("ramping down"));
    assert.deepEqual(rampDowns.map((e) => e.message), ["ramping down (fast): latched fault"]);
  });
});

describe("fast tick: reads and the supervisor's shortcuts", () => {
  it("a fault latched outside the supervisor's checks is still marked gone (and clears) once its cause is absent", () => {
    const rig = new Rig();
    rig.run(50);
    assert.equal(rig.core.faults.size, 0);
    // Latched between two ticks, after a tick that saw an empty registry.
    rig.core.faults.raise({ kind: "moduleAlarm", severity: "low", scope: { modules: ["M5_0"] }, location: "module M5_0", cause: "test",
      clear: { rule: "causeGoneFor", ms: 100 } });
    rig.run(20);
    assert.notEqual(rig.core.faults.list()[0]?.causeGoneSinceMs ?? null, null, "no alarm on M5_0: cause gone");
    rig.run(200);
    assert.equal(rig.core.faults.size, 0, "cleared 100 ms later");
  });

  it("a gun whose EV link throws gets its fault; the guns read after it in the same pass are still read", () => {
    const rig = new Rig();
    rig.plant.plug(3);
    rig.plant.plug(4);
    rig.plant.evLinkDown.add(3);
    rig.run(20);
    const lost = rig.sup.faults().filter((f) => f.kind === "evLinkLost").map((f) => f.location);
    assert.deepEqual(lost, ["gun 3"]);
    assert.equal(rig.seq.evReading(3), null);
    assert.equal(rig.seq.evReading(4)?.plugged, true, "gun 4 read after the throw");
    assert.equal(rig.seq.evReading(12)?.plugged, false, "last gun read too");
  });

  it("an aux contact that throws keeps its last reading; the contacts after it are still read", () => {
    const rig = new Rig();
    rig.run(20);
    const bank = rig.plant.bank;
    const aux = bank.aux.bind(bank);
    bank.aux = (id: string) => {
      if (id === "MC_1") throw new Error("aux line down");
      return aux(id);
    };
    rig.startCharging([{ gunId: 6 }]);
    assert.equal(rig.core.health.aux("GC_6"), true, "contacts after MC_1 follow their commands");
    assert.equal(rig.core.health.aux("MC_1"), true, "MC_1 keeps its last reading (closed)");
  });
});

describe("§5.5 view: module health follows the faults latched now", () => {
  it("§5.5: a module blocked by a fault latched after the sequencer was built counts as unhealthy in the audit", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }]);
    const module = rig.seq.islandModulesOf(3)[0];
    assert.ok(module, "gun 3 charges on a module");
    assert.deepEqual(rig.seq.audit().filter((v) => v.invariant === 5), [], "healthy before");
    rig.core.faults.raise({ kind: "moduleAlarm", severity: "low", scope: { modules: [module] }, location: `module ${module}`, cause: "test",
      clear: { rule: "operatorReset" } });
    const found = rig.seq.audit().filter((v) => v.invariant === 5);
    assert.equal(found.length, 1, `one §5.5 finding for ${module}: ${JSON.stringify(found)}`);
    assert.match(found[0].message, new RegExp(`unhealthy module ${module} energized`));
  });
});
