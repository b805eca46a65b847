/**
 * OCPP 2.0.1 Charging Station: Core (B, C, E, F, G, H functional blocks as far as this
 * cabinet needs) and Smart Charging (K). One connector per EVSE.
 */
import { V } from "./device-model";
import { OcppError, type JsonObject } from "./framing";
import { sampledValues201, type SampleContext } from "./meter";
import type { CabinetStopReason, EvseSnapshot } from "./port";
import { isoOf, profileFrom201, profileTo201 } from "./profile-codec";
import type { HandlerReply } from "./rpc";
import { knownUnsupported201, requests201 } from "./schemas";
import {
  clearProfiles, dropTransactionProfiles, installProfile, validateProfile,
  type ChargingProfile, type Purpose,
} from "./smart-charging";
import { StationCore, type Reservation, type StationOptions } from "./station-core";

interface IdToken { idToken: string; type: string }

interface Conditions { EVConnected: boolean; Authorized: boolean; PowerPathClosed: boolean; EnergyTransfer: boolean }

interface Tx201 {
  transactionId: string;
  evseId: number;
  seqNo: number;
  startedMs: number;
  chargingState: string;
  lastSampleMs: number;
  idToken?: IdToken;
  remoteStartId?: number;
  /** Set by RequestStopTransaction / Reset so the Ended event names the right trigger. */
  stop?: { trigger: string; reason: string };
  /** Conditions when last saved, so a restarted station sees the same edges. */
  cond?: Conditions;
}

interface PendingStart { idToken: IdToken; remoteStartId?: number; profile?: JsonObject }

const TX_KEY = "ocpp/tx201/";

const stopReasonMap: Record<CabinetStopReason, [string, string]> = {
  Local: ["StopAuthorized", "Local"],
  EVDisconnected: ["EVCommunicationLost", "EVDisconnected"],
  EmergencyStop: ["AbnormalCondition", "EmergencyStop"],
  PowerLoss: ["AbnormalCondition", "PowerLoss"],
  Other: ["AbnormalCondition", "Other"],
  Remote: ["RemoteStop", "Remote"],
  DeAuthorized: ["Deauthorized", "DeAuthorized"],
  EnergyLimitReached: ["EnergyLimitReached", "EnergyLimitReached"],
  StoppedByEV: ["ChargingStateChanged", "StoppedByEV"],
};

export class Station201 extends StationCore {
  protected readonly protocol = "ocpp2.0.1";
  protected readonly requestSchemas = requests201;
  protected readonly knownUnsupported = knownUnsupported201;
  private tx: Record<number, Tx201> = {};
  private prev: Record<number, Conditions> = {};
  private pending: Record<number, PendingStart> = {};
  private txCounter = 0;

  constructor(options: StationOptions) {
    super(options);
    for (const key of this.storage.keys(TX_KEY)) {
      const t = this.loadJson<Tx201 | null>(key, null);
      if (t) {
        this.tx[t.evseId] = t;
        // A transaction that survived a restart: its conditions as they were when saved.
        if (t.cond) this.prev[t.evseId] = t.cond;
      }
    }
  }

  protected transactionOn(evseId: number): { id: string; startMs: number } | null {
    const t = this.tx[evseId];
    return t ? { id: t.transactionId, startMs: t.startedMs } : null;
  }

  /** Active transaction ids by EVSE (diagnostics, tests). */
  get transactions(): Record<number, string> {
    const out: Record<number, string> = {};
    for (const k of Object.keys(this.tx)) out[Number(k)] = this.tx[Number(k)].transactionId;
    return out;
  }

  protected bootPayload(): JsonObject {
    return {
      reason: "PowerUp",
      chargingStation: {
        model: this.config.model, vendorName: this.config.vendor,
        ...(this.options.firmwareVersion ? { firmwareVersion: this.options.firmwareVersion } : {}),
        ...(this.options.serialNumber ? { serialNumber: this.options.serialNumber } : {}),
      },
    };
  }

  protected evseStatus(evseId: number, snap: EvseSnapshot): string {
    return this.baseStatus(evseId, snap) ?? (snap.plugged ? "Occupied" : "Available");
  }

  protected statusPayload(evseId: number, status: string): JsonObject {
    return { timestamp: this.isoNow(), connectorStatus: status, evseId, connectorId: 1 };
  }

  // ------------------------------------------------------------ local authorization

