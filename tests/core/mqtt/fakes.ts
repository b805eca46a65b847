// Test doubles for the MQTT core: a scripted client, a settable clock, a recording log, sink and source.
import type { MqttClient, MqttClientEvents, MqttConnectOptions, MqttQos } from "../../../src/mqtt/client";
import type { DemandSink, GunMqttInput, SessionEvent, TelemetrySnapshot, TelemetrySource } from "../../../src/mqtt/types";
import type { Log, LogLevel } from "../../../hal/log";

export interface Published { topic: string; payload: string; qos: MqttQos; retain: boolean }

export class FakeClient implements MqttClient {
  connects: MqttConnectOptions[] = [];
  events: MqttClientEvents | null = null;
  subscriptions: { filter: string; qos: MqttQos }[] = [];
  published: Published[] = [];
  ended = 0;
  connect(options: MqttConnectOptions, events: MqttClientEvents): void {
    this.connects.push(options);
    this.events = events;
  }
  subscribe(filter: string, qos: MqttQos): void {
    this.subscriptions.push({ filter, qos });
  }
  publish(topic: string, payload: string, qos: MqttQos, retain: boolean): void {
    this.published.push({ topic, payload, qos, retain });
  }
  end(): void {
    this.ended++;
  }
  /** Simulate the broker delivering a message. */
  deliver(topic: string, payload: string | Uint8Array, retained = false): void {
    const bytes = typeof payload === "string" ? ascii(payload) : payload;
    this.events?.onMessage(topic, bytes, retained);
  }
  on(topic: string): Published[] {
    return this.published.filter((p) => p.topic === topic);
  }
}

export function ascii(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

export class FakeClock {
  constructor(public ms = 1000) {}
  nowMs(): number {
    return this.ms;
  }
}

export class RecordingLog implements Log {
  lines: { level: LogLevel; message: string }[] = [];
  write(level: LogLevel, message: string): void {
    this.lines.push({ level, message });
  }
  matching(pattern: RegExp): string[] {
    return this.lines.map((l) => l.message).filter((m) => pattern.test(m));
  }
}

export class RecordingSink implements DemandSink {
  updates: GunMqttInput[] = [];
  updateGunInput(input: GunMqttInput): void {
    this.updates.push(input);
  }
  latest(gunId: number): GunMqttInput | undefined {
    for (let i = this.updates.length - 1; i >= 0; i--) if (this.updates[i].gunId === gunId) return this.updates[i];
    return undefined;
  }
}

export class FakeSource implements TelemetrySource {
  events: SessionEvent[] = [];
  constructor(public snap: TelemetrySnapshot = sampleSnapshot()) {}
  snapshot(): TelemetrySnapshot {
    return this.snap;
  }
  sessionEventsSince(afterSeq: number): SessionEvent[] {
    return this.events.filter((e) => e.seq > afterSeq);
  }
}

export function sampleSnapshot(): TelemetrySnapshot {
  return {
    guns: [
      { gunId: 1, state: "CHARGING", socPct: 42, voltageV: 400, currentA: 150, powerKW: 60, budgetKW: 80, modules: ["M1_0", "M1_1"], island: [1, 2] },
      { gunId: 2, state: "IDLE", socPct: null, voltageV: 0, currentA: 0, powerKW: 0, budgetKW: 0, modules: [], island: [] },
    ],
    totals: { powerKW: 60, budgetKW: 80, capacityKW: 480, gridLimitKW: 400 },
    modules: [
      { id: "M1_0", state: "on", powerKW: 30, tempC: 41 },
      { id: "M1_1", state: "on", powerKW: 30, tempC: 40 },
      { id: "M2_0", state: "off", powerKW: 0, tempC: null },
    ],
    contactors: [
      { id: "GC_1", position: "closed", fault: null },
      { id: "MC_1", position: "closed", fault: null },
      { id: "MC_2", position: "open", fault: "welded" },
    ],
    faults: [{ code: "ContactorWelded", severity: "error", source: "MC_2", sinceMs: 500 }],
  };
}
