/**
 * Device adapter: the MqttClient interface over the Moddable SDK's ECMA-419
 * MQTT client (`embedded:network/mqtt/client`). Same semantics as the host
 * adapter: one connect() is one attempt, the MqttService owns backoff; the
 * inbound subscription uses the QoS the service asks for (1 for demand).
 * `network` is the host provider's socket/dns pair (`device.network.mqtt`).
 */
import MQTTClient from "embedded:network/mqtt/client";
import type { MqttClient, MqttClientEvents, MqttConnectOptions, MqttQos } from "../../src/mqtt/client";

export interface ModdableMqttNetwork {
  dns: Record<string, any>;
  socket: Record<string, any>;
}

export class ModdableMqttClient implements MqttClient {
  private current: MQTTClient | null = null;
  /** Topic of the inbound message being reassembled, and its fragments. */
  private inboundTopic: string | null = null;
  private inboundParts: Uint8Array[] = [];

  constructor(private readonly network: ModdableMqttNetwork) {}

  connect(options: MqttConnectOptions, events: MqttClientEvents): void {
    this.dropCurrent();
    let client: MQTTClient | null = null;
    let closed = false;
    const mine = () => client !== null && this.current === client;
    const finish = (reason: string) => {
      if (closed || !mine()) return;
      closed = true;
      this.current = null;
      try {
        client?.close();
      } catch {
        // already closed
      }
      events.onClose(reason);
    };
    try {
      client = new MQTTClient({
        ...this.network,
        host: options.host,
        port: options.port,
        id: options.clientId,
        clean: true,
        keepAlive: options.keepAliveS * 1000,
        will: { topic: options.will.topic, message: ArrayBuffer.fromString(options.will.payload), QoS: options.will.qos, retain: options.will.retain },
        onControl: (opcode) => {
          if (opcode === MQTTClient.CONNACK && mine()) events.onConnect();
        },
        onReadable: (count, info) => {
          if (!mine() || client === null) return;
          if (info.topic !== undefined) {
            this.inboundTopic = info.topic;
            this.inboundParts = [];
          }
          this.inboundParts.push(new Uint8Array(client.read(count)));
          if (!info.more && this.inboundTopic !== null) {
            const payload = concat(this.inboundParts);
            const topic = this.inboundTopic;
            this.inboundTopic = null;
            this.inboundParts = [];
            events.onMessage(topic, payload);
          }
        },
        onClose: () => finish("connection closed"),
        onError: (error: unknown) => finish(`error: ${String(error)}`),
      });
      this.current = client;
    } catch (error) {
      trace(`mqtt: connect failed: ${String(error)}\n`);
      // Report asynchronously-equivalent: the service treats this like a refused attempt.
      events.onClose(`connect failed: ${String(error)}`);
    }
  }

  subscribe(topicFilter: string, qos: MqttQos): void {
    this.current?.write(new ArrayBuffer(0), { operation: MQTTClient.SUBSCRIBE, topic: topicFilter, items: [{ topic: topicFilter, QoS: qos }] });
  }

  publish(topic: string, payload: string, qos: MqttQos, retain: boolean): void {
    const bytes = ArrayBuffer.fromString(payload);
    this.current?.write(bytes, { topic, QoS: qos, retain, byteLength: bytes.byteLength });
  }

  end(): void {
    const client = this.current;
    this.current = null;
    if (client === null) return;
    try {
      client.write(new ArrayBuffer(0), { operation: MQTTClient.DISCONNECT, topic: "" });
    } catch {
      // best effort: closing the socket below still ends the session
    }
    client.close();
  }

  private dropCurrent(): void {
    const client = this.current;
    this.current = null;
    try {
      client?.close();
    } catch {
      // already closed
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