  /**
   * The cabinet's authorize hook (RFID / local token): answers from the CSMS when online,
   * else from the authorization cache when LocalAuthorizeOffline is set. On Accepted the
   * token is remembered for the EVSE's next transaction.
   */
  authorize(evseId: number, idToken: string, done: (status: string) => void, type = "ISO14443"): void {
    const token = { idToken, type };
    const accept = (status: string) => {
      if (status === "Accepted") this.pending[evseId] = { idToken: token };
      done(status);
    };
    const cached = this.model.bool(V.authCacheEnabled) ? this.authCache.lookup(idToken, this.utcNow()) : null;
    if (!this.online) {
      accept(cached === "Accepted" && this.model.bool(V.localAuthorizeOffline) ? "Accepted" : cached ?? "Unknown");
      return;
    }
    if (cached === "Accepted" && this.model.bool(V.localPreAuthorize)) {
      accept("Accepted");
      return;
    }
    this.send("Authorize", { idToken: token }, (o) => {
      if (!o.ok) {
        accept(cached === "Accepted" && this.model.bool(V.localAuthorizeOffline) ? "Accepted" : "Unknown");
        return;
      }
      const info = (o.payload.idTokenInfo ?? {}) as { status?: string; cacheExpiryDateTime?: string };
      const status = info.status ?? "Invalid";
      if (this.model.bool(V.authCacheEnabled)) {
        const exp = info.cacheExpiryDateTime ? Date.parse(info.cacheExpiryDateTime) : undefined;
        this.authCache.store(idToken, status, this.utcNow(), this.model.int(V.authCacheLifetime), Number.isFinite(exp) ? exp : undefined);
      }
      accept(status);
    });
  }

  // ------------------------------------------------------------ transactions

  private conditions(s: EvseSnapshot): Conditions {
    return { EVConnected: s.plugged, Authorized: s.authorized, PowerPathClosed: s.energyFlowing, EnergyTransfer: s.energyFlowing && s.meter.powerW > 0 };
  }

  private chargingState(s: EvseSnapshot): string {
    if (s.energyFlowing) return "Charging";
    if (s.suspendedByEv) return "SuspendedEV";
    if (s.plugged && s.authorized) return "SuspendedEVSE";
    if (s.plugged) return "EVConnected";
    return "Idle";
  }

  private points(name: string): (keyof Conditions)[] {
    return this.model.str(name).split(",").map((x) => x.trim()).filter((x): x is keyof Conditions =>
      x === "EVConnected" || x === "Authorized" || x === "PowerPathClosed" || x === "EnergyTransfer");
  }

  protected processTransactions(nowMs: number): void {
    void nowMs;
    const startPoints = this.points(V.txStartPoint);
    const stopPoints = this.points(V.txStopPoint);
    for (const e of this.evseList) {
      const id = e.evseId;
      const snap = this.port.snapshot(id);
      const now = this.conditions(snap);
      const before = this.prev[id] ?? { EVConnected: false, Authorized: false, PowerPathClosed: false, EnergyTransfer: false };
      this.prev[id] = now;
      const rose = (k: keyof Conditions) => now[k] && !before[k];
      const fell = (k: keyof Conditions) => !now[k] && before[k];
      const t = this.tx[id];
      if (t) t.cond = now;
      if (!t) {
        if (startPoints.some(rose)) this.startTransaction(id, snap, rose);
        continue;
      }
      if (stopPoints.some(fell) || (!snap.plugged && !snap.authorized && !snap.energyFlowing)) {
        this.endTransaction(t, snap, fell);
        continue;
      }
      this.updateTransaction(t, snap, rose);
    }
  }

  private startTransaction(evseId: number, snap: EvseSnapshot, rose: (k: keyof Conditions) => boolean): void {
    const pending = snap.authorized ? this.pending[evseId] : undefined;
    if (pending) delete this.pending[evseId];
    const utc = this.utcNow();
    const t: Tx201 = {
      transactionId: `${this.config.stationId.slice(0, 12)}-${evseId}-${utc.toString(36)}${(this.txCounter++).toString(36)}`.slice(0, 36),
      evseId, seqNo: 0, startedMs: utc, chargingState: this.chargingState(snap), lastSampleMs: utc, cond: this.prev[evseId],
      ...(pending ? { idToken: pending.idToken } : {}),
      ...(pending?.remoteStartId !== undefined ? { remoteStartId: pending.remoteStartId } : {}),
    };
    this.tx[evseId] = t;
    const trigger = pending?.remoteStartId !== undefined ? "RemoteStart"
      : rose("Authorized") ? "Authorized" : rose("EVConnected") ? "CablePluggedIn" : "ChargingStateChanged";
    this.consumeReservation(evseId, pending?.idToken.idToken);
    if (pending?.profile) {
      const p = profileFrom201(evseId, { ...pending.profile, transactionId: t.transactionId });
      const reason = validateProfile(p, this.validationContext());
      if (reason === null) { this.profiles = installProfile(this.profiles, p); this.saveProfiles(); }
      else this.note(`RequestStartTransaction profile rejected: ${reason}`);
    }
    this.event(t, "Started", trigger, snap, { meter: "Transaction.Begin", idToken: t.idToken });
    this.limitsDirty = true;
  }

