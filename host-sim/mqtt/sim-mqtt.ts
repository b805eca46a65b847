/**
 * MQTT on the simulated cabinet (npm start -- --mqtt, tests/mqtt-sim): the real
 * controller behind the MQTT service, on simulated time. The service ticks from
 * the sim runner once per control period and reads the sim clock, so demand
 * timeouts, reconnect backoff and the telemetry interval are simulated time, the
 * same clock the controller's limits expire on.
 *
 *   const inputs = new MqttGunInputs();
 *   const cabinet = createSimCabinet({ ..., evLink: mqttEvLinkOver(inputs) });
 *   const mqtt = attachSimMqtt({ cabinet, inputs, config, log });
 */
import type { EvLink } from "../../hal/ev-link";
import type { Log } from "../../hal/log";
import type { MqttConfig } from "../../src/mqtt/config";
import { controllerMqttPorts, MqttEvLink, MqttGunInputs, type ControllerMqttPorts } from "../../src/mqtt/controller-ports";
import type { SimCabinet } from "../sim-cabinet";
import { startHostMqtt, type HostMqtt } from "./host-mqtt";

export { MqttGunInputs };

/** The createSimCabinet `evLink` option that lays MQTT demand over the simulated EVs. */
export function mqttEvLinkOver(inputs: MqttGunInputs): (inner: EvLink) => EvLink {
  return (inner) => new MqttEvLink(inner, inputs);
}

export interface SimMqttOptions {
  cabinet: SimCabinet;
  /** The table given to mqttEvLinkOver() when the cabinet was created. */
  inputs: MqttGunInputs;
  config: MqttConfig;
  log: Log;
}

export interface SimMqtt extends HostMqtt {
  ports: ControllerMqttPorts;
}

export function attachSimMqtt(options: SimMqttOptions): SimMqtt {
  const { cabinet, inputs, config, log } = options;
  const controller = cabinet.controller;
  const ports = controllerMqttPorts(controller, inputs, config.demandTimeoutMs, log);
  const runner = cabinet.sim.runner;
  const host = startHostMqtt({
    config,
    gunIds: controller.config.guns.map((g) => g.id),
    sink: ports.sink,
    source: ports.source,
    log,
    clock: cabinet.sim.hal.clock,
    schedule: (tick) => runner.every(controller.config.timing.controlPeriodMs, () => tick()),
  });
  return {
    ...host,
    ports,
    stop() {
      host.stop();
      ports.close();
    },
  };
}
