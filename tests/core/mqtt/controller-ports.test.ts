import { strict as assert } from "assert";
import fc from "fast-check";
import type { EvLink, EvStatus } from "../../../hal/ev-link";
import type { CabinetSnapshot } from "../../../src/controller/snapshot";
import {
  ControllerDemandSink, ControllerTelemetrySource, MQTT_LIMIT_SOURCE, MqttEvLink, MqttGunInputs, overlayEvStatus, sessionEventOf,
  telemetryOfSnapshot, type ControllerPort,
} from "../../../src/mqtt/controller-ports";
import type { SessionEvent as ControllerSessionEvent, SessionListener } from "../../../src/sessions/types";
import { VEHICLE_STATUSES, type GunMqttInput } from "../../../src/mqtt/types";

const EV: EvStatus = {
  plugged: true, ready: true, requestCurrentA: 300, requestVoltageV: 400, maxVoltageV: 450, maxCurrentA: 350,
  batteryVoltageV: 390, socPct: 30, stopRequested: false, paused: false,
};

function input(over: Partial<GunMqttInput> = {}): GunMqttInput {
  return { gunId: 1, demandKW: null, demandValid: false, socPct: null, vehicleStatus: null, device: "D1", lastUpdateMs: 0, demandAtMs: null, ...over };
}

const demand = (kW: number, atMs = 0) => input({ demandKW: kW, demandValid: true, demandAtMs: atMs, lastUpdateMs: atMs });

class FakeController implements ControllerPort {
  limits: { gunId: number; source: string; powerKW: number | null; validForMs?: number }[] = [];
  listeners: SessionListener[] = [];
  snap: CabinetSnapshot = sampleCabinetSnapshot();
  buildSnapshot(): CabinetSnapshot {
    return this.snap;
  }
  subscribe(listener: SessionListener): () => void {
    this.listeners.push(listener);
    return () => { this.listeners = this.listeners.filter((l) => l !== listener); };
  }
  setGunLimit(gunId: number, source: string, powerKW: number | null, validForMs?: number) {
    if (gunId > 6) return { ok: false, error: `gunId: no gun ${gunId} in this cabinet` };
    this.limits.push({ gunId, source, powerKW, validForMs });
    return { ok: true };
  }
  emit(event: ControllerSessionEvent): void {
    for (const l of this.listeners) l(event);
  }
}

describe("mqtt over the controller: the EV-link overlay", () => {
  it("leaves the EV status alone when MQTT has nothing fresh", () => {
    assert.equal(overlayEvStatus(EV, null), EV);
    assert.equal(overlayEvStatus(EV, input()), EV);
  });

  it("a fresh demand becomes the BMS request at the EV's voltage, capped at the EV's maximum current", () => {
    const out = overlayEvStatus(EV, demand(60));
    assert.equal(out.requestCurrentA, 150); // 60 kW / 400 V
    assert.equal(out.requestVoltageV, 400);
    assert.equal(overlayEvStatus(EV, demand(500)).requestCurrentA, 350);
    assert.equal(overlayEvStatus(EV, demand(0)).requestCurrentA, 0);
    // no requested voltage yet: the battery voltage converts it, as the sessions do (evVoltageOf)
    const early = overlayEvStatus({ ...EV, requestVoltageV: 0 }, demand(39));
    assert.equal(early.requestCurrentA, 100);
    assert.equal(early.requestVoltageV, 0);
    // no vehicle voltage at all: no current can be asked for
    assert.equal(overlayEvStatus({ ...EV, requestVoltageV: 0, batteryVoltageV: 0 }, demand(50)).requestCurrentA, 0);
  });

  it("a vehicle status only holds power back", () => {
    const st = (s: GunMqttInput["vehicleStatus"], ev: EvStatus = EV) => overlayEvStatus(ev, input({ vehicleStatus: s }));
    assert.equal(st("suspended").paused, true);
    assert.equal(st("finished").stopRequested, true);
    assert.equal(st("fault").stopRequested, true);
    assert.equal(st("connected").ready, false);
    assert.equal(st("disconnected").ready, false);
    assert.equal(st("disconnected").plugged, true, "a device cannot unplug a cable the EV link sees");
    assert.equal(st("charging", { ...EV, ready: false }).ready, false, "nor make a vehicle ready that the EV link says is not");
    assert.equal(st("charging", { ...EV, plugged: false }).plugged, false);
    assert.equal(st("charging").requestCurrentA, 300, "status without demand keeps the EV's request");
  });

  it("SOC from MQTT fills in only when the EV link has none", () => {
    assert.equal(overlayEvStatus(EV, input({ socPct: 80 })).socPct, 30);
    assert.equal(overlayEvStatus({ ...EV, socPct: null }, input({ socPct: 80 })).socPct, 80);
  });

  it("property: the overlay never touches plug, voltages or maximums, and never raises ready or clears a pause or stop", () => {
    const evArb = fc.record({
      plugged: fc.boolean(), ready: fc.boolean(), requestCurrentA: fc.double({ min: 0, max: 1000, noNaN: true }),
      requestVoltageV: fc.double({ min: 0, max: 1000, noNaN: true }), maxVoltageV: fc.double({ min: 0, max: 1000, noNaN: true }),
      maxCurrentA: fc.double({ min: 0, max: 1000, noNaN: true }), batteryVoltageV: fc.double({ min: 0, max: 1000, noNaN: true }),
      socPct: fc.option(fc.double({ min: 0, max: 100, noNaN: true })), stopRequested: fc.boolean(), paused: fc.boolean(),
    });
    const inArb = fc.record({
      demandKW: fc.option(fc.double({ min: 0, max: 1000, noNaN: true })),
      socPct: fc.option(fc.double({ min: 0, max: 100, noNaN: true })),
      vehicleStatus: fc.option(fc.constantFrom(...VEHICLE_STATUSES)),
    });
    fc.assert(fc.property(evArb, inArb, (ev, i) => {
      const out = overlayEvStatus(ev, input({ ...i, demandValid: i.demandKW !== null }));
      assert.equal(out.plugged, ev.plugged);
      assert.equal(out.requestVoltageV, ev.requestVoltageV);
      assert.equal(out.batteryVoltageV, ev.batteryVoltageV);
      assert.equal(out.maxVoltageV, ev.maxVoltageV);
      assert.equal(out.maxCurrentA, ev.maxCurrentA);
      if (!ev.ready) assert.equal(out.ready, false);
      if (ev.paused) assert.equal(out.paused, true);
      if (ev.stopRequested) assert.equal(out.stopRequested, true);
      assert.ok(Number.isFinite(out.requestCurrentA) && out.requestCurrentA >= 0);
      if (ev.maxCurrentA > 0 && i.demandKW !== null) assert.ok(out.requestCurrentA <= ev.maxCurrentA);
    }), { numRuns: 300 });
  });

  it("MqttEvLink reads through the shared input table and passes offers on", () => {
    const offers: number[][] = [];
    const inner: EvLink = { status: () => EV, offer: (g, a, v) => void offers.push([g, a, v]) };
    const inputs = new MqttGunInputs();
    const link = new MqttEvLink(inner, inputs);
    assert.equal(link.status(1).requestCurrentA, 300);
    inputs.set(demand(80));
    assert.equal(link.status(1).requestCurrentA, 200);
    assert.equal(link.status(2).requestCurrentA, 300);
    link.offer(1, 120, 401);
    assert.deepEqual(offers, [[1, 120, 401]]);
  });
});