  private updateTransaction(t: Tx201, snap: EvseSnapshot, rose: (k: keyof Conditions) => boolean): void {
    const pending = snap.authorized && rose("Authorized") ? this.pending[t.evseId] : undefined;
    if (pending) {
      delete this.pending[t.evseId];
      t.idToken = pending.idToken;
      if (pending.remoteStartId !== undefined) t.remoteStartId = pending.remoteStartId;
    }
    const state = this.chargingState(snap);
    const stateChanged = state !== t.chargingState;
    t.chargingState = state;
    const utc = this.utcNow();
    const intervalS = this.model.int(V.sampleInterval);
    const periodic = intervalS > 0 && utc - t.lastSampleMs >= intervalS * 1000;
    let trigger: string | null = null;
    if (pending) trigger = pending.remoteStartId !== undefined ? "RemoteStart" : "Authorized";
    else if (rose("EVConnected")) trigger = "CablePluggedIn";
    else if (stateChanged) trigger = "ChargingStateChanged";
    else if (periodic) trigger = "MeterValuePeriodic";
    if (trigger === null) return;
    if (periodic) t.lastSampleMs = utc;
    this.event(t, "Updated", trigger, snap, {
      ...(periodic ? { meter: "Sample.Periodic" as SampleContext } : {}),
      ...(pending ? { idToken: pending.idToken } : {}),
      chargingStateChanged: stateChanged,
    });
  }

  private endTransaction(t: Tx201, snap: EvseSnapshot, fell: (k: keyof Conditions) => boolean): void {
    let trigger: string;
    let reason: string;
    if (t.stop) ({ trigger, reason } = t.stop);
    else if (snap.lastStopReason) [trigger, reason] = stopReasonMap[snap.lastStopReason];
    else if (fell("EVConnected")) [trigger, reason] = ["EVCommunicationLost", "EVDisconnected"];
    else if (fell("Authorized")) [trigger, reason] = ["StopAuthorized", "Local"];
    else [trigger, reason] = ["AbnormalCondition", "Other"];
    t.chargingState = this.chargingState(snap);
    this.event(t, "Ended", trigger, snap, { meter: "Transaction.End", stoppedReason: reason, chargingStateChanged: true });
    delete this.tx[t.evseId];
    this.storage.delete(TX_KEY + t.evseId);
    this.profiles = dropTransactionProfiles(this.profiles, t.evseId);
    this.saveProfiles();
  }

  private event(t: Tx201, eventType: "Started" | "Updated" | "Ended", triggerReason: string, snap: EvseSnapshot,
    extra: { meter?: SampleContext; idToken?: IdToken; stoppedReason?: string; chargingStateChanged?: boolean }): void {
    const timestamp = this.isoNow();
    const payload: JsonObject = {
      eventType, timestamp, triggerReason, seqNo: t.seqNo++,
      transactionInfo: {
        transactionId: t.transactionId,
        ...(eventType === "Started" || extra.chargingStateChanged ? { chargingState: t.chargingState } : {}),
        ...(extra.stoppedReason ? { stoppedReason: extra.stoppedReason } : {}),
        ...(t.remoteStartId !== undefined && (eventType === "Started" || triggerReason === "RemoteStart") ? { remoteStartId: t.remoteStartId } : {}),
      },
      evse: { id: t.evseId, connectorId: 1 },
      ...(extra.idToken ? { idToken: extra.idToken } : {}),
      ...(extra.meter ? { meterValue: [{ timestamp, sampledValue: sampledValues201(snap.meter, extra.meter, extra.meter !== "Transaction.Begin") }] } : {}),
      ...(this.online ? {} : { offline: true }),
    };
    if (eventType !== "Ended") this.storage.set(TX_KEY + t.evseId, JSON.stringify(t));
    this.enqueue("TransactionEvent", payload);
  }

