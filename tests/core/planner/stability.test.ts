import "./xs-globals";
import { strict as assert } from "assert";
import fc from "fast-check";
import { plan } from "../../../src/planner";
import type { ContactorFault, PlanObservation } from "../../../src/planner";
import { ringCase, runs } from "./arbitrary";
import { matrixConfig } from "./fixtures";

const EPS = 1e-6;

describe("planner stability properties", () => {
  it("steady state: replanning the same observation switches no contactor and no module", () => {
    fc.assert(
      fc.property(ringCase(12), (c) => {
        const first = plan(c.config, c.observed, null);
        const again = plan(c.config, { ...c.observed, nowMs: c.observed.nowMs + 100 }, first);
        for (const id of Object.keys(first.contactors)) assert.equal(again.contactors[id], first.contactors[id], `${id} switched`);
        assert.deepEqual(again.modulesOn, first.modulesOn);
        assert.ok(Math.abs(again.totalKW - first.totalKW) < EPS);
      }),
      { numRuns: runs(150) },
    );
  });

  it("current limits rise by at most one ramp step and never exceed the new target (DESIGN §5 invariant 6)", () => {
    fc.assert(
      fc.property(ringCase(12), fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 2, noNaN: true }), (c, dtMs, scale) => {
        const first = plan(c.config, c.observed, null);
        const next: PlanObservation = { ...c.observed, nowMs: c.observed.nowMs + dtMs, guns: c.observed.guns.map((g) => ({ ...g, requestKW: g.requestKW * scale })) };
        const second = plan(c.config, next, first);
        const stepA = (c.config.policy.currentRampAPerS * dtMs) / 1000;
        for (const g of second.guns) {
          const before = first.guns.find((x) => x.id === g.id)!;
          const base = before.setpointKW > 0 ? before.currentLimitA : 0;
          assert.ok(g.currentLimitA <= base + stepA + EPS, `gun ${g.id} jumped from ${base} to ${g.currentLimitA}`);
          const cfg = c.config.guns.find((x) => x.id === g.id)!;
          assert.ok(g.currentLimitA <= cfg.maxCurrentA + EPS);
        }
      }),
      { numRuns: runs(150) },
    );
  });

  it("a lower grid limit is applied in the very next plan (step-downs are never delayed)", () => {
    fc.assert(
      fc.property(ringCase(12), fc.double({ min: 0, max: 1, noNaN: true }), (c, fraction) => {
        const first = plan(c.config, c.observed, null);
        const limitKW = first.totalKW * fraction;
        const second = plan(c.config, { ...c.observed, nowMs: c.observed.nowMs + 100, gridLimitKW: limitKW }, first);
        assert.ok(second.totalKW <= limitKW + EPS, `${second.totalKW} > ${limitKW}`);
        for (const g of second.guns) assert.ok(g.setpointKW <= g.budgetKW + EPS);
      }),
      { numRuns: runs(150) },
    );
  });
});

describe("planner re-partitioning", () => {
  it("a charging gun's island changes only when the plan marks it in Plan.repartition", () => {
    fc.assert(
      fc.property(ringCase(12), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.double({ min: 0.2, max: 2, noNaN: true }), (c, flip, scale) => {
        const first = plan(c.config, c.observed, null);
        const next: PlanObservation = {
          ...c.observed,
          nowMs: c.observed.nowMs + 1000,
          guns: c.observed.guns.map((g, i) => {
            const before = first.guns.find((x) => x.id === g.id)!;
            const charging = g.active && before.setpointKW > 0;
            return { ...g, charging, active: charging ? true : flip[i] ? !g.active : g.active, requestKW: g.requestKW * scale };
          }),
        };
        const second = plan(c.config, next, first);
        const key = (slots: number[]) => slots.slice().sort((a, b) => a - b).join(",");
        for (const g of second.guns) {
          const before = first.guns.find((x) => x.id === g.id)!;
          const charging = next.guns.find((x) => x.id === g.id)!.charging;
          const changed = charging && g.islandSlots.length > 0 && key(g.islandSlots) !== key(before.islandSlots);
          assert.equal(second.repartition.includes(g.id), changed, `gun ${g.id}: island ${before.islandSlots} -> ${g.islandSlots}, repartition ${second.repartition}`);
        }
      }),
      { numRuns: runs(150) },
    );
  });
});

