/**
 * ControllerPort over the real controller in the simulated cabinet (platform-free: runs in
 * mocha and inside XS). The OCPP station is replaced by direct calls and a fake authorizer.
 */
import { strict as assert } from "assert";
import { builtinDocument, parseCabinetConfig } from "../../../src/config";
import { ControllerPort, LOCAL_TOKEN_RETRY_MS, OCPP_LIMIT_VALIDITY_MS, OcppAuthorizationHooks } from "../../../src/ocpp/controller-port";
import { createSimCabinet, type SimCabinet } from "../../../host-sim/sim-cabinet";

const EV = { batteryKWh: 80, socPct: 30, targetSocPct: 95, maxPowerKW: 150, packVoltageV: 400 };

const RETRY_MS = 3000;

function setup(localIdToken: (gunId: number) => string | null = () => null) {
  const hooks = new OcppAuthorizationHooks();
  const cabinet: SimCabinet = createSimCabinet({ config: parseCabinetConfig(builtinDocument("ring-12x2")!), seed: 5, stepMs: 10, hooks, autoAuthorizeToken: null });
  const port = new ControllerPort({
    controller: cabinet.controller, clock: cabinet.sim.hal.clock, authorizationHooks: hooks, localIdToken,
    meterEnergyWh: (gun) => cabinet.sim.hal.sensors.gun(gun).energyWh, localTokenRetryMs: RETRY_MS,
  });
  const asked: [number, string][] = [];
  let answer = "Accepted";
  port.setAuthorizer((gun, token, done) => { asked.push([gun, token]); done(answer); });
  const run = (ms: number) => cabinet.sim.runner.runFor(ms);
  return { cabinet, port, asked, run, setAnswer: (a: string) => { answer = a; }, state: (gun: number) => cabinet.controller.sessions.view(gun)!.state };
}

