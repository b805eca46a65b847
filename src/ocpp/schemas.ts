/**
 * Request schemas for every CSMS-initiated CALL the station implements, per version.
 * Transcribed from the OCPP 2.0.1 and 1.6J JSON schemas (the subset of constraints that
 * matters for rejecting bad input; customData is allowed everywhere in 2.0.1).
 */
import { S, type Schema } from "./payload-schema";

const evse201 = S.obj({ id: S.int(0), connectorId: S.int(0) }, ["id"]);
const idToken201 = S.obj({
  idToken: S.str(36),
  type: S.oneOf("Central", "eMAID", "ISO14443", "ISO15693", "KeyCode", "Local", "MacAddress", "NoAuthorization"),
  additionalInfo: S.arr(S.obj({ additionalIdToken: S.str(36), type: S.str(50) }, ["additionalIdToken", "type"]), 1),
}, ["idToken", "type"]);
const period201 = S.obj({ startPeriod: S.int(), limit: S.num(), numberPhases: S.int(0, 3), phaseToUse: S.int(0, 3) }, ["startPeriod", "limit"]);
const schedule201 = S.obj({
  id: S.int(), startSchedule: S.dateTime(), duration: S.int(), chargingRateUnit: S.oneOf("W", "A"),
  chargingSchedulePeriod: S.arr(period201, 1, 1024), minChargingRate: S.num(), salesTariff: S.any(),
}, ["id", "chargingRateUnit", "chargingSchedulePeriod"]);
export const purposes201 = ["ChargingStationExternalConstraints", "ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile"] as const;
const profile201 = S.obj({
  id: S.int(), stackLevel: S.int(0), chargingProfilePurpose: S.oneOf(...purposes201),
  chargingProfileKind: S.oneOf("Absolute", "Recurring", "Relative"), recurrencyKind: S.oneOf("Daily", "Weekly"),
  validFrom: S.dateTime(), validTo: S.dateTime(), transactionId: S.str(36), chargingSchedule: S.arr(schedule201, 1, 3),
}, ["id", "stackLevel", "chargingProfilePurpose", "chargingProfileKind", "chargingSchedule"]);
const component201 = S.obj({ name: S.str(50), instance: S.str(50), evse: evse201 }, ["name"]);
const variable201 = S.obj({ name: S.str(50), instance: S.str(50) }, ["name"]);
const attributeType = S.oneOf("Actual", "Target", "MinSet", "MaxSet");

export const requests201: Record<string, Schema> = {
  RequestStartTransaction: S.obj({ evseId: S.int(1), remoteStartId: S.int(), idToken: idToken201, chargingProfile: profile201, groupIdToken: idToken201 }, ["remoteStartId", "idToken"]),
  RequestStopTransaction: S.obj({ transactionId: S.str(36) }, ["transactionId"]),
  Reset: S.obj({ type: S.oneOf("Immediate", "OnIdle"), evseId: S.int() }, ["type"]),
  ChangeAvailability: S.obj({ evse: evse201, operationalStatus: S.oneOf("Inoperative", "Operative") }, ["operationalStatus"]),
  TriggerMessage: S.obj({
    requestedMessage: S.oneOf("BootNotification", "LogStatusNotification", "FirmwareStatusNotification", "Heartbeat", "MeterValues",
      "SignChargingStationCertificate", "SignV2GCertificate", "StatusNotification", "TransactionEvent", "SignCombinedCertificate",
      "PublishFirmwareStatusNotification"),
    evse: evse201,
  }, ["requestedMessage"]),
  UnlockConnector: S.obj({ evseId: S.int(), connectorId: S.int() }, ["evseId", "connectorId"]),
  GetVariables: S.obj({ getVariableData: S.arr(S.obj({ attributeType, component: component201, variable: variable201 }, ["component", "variable"]), 1) }, ["getVariableData"]),
  SetVariables: S.obj({ setVariableData: S.arr(S.obj({ attributeType, attributeValue: S.str(1000), component: component201, variable: variable201 }, ["attributeValue", "component", "variable"]), 1) }, ["setVariableData"]),
  ReserveNow: S.obj({ id: S.int(), expiryDateTime: S.dateTime(), connectorType: S.str(20), idToken: idToken201, evseId: S.int(), groupIdToken: idToken201 }, ["id", "expiryDateTime", "idToken"]),
  CancelReservation: S.obj({ reservationId: S.int() }, ["reservationId"]),
  DataTransfer: S.obj({ messageId: S.str(50), data: S.any(), vendorId: S.str(255) }, ["vendorId"]),
  SetChargingProfile: S.obj({ evseId: S.int(), chargingProfile: profile201 }, ["evseId", "chargingProfile"]),
  ClearChargingProfile: S.obj({
    chargingProfileId: S.int(),
    chargingProfileCriteria: S.obj({ evseId: S.int(), chargingProfilePurpose: S.oneOf(...purposes201), stackLevel: S.int(0) }),
  }),
  GetChargingProfiles: S.obj({
    requestId: S.int(), evseId: S.int(),
    chargingProfile: S.obj({
      chargingProfilePurpose: S.oneOf(...purposes201), stackLevel: S.int(0), chargingProfileId: S.arr(S.int(), 1),
      chargingLimitSource: S.arr(S.oneOf("EMS", "Other", "SO", "CSO"), 1, 4),
    }),
  }, ["requestId", "chargingProfile"]),
  GetCompositeSchedule: S.obj({ duration: S.int(), chargingRateUnit: S.oneOf("W", "A"), evseId: S.int() }, ["duration", "evseId"]),
  ClearCache: S.obj({}),
};

