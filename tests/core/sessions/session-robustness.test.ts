import { strict as assert } from "assert";
import type { SessionEvent } from "../../../src/sessions";
import { SessionBench, evStatus, powerPath } from "./bench";
import { forSeeds, type Random } from "./random";

describe("gun sessions: robustness", () => {
  it("contains a throwing subscriber: other subscribers still get every event", () => {
    const b = new SessionBench([1]);
    b.manager.subscribe(() => {
      throw new Error("display offline");
    });
    const seen: string[] = [];
    b.manager.subscribe((e) => seen.push(e.type));
    b.setEv(1, { plugged: true });
    b.cycle();
    assert.deepEqual(seen, ["SessionStarted", "AuthRequired"]);
    assert.equal(b.logs.filter((l) => /subscriber threw Error: display offline \(contained\)/.test(l)).length, 2);
  });

  it("unsubscribes", () => {
    const b = new SessionBench([1]);
    const seen: string[] = [];
    const off = b.manager.subscribe((e) => seen.push(e.type));
    off();
    b.setEv(1, { plugged: true });
    b.cycle();
    assert.deepEqual(seen, []);
  });

  it("keeps a gun's state when its input is missing or malformed, and logs it", () => {
    const b = new SessionBench([1, 2]);
    b.toCharging(1);
    b.toCharging(2);
    const good = { gunId: 2, ev: evStatus({ plugged: true, ready: true, requestCurrentA: 100, requestVoltageV: 800 }), power: powerPath({ gcClosed: true, currentAtZero: false, islandReady: true, precharged: true }), grantedKW: 80, limitExpired: false };
    b.manager.update(1000, [good, { gunId: 9, ev: evStatus(), power: powerPath(), grantedKW: null, limitExpired: false }]);
    assert.equal(b.state(1), "CHARGING");
    assert.ok(b.logs.some((l) => /no input for gun 1 this cycle; state kept \(CHARGING\)/.test(l)));
    assert.ok(b.logs.some((l) => /input for unknown gunId 9 ignored/.test(l)));
    b.manager.update(1100, [{ ...good, gunId: 1, ev: undefined as never }, good]);
    assert.equal(b.state(1), "CHARGING");
    assert.equal(b.state(2), "CHARGING");
    assert.ok(b.logs.some((l) => /gun 1 step failed: TypeError/.test(l)));
  });

  it("a throwing authorization hook is contained", () => {
    const b = new SessionBench([1], { hooks: { requestAuthorization: () => { throw new Error("ocpp down"); } } });
    b.setEv(1, { plugged: true });
    assert.deepEqual(b.cycle(1), ["SessionStarted", "AuthRequired"]);
    assert.ok(b.logs.some((l) => /requestAuthorization hook threw/.test(l)));
  });

  it("property: any sequence of EV, power-path and command inputs keeps the session contract", () => {
    forSeeds(300, (random) => {
      const b = new SessionBench([1]);
      const checker = new EventContract();
      b.manager.subscribe((e) => checker.check(e));
      const steps = random.int(1, 60);
      for (let i = 0; i < steps; i++) {
        const s = randomStep(random);
        b.setEv(1, { plugged: s.plugged, ready: s.ready, paused: s.paused, stopRequested: s.stop, requestCurrentA: s.current, requestVoltageV: 500 });
        b.setPower(1, { islandReady: s.islandReady, precharged: s.precharged, gcClosed: s.gcClosed, currentAtZero: s.currentAtZero, faulted: s.faulted });
        b.gun(1).grantedKW = s.granted;
        b.gun(1).limitExpired = s.limitExpired;
        runCommand(b, s.command);
        checker.power = b.gun(1).power;
        b.cycle();
        const view = b.manager.view(1);
        assert.ok(view);
        if (view.active) assert.ok(["READY", "ISLAND_READY", "CHARGING", "PAUSED_EVSE"].includes(view.state), `active in ${view.state}`);
        if (!view.active) assert.equal(view.requestKW, 0);
        assert.equal(view.rampToZero, view.state !== "CHARGING");
        if (view.state === "CHARGING") assert.equal(b.gun(1).power.gcClosed, true, "CHARGING only with a closed GC");
        if (view.state === "CHARGING") assert.equal(b.gun(1).ev.plugged, true, "CHARGING only with an EV plugged in");
        assert.equal(view.session !== null, checker.sessionOpen, "the view and the events agree on the session");
      }
    });
  });
});

