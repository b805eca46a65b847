import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { plan, gunRatingKW, deratingFactor, type Plan } from "../../../src/planner";
import type { CabinetConfig } from "../../../src/config";
import { ringCase, ringComponents, runs, type RingCase } from "./arbitrary";

const EPS = 1e-6;

function clampedOf(c: RingCase, gunId: number): number {
  const g = c.config.guns.find((x) => x.id === gunId)!;
  const o = c.observed.guns.find((x) => x.id === gunId)!;
  return Math.max(0, Math.min(o.requestKW, gunRatingKW(g, o.evVoltageV, c.config.siteLimits.defaultVoltageV), o.externalLimitKW ?? Infinity));
}

function modulePower(c: RingCase, id: string): number {
  const o = c.observed.modules.find((m) => m.id === id);
  return c.config.modulePowerKW * deratingFactor(o ? o.tempC : 25, c.config.moduleRating);
}

function slotOfModule(config: CabinetConfig, id: string): number {
  return config.slots.find((s) => s.modules.some((m) => m.id === id))!.id;
}

function sharedLimit(c: RingCase): number {
  const site = c.observed.siteExternalLimitKW ?? c.config.siteLimits.externalLimitKW;
  return Math.min(c.observed.gridLimitKW, site ?? Infinity);
}

const check = (body: (c: RingCase, p: Plan) => void) =>
  fc.assert(fc.property(ringCase(), (c) => body(c, plan(c.config, c.observed, null))), { numRuns: runs(150) });

