/**
 * The telemetry snapshot reads a gun's session through SessionManager.briefInto (a record
 * the caller refills, no view copied), and update() returns one shared frozen empty list on
 * cycles without events. These check both against the full views and event lists.
 */
import { strict as assert } from "assert";
import { newSessionBrief } from "../../../src/sessions/session-manager";
import type { GunInput } from "../../../src/sessions";
import { SessionBench } from "./bench";

describe("sessions: brief for the snapshot, quiet-cycle event list", () => {
  it("briefInto tells each gun's state, request and session energy as view() does, through a whole session", () => {
    const b = new SessionBench([1, 2, 3], { autoAuthorizeToken: "FREE" });
    const brief = newSessionBrief();
    const check = () => {
      [1, 2, 3].forEach((id, position) => {
        b.manager.briefInto(position, id, brief);
        const view = b.manager.view(id)!;
        assert.equal(brief.state, view.state, `gun ${id}`);
        assert.equal(brief.requestKW, view.requestKW, `gun ${id}`);
        assert.equal(brief.energyWh, view.session?.energyWh ?? 0, `gun ${id}`);
      });
    };
    check();
    b.setEv(2, { plugged: true });
    b.cycle();
    check();
    b.setEv(2, { ready: true, requestCurrentA: 100, requestVoltageV: 800 });
    b.setPower(2, { islandReady: true, precharged: true });
    b.gun(2).meterEnergyWh = 1000;
    b.cycle();
    b.setPower(2, { gcClosed: true, currentAtZero: false });
    b.cycle();
    b.gun(2).meterEnergyWh = 1500;
    b.cycle();
    check();
    assert.equal(b.state(2), "CHARGING");
    b.manager.briefInto(1, 2, brief);
    assert.equal(brief.energyWh, 500);
    assert.equal(brief.requestKW, 80);
    // A wrong position falls back to the gun's id; an unknown gun is IDLE with nothing.
    b.manager.briefInto(0, 2, brief);
    assert.equal(brief.state, "CHARGING");
    b.manager.briefInto(0, 99, brief);
    assert.deepEqual([brief.state, brief.requestKW, brief.energyWh], ["IDLE", 0, 0]);
  });

  it("a cycle without events returns an empty frozen list that later events never reach", () => {
    const b = new SessionBench([1]);
    const inputs = (): GunInput[] => [{ gunId: 1, ...b.gun(1) }];
    const quiet = b.manager.update(0, inputs());
    assert.equal(quiet.length, 0);
    assert.ok(Object.isFrozen(quiet));
    b.setEv(1, { plugged: true });
    const busy = b.manager.update(100, inputs());
    assert.deepEqual(busy.map((e) => e.type), ["SessionStarted", "AuthRequired"]);
    assert.equal(quiet.length, 0);
    const next = b.manager.update(200, inputs());
    assert.equal(next.length, 0);
    assert.deepEqual(busy.map((e) => e.type), ["SessionStarted", "AuthRequired"], "a returned list is not the queue");
    assert.ok(b.manager.authorize(1, "TOKEN").ok);
    assert.deepEqual(b.manager.update(300, inputs()).map((e) => e.type), ["Authorized"]);
  });
});
