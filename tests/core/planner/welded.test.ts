import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { plan, type Plan } from "../../../src/planner";
import { buildContext } from "../../../src/planner/context";
import { compareFairness } from "../../../src/planner/limits";
import { ringLayout, ringSearch, weldedGroups } from "../../../src/planner/ring";
import { matrixConfig, observe, ringConfig } from "./fixtures";
import { bruteForceServedKW, ringCase, ringComponents, runs } from "./arbitrary";

const gunOf = (p: Plan, id: number) => p.guns.find((g) => g.id === id)!;
const closedGcs = (p: Plan) => Object.keys(p.contactors).filter((k) => k.startsWith("GC_") && p.contactors[k] === "closed").sort();
const openMcs = (p: Plan) => Object.keys(p.contactors).filter((k) => k.startsWith("MC_") && p.contactors[k] === "open").sort();

describe("planner: a welded MC between two active guns (demo bug: both sat at 0 kW)", () => {
  const config = ringConfig();
  const faults = { MC_9: "welded" as const };

  it("serves one of the two guns from an island holding both slots; the other gets 0 kW naming the weld", () => {
    const observed = observe([{ id: 9, requestKW: 50 }, { id: 10, requestKW: 50 }], { faults });
    const p = plan(config, observed, null);
    const served = [gunOf(p, 9), gunOf(p, 10)].filter((g) => g.budgetKW > 0);
    assert.equal(served.length, 1, "exactly one gun of the welded pair is served");
    const s = served[0];
    const other = s.id === 9 ? gunOf(p, 10) : gunOf(p, 9);
    assert.equal(s.budgetKW, 50);
    assert.deepEqual([...s.islandSlots].sort((a, b) => a - b), [9, 10]);
    assert.deepEqual(other.islandSlots, []);
    assert.equal(other.budgetKW, 0);
    assert.equal(other.modules.length, 0);
    assert.match(other.reason!, /MC_9 welded/);
    assert.match(other.reason!, new RegExp(`gun ${s.id}`));
    // Invariant 1: one closed GC in the connected part; invariant 9: MC_9 inside, boundaries open.
    assert.deepEqual(closedGcs(p), [`GC_${s.id}`]);
    assert.equal(p.contactors.MC_9, "closed");
    assert.deepEqual(openMcs(p), ["MC_10", "MC_8"]);
    assert.equal(p.totalKW, bruteForceServedKW(config, observed));
  });

  it("the higher request wins (served power first); a running gun is kept on a tie (fewest changes)", () => {
    const p = plan(config, observe([{ id: 9, requestKW: 20 }, { id: 10, requestKW: 50 }], { faults }), null);
    assert.equal(gunOf(p, 10).budgetKW, 50);
    assert.equal(gunOf(p, 9).budgetKW, 0);
    const first = plan(config, observe([{ id: 9, requestKW: 60 }], { faults, nowMs: 0 }), null);
    const both = plan(config, observe([{ id: 9, requestKW: 60, charging: true }, { id: 10, requestKW: 60 }], { faults, nowMs: 1000 }), first);
    assert.equal(gunOf(both, 9).budgetKW, 60);
    assert.equal(gunOf(both, 10).budgetKW, 0);
    assert.deepEqual(closedGcs(both), ["GC_9"]);
    assert.deepEqual(both.repartition, []);
  });

  it("a charging gun is not displaced by its welded partner for a gain below repartitionMinGainKW", () => {
    const cfg = ringConfig({ repartitionMinGainKW: 20 });
    const first = plan(cfg, observe([{ id: 9, requestKW: 50 }], { faults, nowMs: 0 }), null);
    const small = plan(cfg, observe([{ id: 9, requestKW: 50, charging: true }, { id: 10, requestKW: 60 }], { faults, nowMs: 1000 }), first);
    assert.equal(gunOf(small, 9).budgetKW, 50, "10 kW more is not worth stopping a session");
    const big = plan(cfg, observe([{ id: 9, requestKW: 20, charging: true }, { id: 10, requestKW: 60 }], { faults, nowMs: 1000 }), first);
    assert.equal(gunOf(big, 10).budgetKW, 60);
    assert.equal(gunOf(big, 9).budgetKW, 0);
  });

  it("when the served gun's session ends, the other gun gets the island", () => {
    const p = plan(config, observe([{ id: 9, requestKW: 50 }, { id: 10, requestKW: 50 }], { faults }), null);
    const loser = gunOf(p, 9).budgetKW > 0 ? 10 : 9;
    const q = plan(config, observe([{ id: loser, requestKW: 50 }], { faults, nowMs: 1000 }), p);
    assert.equal(gunOf(q, loser).budgetKW, 50);
    assert.deepEqual([...gunOf(q, loser).islandSlots].sort((a, b) => a - b), [9, 10]);
  });

  it("multi-slot islands: the served gun may use both slots' modules; other guns keep their slots", () => {
    const cfg = ringConfig({ maxModulesPerGun: 6, multiSlotIslands: true });
    const observed = observe([{ id: 8, requestKW: 40 }, { id: 9, requestKW: 150 }, { id: 10, requestKW: 30 }, { id: 11, requestKW: 40 }], { faults });
    const p = plan(cfg, observed, null);
    assert.equal(gunOf(p, 9).budgetKW, 120, "4 modules of slots 9 and 10");
    assert.equal(gunOf(p, 10).budgetKW, 0);
    assert.deepEqual(gunOf(p, 9).islandSlots, [9, 10]);
    assert.equal(gunOf(p, 8).budgetKW, 40);
    assert.equal(gunOf(p, 11).budgetKW, 40);
    assert.ok(Math.abs(p.totalKW - bruteForceServedKW(cfg, observed)) < 1e-6);
  });

  it("a partner whose GC cannot open (welded) must be the served one, or none", () => {
    const observed = observe([{ id: 9, requestKW: 60 }, { id: 10, requestKW: 20 }], { faults: { MC_9: "welded", GC_10: "welded" } });
    const p = plan(config, observed, null);
    assert.equal(gunOf(p, 9).budgetKW, 0);
    assert.equal(gunOf(p, 10).budgetKW, 20);
    assert.equal(p.totalKW, bruteForceServedKW(config, observed));
  });
});

