/**
 * The MQTT service: connects through an MqttClient, subscribes to the seed 002
 * topics, validates and maps every inbound message into the DemandSink, and
 * publishes telemetry from the TelemetrySource. Platform-free: no timers of its
 * own; the owner calls tick() from its loop (every control cycle is fine) and
 * the service does whatever is due: reconnect after backoff, expire silent
 * demand sources, publish telemetry every publishIntervalMs, publish new session events.
 */
import type { Clock } from "../../hal/clock";
import type { Log } from "../../hal/log";
import type { MqttClient, MqttConnectOptions } from "./client";
import type { MqttConfig } from "./config";
import type { DemandSink, GunMqttInput, TelemetrySnapshot, TelemetrySource } from "./types";
import { reconnectDelayMs } from "./backoff";
import { mapGun, type GunMapping } from "./gun-map";
import { GunInputTable } from "./inputs";
import { decodePayload } from "./payload";
import { emptyRejectionCounts, quoteForLog, totalRejections, type Rejection, type RejectionCounts } from "./rejections";
import {
  buildCabinetMessage, buildEventMessage, buildFaultsMessage, buildGunMessage, buildInterfaceMessage, OFFLINE, ONLINE,
} from "./telemetry";
import { inboundSubscription, isRejection, outboundTopics, parseInboundTopic, type OutboundTopics } from "./topics";

export type MqttServiceState = "idle" | "connecting" | "connected" | "waiting" | "stopped";

export interface MqttServiceOptions {
  config: MqttConfig;
  /** The cabinet's gun ids (identity mapping and the input table use them). */
  gunIds: readonly number[];
  client: MqttClient;
  sink: DemandSink;
  source: TelemetrySource;
  clock: Clock;
  log: Log;
}

export interface MqttServiceStats {
  state: MqttServiceState;
  connects: number;
  /** Consecutive failed attempts since the last successful connect. */
  failures: number;
  nextAttemptAtMs: number | null;
  accepted: number;
  rejections: RejectionCounts;
  rejectedTotal: number;
  published: number;
  lastRejection: Rejection | null;
}

export class MqttService {
  private readonly topics: OutboundTopics;
  private readonly mapping: GunMapping;
  private readonly inputs: GunInputTable;
  private stateValue: MqttServiceState = "idle";
  private connects = 0;
  private failures = 0;
  private nextAttemptAtMs: number | null = null;
  private lastPublishMs: number | null = null;
  private lastEventSeq = 0;
  private lastFaultsText = "";
  private accepted = 0;
  private published = 0;
  private readonly rejections = emptyRejectionCounts();
  private lastRejection: Rejection | null = null;
  /** Incremented per connect(): events of an older attempt are ignored. */
  private attempt = 0;
  private connectStartedMs = 0;

  constructor(private readonly options: MqttServiceOptions) {
    const c = options.config;
    this.topics = outboundTopics(c.topicPrefix, c.cabinetId);
    this.mapping = { devices: c.devices, entries: c.gunMap, gunIds: options.gunIds };
    this.inputs = new GunInputTable(options.gunIds, c.demandTimeoutMs);
  }

  get state(): MqttServiceState {
    return this.stateValue;
  }

  /** First connection attempt. */
  start(): void {
    if (this.stateValue !== "idle") return;
    this.connectNow();
  }

  /** Call periodically (e.g. every control cycle). Never throws. */
  tick(): void {
    try {
      const nowMs = this.options.clock.nowMs();
      for (const input of this.inputs.expire(nowMs)) {
        this.options.log.write("info", `mqtt: gun ${input.gunId} input timed out after ${this.options.config.demandTimeoutMs} ms`);
        this.deliver(input);
      }
      if (this.stateValue === "waiting" && this.nextAttemptAtMs !== null && nowMs >= this.nextAttemptAtMs) this.connectNow();
      // An adapter that never reports the end of an attempt must not stall reconnection.
      if (this.stateValue === "connecting" && nowMs - this.connectStartedMs > this.options.config.connectTimeoutMs * 2) {
        this.attempt++;
        this.safeEnd();
        this.closed("no answer to connect");
      }
      if (this.stateValue !== "connected") return;
      this.publishEvents();
      if (this.lastPublishMs === null || nowMs - this.lastPublishMs >= this.options.config.publishIntervalMs) {
        this.lastPublishMs = nowMs;
        this.publishTelemetry(nowMs);
      }
    } catch (error) {
      this.reject({ reason: "internal", detail: `tick: ${String(error)}` });
    }
  }