/** Plugged-in EVs and a working power path are likelier than not, so sessions get far. */
function randomStep(random: Random) {
  return {
    plugged: random.bool(0.85), ready: random.bool(0.7), paused: random.bool(0.1), stop: random.bool(0.05),
    current: random.pick([0, 50, 200]),
    islandReady: random.bool(0.6), precharged: random.bool(0.6), gcClosed: random.bool(0.5), currentAtZero: random.bool(0.5),
    faulted: random.bool(0.05), granted: random.pick([null, 0, 40, 40]),
    limitExpired: random.bool(0.05),
    command: random.pick(["none", "none", "none", "none", "authorize", "authorize", "remoteStop", "withdraw", "disable", "enable", "enable", "reserve", "pause", "resume", "resume"]),
  };
}

function runCommand(b: SessionBench, command: string): void {
  const m = b.manager;
  switch (command) {
    case "authorize": m.authorize(1, "T"); break;
    case "remoteStop": m.remoteStop(1); break;
    case "withdraw": m.withdrawAuthorization(1); break;
    case "disable": m.disable(1); break;
    case "enable": m.enable(1); break;
    case "reserve": m.reserve(1, "R"); break;
    case "pause": m.pauseCharging(1); break;
    case "resume": m.resumeCharging(1); break;
    default: break;
  }
}

/** The seed 003 event grammar for one gun. */
class EventContract {
  sessionOpen = false;
  sessionId: string | null = null;
  transactionOpen = false;
  stopping = false;
  lastType: string | null = null;
  power = powerPath();

  check(e: SessionEvent): void {
    const gunLevel = ["Enabled", "Disabled", "ReservationStart", "ReservationEnd"].includes(e.type);
    if (!gunLevel && e.type !== "SessionStarted") {
      assert.ok(this.sessionOpen, `${e.type} outside a session`);
      assert.equal(e.sessionId, this.sessionId);
    }
    switch (e.type) {
      case "SessionStarted":
        assert.ok(!this.sessionOpen, "SessionStarted while a session is open");
        this.sessionOpen = true;
        this.sessionId = e.sessionId;
        break;
      case "TransactionStarted":
        assert.ok(!this.transactionOpen, "two transactions in one session");
        this.transactionOpen = true;
        this.stopping = false;
        break;
      case "ChargingStarted":
      case "PrepareCharging":
      case "ChargingPausedEV":
      case "ChargingPausedEVSE":
        assert.ok(this.transactionOpen, `${e.type} without a transaction`);
        assert.ok(!this.stopping, `${e.type} while stopping`);
        break;
      case "StoppingCharging":
        assert.ok(this.transactionOpen && !this.stopping, "StoppingCharging twice or without a transaction");
        assert.ok(e.reason !== undefined);
        this.stopping = true;
        break;
      case "ChargingFinished":
        assert.ok(this.transactionOpen);
        assert.equal(this.power.gcClosed, false, "transaction ended with the GC closed");
        assert.equal(this.power.currentAtZero, true, "transaction ended with current flowing");
        break;
      case "TransactionFinished":
        assert.equal(this.lastType, "ChargingFinished");
        assert.ok(e.reason !== undefined);
        this.transactionOpen = false;
        break;
      case "SessionFinished":
        assert.ok(!this.transactionOpen, "session finished with its transaction open");
        assert.ok(e.reason !== undefined);
        this.sessionOpen = false;
        this.sessionId = null;
        break;
      default:
        break;
    }
    this.lastType = e.type;
  }
}
