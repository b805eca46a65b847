import { strict as assert } from "assert";
import fc from "fast-check";
import { SequentialIndex } from "../../host-sim/hal/sequential-index";
import { chargeOnSlot, EV400, EV800, quietSim } from "./helpers";

/** Every id once in a random order, the same order several times, and stray lookups in between. */
function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Orders a reader might use: the list's own, repeated; a shuffle, repeated; reversed; fresh shuffles. */
function accessOrders<T>(ids: readonly T[], strays: readonly T[]): T[] {
  const fixed = shuffled(ids, 99);
  const seq: T[] = [];
  for (let r = 0; r < 3; r++) seq.push(...ids);
  for (let r = 0; r < 3; r++) seq.push(...fixed);
  seq.push(...[...ids].reverse(), ...[...ids].reverse());
  for (let r = 0; r < 4; r++) seq.push(...shuffled(ids, r + 1), strays[r % strays.length], ids[r % ids.length], ids[r % ids.length]);
  seq.push(...ids);
  return seq;
}

describe("host-sim SequentialIndex (predicted positions for the HAL's reads)", () => {
  it("gives the Map's answer for any list (with duplicates) and any access sequence", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 14 }), fc.array(fc.integer({ min: -1, max: 14 }), { maxLength: 80 }), fc.boolean(), (ids, asks, withMap) => {
        const firstPosition = new Map<number, number>();
        const lastPosition = new Map<number, number>();
        ids.forEach((id, i) => {
          if (!firstPosition.has(id)) firstPosition.set(id, i);
          lastPosition.set(id, i); // Map.set semantics: the plant's own indexes keep the last
        });
        const reference = withMap ? lastPosition : firstPosition;
        const index = withMap ? new SequentialIndex(ids, lastPosition) : new SequentialIndex(ids);
        // the asks, then the list in order twice (the predicted path), then the asks again
        for (const id of [...asks, ...ids, ...ids, ...asks]) assert.equal(index.indexOf(id), reference.get(id) ?? -1, `id ${id}`);
      }),
    );
  });

  it("gives the Map's answer for string ids read in repeated, shuffled and interrupted orders", () => {
    const ids = Array.from({ length: 20 }, (_, i) => `MN_${i >> 1}_${i & 1}`);
    const index = new SequentialIndex(ids);
    // equal strings that are not the same string object must still be found
    const copies = ids.map((id) => id.split("").join(""));
    for (const id of accessOrders([...ids, ...copies], ["NOPE", "", "MN_99_0"])) assert.equal(index.indexOf(id), ids.indexOf(id), id);
  });
});

describe("host-sim HAL reads in any order (same answers as a lookup by id)", () => {
  it("gun, EV status, module, slot bus and aux readings do not depend on the order of the reads", () => {
    const sim = quietSim();
    chargeOnSlot(sim, 3, 40, EV400);
    chargeOnSlot(sim, 8, 60, EV800);
    sim.plant.plug(11, EV400);
    sim.runner.runFor(300);
    const { hal, plant } = sim;
    const gunIds = plant.config.guns.map((g) => g.id);
    const slotIds = (plant.config.slots ?? []).map((s) => s.id);
    // Readings as the Map path gives them: straight from the plant, by id.
    const expectGun = (id: number) => {
      const g = plant.gun(id);
      return { voltageV: plant.measuredNodeVoltageV[g.evNode], currentA: g.currentA, connectorTempC: g.connectorTempC, insulationOhm: plant.insulationOhm(id), energyWh: g.meterEnergyWh };
    };
    const inOrder = {
      ev: new Map(gunIds.map((id) => [id, hal.ev.status(id)])),
      modules: new Map(hal.modules.ids.map((id) => [id, hal.modules.read(id)])),
      aux: new Map(hal.contactors.ids.map((id) => [id, hal.contactors.aux(id)])),
    };
    assert.ok(inOrder.ev.get(3)!.plugged && inOrder.ev.get(8)!.plugged && inOrder.ev.get(11)!.plugged && !inOrder.ev.get(1)!.plugged);
    assert.ok([...inOrder.aux.values()].some((a) => a.closed) && [...inOrder.aux.values()].some((a) => !a.closed), "both aux states present");

    for (const id of accessOrders(gunIds, [0, 99, -1])) {
      if (!gunIds.includes(id)) {
        assert.equal(hal.sensors.gun(id).insulationOhm, Infinity);
        assert.equal(hal.ev.status(id).plugged, false);
        continue;
      }
      assert.deepEqual(hal.sensors.gun(id), expectGun(id), `gun ${id}`);
      assert.deepEqual(hal.ev.status(id), inOrder.ev.get(id), `EV ${id}`);
      if (inOrder.ev.get(id)!.plugged) assert.notEqual(hal.ev.status(id), hal.ev.status(id), "a plugged EV's status() is a fresh object (the controller keeps them)");
      assert.notEqual(hal.sensors.gun(id), hal.sensors.gun(id), "gun() returns a fresh object");
    }
    for (const id of accessOrders(hal.modules.ids, ["NOPE", "M99_0"])) {
      const reading = hal.modules.read(id);
      if (inOrder.modules.has(id)) assert.equal(reading, inOrder.modules.get(id), `module ${id}`);
      else assert.equal(reading.online, false);
    }
    for (const id of accessOrders(slotIds, [0, 40])) {
      assert.equal(hal.sensors.slotBus(id).voltageV, plant.slotVoltageV(id), `slot ${id}`);
    }
    for (const id of accessOrders(hal.contactors.ids, ["NOPE_1", "GC_99"])) {
      const aux = hal.contactors.aux(id);
      if (inOrder.aux.has(id)) assert.equal(aux, inOrder.aux.get(id), `aux ${id}`);
      else assert.deepEqual(aux, { closed: false, changedAtMs: 0 });
    }
  });

  it("an aux reading follows its contactor after reads in another order", () => {
    const sim = quietSim();
    const { hal, plant } = sim;
    const order = shuffled(hal.contactors.ids, 5);
    for (const id of order) hal.contactors.aux(id);
    hal.contactors.command("GC_4", true);
    sim.runner.runFor(200);
    for (const id of [...order, ...hal.contactors.ids]) {
      const c = plant.contactor(id);
      assert.deepEqual(hal.contactors.aux(id), { closed: c.auxClosed, changedAtMs: c.auxChangedAtMs }, id);
    }
    assert.equal(hal.contactors.aux("GC_4").closed, true);
  });
});