  /** Clean shutdown: retained "offline", then DISCONNECT. */
  stop(): void {
    if (this.stateValue === "stopped") return;
    if (this.stateValue === "connected") this.publish(this.topics.connection, OFFLINE, true);
    this.stateValue = "stopped";
    this.attempt++;
    this.nextAttemptAtMs = null;
    this.safeEnd();
  }

  private safeEnd(): void {
    try {
      this.options.client.end();
    } catch (error) {
      this.options.log.write("warn", `mqtt: end failed: ${String(error)}`);
    }
  }

  /** Feeds one inbound message through validation (the client adapter calls this via onMessage). */
  handleMessage(topic: string, payload: Uint8Array, retained = false): void {
    try {
      const c = this.options.config;
      const parsed = parseInboundTopic(topic, c.topicPrefix);
      if (isRejection(parsed)) return this.reject(parsed);
      if (retained) {
        // A retained demand outlives the device that sent it: replaying it after a
        // reconnect would request power nobody is asking for.
        return this.reject({ reason: "retained", detail: `retained message on ${quoteForLog(topic)} ignored (devices must publish without retain)` });
      }
      if (!c.devices.includes(parsed.device)) {
        return this.reject({ reason: "unknownDevice", detail: `device ${quoteForLog(parsed.device)} of ${quoteForLog(topic)} is not one of ${c.devices.join(", ")}` });
      }
      const gunId = mapGun(this.mapping, parsed.device, parsed.topicGunId);
      if (gunId === null) {
        return this.reject({ reason: "unknownGun", detail: `no cabinet gun for device ${parsed.device} topic gun ${parsed.topicGunId} (${quoteForLog(topic)})` });
      }
      const value = decodePayload(parsed.messageType, payload, c);
      if (isRejection(value)) return this.reject({ reason: value.reason, detail: `${value.detail} on ${quoteForLog(topic)}` });
      const input = this.inputs.apply(gunId, parsed.device, value, this.options.clock.nowMs());
      if (input === null) {
        return this.reject({ reason: "unknownGun", detail: `gun ${gunId} (mapped from ${parsed.device}/${parsed.topicGunId}) is not in this cabinet` });
      }
      this.accepted++;
      this.deliver(input);
    } catch (error) {
      this.reject({ reason: "internal", detail: `message on ${quoteForLog(String(topic))}: ${String(error)}` });
    }
  }

  stats(): MqttServiceStats {
    return {
      state: this.stateValue,
      connects: this.connects,
      failures: this.failures,
      nextAttemptAtMs: this.nextAttemptAtMs,
      accepted: this.accepted,
      rejections: { ...this.rejections },
      rejectedTotal: totalRejections(this.rejections),
      published: this.published,
      lastRejection: this.lastRejection,
    };
  }

  gunInputs(): GunMqttInput[] {
    return this.inputs.all();
  }

  get outbound(): OutboundTopics {
    return this.topics;
  }

  private connectNow(): void {
    const c = this.options.config;
    const attempt = ++this.attempt;
    this.stateValue = "connecting";
    this.nextAttemptAtMs = null;
    this.connectStartedMs = this.options.clock.nowMs();
    const options: MqttConnectOptions = {
      host: c.brokerHost,
      port: c.brokerPort,
      url: c.brokerUrl,
      clientId: c.clientId,
      keepAliveS: c.keepAliveS,
      connectTimeoutMs: c.connectTimeoutMs,
      will: { topic: this.topics.connection, payload: OFFLINE, qos: c.qos, retain: true },
    };
    try {
      this.options.client.connect(options, {
        onConnect: () => { if (attempt === this.attempt) this.connected(); },
        onClose: (reason) => { if (attempt === this.attempt) this.closed(reason); },
        onMessage: (topic, payload, retained) => { if (attempt === this.attempt) this.handleMessage(topic, payload, retained === true); },
      });
    } catch (error) {
      this.closed(`connect threw: ${String(error)}`);
    }
  }

