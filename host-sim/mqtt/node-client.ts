/**
 * Host adapter: the MqttClient interface over npm `mqtt` (MQTT 3.1.1). One
 * connect() is one attempt (reconnectPeriod 0): the MqttService owns backoff.
 */
import { connect as mqttConnect, type MqttClient as NpmMqttClient } from "mqtt";
import type { MqttClient, MqttClientEvents, MqttConnectOptions, MqttQos } from "../../src/mqtt/client";

export class NodeMqttClient implements MqttClient {
  private current: NpmMqttClient | null = null;
  private lastError = "";

  connect(options: MqttConnectOptions, events: MqttClientEvents): void {
    this.dropCurrent();
    this.lastError = "";
    const client = mqttConnect(options.url, {
      clientId: options.clientId,
      clean: true,
      protocolVersion: 4,
      keepalive: options.keepAliveS,
      connectTimeout: options.connectTimeoutMs,
      reconnectPeriod: 0,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: options.will.qos, retain: options.will.retain },
    });
    this.current = client;
    const mine = () => this.current === client;
    client.on("connect", () => {
      if (mine()) events.onConnect();
    });
    client.on("message", (topic, payload, packet) => {
      if (mine()) events.onMessage(topic, payload, packet.retain);
    });
    client.on("error", (error) => {
      this.lastError = error.message;
    });
    client.on("close", () => {
      if (!mine()) return;
      this.current = null;
      client.end(true);
      events.onClose(this.lastError || "connection closed");
    });
  }

  subscribe(topicFilter: string, qos: MqttQos): void {
    this.current?.subscribe(topicFilter, { qos });
  }

  publish(topic: string, payload: string, qos: MqttQos, retain: boolean): void {
    this.current?.publish(topic, payload, { qos, retain });
  }

  end(): void {
    const client = this.current;
    this.current = null;
    client?.end(false);
  }

  /** Kills the TCP socket without DISCONNECT, as a crash or cable pull would (tests, fault injection). */
  dropConnection(): void {
    this.current?.stream.destroy();
  }

  private dropCurrent(): void {
    const client = this.current;
    this.current = null;
    client?.end(true);
  }
}
