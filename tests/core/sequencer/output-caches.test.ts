/**
 * The sequencer skips its module pass and the idle-gun offers while nothing they depend on
 * changed (PERF4). Each test changes one of the keys the skip compares (an island's output,
 * the command mirror, the islands, the offers) and expects the outputs to follow; each
 * fails if that key were not compared. Some reach private members on purpose: the skipped
 * state arises in normal operation only together with other changes.
 */
import { strict as assert } from "assert";
import type { ModuleCommand } from "../../../hal/power-modules";
import { planFor, Rig } from "../support/rig";

interface SequencerInternals {
  sendModule(id: string, cmd: ModuleCommand): void;
  removeIsland(gunId: number): void;
  setOfferAt(gunPos: number, gunId: number, currentA: number): void;
}

const internals = (rig: Rig): SequencerInternals => rig.seq as unknown as SequencerInternals;
const OFF: ModuleCommand = { enabled: false, voltageV: 0, currentLimitA: 0 };

describe("sequencer output skips", () => {
  it("a new current limit in the plan reaches the modules and the EV (the island's output changed)", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3, currentLimitA: 100 }]);
    rig.until(() => rig.seq.gunStatus(3).currentLimitA === 100, 3000, "limit 100 A");
    rig.run(50); // settled: nothing to send
    rig.plan = planFor(rig.plant.config, [{ gunId: 3, currentLimitA: 60 }], rig.plant.nowMs);
    rig.tick();
    assert.equal(rig.plant.modules.get("M3_0")!.cmd.currentLimitA, 60);
    assert.equal(rig.plant.evs.get(3)!.offeredA, 60);
  });

  it("a command sent outside the pass is corrected by the next pass (the mirror changed)", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }]);
    rig.until(() => rig.seq.gunStatus(3).currentLimitA === 100, 3000, "limit 100 A");
    rig.run(50);
    const wanted = { ...rig.seq.moduleCommand("M3_0") };
    assert.equal(wanted.enabled, true);
    internals(rig).sendModule("M3_0", OFF);
    assert.equal(rig.plant.modules.get("M3_0")!.cmd.enabled, false);
    rig.tick();
    assert.deepEqual(rig.plant.modules.get("M3_0")!.cmd, wanted);
    assert.deepEqual(rig.seq.moduleCommand("M3_0"), wanted);
  });

  it("a module left on by an island that is gone is switched off, and its gun offered 0 (the islands changed)", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 3 }, { gunId: 5 }]);
    rig.until(() => rig.seq.gunStatus(5).currentLimitA === 100, 3000, "limit 100 A");
    rig.run(50); // gun 5's output settled: only the island of gun 3 going away changes anything
    internals(rig).removeIsland(3);
    rig.plan = planFor(rig.plant.config, [{ gunId: 5 }], rig.plant.nowMs);
    // The step alone: the supervisor's audit would also see the stray module and react.
    rig.plant.advance(rig.periodMs);
    rig.seq.step(rig.plan);
    assert.equal(rig.plant.modules.get("M3_0")!.cmd.enabled, false, "module of no island off");
    assert.equal(rig.plant.evs.get(3)!.offeredA, 0, "gun without an island offered 0");
    assert.equal(rig.plant.modules.get("M5_0")!.cmd.enabled, true, "the other island untouched");
  });

  it("an offer made to a gun without an island is taken back (the offers changed)", () => {
    const rig = new Rig();
    rig.startCharging([{ gunId: 5 }]);
    rig.until(() => rig.seq.gunStatus(5).currentLimitA === 100, 3000, "limit 100 A");
    rig.run(50);
    const pos = rig.plant.config.guns.findIndex((g) => g.id === 3);
    rig.plant.plug(3);
    internals(rig).setOfferAt(pos, 3, 40);
    assert.equal(rig.plant.evs.get(3)!.offeredA, 40);
    rig.tick();
    assert.equal(rig.plant.evs.get(3)!.offeredA, 0);
  });

  it("each offer carries the island's slot bus voltage (looked up by gun position)", () => {
    const rig = new Rig();
    const offers: { gunId: number; voltageV: number; busV: number }[] = [];
    const offer = rig.plant.ev.offer.bind(rig.plant.ev);
    rig.plant.ev.offer = (gunId: number, currentA: number, voltageV: number) => {
      offers.push({ gunId, voltageV, busV: rig.seq.slotBusVoltageV(rig.plant.config.guns.find((g) => g.id === gunId)!.slotId!) });
      offer(gunId, currentA, voltageV);
    };
    rig.startCharging([{ gunId: 3 }, { gunId: 7 }]);
    const charging = offers.filter((o) => o.voltageV > 0);
    assert.ok(charging.some((o) => o.gunId === 3) && charging.some((o) => o.gunId === 7));
    for (const o of offers) assert.equal(o.voltageV, Number.isFinite(o.busV) ? o.busV : 0);
  });
});
