/** `npm start -- --csms ... --ocpp ... --id ...`: argument parsing, and a real process against a strict CSMS. */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { parseStartArgs } from "../../host-sim/cli/start";
import { TestCsms, until } from "../ocpp/csms-harness";

describe("npm start with --csms (OCPP)", function () {
  this.timeout(90_000);

  it("parses the OCPP options and rejects bad ones with the field and value", () => {
    const ok = parseStartArgs(["--csms", "ws://127.0.0.1:9000/ocpp", "--ocpp", "1.6", "--id", "CAB7", "--password", "sixteen-chars-pw!", "--rfid", "TAG1"]);
    assert.ok(typeof ok !== "string", String(ok));
    assert.deepEqual(ok.ocpp, { csms: "ws://127.0.0.1:9000/ocpp", version: "1.6", stationId: "CAB7", password: "sixteen-chars-pw!" });
    assert.equal(ok.rfid, "TAG1");
    const none = parseStartArgs([]);
    assert.ok(typeof none !== "string" && none.ocpp === null);
    assert.match(String(parseStartArgs(["--csms", "ws://h:1/p"])), /--id/);
    assert.match(String(parseStartArgs(["--csms", "ws://h:1/p", "--id", "A", "--ocpp", "2.1"])), /ocpp\.version: .*"2\.1"/);
    assert.match(String(parseStartArgs(["--csms", "http://h/p", "--id", "A"])), /ocpp\.url: .*http:\/\/h\/p/);
    assert.match(String(parseStartArgs(["--id", "A"])), /--id: needs --csms/);
    assert.match(String(parseStartArgs(["--csms"])), /--csms: needs a value/);
  });

  it("boots the simulated cabinet as a Charging Station and reports 12 EVSEs", async () => {
    const csms = new TestCsms({ protocol: "ocpp2.0.1" });
    await csms.start();
    let child: ChildProcess | null = null;
    let output = "";
    try {
      child = spawn(process.execPath, ["-r", "ts-node/register", "host-sim/cli/start.ts", "--no-scenario", "--port", "0",
        "--csms", csms.url, "--ocpp", "2.0.1", "--id", "CLI-CAB"], { cwd: path.resolve(__dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] });
      child.stdout!.on("data", (d) => (output += d));
      child.stderr!.on("data", (d) => (output += d));
      await until("12 status notifications from the process", () => csms.of("StatusNotification").length >= 12, 60_000).catch((e) => {
        throw new Error(`${e.message}; output:\n${output}`);
      });
      assert.equal(csms.of("BootNotification").length, 1);
      assert.match(output, /ocpp 2\.0\.1: station CLI-CAB/);
      assert.deepEqual(csms.failures, []);
    } finally {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child!.once("exit", resolve));
        child.kill("SIGINT");
        await exited;
      }
      await csms.close();
    }
  });
});
