import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { builtinDocument, parseCabinetConfig } from "../../src/config";
import { evsesFromCabinet } from "../../src/ocpp/cabinet-evses";
import { DemoCabinet } from "../../host-sim/ocpp/demo-cabinet";
import { JsonFileStorage } from "../../host-sim/ocpp/file-storage";
import { parseOcppArgs, startOcppStation } from "../../host-sim/ocpp/start-station";
import { TestCsms, until } from "./csms-harness";

describe("ocpp host wiring", function () {
  this.timeout(10_000);

  it("maps the default cabinet's 12 guns to 12 EVSEs", () => {
    const evses = evsesFromCabinet(parseCabinetConfig(builtinDocument("ring-12x2")!));
    assert.equal(evses.length, 12);
    assert.deepEqual(evses[0], { evseId: 1, maxPowerKW: 200, nominalVoltageV: 800 });
  });

  it("parses --csms/--ocpp/--id/--password", () => {
    assert.equal(parseOcppArgs(["--scenario", "x"]), null);
    assert.deepEqual(parseOcppArgs(["--csms", "ws://h:1/o"]), { error: "--id <stationId> is required with --csms" });
    assert.deepEqual(parseOcppArgs(["--csms", "ws://h:1/o", "--ocpp", "1.6", "--id", "CAB9", "--password", "p"]), { csms: "ws://h:1/o", version: "1.6", stationId: "CAB9", password: "p" });
  });

  it("startOcppStation connects the 1.6 demo cabinet and persists to a JSON file", async () => {
    const csms = new TestCsms({ protocol: "ocpp1.6" });
    await csms.start();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ocpp-")), "store.json");
    const cabinet = new DemoCabinet(evsesFromCabinet(parseCabinetConfig(builtinDocument("ring-12x2")!)));
    const running = startOcppStation({ cli: { csms: csms.url, version: "1.6", stationId: "CAB9", password: null }, port: cabinet, storage: new JsonFileStorage(file), log: { write: () => {} }, tickMs: 10 });
    try {
      await until("13 status notifications", () => csms.of("StatusNotification").length === 13);
      assert.ok(JSON.parse(fs.readFileSync(file, "utf8"))["ocpp/boots"]);
      assert.throws(() => startOcppStation({ cli: { csms: "http://x", version: "3", stationId: "A", password: null }, port: cabinet, storage: new JsonFileStorage(null), log: { write: () => {} } }), /ocpp\.url.*ocpp\.version/);
    } finally {
      running.stop();
      await csms.close();
    }
    assert.equal(csms.failures.length, 0);
  });
});