describe("planner: random rings with many welded MCs", () => {
  // Weld about a third of the MCs so that welded groups of active guns are common.
  const weldedCase = fc.tuple(ringCase(12), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 12, maxLength: 12 })).map(([c, weld]) => {
    const faults = { ...c.observed.contactorFaults };
    c.config.slots.forEach((s, i) => {
      if (weld[i] === 0) faults[s.mc] = "welded";
    });
    return { config: c.config, observed: { ...c.observed, contactorFaults: faults } };
  });

  it("served power equals the brute force; fast search scores like the exhaustive one; one closed GC per connected part", () => {
    let groups = 0;
    fc.assert(
      fc.property(weldedCase, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (c, flip) => {
        const before = { ...c.observed, guns: c.observed.guns.map((g, i) => ({ ...g, active: flip[i] ? !g.active : g.active })) };
        const previous = plan(c.config, before, null);
        const p = plan(c.config, c.observed, previous);
        const optimum = bruteForceServedKW(c.config, c.observed);
        assert.ok(Math.abs(p.totalKW - optimum) < 1e-4, `planner ${p.totalKW} vs brute force ${optimum}`);
        const ctx = buildContext(c.config, c.observed, previous);
        const layout = ringLayout(ctx);
        if (weldedGroups(layout).length > 0) groups++;
        const fast = ringSearch(ctx, layout, null, "fast").objective;
        const full = ringSearch(ctx, layout, null, "exhaustive").objective;
        assert.ok(Math.abs(fast.totalKW - full.totalKW) < 1e-6);
        assert.equal(compareFairness(fast.fairness, full.fairness), 0, `fairness ${fast.fairness} vs ${full.fairness}`);
        assert.equal(fast.modules, full.modules, "modules on");
        assert.equal(fast.contactorChanges, full.contactorChanges, "contactor changes");
        for (const component of ringComponents(c.config, p)) {
          const energized = component.some((s) => c.config.slots.find((x) => x.id === s)!.modules.some((m) => p.modulesOn.includes(m.id)));
          if (!energized) continue;
          const closedGc = component.filter((s) => p.contactors[`GC_${s}`] === "closed");
          assert.ok(closedGc.length <= 1, `invariant 1: closed GCs ${closedGc} in energized part [${component}]`);
        }
      }),
      { numRuns: runs(150) },
    );
    assert.ok(groups > 0, "the generator produced welded groups");
  });
});

describe("planner: matrix module welded to two guns (one region, one gun served)", () => {
  const config = matrixConfig();
  const faults = { MX_1_1: "welded" as const, MX_1_2: "welded" as const };

  it("serves one of the two guns (it may use the welded module); the other gets 0 kW naming it", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 60 }, { id: 2, requestKW: 80 }], { faults }), null);
    const g1 = gunOf(p, 1);
    const g2 = gunOf(p, 2);
    assert.equal(g2.budgetKW, 80, "the larger request wins (served power)");
    assert.ok(g2.modules.includes("PM1"), "the welded module joins the served gun");
    assert.equal(g1.budgetKW, 0);
    assert.deepEqual(g1.modules, []);
    assert.match(g1.reason!, /PM1 links welded to guns 1, 2: one island with gun 2/);
    assert.equal(p.contactors.GC_1, "open");
    assert.equal(p.contactors.GC_2, "closed");
    for (const [id, pos] of Object.entries(p.contactors)) if (id.startsWith("MX_") && id.endsWith("_1") && !(id in faults)) assert.equal(pos, "open", id);
  });

  it("with only one of them active, that gun is served (was: starved as well)", () => {
    const p = plan(config, observe([{ id: 1, requestKW: 60 }], { faults }), null);
    assert.equal(gunOf(p, 1).budgetKW, 60);
    assert.equal(p.contactors.GC_2, "open");
  });

  it("a running gun keeps the region on a tie; a partner whose GC is welded blocks the other", () => {
    const first = plan(config, observe([{ id: 1, requestKW: 60 }], { faults }), null);
    const both = plan(config, observe([{ id: 1, requestKW: 60, charging: true }, { id: 2, requestKW: 60 }], { faults, nowMs: 1000 }), first);
    assert.equal(gunOf(both, 1).budgetKW, 60);
    assert.equal(gunOf(both, 2).budgetKW, 0);
    const stuck = plan(config, observe([{ id: 1, requestKW: 60 }, { id: 2, requestKW: 20 }], { faults: { ...faults, GC_2: "welded" } }), null);
    assert.equal(gunOf(stuck, 1).budgetKW, 0);
    assert.equal(gunOf(stuck, 2).budgetKW, 20);
  });
});
