// MQTT against a real broker, in the REAL simulated cabinet (createSimCabinet: controller,
// scheduler, planner, sequencer, supervisor, sessions over the plant). Simulated time runs
// as fast as possible in slices; between slices the test yields to socket I/O. While the
// test waits for a message, simulated time stands still, so "within one control cycle
// after the message is received" is measured in simulated time, exactly.
import { strict as assert } from "assert";
import fc from "fast-check";
import type { MqttClient as NpmMqttClient } from "mqtt";
import { builtinDocument, parseCabinetConfig } from "../../src/config/index";
import { validateMqttConfig } from "../../src/mqtt/config";
import { createSimCabinet, type SimCabinet } from "../../host-sim/sim-cabinet";
import { attachSimMqtt, mqttEvLinkOver, MqttGunInputs, type SimMqtt } from "../../host-sim/mqtt/sim-mqtt";
import { brokerKinds, observeBroker, startBroker, waitFor as waitForWithin, type SeenMessage, type TestBroker } from "../mqtt/broker";

/** Wall-time waits for the broker: generous, the machine running the suite may be busy. */
const waitFor = (what: string, predicate: () => boolean) => waitForWithin(what, predicate, 10000);

type Seen = SeenMessage;

const STEP_MS = 5;
const SLICE_MS = 50;
const DEMAND_TIMEOUT_MS = 1000;
const EV_400V = { batteryKWh: 77, socPct: 30, targetSocPct: 80, maxPowerKW: 135, packVoltageV: 400 };

const GUN_KEYS = ["gunId", "state", "socPct", "voltageV", "currentA", "powerKW", "budgetKW", "modules", "island", "mqttDemandKW", "vehicleStatus"].sort();
const TOTAL_KEYS = ["powerKW", "budgetKW", "capacityKW", "gridLimitKW", "modulesOn", "modulesTotal", "faultsActive"].sort();

const ioTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const observer = observeBroker;

