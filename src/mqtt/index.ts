export type { MqttClient, MqttClientEvents, MqttConnectOptions, MqttQos, MqttWill } from "./client";
export {
  MQTT_DEFAULTS, mqttConfigFromUrl, parseBrokerUrl, validateMqttConfig,
  type MqttConfig, type MqttConfigDocument, type MqttConfigResult, type MqttGunMapEntry,
} from "./config";
export {
  MQTT_MESSAGE_TYPES, VEHICLE_STATUSES,
  type CabinetTotals, type ContactorTelemetry, type DemandSink, type FaultTelemetry, type GunMqttInput, type GunTelemetry,
  type ModuleTelemetry, type MqttMessageType, type SessionEvent, type TelemetrySnapshot, type TelemetrySource, type VehicleStatus,
} from "./types";
export { decodePayload, type DecodedValue } from "./payload";
export { inboundSubscription, outboundTopics, parseInboundTopic, type InboundTopic, type OutboundTopics } from "./topics";
export { mapGun } from "./gun-map";
export { reconnectDelayMs } from "./backoff";
export { REJECTION_REASONS, type Rejection, type RejectionCounts, type RejectionReason } from "./rejections";
export { OFFLINE, ONLINE, TELEMETRY_SCHEMA, GUN_SCHEMA, FAULTS_SCHEMA, EVENT_SCHEMA, INTERFACE_SCHEMA } from "./telemetry";
export { MqttService, type MqttServiceOptions, type MqttServiceState, type MqttServiceStats } from "./service";
export { evViewOf, type MqttEvView } from "./ev-view";
export {
  ControllerDemandSink, ControllerTelemetrySource, controllerMqttPorts, MQTT_LIMIT_SOURCE, MqttEvLink, MqttGunInputs, overlayEvStatus, sessionEventOf,
  telemetryOfSnapshot, type ControllerDemandSinkOptions, type ControllerMqttPorts, type ControllerPort, type ControllerTelemetrySourceOptions,
} from "./controller-ports";