  private connected(): void {
    if (this.stateValue === "stopped") return;
    this.stateValue = "connected";
    this.connects++;
    this.failures = 0;
    this.lastPublishMs = null;
    this.lastFaultsText = "";
    const c = this.options.config;
    this.options.log.write("info", `mqtt: connected to ${c.brokerUrl} as ${c.clientId}`);
    try {
      this.options.client.subscribe(inboundSubscription(c.topicPrefix), c.demandQos);
    } catch (error) {
      this.options.log.write("warn", `mqtt: subscribe failed: ${String(error)}`);
    }
    this.publish(this.topics.connection, ONLINE, true);
  }

  private closed(reason: string): void {
    if (this.stateValue === "stopped") return;
    const c = this.options.config;
    const delayMs = reconnectDelayMs(this.failures, c.reconnectMinMs, c.reconnectMaxMs);
    this.failures++;
    this.stateValue = "waiting";
    this.nextAttemptAtMs = this.options.clock.nowMs() + delayMs;
    this.options.log.write("warn", `mqtt: connection to ${c.brokerUrl} closed (${reason}); retry in ${delayMs} ms`);
  }

  private deliver(input: GunMqttInput): void {
    try {
      this.options.sink.updateGunInput(input);
    } catch (error) {
      this.options.log.write("error", `mqtt: demand sink threw for gun ${input.gunId}: ${String(error)}`);
    }
  }

  private reject(rejection: Rejection): void {
    this.rejections[rejection.reason]++;
    this.lastRejection = rejection;
    this.options.log.write("warn", `mqtt: rejected (${rejection.reason}): ${rejection.detail}`);
  }

  private publish(topic: string, payload: string, retain: boolean): void {
    try {
      this.options.client.publish(topic, payload, this.options.config.qos, retain);
      this.published++;
    } catch (error) {
      this.options.log.write("warn", `mqtt: publish to ${topic} failed: ${String(error)}`);
    }
  }

  private publishTelemetry(nowMs: number): void {
    let snapshot: TelemetrySnapshot;
    try {
      snapshot = this.options.source.snapshot();
    } catch (error) {
      this.options.log.write("error", `mqtt: telemetry source threw: ${String(error)}`);
      return;
    }
    const inputs = this.inputs.all();
    const c = this.options.config;
    this.publish(this.topics.cabinet, buildCabinetMessage(c.cabinetId, snapshot, inputs, nowMs), false);
    for (const gun of snapshot.guns) {
      this.publish(this.topics.gun(gun.gunId), buildGunMessage(gun, inputs.find((i) => i.gunId === gun.gunId) ?? null, nowMs), true);
    }
    // Faults are retained: publish on change so a late subscriber sees the current set.
    const faultsKey = JSON.stringify(snapshot.faults);
    if (faultsKey !== this.lastFaultsText) {
      this.lastFaultsText = faultsKey;
      this.publish(this.topics.faults, buildFaultsMessage(snapshot, nowMs), true);
    }
    this.publish(this.topics.interfaceStats, buildInterfaceMessage(this.accepted, this.rejections, this.connects, nowMs), true);
  }

  private publishEvents(): void {
    let events;
    try {
      events = this.options.source.sessionEventsSince(this.lastEventSeq);
    } catch (error) {
      this.options.log.write("error", `mqtt: session events threw: ${String(error)}`);
      return;
    }
    for (const event of events) {
      if (!(event.seq > this.lastEventSeq)) continue;
      this.lastEventSeq = event.seq;
      this.publish(this.topics.sessionEvents, buildEventMessage(event), false);
    }
  }
}
