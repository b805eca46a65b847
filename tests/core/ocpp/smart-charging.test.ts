import { strict as assert } from "assert";
import {
  clearProfiles, compositeSchedule, evaluateProfile, installProfile, limitAt, validateProfile,
  type ChargingProfile, type CompositeContext, type ValidationContext,
} from "../../../src/ocpp/smart-charging";

const T0 = Date.parse("2026-03-02T00:00:00Z");
const H = 3_600_000;

function profile(over: Partial<ChargingProfile>): ChargingProfile {
  return {
    evseId: 1, id: 1, stackLevel: 0, purpose: "TxDefaultProfile", kind: "Absolute", scheduleId: 1,
    startScheduleMs: T0, unit: "W", periods: [{ startPeriodS: 0, limit: 11_000 }], ...over,
  };
}

function vctx(over: Partial<ValidationContext> = {}): ValidationContext {
  return { evseIds: [1, 2], transactionIdOn: (e) => (e === 1 ? "TX1" : null), existing: [], maxStackLevel: 8, maxPeriods: 24, ...over };
}

const noTx: CompositeContext = { transaction: () => null, voltageV: () => 400 };

describe("smart charging: 2.0.1 validation rules", () => {
  const cases: [string, Partial<ChargingProfile>, RegExp][] = [
    ["unknown EVSE", { evseId: 9 }, /evseId 9/],
    ["first period not 0", { periods: [{ startPeriodS: 10, limit: 1 }] }, /first startPeriod/],
    ["periods not increasing", { periods: [{ startPeriodS: 0, limit: 1 }, { startPeriodS: 60, limit: 2 }, { startPeriodS: 60, limit: 3 }] }, /does not increase/],
    ["Absolute without startSchedule", { startScheduleMs: undefined }, /needs startSchedule/],
    ["Recurring without startSchedule", { kind: "Recurring", recurrency: "Daily", startScheduleMs: undefined }, /needs startSchedule/],
    ["Recurring without recurrencyKind", { kind: "Recurring" }, /recurrencyKind/],
    ["Relative with startSchedule", { kind: "Relative" }, /must not have startSchedule/],
    ["station max on an EVSE", { purpose: "ChargingStationMaxProfile", evseId: 1 }, /only on evseId 0/],
    ["station max Relative", { purpose: "ChargingStationMaxProfile", evseId: 0, kind: "Relative", startScheduleMs: undefined }, /cannot be Relative/],
    ["TxProfile without transaction", { purpose: "TxProfile", evseId: 2 }, /no active transaction/],
    ["TxProfile for another transaction", { purpose: "TxProfile", evseId: 1, transactionId: "OTHER" }, /not the active transaction/],
    ["TxProfile on EVSE 0", { purpose: "TxProfile", evseId: 0 }, /evseId > 0/],
    ["external constraints from CSMS", { purpose: "ChargingStationExternalConstraints" }, /cannot be set/],
    ["unit other than W/A", { unit: "kW" as never }, /not supported/],
    ["stack level too high", { stackLevel: 9 }, /stackLevel 9/],
    ["too many periods", { periods: Array.from({ length: 25 }, (_, i) => ({ startPeriodS: i * 60, limit: 1 })) }, /at most 24/],
  ];
  for (const [name, over, pattern] of cases) {
    it(`rejects: ${name}`, () => {
      const reason = validateProfile(profile(over), vctx());
      assert.ok(reason && pattern.test(reason), `got ${reason}`);
    });
  }

  it("accepts valid Absolute, Recurring, Relative, station max and TxProfile", () => {
    for (const over of [
      {}, { kind: "Recurring", recurrency: "Daily" }, { kind: "Relative", startScheduleMs: undefined },
      { purpose: "ChargingStationMaxProfile", evseId: 0 }, { purpose: "TxProfile", evseId: 1, transactionId: "TX1" },
      { unit: "A", periods: [{ startPeriodS: 0, limit: 32 }, { startPeriodS: 600, limit: 16 }] },
    ] as Partial<ChargingProfile>[]) {
      assert.equal(validateProfile(profile(over), vctx()), null, JSON.stringify(over));
    }
  });

  it("duplicate stackLevel for the same purpose and EVSE with another id is rejected; same id replaces", () => {
    const existing = [profile({ id: 1, stackLevel: 2 })];
    assert.match(validateProfile(profile({ id: 2, stackLevel: 2 }), vctx({ existing }))!, /already uses stackLevel 2/);
    assert.equal(validateProfile(profile({ id: 2, stackLevel: 2, evseId: 2 }), vctx({ existing })), null);
    assert.equal(validateProfile(profile({ id: 2, stackLevel: 3 }), vctx({ existing })), null);
    // Non-overlapping validity periods may share a stack level.
    const day1 = [profile({ id: 1, stackLevel: 2, validFromMs: T0, validToMs: T0 + 24 * H })];
    assert.equal(validateProfile(profile({ id: 2, stackLevel: 2, validFromMs: T0 + 24 * H }), vctx({ existing: day1 })), null);
    const replaced = installProfile(existing, profile({ id: 1, stackLevel: 2, periods: [{ startPeriodS: 0, limit: 5 }] }));
    assert.equal(replaced.length, 1);
    assert.equal(replaced[0].periods[0].limit, 5);
  });
});

