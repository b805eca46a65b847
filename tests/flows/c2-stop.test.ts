/**
 * Seed 000 appendix C.2 (and §11.10) end to end: a charging gun is stopped by the
 * back office (remote stop), by the EV (BMS stop request) or by an unplug. The
 * current reaches zero (below the switching threshold) before the GC and the MNs
 * open, the session ends with its reason, and the modules return to the pool.
 */
import { strict as assert } from "assert";
import type { StopReason } from "../../src/sessions/types";
import { flowRig, observerViolations, plugAndCharge, runUntilCurrent, type FlowRig } from "./harness";

const GUN = 3;
const MNS = ["MN_3_0", "MN_3_1"];
const MODULES = ["M3_0", "M3_1"];

interface StopCase {
  name: string;
  reason: StopReason;
  stop(rig: FlowRig): void;
  /** The current is ramped at the policy rate (a stop with the EV still drawing), not cut at once. */
  ramped: boolean;
}

const CASES: StopCase[] = [
  { name: "remote stop (OCPP/MQTT/operator)", reason: "remoteStop", ramped: true, stop: (rig) => assert.deepEqual(rig.cab.controller.remoteStop(GUN), { ok: true }) },
  { name: "EV stop request (BMS)", reason: "evStop", ramped: false, stop: (rig) => rig.cab.sim.plant.evStop(GUN) },
  { name: "unplug mid-charge (§11.10)", reason: "evDisconnected", ramped: false, stop: (rig) => rig.cab.sim.plant.unplug(GUN) },
];