  // ------------------------------------------------------------ CSMS calls

  private validationContext() {
    return {
      evseIds: this.evseList.map((e) => e.evseId),
      transactionIdOn: (evseId: number) => this.tx[evseId]?.transactionId ?? null,
      existing: this.profiles,
      maxStackLevel: this.model.int(V.maxStackLevel),
      maxPeriods: this.model.int(V.maxPeriods),
    };
  }

  protected handleCall(action: string, p: any): HandlerReply {
    switch (action) {
      case "RequestStartTransaction": return this.requestStart(p);
      case "RequestStopTransaction": {
        const t = Object.values(this.tx).find((x) => x.transactionId === p.transactionId);
        if (!t) return { payload: { status: "Rejected" } };
        t.stop = { trigger: "RemoteStop", reason: "Remote" };
        const ok = this.port.stopSession(t.evseId, "Remote");
        if (!ok) { delete t.stop; return { payload: { status: "Rejected" } }; }
        return { payload: { status: "Accepted" }, after: () => this.processTransactions(this.nowMs) };
      }
      case "Reset": {
        if (p.evseId !== undefined && !this.evseExists(p.evseId)) return { payload: { status: "Rejected" } };
        const busy = Object.keys(this.tx).length > 0;
        const kind = p.type === "Immediate" ? "Immediate" : "OnIdle";
        if (kind === "Immediate") for (const t of Object.values(this.tx)) t.stop = { trigger: "ResetCommand", reason: "ImmediateReset" };
        if (!this.port.reset(kind)) return { payload: { status: "Rejected" } };
        return { payload: { status: kind === "OnIdle" && busy ? "Scheduled" : "Accepted" } };
      }
      case "ChangeAvailability": {
        const evseId: number = p.evse?.id ?? 0;
        if (evseId !== 0 && !this.evseExists(evseId)) return { payload: { status: "Rejected" } };
        if (p.evse?.connectorId !== undefined && p.evse.connectorId !== 1) return { payload: { status: "Rejected" } };
        const inoperative = p.operationalStatus === "Inoperative";
        const busy = evseId === 0 ? Object.keys(this.tx).length > 0 : this.tx[evseId] !== undefined;
        this.setInoperative(evseId, inoperative);
        return { payload: { status: inoperative && busy ? "Scheduled" : "Accepted" } };
      }
      case "TriggerMessage": return this.trigger(p);
      case "UnlockConnector": {
        if (!this.evseExists(p.evseId) || p.connectorId !== 1) return { payload: { status: "UnknownConnector" } };
        const t = this.tx[p.evseId];
        if (t && t.idToken) return { payload: { status: "OngoingAuthorizedTransaction" } };
        return { payload: { status: this.port.unlock(p.evseId) } };
      }
      case "GetVariables": return { payload: { getVariableResult: p.getVariableData.map((d: any) => this.getVariable(d)) } };
      case "SetVariables": return { payload: { setVariableResult: p.setVariableData.map((d: any) => this.setVariable(d)) } };
      case "ReserveNow": return this.reserve(p);
      case "CancelReservation": return this.cancelReservation(p.reservationId);
      case "DataTransfer": return this.dataTransfer(p.vendorId);
      case "SetChargingProfile": {
        const profile = profileFrom201(p.evseId, p.chargingProfile);
        if (p.chargingProfile.chargingSchedule.length > 1) return rejected("UnsupportedRequest", "only one chargingSchedule per profile");
        const reason = validateProfile(profile, this.validationContext());
        if (reason !== null) return rejected("InvalidProfile", reason);
        if (profile.purpose === "TxProfile" && profile.transactionId === undefined) profile.transactionId = this.tx[profile.evseId].transactionId;
        this.profiles = installProfile(this.profiles, profile);
        this.saveProfiles();
        return { payload: { status: "Accepted" }, after: () => this.refreshLimits(true) };
      }
      case "ClearChargingProfile": {
        const c = p.chargingProfileCriteria ?? {};
        if (c.chargingProfilePurpose === "ChargingStationExternalConstraints") return { payload: { status: "Unknown" } };
        const { remaining, cleared } = clearProfiles(this.profiles, {
          id: p.chargingProfileId, evseId: c.evseId, purpose: c.chargingProfilePurpose as Purpose | undefined, stackLevel: c.stackLevel,
        });
        if (cleared === 0) return { payload: { status: "Unknown" } };
        this.profiles = remaining;
        this.saveProfiles();
        return { payload: { status: "Accepted" }, after: () => this.refreshLimits(true) };
      }
      case "GetChargingProfiles": return this.getProfiles(p);
      case "GetCompositeSchedule": return this.composite(p);
      case "ClearCache":
        this.authCache.clear();
        return { payload: { status: "Accepted" } };
      default:
        throw new OcppError("NotSupported", `${action} is not supported`);
    }
  }

