/**
 * Seed 000 appendix C.4 (and §11.6) end to end: a module of a charging gun fails.
 * The planner stops using it in the first control cycle after the controller can
 * see the alarm; the module is switched off and isolated (its MN/MX opens); the gun
 * is served again from the modules the topology lets it reach: on the ring with
 * one-slot islands only its slot's other module, with multi-slot islands modules
 * of other slots, on the matrix any spare module.
 */
import { strict as assert } from "assert";
import { flowRig, observerViolations, plugAndCharge, runUntilCurrent, type FlowRig, type FlowRigOptions } from "./harness";

interface FailureRun {
  rig: FlowRig;
  failed: string;
  /** The contactor that connects the failed module (MN on the ring, its MX link on the matrix). */
  failedContactor: string;
  faultMs: number;
  /** First step at which the HAL reading of the module shows the alarm. */
  detectedMs: number;
  modulesBefore: string[];
  budgetBeforeKW: number;
}

function failModuleWhileCharging(options: FlowRigOptions, gunId: number, otherGuns: number[] = []): FailureRun {
  const rig = flowRig({ ...options, watchGuns: [gunId, ...otherGuns] });
  rig.runUntil(500);
  for (const g of otherGuns) rig.cab.sim.plant.plug(g, { batteryKWh: 77, socPct: 30, targetSocPct: 80, maxPowerKW: 135, packVoltageV: 400 });
  plugAndCharge(rig, gunId);
  runUntilCurrent(rig, gunId, 100);
  for (const g of otherGuns) runUntilCurrent(rig, g, 100);
  rig.runUntil(rig.now() + 300);
  const gp = rig.cab.controller.plan()!.guns.find((g) => g.id === gunId)!;
  const failed = gp.modules[0];
  const failedContactor = rig.contactorCmds.filter((c) => c.closed && moduleOfContactor(c.id) === failed).pop()!.id;
  const faultMs = rig.now();
  rig.cab.sim.plant.injectFault("moduleFail", failed);
  let detectedMs: number | null = null;
  rig.cab.sim.runner.onStep((t) => {
    if (detectedMs === null && rig.cab.sim.hal.modules.read(failed).alarms.length > 0) detectedMs = t;
  });
  rig.runUntilTrue("gun charging again", () => rig.now() > faultMs + 200 && rig.cab.controller.sessions.view(gunId)?.state === "CHARGING", 10_000);
  runUntilCurrent(rig, gunId, 60);
  rig.runUntil(rig.now() + 2000);
  assert.ok(detectedMs !== null, "the alarm never reached the HAL");
  return { rig, failed, failedContactor, faultMs, detectedMs, modulesBefore: gp.modules, budgetBeforeKW: gp.budgetKW };
}

/** MN_3_0 -> M3_0 (ring); MX_<module>_<gun> -> PM<module> (matrix). */
function moduleOfContactor(id: string): string | null {
  let m = /^MN_(\d+)_(\d+)$/.exec(id);
  if (m) return `M${m[1]}_${m[2]}`;
  m = /^MX_(\d+)_(\d+)$/.exec(id);
  if (m) return `PM${m[1]}`;
  return null;
}

function commonChecks(run: () => FailureRun, gunId: number): void {
  it("the planner drops the failed module in the first control cycle after the alarm is visible", () => {
    const r = run();
    const next = r.rig.plans.find((p) => p.atMs > r.detectedMs)!;
    assert.ok(next.atMs - r.detectedMs <= r.rig.config.timing.controlPeriodMs, `first plan ${next.atMs - r.detectedMs} ms after detection`);
    for (const p of r.rig.plans.filter((x) => x.atMs >= next.atMs)) {
      assert.ok(!p.plan.modulesOn.includes(r.failed), `${r.failed} planned on at ${p.atMs} ms`);
      for (const g of p.plan.guns) assert.ok(!g.modules.includes(r.failed), `${r.failed} planned for gun ${g.id} at ${p.atMs} ms`);
    }
    // The plans before the alarm still had it (the test sees the change, not a plan that never used it).
    const before = r.rig.plans.filter((x) => x.atMs < r.faultMs).pop()!;
    assert.ok(r.rig.gunPlan(before, gunId)!.modules.includes(r.failed));
  });

  it("the failed module is switched off and isolated (its contactor opens below the switching current)", () => {
    const r = run();
    const off = r.rig.moduleCmds.find((c) => c.id === r.failed && c.atMs >= r.faultMs && !c.enabled);
    assert.ok(off, `${r.failed} never switched off`);
    assert.ok(off.atMs - r.detectedMs <= r.rig.config.timing.controlPeriodMs + 2 * r.rig.config.timing.fastPeriodMs, `${r.failed} off ${off.atMs - r.detectedMs} ms after detection`);
    const open = r.rig.contactorCmds.find((c) => c.id === r.failedContactor && !c.closed && c.atMs >= r.faultMs);
    assert.ok(open, `${r.failedContactor} never opened`);
    assert.ok(open.currentA < r.rig.config.policy.switchingCurrentA, `${r.failedContactor} opened carrying ${open.currentA.toFixed(2)} A`);
    assert.equal(r.rig.cab.sim.plant.contactor(r.failedContactor).auxClosed, false);
    assert.equal(r.rig.contactorCmds.filter((c) => c.id === r.failedContactor && c.closed && c.atMs > open.atMs).length, 0, `${r.failedContactor} closed again`);
    const reaction = r.rig.cab.sim.observer.reactions.find((x) => x.kind === "moduleFail");
    assert.ok(reaction?.met, `moduleFail reaction ${JSON.stringify(reaction)}`);
  });

  it("the session survives: the gun returns to CHARGING without ending its transaction", () => {
    const r = run();
    const after = r.rig.eventsOf(gunId).filter((e) => e.atMs >= r.faultMs).map((e) => e.type);
    assert.ok(!after.includes("TransactionFinished"), `events after the failure: ${after.join(", ")}`);
    assert.equal(after[after.length - 1], "ChargingStarted");
    assert.equal(r.rig.cab.controller.sessions.view(gunId)?.state, "CHARGING");
  });

  it("keeps every DESIGN.md §5 invariant (independent observer)", () => {
    assert.deepEqual(observerViolations(run().rig), []);
  });
}