describe("mqtt over the controller: the demand sink", () => {
  it("each new demand sets an 'mqtt' limit valid for the demand timeout; SOC/status updates do not extend it", () => {
    const controller = new FakeController();
    const inputs = new MqttGunInputs();
    const sink = new ControllerDemandSink({ controller, inputs, demandTimeoutMs: 5000 });
    sink.updateGunInput(demand(60, 100));
    assert.deepEqual(controller.limits, [{ gunId: 1, source: MQTT_LIMIT_SOURCE, powerKW: 60, validForMs: 5000 }]);
    // an SOC message later: same demand, same demandAtMs -> the limit is not refreshed
    sink.updateGunInput({ ...demand(60, 100), socPct: 44, lastUpdateMs: 900 });
    assert.equal(controller.limits.length, 1);
    assert.equal(inputs.get(1)!.socPct, 44);
    // the device repeats its demand: refreshed
    sink.updateGunInput(demand(60, 1100));
    assert.equal(controller.limits.length, 2);
    // the demand times out: nothing set, the limit lapses by itself; the overlay stops applying it
    sink.updateGunInput(input({ lastUpdateMs: 1100 }));
    assert.equal(controller.limits.length, 2);
    assert.equal(overlayEvStatus(EV, inputs.get(1)), EV);
  });

  it("the end of a session clears the gun's mqtt limit and forgets its demand", () => {
    const controller = new FakeController();
    const inputs = new MqttGunInputs();
    const sink = new ControllerDemandSink({ controller, inputs, demandTimeoutMs: 5000 });
    sink.updateGunInput({ ...demand(60, 100), gunId: 2 });
    controller.emit({ type: "ChargingStarted", gunId: 2, sessionId: "s", atMs: 200 });
    assert.equal(controller.limits.length, 1);
    controller.emit({ type: "SessionFinished", gunId: 2, sessionId: "s", atMs: 300 });
    assert.deepEqual(controller.limits[1], { gunId: 2, source: MQTT_LIMIT_SOURCE, powerKW: null, validForMs: undefined });
    assert.equal(inputs.get(2)!.demandValid, false);
    sink.close();
    assert.equal(controller.listeners.length, 0);
  });

  it("a session that starts after the demand lapsed is not held at zero by it; one with a fresh demand keeps it", () => {
    const controller = new FakeController();
    const inputs = new MqttGunInputs();
    const sink = new ControllerDemandSink({ controller, inputs, demandTimeoutMs: 5000 });
    sink.updateGunInput({ ...demand(60, 100), gunId: 3 });
    sink.updateGunInput({ ...demand(50, 100), gunId: 4 });
    sink.updateGunInput({ ...input({ lastUpdateMs: 100 }), gunId: 3 }); // gun 3's demand timed out, nothing plugged yet
    controller.emit({ type: "SessionStarted", gunId: 3, sessionId: "a", atMs: 9000 });
    controller.emit({ type: "SessionStarted", gunId: 4, sessionId: "b", atMs: 9000 });
    assert.deepEqual(controller.limits.slice(2), [{ gunId: 3, source: MQTT_LIMIT_SOURCE, powerKW: null, validForMs: undefined }]);
  });

  it("a refused limit is logged, not thrown", () => {
    const controller = new FakeController();
    const lines: string[] = [];
    const sink = new ControllerDemandSink({ controller, inputs: new MqttGunInputs(), demandTimeoutMs: 5000, log: { write: (_l, m) => void lines.push(m) } });
    sink.updateGunInput({ ...demand(60, 1), gunId: 7 });
    assert.match(lines[0], /gun 7 not applied: gunId: no gun 7/);
  });
});

