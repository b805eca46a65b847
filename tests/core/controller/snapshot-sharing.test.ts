/**
 * buildSnapshot shares the parts that did not change with the previous snapshot (config
 * slots, module and contactor views equal in every field, views of the same events) and
 * reads every instant anew. These tests check that a shared part is never stale (a view
 * that changed is a new object with the values of this instant) and that a snapshot, once
 * handed out, never changes under its holder.
 */
import { strict as assert } from "assert";
import { builtinDocument, parseCabinetConfig } from "../../../src/config";
import { createSimCabinet } from "../../../host-sim/sim-cabinet";
import type { CabinetSnapshot } from "../../../src/controller/snapshot";

const EV = { batteryKWh: 60, socPct: 30, targetSocPct: 90, maxPowerKW: 100, packVoltageV: 400 };

function setup(seed: number) {
  const config = parseCabinetConfig(builtinDocument("ring-12x2")!);
  const cab = createSimCabinet({ config, seed, stepMs: 10 });
  cab.sim.runner.runUntil(500);
  return { config, cab };
}

describe("controller: snapshot parts shared with the previous snapshot", () => {
  it("a handed-out snapshot never changes, and each contactor view holds this instant's values (a changed one is a new object)", () => {
    const { cab } = setup(11);
    const before = cab.controller.buildSnapshot();
    const beforeJson = JSON.stringify(before);
    cab.sim.plant.plug(3, EV);
    cab.sim.plant.plug(8, EV);
    cab.sim.runner.runUntil(15_000);
    const after = cab.controller.buildSnapshot();
    assert.equal(JSON.stringify(before), beforeJson, "the earlier snapshot was written");
    const health = cab.controller.safety.health;
    const hal = cab.sim.hal;
    let changed = 0;
    let shared = 0;
    for (let i = 0; i < after.contactors.length; i++) {
      const view = after.contactors[i];
      const counters = health.counters(view.id);
      // The truth of this instant (commanded and aux are not noisy reads).
      assert.equal(view.operations, counters.operations, view.id);
      assert.equal(view.breaksUnderLoad, counters.breaksUnderLoad, view.id);
      assert.equal(view.commanded, hal.contactors.commanded(view.id) ? "closed" : "open", view.id);
      assert.equal(view.aux, hal.contactors.aux(view.id).closed ? "closed" : "open", view.id);
      const old = before.contactors[i];
      if (JSON.stringify(old) === JSON.stringify(view)) {
        assert.equal(view, old, `${view.id}: an unchanged view is the previous one`);
        shared++;
      } else {
        assert.notEqual(view, old);
        changed++;
      }
    }
    assert.ok(changed > 0, "some contactors operated (the test exercises a change)");
    assert.ok(shared > 0, "idle contactors are shared");
  });

  it("module views follow the modules (state, power, owning gun) and unchanged ones are shared", () => {
    const { cab } = setup(12);
    const before = cab.controller.buildSnapshot();
    const beforeJson = JSON.stringify(before);
    cab.sim.plant.plug(5, EV);
    cab.sim.runner.runUntil(15_000);
    const after = cab.controller.buildSnapshot();
    assert.equal(JSON.stringify(before), beforeJson);
    const gun = after.guns.find((g) => g.id === 5)!;
    assert.ok(gun.modules.length > 0, "gun 5 has an island");
    let changed = 0;
    for (let i = 0; i < after.modules.length; i++) {
      const view = after.modules[i];
      const owned = gun.modules.includes(view.id);
      assert.equal(view.gunId, owned ? 5 : null, view.id);
      if (owned) assert.equal(view.state, "on", view.id);
      if (JSON.stringify(view) !== JSON.stringify(before.modules[i])) {
        assert.notEqual(view, before.modules[i]);
        changed++;
      }
    }
    assert.ok(changed >= gun.modules.length, "the modules that started are new views");
    // A module that stays idle between two snapshots is the same view.
    const again = cab.controller.buildSnapshot();
    const idle = again.modules.findIndex((m) => m.state === "off" && m.gunId === null);
    assert.ok(idle >= 0);
    assert.equal(again.modules[idle], after.modules[idle]);
  });

  it("event views are those of the newest events of this instant, old snapshots keep theirs", () => {
    const { cab } = setup(13);
    const snaps: { snap: CabinetSnapshot; json: string }[] = [];
    const take = () => {
      const snap = cab.controller.buildSnapshot();
      snaps.push({ snap, json: JSON.stringify(snap) });
      const recent = cab.controller.safety.events.recent(60);
      assert.deepEqual(snap.events, recent.map((e) => ({ atMs: e.atMs, kind: e.kind, text: `${e.source}: ${e.message}` })));
      return snap;
    };
    take();
    const seqAt = () => cab.controller.safety.events.recent(1)[0]?.seq ?? 0;
    const startSeq = seqAt();
    for (const gunId of [2, 7, 11]) cab.sim.plant.plug(gunId, EV);
    for (let t = 1_000; t <= 20_000; t += 1_000) {
      cab.sim.runner.runUntil(t);
      take();
    }
    for (const gunId of [2, 7, 11]) cab.sim.plant.unplug(gunId);
    cab.sim.runner.runUntil(30_000);
    take();
    // More than 60 new events: the window of recent events slid past its earlier start.
    assert.ok(seqAt() - startSeq > 60, `events: ${seqAt() - startSeq}`);
    for (const s of snaps) assert.equal(JSON.stringify(s.snap), s.json);
    const first = snaps[1].snap.events;
    const last = snaps[snaps.length - 1].snap.events;
    assert.notDeepEqual(first, last, "the log moved on");
    // Nothing happened in between: the previous snapshot's (frozen) list.
    const again = take();
    assert.ok(again.events.length > 0);
    assert.equal(again.events, last);
    assert.ok(Object.isFrozen(last));
    // One new event: a new list, the views of the events still listed are the previous ones.
    cab.controller.safety.events.push(cab.sim.plant.nowMs, "info", "test", "one more");
    const more = take();
    assert.notEqual(more.events, last);
    assert.deepEqual(more.events[more.events.length - 1], { atMs: cab.sim.plant.nowMs, kind: "info", text: "test: one more" });
    more.events.slice(0, -1).forEach((v, k) => assert.equal(v, last[k + 1]));
  });

  it("slots are built once, frozen and equal to the config", () => {
    const { config, cab } = setup(14);
    const a = cab.controller.buildSnapshot();
    const b = cab.controller.buildSnapshot();
    assert.equal(a.slots, b.slots);
    assert.ok(Object.isFrozen(a.slots) && Object.isFrozen(a.slots[0]) && Object.isFrozen(a.slots[0].modules));
    assert.deepEqual(a.slots, config.slots.map((s) => ({ id: s.id, gunId: s.gunId, mc: s.mc, cw: s.cw, modules: s.modules.map((m) => m.id) })));
  });

  it("the snapshot's session part equals the sessions' own view of each gun", () => {
    const { cab } = setup(15);
    cab.sim.plant.plug(4, EV);
    cab.sim.runner.runUntil(12_000);
    const snap = cab.controller.buildSnapshot();
    let charging = 0;
    for (const g of snap.guns) {
      const view = cab.controller.sessions.view(g.id)!;
      assert.equal(g.state, view.state, `gun ${g.id}`);
      assert.equal(g.requestKW, view.requestKW, `gun ${g.id}`);
      assert.equal(g.energyKWh, (view.session?.energyWh ?? 0) / 1000, `gun ${g.id}`);
      if (view.state === "CHARGING") charging++;
    }
    assert.equal(charging, 1);
    assert.ok(snap.guns.find((g) => g.id === 4)!.energyKWh > 0);
  });
});