  private requestStart(p: any): HandlerReply {
    const evseId: number | undefined = p.evseId;
    if (evseId === undefined || !this.evseExists(evseId)) return rejected("UnknownEvse", "evseId missing or unknown");
    const snap = this.port.snapshot(evseId);
    const existing = this.tx[evseId];
    if (!this.isUsable(evseId, snap) || (existing && existing.idToken) || snap.authorized) return { payload: { status: "Rejected" } };
    const reservation = this.reservations.find((r) => r.evseId === evseId);
    if (reservation && reservation.idToken !== p.idToken.idToken) return { payload: { status: "Rejected" } };
    if (p.chargingProfile && p.chargingProfile.chargingProfilePurpose !== "TxProfile") return rejected("InvalidProfile", "chargingProfile must be a TxProfile");
    this.pending[evseId] = { idToken: { idToken: p.idToken.idToken, type: p.idToken.type }, remoteStartId: p.remoteStartId, ...(p.chargingProfile ? { profile: p.chargingProfile } : {}) };
    if (!this.port.startSession(evseId, p.idToken.idToken)) {
      delete this.pending[evseId];
      return { payload: { status: "Rejected" } };
    }
    return {
      payload: { status: "Accepted", ...(existing ? { transactionId: existing.transactionId } : {}) },
      after: () => this.processTransactions(this.nowMs),
    };
  }

  private trigger(p: any): HandlerReply {
    const evseId: number | undefined = p.evse?.id;
    if (evseId !== undefined && evseId !== 0 && !this.evseExists(evseId)) return { payload: { status: "Rejected" } };
    const targets = evseId ? [evseId] : this.evseList.map((e) => e.evseId);
    switch (p.requestedMessage) {
      case "BootNotification":
        if (this.registration === "Accepted") return { payload: { status: "Rejected" } };
        return { payload: { status: "Accepted" }, after: () => this.send("BootNotification", this.bootPayload(), undefined, true) };
      case "Heartbeat":
        return { payload: { status: "Accepted" }, after: () => this.send("Heartbeat", {}, undefined, true) };
      case "StatusNotification":
        if (evseId === undefined || p.evse?.connectorId === undefined) return { payload: { status: "Rejected" } };
        return {
          payload: { status: "Accepted" },
          after: () => this.send("StatusNotification", this.statusPayload(evseId, this.evseStatus(evseId, this.port.snapshot(evseId))), undefined, true),
        };
      case "MeterValues":
        return {
          payload: { status: "Accepted" },
          after: () => {
            for (const id of targets) {
              const m = this.port.snapshot(id).meter;
              this.send("MeterValues", { evseId: id, meterValue: [{ timestamp: this.isoNow(), sampledValue: sampledValues201(m, "Trigger", true) }] }, undefined, true);
            }
          },
        };
      case "TransactionEvent": {
        const txs = targets.map((id) => this.tx[id]).filter((t): t is Tx201 => !!t);
        if (txs.length === 0) return { payload: { status: "Rejected" } };
        return {
          payload: { status: "Accepted" },
          after: () => { for (const t of txs) this.event(t, "Updated", "Trigger", this.port.snapshot(t.evseId), { meter: "Trigger", chargingStateChanged: true }); },
        };
      }
      default:
        return { payload: { status: "NotImplemented" } };
    }
  }

  private variableRef(d: any): { component: JsonObject; variable: JsonObject } {
    return { component: d.component, variable: d.variable };
  }

  private getVariable(d: any): JsonObject {
    const ref = this.variableRef(d);
    if (d.attributeType && d.attributeType !== "Actual") return { attributeStatus: "NotSupportedAttributeType", attributeType: d.attributeType, ...ref };
    if (d.component.evse) return { attributeStatus: "UnknownComponent", ...ref };
    if (d.component.name === "ClockCtrlr" && d.variable.name === "DateTime") return { attributeStatus: "Accepted", attributeValue: this.isoNow(), ...ref };
    const r = this.model.get(d.component.name, d.variable.name, d.variable.instance ?? d.component.instance);
    return { attributeStatus: r.status, ...(r.value !== undefined ? { attributeValue: r.value.slice(0, 2500) } : {}), ...ref };
  }

