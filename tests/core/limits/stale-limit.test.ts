import { strict as assert } from "assert";
import { LimitTracker, gunLimitOf } from "../../../src/limits";
import { SessionManager, type GunInput, type PowerPathReport } from "../../../src/sessions";
import type { EvStatus } from "../../../hal/ev-link";

/**
 * The control cycle as the main loop will run it (limits -> sessions -> planner
 * observation), with a stand-in for the planner's clamp: the gun's allowed power
 * is min(EV request, its limit) while the session allows current, else 0.
 */
function rig(controlPeriodMs: number) {
  const limits = new LimitTracker({ gunIds: [1, 2], limitValidityMs: 5000, defaultGridLimitKW: 360, defaultSiteExternalLimitKW: null });
  const sessions = new SessionManager({ gunIds: [1, 2], autoAuthorizeToken: "FREE" });
  const ev: EvStatus = { plugged: true, ready: true, requestCurrentA: 200, requestVoltageV: 500, maxVoltageV: 920, maxCurrentA: 500, batteryVoltageV: 480, socPct: 30, stopRequested: false, paused: false };
  const power: PowerPathReport = { islandReady: true, precharged: true, gcClosed: true, currentAtZero: false, faulted: false };
  const granted = new Map<number, number | null>([[1, null], [2, null]]);
  let nowMs = 0;
  return {
    limits,
    sessions,
    get nowMs() { return nowMs; },
    /** One control cycle; returns each gun's allowed kW this cycle. */
    cycle(): Map<number, number> {
      const snapshot = limits.evaluate(nowMs);
      const inputs: GunInput[] = [1, 2].map((gunId) => ({ gunId, ev, power, grantedKW: granted.get(gunId) ?? null, limitExpired: gunLimitOf(snapshot, gunId).expired }));
      sessions.update(nowMs, inputs);
      const allowed = new Map<number, number>();
      for (const gunId of [1, 2]) {
        const obs = sessions.observation(gunId);
        const view = sessions.view(gunId);
        const limitKW = gunLimitOf(snapshot, gunId).limitKW;
        const kW = obs.active && !view?.rampToZero ? Math.min(obs.requestKW, limitKW ?? Number.POSITIVE_INFINITY) : 0;
        allowed.set(gunId, kW);
        granted.set(gunId, obs.active ? kW : 0);
      }
      nowMs += controlPeriodMs;
      return allowed;
    },
  };
}

describe("stale limits end to end (limits -> sessions)", () => {
  it("a gun whose limit is not refreshed ramps to zero within one control cycle after expiry", () => {
    const r = rig(100);
    r.limits.setGunLimit(1, "ems", 60, 0, 1050); // expires at 1050 ms, between two cycles
    r.limits.setGunLimit(2, "ems", 70, 0, 1050);
    let firstZeroMs: number | null = null;
    for (let i = 0; i < 20; i++) {
      const t = r.nowMs;
      if (t % 500 === 0) r.limits.setGunLimit(2, "ems", 70, t, 1050); // gun 2's source keeps refreshing
      const allowed = r.cycle();
      if (t < 1050) {
        assert.equal(allowed.get(1), 60, `gun 1 at ${t} ms`);
      } else if (firstZeroMs === null) {
        firstZeroMs = t;
        assert.equal(allowed.get(1), 0, `gun 1 must be at zero in the first cycle after expiry (${t} ms)`);
        const view = r.sessions.view(1);
        assert.equal(view?.state, "PAUSED_EVSE");
        assert.deepEqual(view?.pauseReasons, ["limitExpired"]);
        assert.equal(view?.rampToZero, true);
        assert.equal(view?.active, false);
      } else {
        assert.equal(allowed.get(1), 0);
      }
      assert.equal(allowed.get(2), 70, `gun 2 keeps its fresh limit at ${t} ms`);
    }
    assert.equal(firstZeroMs, 1100, "the first control cycle at or after 1050 ms");
  });

  it("a refreshed limit brings the gun back through PrepareCharging", () => {
    const r = rig(100);
    r.limits.setGunLimit(1, "ems", 60, 0, 300);
    for (let i = 0; i < 5; i++) r.cycle();
    assert.equal(r.sessions.view(1)?.state, "PAUSED_EVSE");
    r.limits.setGunLimit(1, "ems", 45, r.nowMs);
    const allowed = r.cycle();
    assert.equal(r.sessions.view(1)?.state, "CHARGING");
    assert.equal(allowed.get(1), 45);
  });
});