describe("planner matrix properties (seed 001 topology, random health, faults, requests)", () => {
  const fault = fc.oneof({ weight: 12, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom<ContactorFault>("welded", "stuckOpen", "feedbackFault") });
  const matrixCase = fc.record({
    maxModules: fc.integer({ min: 1, max: 6 }),
    gridKW: fc.integer({ min: 0, max: 500 }),
    guns: fc.array(fc.record({ active: fc.boolean(), requestKW: fc.integer({ min: 0, max: 260 }), priority: fc.integer({ min: 0, max: 2 }) }), { minLength: 6, maxLength: 6 }),
    modules: fc.array(fc.record({ healthy: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), tempC: fc.integer({ min: 20, max: 90 }) }), { minLength: 9, maxLength: 9 }),
    links: fc.array(fault, { minLength: 54, maxLength: 54 }),
  });

  it("no module on two guns, per-gun max respected, budgets within capacity, unhealthy modules off, welded links honoured", () => {
    fc.assert(
      fc.property(matrixCase, (r) => {
        const config = matrixConfig({ maxModulesPerGun: r.maxModules });
        const faults: Record<string, ContactorFault> = {};
        r.links.forEach((f, i) => {
          if (f) faults[`MX_${Math.floor(i / 6) + 1}_${(i % 6) + 1}`] = f;
        });
        const observed: PlanObservation = {
          nowMs: 0,
          guns: r.guns.map((g, i) => ({ id: i + 1, active: g.active, charging: false, requestKW: g.requestKW, evVoltageV: 800, measuredVoltageV: 800, priority: g.priority, externalLimitKW: null })),
          modules: r.modules.map((m, i) => ({ id: `PM${i + 1}`, healthy: m.healthy, tempC: m.tempC, operatingHours: 0 })),
          contactorFaults: faults,
          gridLimitKW: r.gridKW,
          siteExternalLimitKW: null,
        };
        const p = plan(config, observed, null);
        const owner = new Map<string, number>();
        const sum = p.guns.reduce((s, g) => s + g.budgetKW, 0);
        assert.ok(sum <= p.capacityKW + EPS && sum <= r.gridKW + EPS);
        for (const g of p.guns) {
          assert.ok(g.modules.length <= r.maxModules, `gun ${g.id} has ${g.modules.length} modules`);
          assert.ok(g.setpointKW <= g.budgetKW + EPS);
          for (const m of g.modules) {
            assert.ok(!owner.has(m), `${m} on guns ${owner.get(m)} and ${g.id}`);
            owner.set(m, g.id);
            const idx = Number(m.slice(2)) - 1;
            assert.ok(r.modules[idx].healthy, `unhealthy ${m} on`);
            const f = faults[`MX_${idx + 1}_${g.id}`];
            assert.ok(f !== "stuckOpen", `${m} used through a stuck-open link`);
            for (let other = 1; other <= 6; other++) {
              const fo = faults[`MX_${idx + 1}_${other}`];
              if (other === g.id || (fo !== "welded" && fo !== "feedbackFault")) continue;
              // A module welded to another gun joins their buses: only through its own
              // welded link, and that gun is then not served (invariant 1: GC open).
              assert.equal(f, "welded", `${m} welded to gun ${other} but used by gun ${g.id}`);
              const partner = p.guns.find((x) => x.id === other)!;
              assert.equal(partner.setpointKW, 0, `gun ${other} served in gun ${g.id}'s region`);
              if (!faults[`GC_${other}`]) assert.equal(p.contactors[`GC_${other}`], "open");
            }
          }
          const modulesKW = g.modules.reduce((s, m) => s + 40 * Math.min(1, Math.max(0, (85 - r.modules[Number(m.slice(2)) - 1].tempC) / 20)), 0);
          assert.ok(g.setpointKW <= modulesKW + EPS);
        }
        // Closed links are exactly the assignments (faulted ones report their physical state).
        for (const [id, pos] of Object.entries(p.contactors)) {
          if (!id.startsWith("MX_") || faults[id]) continue;
          const [, m, g] = id.split("_");
          assert.equal(pos === "closed", owner.get(`PM${m}`) === Number(g), id);
        }
      }),
      { numRuns: runs(200) },
    );
  });
});