describe("mqtt over the controller: telemetry source", () => {
  it("maps the controller snapshot to the telemetry terms", () => {
    const t = telemetryOfSnapshot(sampleCabinetSnapshot());
    assert.deepEqual(t.guns[0], {
      gunId: 1, state: "CHARGING", socPct: 42, voltageV: 400, currentA: 150, powerKW: 60, budgetKW: 80, modules: ["M1_0", "M1_1"], island: [1, 2],
    });
    assert.deepEqual(t.totals, { powerKW: 60, budgetKW: 80, capacityKW: 480, gridLimitKW: 400 });
    assert.deepEqual(t.modules[0], { id: "M1_0", state: "on", powerKW: 30, tempC: 41 });
    assert.deepEqual(t.contactors[0], { id: "MC_2", position: "closed", fault: "welded" });
    assert.deepEqual(t.faults[0], { code: "ContactorWelded", severity: "low", source: "MC_2", sinceMs: 500 });
  });

  it("numbers session events in order, publishes no id token, and keeps a bounded backlog", () => {
    const controller = new FakeController();
    const source = new ControllerTelemetrySource(controller, { maxEvents: 3 });
    controller.emit({ type: "SessionStarted", gunId: 1, sessionId: "1-1", atMs: 10 });
    controller.emit({ type: "Authorized", gunId: 1, sessionId: "1-1", atMs: 11, idToken: "SECRET-RFID" });
    const first = source.sessionEventsSince(0);
    assert.deepEqual(first.map((e) => [e.seq, e.event]), [[1, "SessionStarted"], [2, "Authorized"]]);
    assert.ok(!JSON.stringify(first).includes("SECRET"));
    controller.emit({ type: "ChargingPausedEVSE", gunId: 1, sessionId: "1-1", atMs: 12, pauseReasons: ["limitExpired"] });
    controller.emit({ type: "SessionFinished", gunId: 1, sessionId: "1-1", atMs: 13, reason: "evDisconnected", energyWh: 1234.4 });
    assert.deepEqual(source.sessionEventsSince(2).map((e) => e.seq), [3, 4]);
    assert.deepEqual(source.sessionEventsSince(0).map((e) => e.seq), [2, 3, 4], "oldest dropped beyond maxEvents");
    assert.equal(source.sessionEventsSince(3)[0].detail, "session 1-1; reason evDisconnected; energyWh 1234");
    assert.equal(sessionEventOf({ type: "Enabled", gunId: 3, sessionId: null, atMs: 5 }, 9).detail, undefined);
    assert.equal(source.snapshot().guns.length, 1);
    source.close();
    assert.equal(controller.listeners.length, 0);
  });
});

function sampleCabinetSnapshot(): CabinetSnapshot {
  return {
    timeMs: 1000, chargerId: "CAB", topology: "ring", gridLimitKW: 400, capacityKW: 480, totalPowerKW: 60, gridPowerKW: 61,
    slots: [],
    guns: [{
      id: 1, slotId: 1, gc: "GC_1", state: "CHARGING", phase: "charging", plugged: true, socPct: 42, voltageV: 400, currentA: 150,
      powerKW: 60, requestKW: 70, budgetKW: 80, currentLimitA: 200, modules: ["M1_0", "M1_1"], islandSlots: [1, 2], energyKWh: 1,
      reason: null, priority: 0,
    }],
    modules: [{ id: "M1_0", slotId: 1, state: "on", tempC: 41, powerKW: 30, gunId: 1 }],
    contactors: [{ id: "MC_2", kind: "MC", gunId: null, moduleId: null, commanded: "open", aux: "closed", fault: "welded", operations: 3, breaksUnderLoad: 0 }],
    faults: [{ id: "1", kind: "ContactorWelded", severity: "low", scope: "local", location: "MC_2", message: "welded", atMs: 500, active: true }],
    events: [],
  };
}