const period16 = S.obj({ startPeriod: S.int(), limit: S.num(), numberPhases: S.int() }, ["startPeriod", "limit"]);
export const purposes16 = ["ChargePointMaxProfile", "TxDefaultProfile", "TxProfile"] as const;
const profile16 = S.obj({
  chargingProfileId: S.int(), transactionId: S.int(), stackLevel: S.int(0), chargingProfilePurpose: S.oneOf(...purposes16),
  chargingProfileKind: S.oneOf("Absolute", "Recurring", "Relative"), recurrencyKind: S.oneOf("Daily", "Weekly"),
  validFrom: S.dateTime(), validTo: S.dateTime(),
  chargingSchedule: S.obj({
    duration: S.int(), startSchedule: S.dateTime(), chargingRateUnit: S.oneOf("A", "W"),
    chargingSchedulePeriod: S.arr(period16, 1), minChargingRate: S.num(),
  }, ["chargingRateUnit", "chargingSchedulePeriod"]),
}, ["chargingProfileId", "stackLevel", "chargingProfilePurpose", "chargingProfileKind", "chargingSchedule"]);

export const requests16: Record<string, Schema> = {
  RemoteStartTransaction: S.obj({ connectorId: S.int(), idTag: S.str(20), chargingProfile: profile16 }, ["idTag"]),
  RemoteStopTransaction: S.obj({ transactionId: S.int() }, ["transactionId"]),
  Reset: S.obj({ type: S.oneOf("Hard", "Soft") }, ["type"]),
  ChangeAvailability: S.obj({ connectorId: S.int(), type: S.oneOf("Inoperative", "Operative") }, ["connectorId", "type"]),
  TriggerMessage: S.obj({
    requestedMessage: S.oneOf("BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StatusNotification"),
    connectorId: S.int(),
  }, ["requestedMessage"]),
  UnlockConnector: S.obj({ connectorId: S.int() }, ["connectorId"]),
  GetConfiguration: S.obj({ key: S.arr(S.str(50)) }),
  ChangeConfiguration: S.obj({ key: S.str(50), value: S.str(500) }, ["key", "value"]),
  ReserveNow: S.obj({ connectorId: S.int(), expiryDate: S.dateTime(), idTag: S.str(20), parentIdTag: S.str(20), reservationId: S.int() }, ["connectorId", "expiryDate", "idTag", "reservationId"]),
  CancelReservation: S.obj({ reservationId: S.int() }, ["reservationId"]),
  DataTransfer: S.obj({ vendorId: S.str(255), messageId: S.str(50), data: S.str() }, ["vendorId"]),
  SetChargingProfile: S.obj({ connectorId: S.int(), csChargingProfiles: profile16 }, ["connectorId", "csChargingProfiles"]),
  ClearChargingProfile: S.obj({ id: S.int(), connectorId: S.int(), chargingProfilePurpose: S.oneOf(...purposes16), stackLevel: S.int() }),
  GetCompositeSchedule: S.obj({ connectorId: S.int(), duration: S.int(), chargingRateUnit: S.oneOf("A", "W") }, ["connectorId", "duration"]),
  ClearCache: S.obj({}),
};

/** Actions a CSMS may send that we know but do not implement: CALLERROR NotSupported, not NotImplemented. */
export const knownUnsupported201 = [
  "CertificateSigned", "ClearDisplayMessage", "ClearVariableMonitoring", "CostUpdated", "CustomerInformation",
  "DeleteCertificate", "GetBaseReport", "GetCertificateStatus", "GetDisplayMessages", "GetInstalledCertificateIds",
  "GetLocalListVersion", "GetLog", "GetMonitoringReport", "GetReport", "GetTransactionStatus", "InstallCertificate",
  "PublishFirmware", "SendLocalList", "SetDisplayMessage", "SetMonitoringBase", "SetMonitoringLevel",
  "SetNetworkProfile", "SetVariableMonitoring", "UnpublishFirmware", "UpdateFirmware", "ClearedChargingLimit",
];
export const knownUnsupported16 = ["GetDiagnostics", "UpdateFirmware", "GetLocalListVersion", "SendLocalList"];
