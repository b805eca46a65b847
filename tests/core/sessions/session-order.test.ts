/**
 * SessionManager.update steps the guns by position when it gets exactly one input per gun
 * in gun order (the controller's case) and pairs inputs up through a Map otherwise; the
 * planner's observation is read without building a view. Both shortcuts must give what the
 * general path gives: two managers fed the same random facts, one in gun order and one
 * reversed, must agree on every event, view and observation.
 */
import { strict as assert } from "assert";
import type { GunInput, SessionEvent } from "../../../src/sessions";
import { SessionManager } from "../../../src/sessions/session-manager";
import { SessionBench, evStatus, powerPath } from "./bench";
import { forSeeds } from "./random";

const GUNS = [3, 1, 2];

function manager(events: SessionEvent[]): SessionManager {
  const m = new SessionManager({ gunIds: GUNS, autoAuthorizeToken: "FREE", log: { write: () => undefined } });
  m.subscribe((e) => events.push(e));
  return m;
}

describe("gun sessions: inputs by position", () => {
  it("property: inputs in gun order step the guns as the same inputs out of order do", () => {
    forSeeds(60, (random) => {
      const inOrderEvents: SessionEvent[] = [];
      const reversedEvents: SessionEvent[] = [];
      const inOrder = manager(inOrderEvents);
      const shuffled = manager(reversedEvents);
      for (let cycle = 0; cycle < 40; cycle++) {
        const inputs: GunInput[] = GUNS.map((gunId) => ({
          gunId,
          ev: evStatus({ plugged: random.bool(0.8), ready: random.bool(0.7), paused: random.bool(0.1), requestCurrentA: random.int(0, 200), requestVoltageV: 400 }),
          power: powerPath({ islandReady: random.bool(), precharged: random.bool(), gcClosed: random.bool(), currentAtZero: random.bool(), faulted: random.bool(0.05) }),
          grantedKW: random.bool(0.2) ? null : random.int(0, 100),
          limitExpired: random.bool(0.05),
        }));
        const nowMs = cycle * 100;
        inOrder.update(nowMs, inputs);
        shuffled.update(nowMs, inputs.slice().reverse());
        assert.deepStrictEqual(inOrderEvents, reversedEvents, `cycle ${cycle}`);
        for (let i = 0; i < GUNS.length; i++) {
          const id = GUNS[i];
          const view = inOrder.view(id)!;
          assert.deepStrictEqual(view, shuffled.view(id));
          const expected = { active: view.active, charging: view.charging, requestKW: view.requestKW, evVoltageV: view.evVoltageV };
          assert.deepStrictEqual(inOrder.observation(id), expected);
          assert.deepStrictEqual(inOrder.observationAt(i, id), expected);
          // The wrong position falls back to the id.
          assert.deepStrictEqual(inOrder.observationAt((i + 1) % GUNS.length, id), expected);
        }
      }
    });
  });

  it("one input too many, a duplicate or a stray id takes the general path (last input of a gun wins)", () => {
    const events: SessionEvent[] = [];
    const m = manager(events);
    const plugged = (gunId: number, plugged: boolean): GunInput => ({ gunId, ev: evStatus({ plugged }), power: powerPath(), grantedKW: null, limitExpired: false });
    m.update(0, [plugged(3, false), plugged(1, false), plugged(2, false), plugged(3, true)]);
    assert.equal(m.view(3)?.state, "EV_DETECTED");
    assert.equal(m.view(1)?.state, "IDLE");
    m.update(100, [plugged(3, true), plugged(9, true), plugged(2, true)]);
    assert.equal(m.view(2)?.state, "EV_DETECTED");
    assert.equal(m.observation(7).active, false);
  });

  it("a paused gun whose reasons change to others of the same count tells the new reasons", () => {
    const b = new SessionBench([1]);
    b.toCharging(1);
    b.manager.pauseCharging(1);
    assert.deepEqual(b.cycle(1), ["ChargingPausedEVSE"]);
    assert.deepEqual(b.manager.view(1)?.pauseReasons, ["commanded"]);
    b.manager.resumeCharging(1);
    b.gun(1).limitExpired = true;
    assert.deepEqual(b.cycle(1), ["ChargingPausedEVSE"]);
    assert.deepEqual(b.manager.view(1)?.pauseReasons, ["limitExpired"]);
    assert.deepEqual(b.events[b.events.length - 1].pauseReasons, ["limitExpired"]);
    assert.deepEqual(b.cycle(1), [], "the same reasons again: no event");
  });
});
