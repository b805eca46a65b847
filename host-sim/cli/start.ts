/**
 * npm start [-- --port 8080] [--host 127.0.0.1] [--scenario file.json | --no-scenario]
 *               [--config ring-12x2 | matrix-9x6 | file.json] [--speed 1]
 *               [--mqtt mqtt://host:port] [--log-file debug.log]
 *               [--csms ws://host:port/path --ocpp 2.0.1|1.6 --id <stationId> [--password PW]
 *                [--rfid TOKEN] [--ocpp-storage file.json]]
 * The main job: the default cabinet in real time with the demo scenario, and the live
 * dashboard on http://127.0.0.1:8080. Runs until interrupted.
 * With --mqtt (or an `mqtt` block in the cabinet config) the cabinet also speaks the
 * seed 002 MQTT interface (docs/mqtt.md): demand/SOC/status in, telemetry out.
 * With --csms the cabinet is also an OCPP Charging Station (docs/ocpp.md): sessions
 * then need authorization from the CSMS.
 */
import * as fs from "fs";
import * as path from "path";
import { builtinDocument, formatIssue, validateCabinetConfig, type CabinetConfig } from "../../src/config/index";
import { startDashboard } from "../dashboard/server";
import { DashboardCommands } from "../dashboard/commands";
import { runRealTime } from "../hal/realtime";
import { describeScenarioIssues, loadScenarioFile } from "../scenario/load-file";
import type { Scenario } from "../scenario/types";
import { validateOcppConfig } from "../../src/ocpp/config";
import { JsonFileStorage } from "../ocpp/file-storage";
import { createSimCabinetWithOcpp, type SimOcpp } from "../ocpp/sim-station";
import { parseOcppArgs, type OcppCliOptions } from "../ocpp/start-station";
import { createSimCabinet } from "../sim-cabinet";
import type { Log, LogLevel } from "../../hal/log";
import { parseBrokerUrl, validateMqttConfig, type MqttConfig } from "../../src/mqtt/config";
import { attachSimMqtt, mqttEvLinkOver, MqttGunInputs, type SimMqtt } from "../mqtt/sim-mqtt";
import { RotatingFileLog } from "../mqtt/rotating-log";

export interface StartArgs {
  port: number;
  host: string;
  scenario: string | null;
  config: string | null;
  speed: number;
  /** Broker URL from --mqtt; overrides the brokerUrl of a config's `mqtt` block. */
  mqtt: string | null;
  /** --log-file: MQTT log lines also go to this file, rotated at 5 MB x 3 (seed 002). */
  logFile: string | null;
  /** OCPP Charging Station toward a CSMS; null = none. */
  ocpp: OcppCliOptions | null;
  /** Token every driver presents at plug-in (sent to the CSMS as Authorize); null = wait for a remote start. */
  rfid: string | null;
  /** JSON file for the station's persistent state (queue, profiles); null = memory. */
  ocppStorage: string | null;
}

const OCPP_OPTIONS = ["--csms", "--ocpp", "--id", "--password", "--rfid", "--ocpp-storage"];

export function parseStartArgs(argv: string[]): StartArgs | string {
  const args: StartArgs = {
    port: 8080, host: "127.0.0.1", scenario: path.join(__dirname, "..", "scenarios", "demo.json"), config: null, speed: 1,
    mqtt: null, logFile: null, ocpp: null, rfid: null, ocppStorage: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a}: needs a value`);
      return v;
    };
    try {
      if (a === "--port") {
        args.port = Number(value());
        if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) return `--port: must be 0..65535, got ${argv[i]}`;
      } else if (a === "--host") args.host = value();
      else if (a === "--scenario") args.scenario = value();
      else if (a === "--no-scenario") args.scenario = null;
      else if (a === "--config") {
        args.config = value();
        args.scenario = null;
      } else if (a === "--speed") {
        args.speed = Number(value());
        if (!(args.speed > 0 && args.speed <= 1000)) return `--speed: must be > 0 and <= 1000, got ${argv[i]}`;
      } else if (a === "--mqtt") {
        args.mqtt = value();
        const broker = parseBrokerUrl(args.mqtt);
        if (typeof broker === "string") return `--mqtt: ${broker}, got ${args.mqtt}`;
      } else if (a === "--log-file") args.logFile = value();
      else if (OCPP_OPTIONS.includes(a)) {
        const v = value();
        if (a === "--rfid") args.rfid = v;
        if (a === "--ocpp-storage") args.ocppStorage = v;
      } else return `unknown option ${a} (see README: npm start -- --port N --host H --scenario F --config C --speed S --mqtt URL --log-file F [--csms URL --ocpp 2.0.1|1.6 --id ID --password PW --rfid TOKEN])`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  const ocpp = parseOcppArgs(argv);
  if (ocpp === null) {
    const stray = OCPP_OPTIONS.find((o) => argv.includes(o));
    if (stray) return `${stray}: needs --csms ws://host:port/path`;
  } else if ("error" in ocpp) return ocpp.error;
  else {
    const checked = validateOcppConfig({ url: ocpp.csms, version: ocpp.version, stationId: ocpp.stationId, password: ocpp.password });
    if (!checked.ok) return checked.issues.map((i) => `${i.path}: ${i.message}`).join("\n");
    args.ocpp = ocpp;
  }
  return args;
}