  private setVariable(d: any): JsonObject {
    const ref = this.variableRef(d);
    if (d.attributeType && d.attributeType !== "Actual") return { attributeStatus: "NotSupportedAttributeType", attributeType: d.attributeType, ...ref };
    if (d.component.evse) return { attributeStatus: "UnknownComponent", ...ref };
    const status = this.model.set(d.component.name, d.variable.name, d.variable.instance ?? d.component.instance, d.attributeValue);
    if (status === "Accepted") this.variableChanged(d.component.name, d.variable.name);
    return { attributeStatus: status, ...ref };
  }

  private variableChanged(component: string, variable: string): void {
    if (component === "OCPPCommCtrlr" && variable === "HeartbeatInterval") this.heartbeatIntervalS = this.model.int(V.heartbeat);
    if (component === "OCPPCommCtrlr" && variable === "MessageTimeout" && this.rpc) this.rpc.callTimeoutMs = this.model.int(V.messageTimeout) * 1000;
  }

  private reserve(p: any): HandlerReply {
    const evseId: number | undefined = p.evseId;
    if (evseId === undefined || !this.evseExists(evseId)) return { payload: { status: "Rejected" } };
    const snap = this.port.snapshot(evseId);
    if (snap.faulted) return { payload: { status: "Faulted" } };
    if (!this.isUsable(evseId, snap)) return { payload: { status: "Unavailable" } };
    const other = this.reservations.find((r) => r.evseId === evseId && r.id !== p.id);
    if (snap.plugged || this.tx[evseId] || other) return { payload: { status: "Occupied" } };
    this.reservations = [...this.reservations.filter((r) => r.id !== p.id), { id: p.id, evseId, idToken: p.idToken.idToken, expiresMs: Date.parse(p.expiryDateTime) }];
    this.saveReservations();
    return { payload: { status: "Accepted" } };
  }

  protected override reservationEnded(r: Reservation, why: "Expired" | "Removed"): void {
    this.send("ReservationStatusUpdate", { reservationId: r.id, reservationUpdateStatus: why });
  }

  private getProfiles(p: any): HandlerReply {
    const c = p.chargingProfile ?? {};
    if (Array.isArray(c.chargingLimitSource) && !c.chargingLimitSource.includes("CSO")) return { payload: { status: "NoProfiles" } };
    const match = this.profiles.filter((x) =>
      (p.evseId === undefined || x.evseId === p.evseId) &&
      (c.chargingProfilePurpose === undefined || x.purpose === c.chargingProfilePurpose) &&
      (c.stackLevel === undefined || x.stackLevel === c.stackLevel) &&
      (!Array.isArray(c.chargingProfileId) || c.chargingProfileId.includes(x.id)));
    if (match.length === 0) return { payload: { status: "NoProfiles" } };
    const byEvse = new Map<number, ChargingProfile[]>();
    for (const x of match) byEvse.set(x.evseId, [...(byEvse.get(x.evseId) ?? []), x]);
    const groups = [...byEvse.entries()];
    return {
      payload: { status: "Accepted" },
      after: () => groups.forEach(([evseId, list], i) => this.send("ReportChargingProfiles", {
        requestId: p.requestId, chargingLimitSource: "CSO", evseId, chargingProfile: list.map(profileTo201),
        ...(i < groups.length - 1 ? { tbc: true } : {}),
      })),
    };
  }

  /** GetCompositeSchedule (K08). */
  private composite(p: any): HandlerReply {
    const evseId: number = p.evseId;
    if (evseId !== 0 && !this.evseExists(evseId)) return rejected("UnknownEvse", `evse ${evseId} does not exist`);
    if (p.duration <= 0) return rejected("InvalidValue", "duration must be positive");
    const unit = (p.chargingRateUnit ?? "W") as "W" | "A";
    const c = this.compositeForWire(evseId, p.duration, unit);
    return {
      payload: {
        status: "Accepted",
        schedule: { evseId, duration: p.duration, scheduleStart: isoOf(c.startMs), chargingRateUnit: unit, chargingSchedulePeriod: c.periods },
      },
    };
  }
}

function rejected(reasonCode: string, additionalInfo: string): HandlerReply {
  return { payload: { status: "Rejected", statusInfo: { reasonCode: reasonCode.slice(0, 20), additionalInfo: additionalInfo.slice(0, 512) } } };
}