for (const kind of brokerKinds()) {
  describe(`mqtt in the simulated cabinet (${kind})`, function () {
    this.timeout(40000);
    let broker: TestBroker;
    let cabinet: SimCabinet;
    let inputs: MqttGunInputs;
    let mqtt: SimMqtt;
    const clients: NpmMqttClient[] = [];

    beforeEach(async () => {
      broker = await startBroker(kind);
      const config = parseCabinetConfig(builtinDocument("ring-12x2"));
      inputs = new MqttGunInputs();
      cabinet = createSimCabinet({ config, seed: 11, stepMs: STEP_MS, evLink: mqttEvLinkOver(inputs) });
      const resolved = validateMqttConfig(
        { brokerUrl: broker.url, clientId: `sim-${kind}`, publishIntervalMs: 500, demandTimeoutMs: DEMAND_TIMEOUT_MS, reconnectMinMs: 200, reconnectMaxMs: 400, keepAliveS: 10 },
        { gunIds: config.guns.map((g) => g.id) },
      );
      if (!resolved.ok) throw new Error(JSON.stringify(resolved.issues));
      mqtt = attachSimMqtt({ cabinet, inputs, config: resolved.config, log: cabinet.sim.hal.log });
      const m = mqtt;
      await waitFor("cabinet connected", () => m.service.state === "connected");
      cabinet.sim.plant.plug(1, EV_400V);
    });

    afterEach(async () => {
      mqtt?.stop();
      cabinet?.controller.close();
      for (const c of clients.splice(0)) await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
      await broker.stop();
    });

    async function watch(filter: string) {
      const o = await observer(broker.url, filter);
      clients.push(o.client);
      return o;
    }

    const runner = () => cabinet.sim.runner;
    const budgetKW = (gunId: number) => cabinet.controller.plan()?.guns.find((g) => g.id === gunId)?.budgetKW ?? 0;
    const gunState = (gunId: number) => cabinet.controller.sessions.view(gunId)!.state;
    const gunView = (gunId: number) => cabinet.controller.buildSnapshot().guns.find((g) => g.id === gunId)!;

    /** Simulated time forward by durationMs, yielding to socket I/O between slices. */
    async function advance(durationMs: number): Promise<void> {
      const end = runner().nowMs + durationMs;
      while (runner().nowMs + STEP_MS <= end + 1e-9) {
        runner().runUntil(Math.min(end, runner().nowMs + SLICE_MS));
        await ioTurn();
      }
    }

    async function advanceUntil(what: string, predicate: () => boolean, maxMs: number): Promise<void> {
      const end = runner().nowMs + maxMs;
      while (!predicate()) {
        if (runner().nowMs >= end) throw new Error(`simulated ${maxMs} ms without: ${what}`);
        await advance(SLICE_MS);
      }
    }

    async function charging(): Promise<void> {
      await advanceUntil("gun 1 charging", () => gunState(1) === "CHARGING", 15000);
      // let the EV's own request ramp up past what the tests ask for
      await advanceUntil("gun 1 budget above 50 kW", () => budgetKW(1) > 50, 10000);
    }

    /** Publishes a demand as device D1 and waits (simulated time standing still) until the cabinet has it. */
    async function demand(gunId: number, kW: number, device = "D1"): Promise<number> {
      const { client } = await watch("unused/#");
      const before = inputs.get(gunId)?.demandAtMs ?? null;
      client.publish(`vesec/${gunId}/demand/${device}`, String(kW), { qos: 1 });
      await waitFor(`demand ${kW} kW for gun ${gunId} received`, () => {
        const i = inputs.get(gunId);
        return !!i && i.demandKW === kW && i.demandAtMs !== before;
      });
      return runner().nowMs;
    }

    it("a demand on vesec/<gun>/demand/<device> changes that gun's plan within one control cycle", async () => {
      await charging();
      const controlMs = cabinet.controller.config.timing.controlPeriodMs;
      const beforeKW = budgetKW(1);
      assert.ok(beforeKW > 50, `gun 1 plan before: ${beforeKW} kW`);

      const receivedAtMs = await demand(1, 25);
      assert.equal(budgetKW(1), beforeKW, "nothing changes before the next control cycle");
      await advance(controlMs);
      assert.ok(runner().nowMs <= receivedAtMs + controlMs);
      assert.ok(Math.abs(budgetKW(1) - 25) < 0.01, `gun 1 plan after one cycle: ${budgetKW(1)} kW`);
      assert.ok(Math.abs(cabinet.controller.sessions.view(1)!.requestKW - 25) < 0.01, "the session's request is the demand");

      await demand(1, 45);
      await advance(controlMs);
      assert.ok(Math.abs(budgetKW(1) - 45) < 0.01, `gun 1 plan after the second demand: ${budgetKW(1)} kW`);
      assert.equal(budgetKW(2), 0, "no other gun is touched");

      // and the plant follows: the delivered power settles at the demand
      await advance(700); // keep the demand fresh (timeout 1 s) while the current ramps
      await demand(1, 45);
      await advance(700);
      const g = gunView(1);
      assert.equal(g.state, "CHARGING");
      assert.ok(g.powerKW > 35 && g.powerKW < 47, `gun 1 delivers ${g.powerKW} kW for a 45 kW demand`);
    });

    it("telemetry from the simulated cabinet arrives with the documented schema", async () => {
      const all = await watch("vesec/cabinet/#");
      await charging();
      await demand(1, 30);
      const cabinetTopic = mqtt.service.outbound.cabinet;
      const withDemand = () => {
        const m = all.seen.find((x) => x.topic === cabinetTopic && JSON.parse(x.payload).guns[0].mqttDemandKW === 30);
        return m ? JSON.parse(m.payload) : null;
      };
      // one publish interval of simulated time (the demand stays fresh), then wall time for delivery
      await advance(mqtt.config.publishIntervalMs + 100);
      await waitFor("telemetry with gun 1's demand", () => withDemand() !== null);
      const t = withDemand();
      assert.equal(t.schema, "vesec.cabinet.telemetry/1");
      assert.equal(t.cabinetId, `sim-${kind}`);
      assert.ok(typeof t.tsMs === "number" && t.tsMs > 0 && t.tsMs <= runner().nowMs, "tsMs is the controller clock");
      assert.deepEqual(Object.keys(t).sort(), ["cabinetId", "contactors", "faults", "guns", "modules", "schema", "totals", "tsMs"]);
      assert.deepEqual(Object.keys(t.totals).sort(), TOTAL_KEYS);
      assert.equal(t.totals.modulesTotal, 24);
      assert.equal(t.totals.gridLimitKW, 360);
      assert.equal(t.guns.length, 12);
      for (const g of t.guns) assert.deepEqual(Object.keys(g).sort(), GUN_KEYS);
      const g1 = t.guns[0];
      assert.equal(g1.gunId, 1);
      assert.equal(g1.state, "CHARGING");
      assert.ok(g1.voltageV > 350 && g1.voltageV < 460, `voltage ${g1.voltageV}`);
      assert.ok(g1.currentA > 0 && g1.powerKW > 0);
      assert.ok(Math.abs(g1.budgetKW - 30) < 0.01);
      assert.ok(g1.socPct >= 30 && g1.socPct < 31);
      assert.ok(g1.modules.length >= 1 && g1.modules.every((m: string) => /^M\d+_\d$/.test(m)));
      assert.ok(g1.island.includes(1));
      assert.equal(g1.vehicleStatus, null);
      assert.equal(t.guns[1].state, "IDLE");
      assert.equal(t.modules.length, 24);
      for (const m of t.modules) {
        assert.deepEqual(Object.keys(m).sort(), ["id", "powerKW", "state", "tempC"]);
        assert.ok(["on", "off", "failed", "offline"].includes(m.state));
      }
      assert.equal(t.totals.modulesOn, t.modules.filter((m: { state: string }) => m.state === "on").length);
      assert.ok(t.totals.modulesOn >= g1.modules.length);
      assert.equal(t.contactors.length, cabinet.controller.index.contactors.length);
      for (const c of t.contactors) {
        assert.deepEqual(Object.keys(c).sort(), ["fault", "id", "position"]);
        assert.ok(c.position === "open" || c.position === "closed");
      }
      assert.ok(t.contactors.some((c: { id: string; position: string }) => c.id === "GC_1" && c.position === "closed"));
      assert.deepEqual(t.faults, []);

      // retained per-gun status and connection status; interface counters
      const gun1 = [...all.seen].reverse().find((m) => m.topic === mqtt.service.outbound.gun(1))!;
      const g1msg = JSON.parse(gun1.payload);
      assert.equal(g1msg.schema, "vesec.cabinet.gun/1");
      assert.deepEqual(Object.keys(g1msg).filter((k) => k !== "schema" && k !== "tsMs").sort(), GUN_KEYS);
      assert.ok(all.seen.some((m) => m.topic === mqtt.service.outbound.connection && m.payload === "online"));
      const stats = JSON.parse([...all.seen].reverse().find((m) => m.topic === mqtt.service.outbound.interfaceStats)!.payload);
      assert.ok(stats.accepted >= 1);

      // session events of the real sessions: in order, once each
      const events = all.seen.filter((m) => m.topic === mqtt.service.outbound.sessionEvents).map((m) => JSON.parse(m.payload));
      assert.ok(events.every((e) => e.schema === "vesec.cabinet.event/1"));
      for (let i = 1; i < events.length; i++) assert.ok(events[i].seq > events[i - 1].seq, "seq strictly increases");
      const names = events.filter((e) => e.gunId === 1).map((e) => e.event);
      for (const name of ["SessionStarted", "TransactionStarted", "ChargingStarted"]) assert.ok(names.includes(name), `${name} in ${names.join(", ")}`);
      assert.ok(names.indexOf("SessionStarted") < names.indexOf("ChargingStarted"));
    });

    it("a demand source that goes silent times out like a stale limit: the gun ramps to zero", async () => {
      const events = await watch(mqtt.service.outbound.sessionEvents);
      await charging();
      const receivedAtMs = await demand(1, 30);
      await advance(300);
      assert.ok(Math.abs(budgetKW(1) - 30) < 0.01);
      // still in force just before the timeout...
      await advance(receivedAtMs + DEMAND_TIMEOUT_MS - 100 - runner().nowMs);
      assert.ok(Math.abs(budgetKW(1) - 30) < 0.01, `budget just before the timeout: ${budgetKW(1)}`);
      // ...and stale one control cycle after it
      await advance(receivedAtMs + DEMAND_TIMEOUT_MS + cabinet.controller.config.timing.controlPeriodMs - runner().nowMs);
      assert.equal(budgetKW(1), 0);
      const view = cabinet.controller.sessions.view(1)!;
      assert.equal(view.state, "PAUSED_EVSE");
      assert.deepEqual(view.pauseReasons, ["limitExpired"]);
      assert.ok(cabinet.sim.hal.log.lines.some((l) => /gun 1 limit \(mqtt\) expired/.test(l.message)));
      await advance(3000);
      assert.ok(Math.abs(gunView(1).currentA) < 1, `gun 1 current after ramping down: ${gunView(1).currentA} A`);
      assert.equal(budgetKW(1), 0, "the EV's own request does not take over from a silent device");
      await advanceUntil("pause event published", () => events.seen.some((m) => /"ChargingPausedEVSE".*limitExpired/.test(m.payload)), 2000);

      // the device comes back: the gun resumes at its demand
      await demand(1, 20);
      await advance(cabinet.controller.config.timing.controlPeriodMs);
      assert.notEqual(gunState(1), "PAUSED_EVSE");
      assert.ok(Math.abs(budgetKW(1) - 20) < 0.01, `budget after the device came back: ${budgetKW(1)}`);
    });

    it("fuzzed topics and payloads into the running cabinet: every message accepted or counted, no control error, no invariant broken", async () => {
      cabinet.sim.plant.plug(2, { ...EV_400V, maxPowerKW: 100 });
      await charging();
      const { client } = await watch("unused/#");
      const gun = fc.constantFrom("1", "2", "3", "13", "0", "x");
      const type = fc.constantFrom("demand", "soc", "status", "temp");
      const device = fc.constantFrom("D1", "D2", "D3", "D9");
      const topic = fc.oneof(
        fc.tuple(gun, type, device).map(([g, t, d]) => `vesec/${g}/${t}/${d}`),
        fc.stringMatching(/^[A-Za-z0-9/_-]{1,20}$/).map((t) => `vesec/${t}`),
      );
      const payload = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom("0", "15", "40", "60", "150", "1001", "-1", "1e2", "NaN", "charging", "suspended", "finished", "bogus", "{}", '{"demandKW":30}', '{"soc":5}')
          .map((x) => new TextEncoder().encode(x)),
      );
      const batches = fc.sample(fc.array(fc.tuple(topic, payload), { minLength: 5, maxLength: 20 }), { numRuns: 12, seed: 7 });
      let sent = 0;
      for (const batch of batches) {
        for (const [t, p] of batch) client.publish(t, Buffer.from(p), { qos: 1 });
        sent += batch.length;
        const total = sent;
        // messages on topics outside vesec/+/+/+ never reach the cabinet; count only those that can
        const expected = batches.flat().slice(0, total).filter(([t]) => t.split("/").length === 4 && !t.split("/").some((l) => l === "")).length;
        await waitFor("batch handled", () => mqtt.service.stats().accepted + mqtt.service.stats().rejectedTotal >= expected);
        await advance(cabinet.controller.config.timing.controlPeriodMs);
        // every fresh demand bounds its gun's plan
        for (const g of [1, 2, 3]) {
          const i = inputs.get(g);
          if (i?.demandValid && i.demandKW !== null) assert.ok(budgetKW(g) <= i.demandKW + 0.01, `gun ${g}: budget ${budgetKW(g)} > demand ${i.demandKW}`);
        }
      }
      const stats = mqtt.service.stats();
      assert.equal(stats.rejections.internal, 0);
      assert.ok(stats.accepted > 0 && stats.rejectedTotal > 0, JSON.stringify(stats));
      assert.equal(cabinet.sim.hal.log.lines.filter((l) => /^mqtt: rejected \(\w+\): /.test(l.message)).length, stats.rejectedTotal);
      await advance(2000);
      assert.equal(cabinet.controller.stats().controlErrors, 0);
      assert.deepEqual(cabinet.sim.observer.violations, []);
      assert.equal(mqtt.service.state, "connected");
    });

    it("the broker publishes the last will 'offline' when the cabinet's connection dies; the cabinet comes back", async () => {
      const status = await watch(mqtt.service.outbound.connection);
      await advance(200);
      await waitFor("online", () => status.seen.some((m) => m.payload === "online"));
      mqtt.client.dropConnection();
      await waitFor("last will", () => status.seen.some((m) => m.payload === "offline"));
      const late = await watch(mqtt.service.outbound.connection);
      await waitFor("retained offline for a late subscriber", () => late.seen.some((m) => m.retain && m.payload === "offline"));
      assert.equal(mqtt.service.state, "waiting");
      // reconnect backoff runs on simulated time: the cabinet comes back once the sim moves on
      await advance(mqtt.config.reconnectMaxMs);
      await waitFor("reconnected", () => mqtt.service.state === "connected");
      await waitFor("online again", () => status.seen.findIndex((m, i) => m.payload === "online" && i > status.seen.findIndex((x) => x.payload === "offline")) >= 0);
      assert.equal(mqtt.service.stats().connects, 2);
      // and demand still reaches the controller on the new connection
      await charging();
      await demand(1, 35);
      await advance(cabinet.controller.config.timing.controlPeriodMs);
      assert.ok(Math.abs(budgetKW(1) - 35) < 0.01);
    });
  });
}
