/**
 * Host wiring for `npm start -- --mqtt mqtt://host:port`: the npm client, the
 * MqttService, and a timer that calls tick(). The lead's start.ts calls
 * startHostMqtt() with the controller's DemandSink and TelemetrySource.
 */
import type { Log } from "../../hal/log";
import type { Clock } from "../../hal/clock";
import { formatIssue } from "../../src/config/validate";
import { mqttConfigFromUrl, validateMqttConfig, type MqttConfig } from "../../src/mqtt/config";
import { MqttService } from "../../src/mqtt/service";
import type { DemandSink, TelemetrySource } from "../../src/mqtt/types";
import { NodeMqttClient } from "./node-client";

export interface HostMqttOptions {
  /** Either a broker URL (all defaults), an `mqtt` config block, or an already validated config. */
  url?: string;
  block?: unknown;
  config?: MqttConfig;
  gunIds: number[];
  sink: DemandSink;
  source: TelemetrySource;
  log: Log;
  clock?: Clock;
  /** How often tick() runs; default 100 ms (one control cycle). */
  tickMs?: number;
  /**
   * Runs tick() periodically instead of a wall-clock setInterval and returns a cancel
   * function; the simulator passes its runner so ticks follow simulated time.
   */
  schedule?: (tick: () => void) => () => void;
}

export interface HostMqtt {
  service: MqttService;
  client: NodeMqttClient;
  config: MqttConfig;
  /** Publishes retained "offline", disconnects and stops the timer. */
  stop(): void;
}

export function resolveHostMqttConfig(options: Pick<HostMqttOptions, "url" | "block" | "config" | "gunIds">): MqttConfig {
  if (options.config) return options.config;
  const result = options.block !== undefined
    ? validateMqttConfig(options.block, { gunIds: options.gunIds })
    : mqttConfigFromUrl(options.url ?? "", { gunIds: options.gunIds });
  if (!result.ok) throw new Error(`invalid mqtt configuration:\n${result.issues.map(formatIssue).join("\n")}`);
  return result.config;
}

export function startHostMqtt(options: HostMqttOptions): HostMqtt {
  const config = resolveHostMqttConfig(options);
  const clock = options.clock ?? { nowMs: () => performance.now() };
  const client = new NodeMqttClient();
  const service = new MqttService({ config, gunIds: options.gunIds, client, sink: options.sink, source: options.source, clock, log: options.log });
  service.start();
  let cancel: () => void;
  if (options.schedule) cancel = options.schedule(() => service.tick());
  else {
    const timer = setInterval(() => service.tick(), options.tickMs ?? 100);
    cancel = () => clearInterval(timer);
  }
  return {
    service,
    client,
    config,
    stop() {
      cancel();
      service.stop();
    },
  };
}
