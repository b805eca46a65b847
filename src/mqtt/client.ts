/**
 * The small MQTT client interface both adapters implement: npm `mqtt` on the host
 * (host-sim/mqtt/node-client.ts) and the Moddable ECMA-419 client on the device
 * (hal/moddable/mqtt-client.ts). One connect() is one attempt: adapters never
 * reconnect on their own, the service owns backoff so both platforms behave alike.
 */

export type MqttQos = 0 | 1 | 2;

export interface MqttWill {
  topic: string;
  payload: string;
  qos: MqttQos;
  retain: boolean;
}

export interface MqttConnectOptions {
  host: string;
  port: number;
  /** The full broker URL as configured (mqtt://host:port); adapters may use it directly. */
  url: string;
  clientId: string;
  keepAliveS: number;
  /** Give up on a connect attempt (no CONNACK) after this long. */
  connectTimeoutMs: number;
  will: MqttWill;
}

export interface MqttClientEvents {
  /** CONNACK accepted: the session is usable. */
  onConnect(): void;
  /** The connection ended or the attempt failed; fired once per connect(). */
  onClose(reason: string): void;
  /**
   * An inbound PUBLISH. The payload is raw bytes; the core validates them.
   * `retained` is true when the broker replays a stored message (pass it when the client knows).
   */
  onMessage(topic: string, payload: Uint8Array, retained?: boolean): void;
}

export interface MqttClient {
  /** Start one connection attempt. A previous connection, if any, is dropped first. */
  connect(options: MqttConnectOptions, events: MqttClientEvents): void;
  subscribe(topicFilter: string, qos: MqttQos): void;
  publish(topic: string, payload: string, qos: MqttQos, retain: boolean): void;
  /** Clean DISCONNECT (the broker does not send the will); no events follow. */
  end(): void;
}
