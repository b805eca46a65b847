import { strict as assert } from "assert";
import { Station201 } from "../../../src/ocpp/station201";
import { FakeCabinet, ManualClock, MemoryStorage, ScriptedCsms, testConfig, wallFrom } from "./support";

const EPOCH = Date.parse("2026-03-02T08:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function setup(storage = new MemoryStorage()) {
  const clock = new ManualClock();
  const csms = new ScriptedCsms("ocpp2.0.1");
  const cabinet = new FakeCabinet();
  const station = new Station201({ config: testConfig("2.0.1"), transport: csms, port: cabinet, storage, clock, wallClock: wallFrom(clock, EPOCH), random: () => 0 });
  station.start();
  const step = (ms = 0) => { clock.advance(ms); cabinet.run(ms); station.tick(); csms.flush(); station.tick(); csms.flush(); };
  step();
  return { station, csms, cabinet, clock, step };
}

const maxProfile = (limitW: number, periods?: { startPeriod: number; limit: number }[]) => ({
  evseId: 0,
  chargingProfile: {
    id: 10, stackLevel: 0, chargingProfilePurpose: "ChargingStationMaxProfile", chargingProfileKind: "Absolute",
    chargingSchedule: [{ id: 1, startSchedule: iso(EPOCH), chargingRateUnit: "W", chargingSchedulePeriod: periods ?? [{ startPeriod: 0, limit: limitW }] }],
  },
});

describe("ocpp limits sink (smart charging -> cabinet)", () => {
  it("a 100 kW ChargingStationMaxProfile caps the cabinet's total power within one tick", () => {
    const { csms, cabinet, step } = setup();
    for (const evse of [1, 2, 3, 4]) { cabinet.authorizeLocally(evse, "T"); cabinet.plugIn(evse); }
    step(100);
    assert.equal(cabinet.totalPowerKW(), 400);
    const id = csms.call("SetChargingProfile", maxProfile(100_000));
    csms.flush();
    assert.equal(csms.replies.get(id)![2].status, "Accepted");
    assert.equal(cabinet.limits?.siteLimitKW, 100, "applied when the call is answered");
    assert.ok(cabinet.totalPowerKW() <= 100 + 1e-9, `total ${cabinet.totalPowerKW()} kW`);
  });

  it("profile periods switch at their boundaries, not before", () => {
    const { csms, cabinet, step } = setup();
    csms.call("SetChargingProfile", maxProfile(0, [{ startPeriod: 0, limit: 150_000 }, { startPeriod: 600, limit: 50_000 }]));
    csms.flush();
    step();
    assert.equal(cabinet.limits?.siteLimitKW, 150);
    step(599_000);
    assert.equal(cabinet.limits?.siteLimitKW, 150);
    step(1000);
    assert.equal(cabinet.limits?.siteLimitKW, 50);
  });

  it("a TxProfile limits one gun only; it ends with the transaction", () => {
    const { csms, cabinet, step, station } = setup();
    for (const evse of [1, 2]) { cabinet.authorizeLocally(evse, "T"); cabinet.plugIn(evse); }
    step(100);
    const txId = station.transactions[2];
    csms.call("SetChargingProfile", { evseId: 2, chargingProfile: {
      id: 20, stackLevel: 1, chargingProfilePurpose: "TxProfile", chargingProfileKind: "Relative", transactionId: txId,
      chargingSchedule: [{ id: 2, chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 30_000 }] }],
    } });
    csms.flush();
    step(100);
    assert.equal(cabinet.state[2].powerW, 30_000);
    assert.equal(cabinet.state[1].powerW, 100_000);
    cabinet.unplug(2);
    step(100);
    assert.equal(cabinet.limits?.gunLimitsKW[2], null);
    assert.equal(station.chargingProfiles.length, 0);
  });

  it("profiles persist across a controller restart", () => {
    const storage = new MemoryStorage();
    const a = setup(storage);
    a.csms.call("SetChargingProfile", maxProfile(80_000));
    a.csms.flush();
    a.station.stop();
    const b = setup(storage);
    assert.equal(b.cabinet.limits?.siteLimitKW, 80);
    assert.equal(b.station.chargingProfiles[0].id, 10);
  });

  it("while offline charging continues on the last limits", () => {
    const { csms, cabinet, step, station } = setup();
    cabinet.authorizeLocally(1, "T");
    cabinet.plugIn(1);
    csms.call("SetChargingProfile", maxProfile(40_000));
    csms.flush();
    step(100);
    csms.drop();
    step(60_000);
    assert.equal(station.online, false);
    assert.equal(cabinet.state[1].powerW, 40_000);
    assert.equal(cabinet.limits?.siteLimitKW, 40);
  });
});
