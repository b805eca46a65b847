/**
 * Stand-alone OCPP demo against a CSMS, with the demo cabinet (no plant):
 *   node -r ts-node/register host-sim/ocpp/cli.ts --csms ws://host:port/path --ocpp 2.0.1 --id CAB1 [--password PW] [--storage file.json]
 * Remote start/stop from the CSMS starts/stops sessions; `--plug 1,2` plugs EVs in at start.
 */
import { parseConfigOrBuiltin } from "./cli-config";
import { DemoCabinet } from "./demo-cabinet";
import { JsonFileStorage } from "./file-storage";
import { parseOcppArgs, startOcppStation } from "./start-station";

const argv = process.argv.slice(2);
const parsed = parseOcppArgs(argv);
if (parsed === null || "error" in parsed) {
  console.error(parsed ? parsed.error : "usage: cli.ts --csms ws://host:port/path --ocpp 2.0.1|1.6 --id <stationId> [--password ...] [--storage file] [--plug 1,2]");
  process.exit(2);
}
const storageIndex = argv.indexOf("--storage");
const cabinet = new DemoCabinet(parseConfigOrBuiltin());
const plugIndex = argv.indexOf("--plug");
if (plugIndex >= 0) for (const id of argv[plugIndex + 1].split(",").map(Number)) cabinet.plugIn(id);
const running = startOcppStation({
  cli: parsed, port: cabinet, storage: new JsonFileStorage(storageIndex >= 0 ? argv[storageIndex + 1] : null),
  log: { write: (level, message) => console.log(`[${level}] ${message}`) },
});
let last = Date.now();
const sim = setInterval(() => { const now = Date.now(); cabinet.run(now - last); last = now; }, 100);
const status = setInterval(() => {
  const l = cabinet.limits;
  console.log(`[info] ocpp ${running.station.connection}/${running.station.registration}, queued ${running.station.queuedMessages}, ` +
    `total ${cabinet.totalPowerKW().toFixed(1)} kW, site limit ${l?.siteLimitKW ?? "none"} kW`);
}, 10_000);
process.on("SIGINT", () => { clearInterval(sim); clearInterval(status); running.stop(); process.exit(0); });