function loadConfig(name: string): CabinetConfig | string {
  let document: unknown = builtinDocument(name);
  if (!document) {
    try {
      document = JSON.parse(fs.readFileSync(name, "utf8"));
    } catch (e) {
      return `--config ${name}: not a built-in name and not a readable JSON file (${(e as Error).message})`;
    }
  }
  const result = validateCabinetConfig(document);
  return result.ok ? result.config : `--config ${name}:\n` + result.issues.map(formatIssue).join("\n");
}

/** The MQTT config in force: the cabinet config's block, with --mqtt's broker if given; null = no MQTT. */
export function resolveMqtt(config: CabinetConfig, url: string | null): MqttConfig | null | string {
  if (url === null) return config.mqtt ?? null;
  const gunIds = config.guns.map((g) => g.id);
  const block: Record<string, unknown> = config.mqtt ? documentOf(config.mqtt) : {};
  block.brokerUrl = url;
  const result = validateMqttConfig(block, { gunIds, path: "--mqtt" });
  return result.ok ? result.config : result.issues.map(formatIssue).join("\n");
}

/** A resolved MqttConfig back in document form (drops the derived broker host and port). */
function documentOf(config: MqttConfig): Record<string, unknown> {
  const { brokerHost: _host, brokerPort: _port, gunMap, ...rest } = config;
  return gunMap === null ? { ...rest } : { ...rest, gunMap };
}

function consoleLog(tag: string): Log {
  return {
    write(level: LogLevel, message: string) {
      if (level === "debug") return;
      (level === "error" || level === "warn" ? console.error : console.log)(`[${tag}] ${level}: ${message}`);
    },
  };
}

async function main(): Promise<number> {
  const args = parseStartArgs(process.argv.slice(2));
  if (typeof args === "string") {
    console.error(args);
    return 2;
  }
  let config: CabinetConfig;
  let scenario: Scenario | undefined;
  let seed = 1;
  if (args.scenario) {
    const loaded = loadScenarioFile(args.scenario);
    if (!loaded.ok) {
      console.error(describeScenarioIssues(loaded));
      return 1;
    }
    config = loaded.config;
    scenario = loaded.scenario;
    seed = scenario.seed;
  } else {
    const c = loadConfig(args.config ?? "ring-12x2");
    if (typeof c === "string") {
      console.error(c);
      return 1;
    }
    config = c;
  }
  const mqttConfig = resolveMqtt(config, args.mqtt);
  if (typeof mqttConfig === "string") {
    console.error(mqttConfig);
    return 1;
  }
  const inputs = new MqttGunInputs();
  const evLink = mqttConfig ? mqttEvLinkOver(inputs) : undefined;
  let ocpp: SimOcpp | null = null;
  if (args.ocpp) {
    const rfid = args.rfid;
    ocpp = createSimCabinetWithOcpp({
      config, seed, scenario, stepMs: 1, ocpp: args.ocpp, evLink,
      storage: new JsonFileStorage(args.ocppStorage),
      log: { write: (level, message) => { if (level !== "debug") console.log(`[${level}] ${message}`); } },
      ...(rfid ? { localIdToken: () => rfid } : {}),
    });
  }
  const cabinet = ocpp ? ocpp.cabinet : createSimCabinet({ config, seed, scenario, stepMs: 1, evLink });
  let mqtt: SimMqtt | null = null;
  if (mqttConfig) {
    const log = consoleLog("mqtt");
    mqtt = attachSimMqtt({ cabinet, inputs, config: mqttConfig, log: args.logFile ? new RotatingFileLog({ file: args.logFile, next: log }) : log });
  }
  const commands = new DashboardCommands(cabinet);
  const dashboard = await startDashboard({
    port: args.port,
    host: args.host,
    rateHz: 5,
    snapshot: () => cabinet.controller.buildSnapshot(),
    command: (body) => commands.apply(body),
  });
  const pacing = runRealTime(cabinet.sim.runner, { speed: args.speed, frameMs: 20 });
  console.log(`cabinet ${config.chargerId}: ${config.topology}, ${config.guns.length} guns; ${scenario ? `scenario ${scenario.name ?? args.scenario}` : "no scenario"}; speed ${args.speed}x`);
  if (mqtt) {
    const t = mqtt.service.outbound;
    console.log(`mqtt: ${mqtt.config.brokerUrl} as ${mqtt.config.clientId}; demand on ${mqtt.config.topicPrefix}/<gun>/demand/<device>, telemetry on ${t.cabinet}`);
  }
  console.log(`dashboard: ${dashboard.url}  (Ctrl-C to stop)`);
  if (ocpp && args.ocpp) {
    console.log(`ocpp ${args.ocpp.version}: station ${args.ocpp.stationId} -> ${args.ocpp.csms}; ${args.rfid ? `drivers present ${args.rfid}` : "sessions wait for a remote start"}`);
  }
  const ocppStatus = ocpp ? setInterval(() => {
    const st = ocpp!.running.station;
    const limits = ocpp!.port.lastLimits;
    console.log(`[info] ocpp ${st.connection}/${st.registration}, queued ${st.queuedMessages}, ` +
      `total ${cabinet.controller.buildSnapshot().totalPowerKW.toFixed(1)} kW, OCPP site limit ${limits?.siteLimitKW ?? "none"} kW`);
  }, 10_000) : null;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  pacing.stop();
  mqtt?.stop();
  if (ocppStatus) clearInterval(ocppStatus);
  ocpp?.stop();
  cabinet.controller.close();
  await dashboard.close();
  return 0;
}

if (require.main === module) {
  main().then((code) => (process.exitCode = code), (error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
