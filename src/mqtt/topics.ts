/**
 * Topic layout.
 *   inbound:  <prefix>/<topicGunId>/<soc|demand|status>/<device>   (seed 002)
 *   outbound: <prefix>/cabinet/<cabinetId>/<group>/<name>          (five levels or more,
 *             so they never match the inbound subscription <prefix>/+/+/+)
 */
import { MQTT_MESSAGE_TYPES, type MqttMessageType } from "./types";
import { quoteForLog, type Rejection } from "./rejections";

export interface InboundTopic {
  topicGunId: number;
  messageType: MqttMessageType;
  device: string;
}

export function inboundSubscription(prefix: string): string {
  return `${prefix}/+/+/+`;
}

/** Parses an inbound topic; devices are checked later against the configuration. */
export function parseInboundTopic(topic: string, prefix: string): InboundTopic | Rejection {
  if (topic.length > 256) return { reason: "topic", detail: `topic longer than 256 characters: ${quoteForLog(topic)}` };
  if (!topic.startsWith(prefix + "/")) return { reason: "topic", detail: `topic ${quoteForLog(topic)} does not start with "${prefix}/"` };
  const levels = topic.slice(prefix.length + 1).split("/");
  if (levels.length !== 3) {
    return { reason: "topic", detail: `topic ${quoteForLog(topic)} must be ${prefix}/<gun_id>/<message_type>/<device>` };
  }
  const [gunText, typeText, device] = levels;
  if (!/^[1-9][0-9]{0,3}$/.test(gunText)) {
    return { reason: "topic", detail: `gun_id level ${quoteForLog(gunText)} of ${quoteForLog(topic)} must be an integer 1..9999` };
  }
  if (!(MQTT_MESSAGE_TYPES as readonly string[]).includes(typeText)) {
    return { reason: "unknownType", detail: `message_type ${quoteForLog(typeText)} of ${quoteForLog(topic)} is not one of ${MQTT_MESSAGE_TYPES.join(", ")}` };
  }
  return { topicGunId: Number(gunText), messageType: typeText as MqttMessageType, device };
}

export function isRejection<T extends object>(value: T | Rejection): value is Rejection {
  return "reason" in value && "detail" in value;
}

/** Outbound topics for one cabinet. */
export interface OutboundTopics {
  /** Retained "online" / "offline"; "offline" is also the last will. */
  connection: string;
  /** Cabinet telemetry JSON every publish interval. */
  cabinet: string;
  /** Retained per-gun status JSON. */
  gun(gunId: number): string;
  /** Retained active faults JSON. */
  faults: string;
  /** Retained MQTT interface counters (accepted, rejections by reason). */
  interfaceStats: string;
  /** One JSON message per session event (not retained). */
  sessionEvents: string;
}

export function outboundTopics(prefix: string, cabinetId: string): OutboundTopics {
  const root = `${prefix}/cabinet/${cabinetId}`;
  return {
    connection: `${root}/status/connection`,
    cabinet: `${root}/telemetry/cabinet`,
    gun: (gunId: number) => `${root}/gun/${gunId}/status`,
    faults: `${root}/status/faults`,
    interfaceStats: `${root}/status/mqtt`,
    sessionEvents: `${root}/event/session`,
  };
}