for (const c of CASES) {
  describe(`flow C.2: ${c.name} while charging (ring-12x2, gun 3)`, function () {
    this.timeout(30_000);
    let rig: FlowRig;
    let stopMs: number;
    let finishedMs: number;

    before(() => {
      rig = flowRig({ watchGuns: [GUN], watchContactors: ["GC_3", ...MNS] });
      rig.runUntil(500);
      plugAndCharge(rig, GUN);
      runUntilCurrent(rig, GUN, 100);
      rig.runUntil(rig.now() + 500);
      stopMs = rig.now();
      c.stop(rig);
      finishedMs = rig.runUntilTrue("TransactionFinished", () => rig.eventsOf(GUN).some((e) => e.type === "TransactionFinished"), 10_000);
      rig.runUntil(finishedMs + 2000);
      if (c.reason !== "evDisconnected") {
        rig.cab.sim.plant.unplug(GUN);
        rig.runUntil(rig.now() + 500);
      }
    });

    it(`ends the session with reason ${c.reason}: StoppingCharging, ChargingFinished, TransactionFinished, SessionFinished`, () => {
      const after = rig.eventsOf(GUN).filter((e) => e.atMs >= stopMs);
      assert.deepEqual(after.map((e) => e.type), ["StoppingCharging", "ChargingFinished", "TransactionFinished", "SessionFinished"]);
      for (const e of after) assert.equal(e.reason, c.reason, `${e.type} reason`);
      assert.ok(after[0].atMs - stopMs <= rig.config.timing.controlPeriodMs, `StoppingCharging ${after[0].atMs - stopMs} ms after the stop`);
      const energy = after.find((e) => e.type === "TransactionFinished")!.energyWh!;
      assert.ok(energy > 5, `transaction energy ${energy} Wh`);
      assert.equal(rig.cab.controller.sessions.view(GUN)?.state, "IDLE");
    });

    it("brings the current below the switching threshold before the GC opens, and opens the MNs only after that", () => {
      const thresholdA = rig.config.policy.switchingCurrentA;
      const opens = rig.contactorCmds.filter((x) => x.atMs >= stopMs && !x.closed && (x.id === "GC_3" || MNS.includes(x.id)));
      const gcOpen = opens.find((x) => x.id === "GC_3");
      assert.ok(gcOpen, "GC_3 never commanded open");
      for (const mn of MNS) {
        const o = opens.find((x) => x.id === mn);
        assert.ok(o, `${mn} never commanded open`);
        assert.ok(o.atMs >= gcOpen.atMs, `${mn} opened before GC_3`);
      }
      for (const o of opens) assert.ok(o.currentA < thresholdA, `${o.id} commanded open carrying ${o.currentA.toFixed(2)} A`);
      // The physical contact openings (operate delay later) carried no current either: no break under load.
      const moves = rig.cab.sim.plant.moves.filter((m) => m.atMs >= stopMs && !m.closed && (m.id === "GC_3" || MNS.includes(m.id)));
      assert.equal(moves.length, 3);
      for (const m of moves) assert.ok(m.currentA < thresholdA, `${m.id} parted carrying ${m.currentA.toFixed(2)} A`);
      assert.deepEqual(rig.cab.sim.observer.breaks.map((b) => `${b.atMs} ${b.contactorId} ${b.currentA.toFixed(1)} A`), []);
      // Modules were switched off before their MNs opened.
      for (const m of MODULES) {
        const off = rig.moduleCmds.find((x) => x.id === m && x.atMs >= stopMs && !x.enabled);
        assert.ok(off, `${m} never switched off`);
        const mn = opens.find((x) => x.id === `MN_3_${m.slice(-1)}`)!;
        assert.ok(off.atMs <= mn.atMs, `${m} switched off at ${off.atMs} ms, after its MN opened at ${mn.atMs} ms`);
      }
    });

    it("ends the transaction only once the GC is confirmed open", () => {
      const gcAuxOpen = rig.cab.controller.safety.events.since(0).find((e) => e.atMs >= stopMs && e.kind === "feedback" && e.source === "GC_3" && /aux open/.test(e.message));
      assert.ok(gcAuxOpen, "no aux feedback for GC_3 opening");
      const finished = rig.eventsOf(GUN).find((e) => e.type === "ChargingFinished")!;
      assert.ok(finished.atMs >= gcAuxOpen.atMs, `ChargingFinished at ${finished.atMs} ms before GC_3 aux open at ${gcAuxOpen.atMs} ms`);
    });

    if (c.ramped) {
      it("ramps the offered current down at the policy rate, not in one step", () => {
        const samples = rig.samples.get(GUN)!.filter((s) => s.atMs >= stopMs);
        const startA = samples[0].offeredA;
        assert.ok(startA > 100, `offered ${startA} A at the stop`);
        const rampAPerS = rig.config.policy.currentRampAPerS;
        const zeroAt = samples.find((s) => s.offeredA === 0)!.atMs;
        const expectedMs = (startA / rampAPerS) * 1000;
        assert.ok(zeroAt - stopMs >= 0.8 * expectedMs, `offered current at zero ${zeroAt - stopMs} ms after the stop (ramp needs ${expectedMs.toFixed(0)} ms)`);
        for (let i = 1; i < samples.length; i++) assert.ok(samples[i].offeredA <= samples[i - 1].offeredA + 1e-9, `offered current rose at ${samples[i].atMs} ms while stopping`);
      });
    } else {
      it("cuts the offered current to zero within one control cycle (the EV no longer draws)", () => {
        const zero = rig.samples.get(GUN)!.find((s) => s.atMs >= stopMs && s.offeredA === 0)!;
        assert.ok(zero.atMs - stopMs <= rig.config.timing.controlPeriodMs + rig.config.timing.fastPeriodMs, `offered current at zero ${zero.atMs - stopMs} ms after the stop`);
      });
    }

    it("returns the modules to the pool: not planned, not owned, off, MNs open", () => {
      const plan = rig.cab.controller.plan()!;
      const gp = plan.guns.find((g) => g.id === GUN);
      assert.deepEqual(gp?.modules ?? [], []);
      assert.equal(gp?.budgetKW ?? 0, 0);
      for (const m of MODULES) {
        assert.equal(rig.cab.controller.safety.sequencer.moduleOwner(m), null, `${m} still owned`);
        assert.equal(rig.cab.sim.plant.module(m).running, false, `${m} still running`);
      }
      for (const mn of MNS) assert.equal(rig.cab.sim.plant.contactor(mn).auxClosed, false, `${mn} aux still closed`);
      assert.equal(rig.cab.sim.plant.contactor("GC_3").auxClosed, false);
      assert.deepEqual(rig.cab.controller.safety.sequencer.energizedGuns(), []);
    });

    it("keeps every DESIGN.md §5 invariant (independent observer)", () => {
      assert.deepEqual(observerViolations(rig), []);
    });
  });
}
