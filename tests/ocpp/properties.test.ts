// Node tier only: fast-check reads setTimeout at load time, which the XS harness does not provide.
import { strict as assert } from "assert";
import fc from "fast-check";
import { Station16 } from "../../src/ocpp/station16";
import { Station201 } from "../../src/ocpp/station201";
import { compositeSchedule, limitAt, type ChargingProfile, type CompositeContext } from "../../src/ocpp/smart-charging";
import { FakeCabinet, ManualClock, MemoryStorage, ScriptedCsms, testConfig } from "../core/ocpp/support";

const T0 = Date.parse("2026-03-02T00:00:00Z");

const periodsArb = fc.uniqueArray(fc.integer({ min: 1, max: 20_000 }), { maxLength: 4 }).chain((starts) =>
  fc.tuple(...[0, ...starts.sort((a, b) => a - b)].map((s) => fc.integer({ min: 0, max: 200_000 }).map((limit) => ({ startPeriodS: s, limit })))));

const profileArb: fc.Arbitrary<ChargingProfile> = fc.record({
  evseId: fc.constantFrom(0, 1),
  id: fc.integer({ min: 1, max: 1000 }),
  stackLevel: fc.integer({ min: 0, max: 3 }),
  purpose: fc.constantFrom("ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile") as fc.Arbitrary<ChargingProfile["purpose"]>,
  kind: fc.constantFrom("Absolute", "Recurring", "Relative") as fc.Arbitrary<ChargingProfile["kind"]>,
  offsetS: fc.integer({ min: -50_000, max: 50_000 }),
  durationS: fc.option(fc.integer({ min: 60, max: 40_000 }), { nil: undefined }),
  periods: periodsArb,
}).map((r) => ({
  evseId: r.purpose === "ChargingStationMaxProfile" ? 0 : r.purpose === "TxProfile" ? 1 : r.evseId,
  id: r.id, stackLevel: r.stackLevel, purpose: r.purpose,
  kind: r.purpose === "ChargingStationMaxProfile" && r.kind === "Relative" ? "Absolute" : r.kind,
  ...(r.kind === "Recurring" && r.purpose !== "ChargingStationMaxProfile" ? { recurrency: "Daily" as const } : {}),
  ...(r.kind === "Recurring" && r.purpose === "ChargingStationMaxProfile" ? { kind: "Recurring" as const, recurrency: "Daily" as const } : {}),
  scheduleId: 1, unit: "W" as const, periods: r.periods,
  ...(r.kind !== "Relative" || r.purpose === "ChargingStationMaxProfile" ? { startScheduleMs: T0 + r.offsetS * 1000 } : {}),
  ...(r.durationS !== undefined ? { durationS: r.durationS } : {}),
}));

const ctx: CompositeContext = { transaction: (e) => (e === 1 ? { id: "TX", startMs: T0 - 1000_000 } : null), voltageV: () => 400 };

describe("ocpp properties", () => {
  it("composite schedule agrees with the instantaneous limit at every sampled second, and never exceeds station max", () => {
    fc.assert(fc.property(fc.array(profileArb, { maxLength: 5 }), fc.integer({ min: 0, max: 86_400 }), (profiles, startOffsetS) => {
      const start = T0 + startOffsetS * 1000;
      const durationS = 2 * 86_400;
      const schedule = compositeSchedule(profiles, 1, start, durationS, "W", ctx);
      assert.equal(schedule[0].startPeriodS, 0);
      for (let i = 1; i < schedule.length; i++) {
        assert.ok(schedule[i].startPeriodS > schedule[i - 1].startPeriodS);
        assert.notEqual(schedule[i].limit, schedule[i - 1].limit, "equal neighbours are merged");
      }
      for (let s = 0; s < durationS; s += 3607) {
        const t = start + s * 1000;
        const direct = limitAt(profiles, 1, t, "W", ctx, start).limit;
        const period = [...schedule].reverse().find((p) => p.startPeriodS <= s)!;
        assert.equal(period.limit, direct === null ? null : Math.round(direct * 10) / 10, `at +${s}s`);
        const max = limitAt(profiles.filter((p) => p.purpose === "ChargingStationMaxProfile"), 0, t, "W", ctx, start).limit;
        if (max !== null && direct !== null) assert.ok(direct <= max);
      }
    }), { numRuns: 150 });
  });

  for (const [name, make, protocol] of [
    ["2.0.1", (o: any) => new Station201(o), "ocpp2.0.1"],
    ["1.6", (o: any) => new Station16(o), "ocpp1.6"],
  ] as const) {
    it(`${name}: arbitrary CSMS frames never throw, always get at most one reply, and never stop charging`, () => {
      const clock = new ManualClock();
      const csms = new ScriptedCsms(protocol);
      const cabinet = new FakeCabinet(3);
      const station = make({ config: testConfig(name), transport: csms, port: cabinet, storage: new MemoryStorage(), clock, random: () => 0 });
      station.start();
      station.tick();
      csms.flush();
      cabinet.authorizeLocally(1, "T");
      cabinet.plugIn(1);
      station.tick();
      csms.flush();
      const actions = ["SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule", "TriggerMessage", "GetVariables", "ChangeConfiguration", "RequestStartTransaction", "RemoteStartTransaction", "DataTransfer", "ReserveNow"];
      const frame = fc.oneof(
        fc.tuple(fc.constant(2), fc.string({ minLength: 1, maxLength: 10 }).map((s) => `f-${s}`), fc.constantFrom(...actions), fc.anything()),
        fc.anything(),
        fc.string(),
      );
      fc.assert(fc.property(frame, (f) => {
        const before = csms.sentReplies.length;
        csms.raw(typeof f === "string" ? f : JSON.stringify(f) ?? "null");
        csms.flush();
        station.tick();
        csms.flush();
        const replies = csms.sentReplies.slice(before).filter((r) => r[0] !== 2);
        assert.ok(replies.length <= 1);
      }), { numRuns: 300 });
      assert.equal(station.connection, "open");
      assert.equal(cabinet.state[1].energyFlowing, true);
    });
  }
});