describe("planner properties (random rings, health, temperatures, faults, requests, limits)", () => {
  it("DESIGN §5 invariant 7: the sum of budgets never exceeds min(healthy modules x module power, grid, external)", () => {
    check((c, p) => {
      const healthyKW = c.observed.modules
        .filter((m) => m.healthy)
        .reduce((s, m) => s + modulePower(c, m.id), 0);
      const sum = p.guns.reduce((s, g) => s + g.budgetKW, 0);
      assert.ok(sum <= Math.min(healthyKW, sharedLimit(c)) + EPS, `sum ${sum} > capacity`);
      assert.ok(sum <= p.capacityKW + EPS);
    });
  });

  it("water-filling leaves nothing unallocated while a gun is below what its island can deliver", () => {
    check((c, p) => {
      const sum = p.guns.reduce((s, g) => s + g.budgetKW, 0);
      if (sum >= sharedLimit(c) - 1e-4) return;
      for (const g of p.guns) {
        if (g.islandSlots.length === 0) continue;
        const sources = c.config.policy.multiSlotIslands ? g.islandSlots : [g.id];
        const powers = sources
          .flatMap((s) => c.config.slots.find((x) => x.id === s)!.modules)
          .filter((m) => !c.observed.contactorFaults[m.mn] && (c.observed.modules.find((o) => o.id === m.id)?.healthy ?? true))
          .map((m) => modulePower(c, m.id))
          .filter((x) => x > 0)
          .sort((a, b) => b - a)
          .slice(0, c.config.policy.maxModulesPerGun);
        const islandKW = powers.reduce((a, b) => a + b, 0);
        const gcFault = c.observed.contactorFaults[`GC_${g.id}`];
        if (gcFault === "stuckOpen" || gcFault === "feedbackFault") continue;
        assert.ok(g.budgetKW >= Math.min(clampedOf(c, g.id), islandKW) - 1e-4, `gun ${g.id} budget ${g.budgetKW} below its island's ${islandKW} with ${sharedLimit(c) - sum} kW unallocated`);
      }
    });
  });

  it("per gun: setpoint <= min(request, rating, external limit, modules x derated module power)", () => {
    check((c, p) => {
      for (const g of p.guns) {
        const o = c.observed.guns.find((x) => x.id === g.id)!;
        if (!o.active) {
          assert.equal(g.budgetKW, 0);
          assert.equal(g.modules.length, 0);
          continue;
        }
        const modulesKW = g.modules.reduce((s, id) => s + modulePower(c, id), 0);
        assert.ok(g.setpointKW <= clampedOf(c, g.id) + EPS, `gun ${g.id} setpoint ${g.setpointKW} > clamped`);
        assert.ok(g.setpointKW <= modulesKW + EPS, `gun ${g.id} setpoint above its modules`);
        assert.ok(g.setpointKW <= g.budgetKW + EPS);
        if (g.setpointKW < o.requestKW - 1e-3) assert.ok(g.reason && g.reason.length > 0, `gun ${g.id} gets less without a reason`);
      }
    });
  });

  it("DESIGN §5 invariant 6 (planner side): current limit <= min(cable rating, setpoint / voltage)", () => {
    check((c, p) => {
      for (const g of p.guns) {
        const cfg = c.config.guns.find((x) => x.id === g.id)!;
        const o = c.observed.guns.find((x) => x.id === g.id)!;
        assert.ok(g.currentLimitA >= 0);
        assert.ok(g.currentLimitA <= cfg.maxCurrentA + EPS);
        const v = o.measuredVoltageV > 0 ? o.measuredVoltageV : o.evVoltageV > 0 ? o.evVoltageV : c.config.siteLimits.defaultVoltageV;
        assert.ok(g.currentLimitA <= (g.setpointKW * 1000) / Math.max(v, c.config.policy.minVoltageForCurrentV) + EPS);
      }
    });
  });

  it("DESIGN §5 invariants 1 and 2: islands contiguous, disjoint, one active gun each, MC open between islands, at most one closed GC per connected part", () => {
    check((c, p) => {
      const active = new Set(c.observed.guns.filter((g) => g.active).map((g) => g.id));
      const owner = new Map<number, number>();
      for (const g of p.guns) {
        for (const s of g.islandSlots) {
          assert.ok(!owner.has(s), `slot ${s} in two islands`);
          owner.set(s, g.id);
          const gunHere = c.config.slots.find((x) => x.id === s)!.gunId;
          if (gunHere !== null && gunHere !== g.id && active.has(gunHere)) {
            // Only an active gun that no MC can separate from g (welded / unverifiable MCs
            // all the way along the island between them) may share its island, unserved.
            const a = g.islandSlots.indexOf(g.id);
            const b = g.islandSlots.indexOf(s);
            const stuck = (slotIndex: number) => {
              const f = c.observed.contactorFaults[c.config.slots.find((x) => x.id === g.islandSlots[slotIndex])!.mc];
              return f === "welded" || f === "feedbackFault";
            };
            let inner = true;
            for (let t = Math.min(a, b); t < Math.max(a, b); t++) inner = inner && stuck(t);
            // An island that spans the whole ring also joins the two guns the other way round.
            let outer = g.islandSlots.length === c.config.slots.length;
            if (outer) {
              const n = g.islandSlots.length;
              for (let t = Math.max(a, b); t % n !== Math.min(a, b); t++) outer = outer && stuck(t % n);
            }
            assert.ok(inner || outer, `island of gun ${g.id} absorbs active gun ${gunHere} across a separable MC`);
            const partner = p.guns.find((x) => x.id === gunHere)!;
            assert.equal(partner.budgetKW, 0, `welded partner ${gunHere} of gun ${g.id} is served too`);
            assert.equal(p.contactors[c.config.guns.find((x) => x.id === gunHere)!.gc] === "closed" && !c.observed.contactorFaults[`GC_${gunHere}`], false);
          }
        }
        if (g.islandSlots.length > 0) assert.ok(g.islandSlots.includes(g.id));
      }
      for (const component of ringComponents(c.config, p)) {
        const islandsHere = new Set(component.filter((s) => owner.has(s)).map((s) => owner.get(s)!));
        assert.ok(islandsHere.size <= 1, `islands ${[...islandsHere]} bridged in [${component}]`);
        // Commanded GCs: at most one per connected part; an energized part (a module on)
        // also counts welded GCs, which are closed whatever we command.
        const energized = component.some((s) => c.config.slots.find((x) => x.id === s)!.modules.some((m) => p.modulesOn.includes(m.id)));
        const closedGc = component.filter((s) => p.contactors[`GC_${s}`] === "closed" && (energized || !c.observed.contactorFaults[`GC_${s}`]));
        assert.ok(closedGc.length <= 1, `two closed GCs in [${component}]`);
        if (islandsHere.size === 1) {
          // An island is exactly a connected part (contiguous, bounded by open MCs) ...
          const gunId = [...islandsHere][0];
          const island = p.guns.find((g) => g.id === gunId)!.islandSlots;
          if (p.guns.find((g) => g.id === gunId)!.setpointKW > 0) assert.deepEqual([...island].sort((a, b) => a - b), [...component].sort((a, b) => a - b));
        }
      }
    });
  });

  it("DESIGN §5 invariant 5: only healthy modules of the gun's own island are on, no module twice, min/max modules respected", () => {
    check((c, p) => {
      const seen = new Set<string>();
      for (const g of p.guns) {
        for (const id of g.modules) {
          assert.ok(!seen.has(id), `module ${id} on two guns`);
          seen.add(id);
          const obs = c.observed.modules.find((m) => m.id === id);
          assert.ok(!obs || obs.healthy, `unhealthy module ${id} on`);
          assert.ok(modulePower(c, id) > 0, `tripped module ${id} on`);
          const slot = slotOfModule(c.config, id);
          assert.ok(g.islandSlots.includes(slot), `module ${id} outside island of gun ${g.id}`);
          if (!c.config.policy.multiSlotIslands) assert.equal(slot, g.id);
          assert.equal(p.contactors[`MN_${id.slice(1)}`] ?? p.contactors[c.config.slots.find((s) => s.id === slot)!.modules.find((m) => m.id === id)!.mn], "closed");
        }
        assert.ok(g.modules.length <= c.config.policy.maxModulesPerGun, `gun ${g.id} has ${g.modules.length} modules`);
        if (g.budgetKW > EPS) assert.ok(g.modules.length >= Math.min(c.config.policy.minModulesPerGun, c.config.policy.maxModulesPerGun) || g.modules.length >= 1);
      }
      for (const slot of c.config.slots) for (const m of slot.modules) {
        const on = seen.has(m.id);
        const fault = c.observed.contactorFaults[m.mn];
        if (!fault) assert.equal(p.contactors[m.mn], on ? "closed" : "open");
      }
      assert.deepEqual([...seen].sort(), [...p.modulesOn].sort());
    });
  });

  it("DESIGN §5 invariant 9: a welded MC is never an island boundary, and no island holds a welded module contactor", () => {
    check((c, p) => {
      const islandSlots = new Set(p.guns.flatMap((g) => g.islandSlots));
      for (const slot of c.config.slots) {
        const f = c.observed.contactorFaults[slot.mc];
        if (f === "welded" || f === "feedbackFault") {
          assert.equal(p.contactors[slot.mc], "closed");
          // Both sides of a welded MC are in the same island or in none.
          const a = islandSlots.has(slot.id);
          const b = islandSlots.has(slot.cw);
          if (a || b) {
            const ga = p.guns.find((g) => g.islandSlots.includes(slot.id));
            const gb = p.guns.find((g) => g.islandSlots.includes(slot.cw));
            assert.equal(ga?.id, gb?.id, `welded ${slot.mc} bounds an island`);
          }
        }
        if (islandSlots.has(slot.id)) {
          for (const m of slot.modules) {
            const f2 = c.observed.contactorFaults[m.mn];
            assert.ok(f2 !== "welded" && f2 !== "feedbackFault", `island holds welded ${m.mn}`);
          }
        }
      }
    });
  });

  it("is deterministic: the same inputs give the same plan", () => {
    fc.assert(
      fc.property(ringCase(8), (c) => {
        assert.deepEqual(plan(c.config, c.observed, null), plan(c.config, c.observed, null));
      }),
      { numRuns: runs(30) },
    );
  });

  it("feeding a plan back as the previous plan keeps every invariant (sequence of random observations)", () => {
    fc.assert(
      fc.property(fc.array(ringCase(12), { minLength: 2, maxLength: 4 }), (cases) => {
        const config = cases[0].config;
        let previous: Plan | null = null;
        let now = 0;
        for (const c of cases) {
          now += 1000;
          const observed = { ...c.observed, nowMs: now, guns: c.observed.guns.slice(0, config.guns.length), contactorFaults: {}, modules: c.observed.modules.filter((m) => config.slots.some((s) => s.modules.some((x) => x.id === m.id))) };
          const p: Plan = plan(config, observed, previous);
          const sum = p.guns.reduce((s, g) => s + g.budgetKW, 0);
          assert.ok(sum <= p.capacityKW + EPS);
          for (const g of p.guns) {
            assert.ok(g.setpointKW <= g.budgetKW + EPS);
            assert.ok(g.modules.length <= config.policy.maxModulesPerGun);
          }
          previous = p;
        }
      }),
      { numRuns: runs(40) },
    );
  });
});