describe("flow C.4: module failure while charging", function () {
  this.timeout(30_000);

  describe("ring-12x2, one-slot islands (seed default): the gun continues on its slot's other module", () => {
    let r: FailureRun;
    before(() => {
      r = failModuleWhileCharging({ config: "ring-12x2" }, 3, [6]);
    });
    commonChecks(() => r, 3);

    it("serves gun 3 from M3_1 alone at one module's power, and gun 6 is not disturbed", () => {
      assert.deepEqual(r.modulesBefore, ["M3_0", "M3_1"]);
      const gp = r.rig.cab.controller.plan()!.guns.find((g) => g.id === 3)!;
      assert.deepEqual(gp.modules, ["M3_1"]);
      assert.deepEqual(gp.islandSlots, [3]);
      assert.equal(gp.budgetKW, r.rig.config.modulePowerKW);
      assert.match(gp.reason ?? "", /1 usable module/);
      const currentA = r.rig.cab.sim.plant.gun(3).currentA;
      const expectedA = (gp.budgetKW * 1000) / r.rig.cab.sim.hal.sensors.gun(3).voltageV;
      assert.ok(Math.abs(currentA - expectedA) < 0.05 * expectedA, `gun 3 at ${currentA.toFixed(1)} A, expected ${expectedA.toFixed(1)} A`);
      // Gun 6's island is untouched: no contactor of slot 6 moved and its current never dipped.
      assert.deepEqual(r.rig.contactorCmds.filter((c) => c.atMs >= r.faultMs && /_6(_\d)?$/.test(c.id)).map((c) => c.id), []);
      const six = r.rig.samples.get(6)!.filter((s) => s.atMs >= r.faultMs);
      assert.ok(Math.min(...six.map((s) => s.currentA)) > 100, "gun 6 current dipped");
    });
  });

  describe("ring-12x2 with multi-slot islands: the gun is re-served from modules of other slots", () => {
    let r: FailureRun;
    before(() => {
      r = failModuleWhileCharging({ config: "ring-12x2", policy: { multiSlotIslands: true } }, 3);
    });
    commonChecks(() => r, 3);

    it("replaces the failed module by another healthy one and gets its full budget back", () => {
      const gp = r.rig.cab.controller.plan()!.guns.find((g) => g.id === 3)!;
      assert.equal(gp.modules.length, r.modulesBefore.length);
      assert.ok(!gp.modules.includes(r.failed));
      assert.ok(gp.modules.some((m) => !r.modulesBefore.includes(m)), `modules ${gp.modules.join(",")} before ${r.modulesBefore.join(",")}`);
      assert.equal(gp.budgetKW, r.budgetBeforeKW);
      // Every module it uses sits on a slot of its island.
      for (const m of gp.modules) assert.ok(gp.islandSlots.includes(Number(/^M(\d+)_/.exec(m)![1])), `${m} outside island ${gp.islandSlots.join(",")}`);
    });
  });

  describe("matrix-9x6: the gun is re-served from a spare module", () => {
    let r: FailureRun;
    before(() => {
      r = failModuleWhileCharging({ config: "matrix-9x6" }, 1);
    });
    commonChecks(() => r, 1);

    it("hands the gun a spare module in place of the failed one, same budget", () => {
      const gp = r.rig.cab.controller.plan()!.guns.find((g) => g.id === 1)!;
      assert.equal(gp.modules.length, r.modulesBefore.length);
      assert.ok(!gp.modules.includes(r.failed));
      assert.ok(Math.abs(gp.budgetKW - r.budgetBeforeKW) < 0.5, `budget ${gp.budgetKW} vs ${r.budgetBeforeKW} kW`);
      const fresh = gp.modules.filter((m) => !r.modulesBefore.includes(m));
      assert.equal(fresh.length, 1, `new modules: ${fresh.join(",")}`);
      assert.ok(r.rig.cab.sim.plant.module(fresh[0]).running, `${fresh[0]} not running`);
    });
  });
});
