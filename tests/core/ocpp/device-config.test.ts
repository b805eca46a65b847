/** The device document (cabinet config + optional `ocpp` block) and attachOcpp(). */
import { strict as assert } from "assert";
import { builtinDocument, parseCabinetConfig, validateCabinetConfig } from "../../../src/config";
import { OcppAuthorizationHooks } from "../../../src/ocpp/controller-port";
import { attachOcpp, splitDeviceDocument } from "../../../src/ocpp/device-config";
import { Station16 } from "../../../src/ocpp/station16";
import { Station201 } from "../../../src/ocpp/station201";
import { createSimCabinet } from "../../../host-sim/sim-cabinet";
import { MemoryStorage } from "./support";

const block = { url: "wss://csms.example.com/ocpp", version: "2.0.1", stationId: "CAB-0001", password: "at-least-sixteen-chars" };

describe("ocpp block in the device document", () => {
  it("splits off a valid block; the rest validates as the cabinet configuration", () => {
    const parts = splitDeviceDocument({ ...(builtinDocument("ring-12x2") as object), ocpp: block });
    assert.ok(parts.ocpp && parts.ocpp.ok);
    assert.equal(parts.ocpp.config.stationId, "CAB-0001");
    assert.equal(parts.ocpp.config.heartbeatIntervalS, 300, "defaults filled in");
    assert.equal(validateCabinetConfig(parts.cabinet).ok, true);
  });

  it("no block (or null) = OCPP off; a bad block names the field and value", () => {
    assert.equal(splitDeviceDocument(builtinDocument("ring-12x2")).ocpp, null);
    assert.equal(splitDeviceDocument({ ...(builtinDocument("ring-12x2") as object), ocpp: null }).ocpp, null);
    const bad = splitDeviceDocument({ ...(builtinDocument("ring-12x2") as object), ocpp: { ...block, version: "2.1", hartbeatIntervalS: 5 } });
    assert.ok(bad.ocpp && !bad.ocpp.ok);
    const text = bad.ocpp.issues.map((i) => `${i.path}: ${i.message}`).join("\n");
    assert.match(text, /ocpp\.version: .*"2\.1"/);
    assert.match(text, /ocpp\.hartbeatIntervalS: unknown field/);
  });

  it("attachOcpp builds the station of the configured version over the controller", () => {
    for (const version of ["2.0.1", "1.6"] as const) {
      const hooks = new OcppAuthorizationHooks();
      const cabinet = createSimCabinet({ config: parseCabinetConfig(builtinDocument("ring-12x2")!), seed: 1, stepMs: 10, hooks, autoAuthorizeToken: null });
      const parts = splitDeviceDocument({ ocpp: { ...block, version } });
      assert.ok(parts.ocpp && parts.ocpp.ok);
      const connects: string[] = [];
      const { station, port } = attachOcpp({
        config: parts.ocpp.config, controller: cabinet.controller, hooks, storage: new MemoryStorage(),
        transport: { connect: (r) => { connects.push(r.url); }, send: () => false, close: () => {} },
        clock: cabinet.sim.hal.clock, wallClock: { nowMs: () => 1_700_000_000_000 + cabinet.sim.hal.clock.nowMs() }, random: () => 0,
        localIdToken: () => "CARD",
      });
      assert.ok(version === "1.6" ? station instanceof Station16 : station instanceof Station201);
      assert.equal(port.evses().length, 12);
      station.start();
      station.tick();
      assert.deepEqual(connects, ["wss://csms.example.com/ocpp/CAB-0001"]);
      // Offline and the card unknown to the cache: the EV keeps waiting.
      cabinet.sim.plant.plug(1, { batteryKWh: 60, socPct: 30, targetSocPct: 90, maxPowerKW: 100, packVoltageV: 400 });
      cabinet.sim.runner.runFor(3000);
      assert.equal(cabinet.controller.sessions.view(1)!.state, "EV_DETECTED");
      assert.deepEqual(port.waitingForAuthorization, [1]);
      cabinet.controller.close();
    }
  });
});