describe("smart charging: precedence and composite schedule", () => {
  it("highest stackLevel wins within a purpose, falling back when it ends", () => {
    const list = [
      profile({ id: 1, stackLevel: 0, periods: [{ startPeriodS: 0, limit: 20_000 }] }),
      profile({ id: 2, stackLevel: 1, durationS: 3600, periods: [{ startPeriodS: 0, limit: 8000 }] }),
    ];
    assert.equal(limitAt(list, 1, T0 + 10, "W", noTx, T0).limit, 8000);
    assert.equal(limitAt(list, 1, T0 + H + 1, "W", noTx, T0).limit, 20_000);
  });

  it("TxProfile beats TxDefaultProfile; EVSE-specific default beats EVSE 0 default; station max caps all", () => {
    const ctx: CompositeContext = { transaction: (e) => (e === 1 ? { id: "TX1", startMs: T0 } : null), voltageV: () => 400 };
    const list = [
      profile({ id: 1, evseId: 0, stackLevel: 5, periods: [{ startPeriodS: 0, limit: 30_000 }] }),
      profile({ id: 2, evseId: 2, stackLevel: 0, periods: [{ startPeriodS: 0, limit: 25_000 }] }),
      profile({ id: 3, evseId: 1, purpose: "TxProfile", transactionId: "TX1", periods: [{ startPeriodS: 0, limit: 50_000 }] }),
      profile({ id: 4, evseId: 0, purpose: "ChargingStationMaxProfile", periods: [{ startPeriodS: 0, limit: 40_000 }] }),
    ];
    assert.equal(limitAt(list, 1, T0, "W", ctx, T0).limit, 40_000); // Tx 50 kW capped by station max 40 kW
    assert.equal(limitAt(list, 2, T0, "W", ctx, T0).limit, 25_000); // EVSE default over EVSE 0 default
    assert.equal(limitAt(list, 3, T0, "W", ctx, T0).limit, 30_000); // EVSE 0 default
    assert.equal(limitAt(list, 0, T0, "W", ctx, T0).limit, 40_000); // EVSE 0: station max only
  });

  it("converts A and W with the EVSE voltage", () => {
    const list = [profile({ unit: "A", periods: [{ startPeriodS: 0, limit: 100 }] })];
    assert.equal(limitAt(list, 1, T0, "W", noTx, T0).limit, 40_000);
    const w = [profile({ periods: [{ startPeriodS: 0, limit: 8000 }] })];
    assert.equal(limitAt(w, 1, T0, "A", noTx, T0).limit, 20);
  });

  it("Absolute: composite matches the hand-computed schedule incl. a station max and a duration end", () => {
    const list = [
      profile({ id: 1, durationS: 7200, periods: [{ startPeriodS: 0, limit: 22_000 }, { startPeriodS: 1800, limit: 11_000 }, { startPeriodS: 3600, limit: 30_000 }] }),
      profile({ id: 2, evseId: 0, purpose: "ChargingStationMaxProfile", startScheduleMs: T0 + 2700_000, periods: [{ startPeriodS: 0, limit: 25_000 }] }),
    ];
    // 0-1800: 22 kW; 1800-2700: 11 kW; 2700-3600: 11 (max 25 doesn't bind); 3600-7200: min(30, 25) = 25; 7200+: max only = 25.
    const got = compositeSchedule(list, 1, T0, 3 * 3600, "W", noTx);
    assert.deepEqual(got, [
      { startPeriodS: 0, limit: 22_000 },
      { startPeriodS: 1800, limit: 11_000 },
      { startPeriodS: 3600, limit: 25_000 },
    ]);
    // Before the max profile starts and after the tx default ends there may be no limit at all.
    const onlyDefault = compositeSchedule([list[0]], 1, T0 + 7000_000, 400, "W", noTx);
    assert.deepEqual(onlyDefault, [{ startPeriodS: 0, limit: 30_000 }, { startPeriodS: 200, limit: null }]);
  });

  it("Recurring daily: the pattern repeats every day from startSchedule", () => {
    // Every day 17:00-19:00 at 10 kW, else 50 kW (startSchedule at midnight).
    const daily = profile({ kind: "Recurring", recurrency: "Daily", periods: [
      { startPeriodS: 0, limit: 50_000 }, { startPeriodS: 17 * 3600, limit: 10_000 }, { startPeriodS: 19 * 3600, limit: 50_000 },
    ] });
    // Two days later at 16:00 for 28 h: 16-17 50, 17-19 10, 19-(next)17 50, 17-19 10, 19-20 50.
    const start = T0 + 2 * 24 * H + 16 * H;
    const got = compositeSchedule([daily], 1, start, 28 * 3600, "W", noTx);
    assert.deepEqual(got, [
      { startPeriodS: 0, limit: 50_000 },
      { startPeriodS: 1 * 3600, limit: 10_000 },
      { startPeriodS: 3 * 3600, limit: 50_000 },
      { startPeriodS: 25 * 3600, limit: 10_000 },
      { startPeriodS: 27 * 3600, limit: 50_000 },
    ]);
  });

  it("Recurring weekly with duration: active only inside the duration each week", () => {
    const weekly = profile({ kind: "Recurring", recurrency: "Weekly", durationS: 2 * 3600, periods: [{ startPeriodS: 0, limit: 7000 }] });
    const got = compositeSchedule([weekly], 1, T0 + 7 * 24 * H - H, 4 * 3600, "W", noTx);
    assert.deepEqual(got, [{ startPeriodS: 0, limit: null }, { startPeriodS: 3600, limit: 7000 }, { startPeriodS: 3 * 3600, limit: null }]);
  });

  it("Relative: anchored at the transaction start, else at the request start", () => {
    const rel = profile({ kind: "Relative", startScheduleMs: undefined, periods: [{ startPeriodS: 0, limit: 6000 }, { startPeriodS: 900, limit: 12_000 }] });
    const withTx: CompositeContext = { transaction: () => ({ id: "TX1", startMs: T0 - 600_000 }), voltageV: () => 400 };
    // Transaction started 600 s before the request: the 900 s boundary is 300 s into the schedule.
    assert.deepEqual(compositeSchedule([rel], 1, T0, 1800, "W", withTx), [{ startPeriodS: 0, limit: 6000 }, { startPeriodS: 300, limit: 12_000 }]);
    assert.deepEqual(compositeSchedule([rel], 1, T0, 1800, "W", noTx), [{ startPeriodS: 0, limit: 6000 }, { startPeriodS: 900, limit: 12_000 }]);
  });

  it("validFrom/validTo bound a profile and are reported as change points", () => {
    const p = profile({ validFromMs: T0 + H, validToMs: T0 + 2 * H });
    assert.deepEqual(evaluateProfile(p, T0, T0), { limit: null, unit: "W", nextMs: T0 + H });
    assert.equal(evaluateProfile(p, T0 + H, T0).limit, 11_000);
    assert.equal(evaluateProfile(p, T0 + H, T0).nextMs, T0 + 2 * H);
    assert.equal(evaluateProfile(p, T0 + 2 * H, T0).limit, null);
  });

  it("ClearChargingProfile by id or by criteria", () => {
    const list = [profile({ id: 1 }), profile({ id: 2, evseId: 2 }), profile({ id: 3, evseId: 0, purpose: "ChargingStationMaxProfile" })];
    assert.equal(clearProfiles(list, { id: 2 }).cleared, 1);
    assert.equal(clearProfiles(list, { purpose: "TxDefaultProfile" }).cleared, 2);
    assert.equal(clearProfiles(list, { evseId: 0 }).remaining.length, 2);
    assert.equal(clearProfiles(list, { id: 99 }).cleared, 0);
  });
});