describe("ocpp ControllerPort over the cabinet controller", () => {
  it("lists the 12 guns as EVSEs", () => {
    const { port, cabinet } = setup();
    assert.deepEqual(port.evses().map((e) => e.evseId), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    cabinet.controller.close();
  });

  it("a plugged EV waits for authorization; an accepted token starts it and the meter runs", () => {
    const { port, cabinet, asked, run, state } = setup((gun) => (gun === 2 ? "TAG2" : null));
    cabinet.sim.plant.plug(1, EV);
    run(3000);
    assert.equal(state(1), "EV_DETECTED");
    const s1 = port.snapshot(1);
    assert.equal(s1.plugged, true);
    assert.equal(s1.authorized, false);
    assert.equal(s1.energyFlowing, false);
    assert.deepEqual(asked, [], "no token presented at gun 1");
    assert.deepEqual(port.waitingForAuthorization, [1]);

    cabinet.sim.plant.plug(2, EV);
    run(15_000);
    assert.deepEqual(asked, [[2, "TAG2"]]);
    assert.equal(state(2), "CHARGING");
    const s2 = port.snapshot(2);
    assert.equal(s2.authorized, true);
    assert.equal(s2.energyFlowing, true);
    assert.ok(s2.meter.powerW > 10_000 && s2.meter.voltageV > 300, JSON.stringify(s2.meter));
    const e0 = s2.meter.energyWh;
    run(5000);
    assert.ok(port.snapshot(2).meter.energyWh > e0 + 10);
    cabinet.controller.close();
  });

  it("a refused local card (station not online yet) is presented again after the retry time", () => {
    assert.equal(LOCAL_TOKEN_RETRY_MS, 30_000, "default");
    const { port, cabinet, asked, run, setAnswer, state } = setup(() => "CARD");
    setAnswer("Invalid");
    cabinet.sim.plant.plug(6, EV);
    run(2000);
    assert.deepEqual(asked, [[6, "CARD"]]);
    setAnswer("Accepted");
    // The station's once-a-second limits refresh drives the retry.
    const refresh = () => port.applyLimits({ siteLimitKW: null, gunLimitsKW: {} });
    for (let t = 0; t < RETRY_MS - 2000; t += 500) { run(500); refresh(); }
    assert.equal(asked.length, 1, "not before the retry time");
    for (let t = 0; t < 2000; t += 500) { run(500); refresh(); }
    assert.equal(asked.length, 2);
    run(1000);
    assert.notEqual(state(6), "EV_DETECTED");
    assert.deepEqual(port.waitingForAuthorization, []);
    cabinet.controller.close();
  });

  it("a rejected token leaves the session waiting; a remote start authorizes it; a remote stop ends it", () => {
    const { port, cabinet, run, setAnswer, state } = setup(() => "BAD");
    setAnswer("Invalid");
    cabinet.sim.plant.plug(3, EV);
    run(3000);
    assert.equal(state(3), "EV_DETECTED");
    assert.equal(port.startSession(3, "REMOTE"), true);
    run(15_000);
    assert.equal(state(3), "CHARGING");
    assert.equal(port.stopSession(3, "Remote"), true);
    run(5000);
    const s = port.snapshot(3);
    assert.equal(state(3), "FINISHED");
    assert.equal(s.authorized, false, "the transaction is over");
    assert.equal(s.lastStopReason, "Remote");
    assert.equal(port.stopSession(12, "Remote"), false, "nothing to stop on an idle gun");
    cabinet.sim.plant.unplug(3);
    run(1000);
    assert.equal(port.snapshot(3).lastStopReason, "Remote", "kept until the next session");
    cabinet.controller.close();
  });

  it("Inoperative waits for the session to end (Scheduled); station-wide availability covers every gun", () => {
    const { port, cabinet, run, state } = setup();
    cabinet.sim.plant.plug(4, EV);
    port.startSession(4, "T");
    run(10_000);
    port.setAvailability(4, false);
    run(2000);
    assert.equal(state(4), "CHARGING", "a running session is not cut");
    cabinet.sim.plant.unplug(4);
    run(3000);
    assert.equal(state(4), "DISABLED");
    assert.equal(port.snapshot(4).operative, false);
    port.setAvailability(0, false);
    run(500);
    assert.ok([1, 2, 3, 5].every((g) => state(g) === "DISABLED"));
    port.setAvailability(0, true);
    run(500);
    assert.equal(state(1), "IDLE");
    assert.equal(state(4), "DISABLED", "gun 4 stays inoperative on its own");
    port.setAvailability(4, true);
    run(500);
    assert.equal(state(4), "IDLE");
    assert.equal(port.startSession(99, "T"), false);
    cabinet.controller.close();
  });

  it("limits: station max -> site external limit, EVSE limit -> gun limit 'ocpp'; they expire unless refreshed", () => {
    const { port, cabinet, run } = setup();
    const limits = () => cabinet.controller.limits.evaluate(cabinet.sim.hal.clock.nowMs());
    port.applyLimits({ siteLimitKW: 100, gunLimitsKW: { 1: 100, 2: 20, 3: null } });
    let l = limits();
    assert.equal(l.siteExternalLimitKW, 100);
    assert.equal(l.siteExternalLimitSource, "external");
    assert.equal(l.guns.find((g) => g.gunId === 2)!.limitKW, 20);
    assert.equal(l.guns.find((g) => g.gunId === 1)!.limitKW, null, "a per-gun composite equal to the station max is not pushed");
    assert.equal(l.guns.find((g) => g.gunId === 3)!.limitKW, null);
    // Refreshed in time: still in force after twice the validity.
    for (let t = 0; t < 2 * OCPP_LIMIT_VALIDITY_MS; t += 1000) { run(1000); port.applyLimits({ siteLimitKW: 100, gunLimitsKW: { 2: 20 } }); }
    l = limits();
    assert.equal(l.siteExternalLimitKW, 100);
    assert.equal(l.guns.find((g) => g.gunId === 2)!.expired, false);
    // Not refreshed: the site limit falls back to the configured default, the gun limit goes stale.
    run(OCPP_LIMIT_VALIDITY_MS + 100);
    l = limits();
    assert.equal(l.siteExternalLimitSource, "default");
    assert.equal(l.siteExternalLimitKW, cabinet.controller.config.siteLimits.externalLimitKW);
    assert.equal(l.guns.find((g) => g.gunId === 2)!.expired, true);
    // Cleared by OCPP: gone at once.
    port.applyLimits({ siteLimitKW: null, gunLimitsKW: { 2: null } });
    l = limits();
    assert.equal(l.guns.find((g) => g.gunId === 2)!.expired, false);
    assert.equal(l.guns.find((g) => g.gunId === 2)!.limitKW, null);
    port.applyLimits({ siteLimitKW: -5, gunLimitsKW: {} });
    assert.equal(port.limitErrors.length, 1, "a bad limit is reported, not thrown");
    cabinet.controller.close();
  });

  it("a fault on a gun shows as faulted; unlock and reset answer", () => {
    const { port, cabinet, run } = setup();
    assert.equal(port.unlock(5), "Unlocked");
    assert.equal(port.unlock(13), "UnknownConnector");
    cabinet.sim.plant.plug(5, EV);
    port.startSession(5, "T");
    run(10_000);
    assert.equal(port.unlock(5), "OngoingAuthorizedTransaction");
    cabinet.sim.plant.injectFault("imd", 5);
    run(3000);
    const s = port.snapshot(5);
    assert.equal(s.faulted, true);
    assert.equal(s.energyFlowing, false);
    assert.equal(s.authorized, false, "the fault ended the transaction");
    assert.ok(s.lastStopReason === "EmergencyStop" || s.lastStopReason === "Other", String(s.lastStopReason));
    assert.equal(port.reset("OnIdle"), true);
    cabinet.controller.close();
  });
});