describe("planner robustness", () => {
  const junk = fc.oneof(
    fc.double(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, -1e9, 0),
    fc.constant(undefined as unknown as number),
    fc.constant("12" as unknown as number),
  );
  it("never throws on bad observation values; names them in Plan.issues and keeps the invariants", () => {
    fc.assert(
      fc.property(ringCase(12), fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.constantFrom("requestKW", "evVoltageV", "priority", "externalLimitKW", "measuredVoltageV"), junk), { maxLength: 6 }), junk, (c, edits, grid) => {
        const guns = c.observed.guns.map((g) => ({ ...g }));
        for (const [i, field, value] of edits) if (guns[i]) (guns[i] as unknown as Record<string, unknown>)[field] = value;
        const observed = { ...c.observed, guns, gridLimitKW: grid };
        const p = plan(c.config, observed, null);
        const sum = p.guns.reduce((s, g) => s + g.budgetKW, 0);
        assert.ok(Number.isFinite(sum) && sum <= p.capacityKW + EPS);
        for (const g of p.guns) {
          assert.ok(Number.isFinite(g.budgetKW) && g.budgetKW >= 0);
          assert.ok(Number.isFinite(g.currentLimitA) && g.currentLimitA >= 0);
        }
        if (!(typeof grid === "number" && Number.isFinite(grid) && grid >= 0)) assert.ok(p.issues?.some((i) => i.startsWith("gridLimitKW")), "bad grid limit not reported");
      }),
      { numRuns: runs(150) },
    );
  });
});
