/**
 * OCPP 1.6J Charge Point: Core, Smart Charging, Remote Trigger and Reservation profiles.
 * Connector n = EVSE n. StartTransaction / StopTransaction / transaction MeterValues go
 * through the same persistent queue as 2.0.1 TransactionEvents; the CSMS' transactionId
 * is mapped onto the local transaction reference when StartTransaction is answered.
 */
import { V } from "./device-model";
import { OcppError, type JsonObject } from "./framing";
import { sampledValues16, type SampleContext } from "./meter";
import type { CabinetStopReason, EvseSnapshot } from "./port";
import { isoOf, profileFrom16 } from "./profile-codec";
import type { HandlerReply } from "./rpc";
import { knownUnsupported16, requests16 } from "./schemas";
import { clearProfiles, dropTransactionProfiles, installProfile, validateProfile, type Purpose } from "./smart-charging";
import { StationCore, type StationOptions } from "./station-core";
import type { QueuedMessage } from "./tx-queue";

interface Tx16 {
  localId: string;
  evseId: number;
  idTag: string;
  startedMs: number;
  lastSampleMs: number;
  /** CSMS transactionId once StartTransaction was answered. */
  serverId?: number;
  stopReason?: string;
  /** Remote start's TxProfile to install when the transaction exists. */
  profile?: JsonObject;
}

const TX_KEY = "ocpp/tx16/";
const MAP_KEY = "ocpp/txmap16/";

const stopReasons: Record<CabinetStopReason, string> = {
  Local: "Local", EVDisconnected: "EVDisconnected", EmergencyStop: "EmergencyStop", PowerLoss: "PowerLoss",
  Other: "Other", Remote: "Remote", DeAuthorized: "DeAuthorized", EnergyLimitReached: "Other",
  StoppedByEV: "Other",
};

export class Station16 extends StationCore {
  protected readonly protocol = "ocpp1.6";
  protected readonly requestSchemas = requests16;
  protected readonly knownUnsupported = knownUnsupported16;
  private tx: Record<number, Tx16> = {};
  private pendingTag: Record<number, { idTag: string; profile?: JsonObject }> = {};
  private finishing: Record<number, boolean> = {};
  private counter = 0;

  constructor(options: StationOptions) {
    super(options);
    for (const key of this.storage.keys(TX_KEY)) {
      const t = this.loadJson<Tx16 | null>(key, null);
      if (t) this.tx[t.evseId] = t;
    }
  }

  protected transactionOn(evseId: number): { id: string; startMs: number } | null {
    const t = this.tx[evseId];
    return t ? { id: t.serverId !== undefined ? String(t.serverId) : t.localId, startMs: t.startedMs } : null;
  }

  /** CSMS transaction ids by connector (undefined until StartTransaction was answered). */
  get transactions(): Record<number, number | undefined> {
    const out: Record<number, number | undefined> = {};
    for (const k of Object.keys(this.tx)) out[Number(k)] = this.tx[Number(k)].serverId;
    return out;
  }

  protected bootPayload(): JsonObject {
    return {
      chargePointVendor: this.config.vendor, chargePointModel: this.config.model,
      ...(this.options.firmwareVersion ? { firmwareVersion: this.options.firmwareVersion.slice(0, 50) } : {}),
      ...(this.options.serialNumber ? { chargePointSerialNumber: this.options.serialNumber.slice(0, 25) } : {}),
    };
  }

  protected override statusTargets(): number[] { return [0, ...this.evseList.map((e) => e.evseId)]; }

  protected override statusOf(id: number): string {
    if (id === 0) return this.inoperative[0] ? "Unavailable" : "Available";
    return this.evseStatus(id, this.port.snapshot(id));
  }

  protected evseStatus(evseId: number, s: EvseSnapshot): string {
    const base = this.baseStatus(evseId, s);
    if (base) return base;
    if (!s.plugged) this.finishing[evseId] = false;
    const t = this.tx[evseId];
    if (t && s.plugged) return s.energyFlowing ? "Charging" : s.suspendedByEv ? "SuspendedEV" : "SuspendedEVSE";
    if (s.plugged && this.finishing[evseId]) return "Finishing";
    if (s.plugged || s.authorized) return "Preparing";
    return "Available";
  }

  protected statusPayload(id: number, status: string): JsonObject {
    const faulted = status === "Faulted";
    return { connectorId: id, errorCode: faulted ? "OtherError" : "NoError", status, timestamp: this.isoNow() };
  }

  /** The cabinet's authorize hook (see Station201.authorize). */
  authorize(evseId: number, idTag: string, done: (status: string) => void): void {
    const accept = (status: string) => {
      if (status === "Accepted") this.pendingTag[evseId] = { idTag };
      done(status);
    };
    const cached = this.model.bool(V.authCacheEnabled) ? this.authCache.lookup(idTag, this.utcNow()) : null;
    if (!this.online || (cached === "Accepted" && this.model.bool(V.localPreAuthorize))) {
      accept(cached === "Accepted" && (this.online || this.model.bool(V.localAuthorizeOffline)) ? "Accepted" : cached ?? "Invalid");
      return;
    }
    this.send("Authorize", { idTag }, (o) => {
      if (!o.ok) { accept(cached === "Accepted" && this.model.bool(V.localAuthorizeOffline) ? "Accepted" : "Invalid"); return; }
      const info = (o.payload.idTagInfo ?? {}) as { status?: string; expiryDate?: string };
      const status = info.status ?? "Invalid";
      if (this.model.bool(V.authCacheEnabled)) {
        const exp = info.expiryDate ? Date.parse(info.expiryDate) : undefined;
        this.authCache.store(idTag, status, this.utcNow(), this.model.int(V.authCacheLifetime), Number.isFinite(exp) ? exp : undefined);
      }
      accept(status);
    });
  }

  // ------------------------------------------------------------ transactions

  protected processTransactions(): void {
    for (const e of this.evseList) {
      const id = e.evseId;
      const s = this.port.snapshot(id);
      const t = this.tx[id];
      if (!t) {
        if (s.plugged && s.authorized) this.startTx(id, s);
        continue;
      }
      if (!s.plugged || !s.authorized) {
        this.stopTx(t, s);
        continue;
      }
      const intervalS = this.model.int(V.sampleInterval);
      const utc = this.utcNow();
      if (intervalS > 0 && utc - t.lastSampleMs >= intervalS * 1000) {
        t.lastSampleMs = utc;
        this.save(t);
        this.enqueue("MeterValues", { connectorId: id, transactionId: 0, meterValue: [this.meterValue(s, "Sample.Periodic")] }, t.localId);
      }
    }
  }

  private meterValue(s: EvseSnapshot, context: SampleContext): JsonObject {
    return { timestamp: this.isoNow(), sampledValue: sampledValues16(s.meter, context, context !== "Transaction.Begin" && context !== "Transaction.End") };
  }

  private save(t: Tx16): void { this.storage.set(TX_KEY + t.evseId, JSON.stringify(t)); }

  private startTx(evseId: number, s: EvseSnapshot): void {
    const pending = this.pendingTag[evseId];
    delete this.pendingTag[evseId];
    const utc = this.utcNow();
    const t: Tx16 = {
      localId: `L${this.bootNumber}.${evseId}.${utc.toString(36)}.${this.counter++}`, evseId,
      idTag: pending?.idTag ?? "UNKNOWN", startedMs: utc, lastSampleMs: utc,
      ...(pending?.profile ? { profile: pending.profile } : {}),
    };
    this.tx[evseId] = t;
    this.finishing[evseId] = false;
    this.save(t);
    const reservation = this.consumeReservation(evseId, pending?.idTag);
    this.enqueue("StartTransaction", {
      connectorId: evseId, idTag: t.idTag.slice(0, 20), meterStart: Math.round(s.meter.energyWh), timestamp: this.isoNow(),
      ...(reservation ? { reservationId: reservation.id } : {}),
    }, t.localId);
    this.limitsDirty = true;
  }

  private stopTx(t: Tx16, s: EvseSnapshot): void {
    const reason = t.stopReason ?? (s.lastStopReason ? stopReasons[s.lastStopReason] : !s.plugged ? "EVDisconnected" : "Local");
    this.enqueue("StopTransaction", {
      transactionId: 0, meterStop: Math.round(s.meter.energyWh), timestamp: this.isoNow(), reason,
      idTag: t.idTag.slice(0, 20), transactionData: [this.meterValue(s, "Transaction.End")],
    }, t.localId);
    delete this.tx[t.evseId];
    this.storage.delete(TX_KEY + t.evseId);
    this.finishing[t.evseId] = s.plugged;
    this.profiles = dropTransactionProfiles(this.profiles, t.evseId);
    this.saveProfiles();
  }

  protected override prepareQueued(entry: QueuedMessage): JsonObject | null {
    if (!entry.localTx || entry.action === "StartTransaction") return entry.payload;
    const mapped = this.storage.get(MAP_KEY + entry.localTx);
    if (mapped === undefined) {
      // StartTransaction was never accepted (dropped after its attempts): nothing to attach to.
      this.note(`dropping ${entry.action} of unknown transaction ${entry.localTx}`);
      return null;
    }
    return { ...entry.payload, transactionId: Number(mapped) };
  }

  protected override onQueuedResult(entry: QueuedMessage, result: JsonObject): void {
    if (entry.localTx && entry.action === "StartTransaction" && typeof result.transactionId === "number") {
      this.storage.set(MAP_KEY + entry.localTx, String(result.transactionId));
      const t = Object.values(this.tx).find((x) => x.localId === entry.localTx);
      if (t) {
        t.serverId = result.transactionId;
        this.save(t);
        if (t.profile) this.installTxProfile(t, t.profile);
        const status = (result.idTagInfo as { status?: string } | undefined)?.status;
        if (status && status !== "Accepted") {
          // StopTransactionOnInvalidId: the CSMS refused the tag after the fact.
          t.stopReason = "DeAuthorized";
          this.port.stopSession(t.evseId, "DeAuthorized");
        }
      }
    }
    if (entry.localTx && entry.action === "StopTransaction") this.storage.delete(MAP_KEY + entry.localTx);
  }

  private installTxProfile(t: Tx16, wire: JsonObject): void {
    const p = profileFrom16(t.evseId, { ...wire, transactionId: t.serverId });
    const reason = validateProfile(p, this.validationContext(p));
    if (reason === null) { this.profiles = installProfile(this.profiles.filter((q) => !this.replaces(p, q)), p); this.saveProfiles(); }
    else this.note(`RemoteStartTransaction profile rejected: ${reason}`);
  }

  // ------------------------------------------------------------ CSMS calls

  /** 1.6: same stackLevel + purpose on the same connector replaces the old profile (not a clash). */
  private replaces(p: { evseId: number; purpose: string; stackLevel: number; id: number }, q: { evseId: number; purpose: string; stackLevel: number; id: number }): boolean {
    return q.id === p.id || (q.evseId === p.evseId && q.purpose === p.purpose && q.stackLevel === p.stackLevel);
  }

  private validationContext(p: { evseId: number; purpose: string; stackLevel: number; id: number }) {
    return {
      evseIds: this.evseList.map((e) => e.evseId),
      transactionIdOn: (evseId: number) => this.transactionOn(evseId)?.id ?? null,
      existing: this.profiles.filter((q) => !this.replaces(p, q)),
      maxStackLevel: this.model.int(V.maxStackLevel),
      maxPeriods: this.model.int(V.maxPeriods),
    };
  }

  protected handleCall(action: string, p: any): HandlerReply {
    switch (action) {
      case "RemoteStartTransaction": {
        const evseId: number | undefined = p.connectorId ?? this.evseList.find((e) => !this.tx[e.evseId] && !this.port.snapshot(e.evseId).authorized)?.evseId;
        if (evseId === undefined || !this.evseExists(evseId)) return { payload: { status: "Rejected" } };
        const s = this.port.snapshot(evseId);
        if (!this.isUsable(evseId, s) || this.tx[evseId] || s.authorized) return { payload: { status: "Rejected" } };
        const r = this.reservations.find((x) => x.evseId === evseId);
        if (r && r.idToken !== p.idTag) return { payload: { status: "Rejected" } };
        if (p.chargingProfile && p.chargingProfile.chargingProfilePurpose !== "TxProfile") return { payload: { status: "Rejected" } };
        this.pendingTag[evseId] = { idTag: p.idTag, ...(p.chargingProfile ? { profile: p.chargingProfile } : {}) };
        if (!this.port.startSession(evseId, p.idTag)) { delete this.pendingTag[evseId]; return { payload: { status: "Rejected" } }; }
        return { payload: { status: "Accepted" }, after: () => this.processTransactions() };
      }
      case "RemoteStopTransaction": {
        const t = Object.values(this.tx).find((x) => x.serverId === p.transactionId);
        if (!t) return { payload: { status: "Rejected" } };
        t.stopReason = "Remote";
        if (!this.port.stopSession(t.evseId, "Remote")) { delete t.stopReason; return { payload: { status: "Rejected" } }; }
        return { payload: { status: "Accepted" }, after: () => this.processTransactions() };
      }
      case "Reset": {
        const hard = p.type === "Hard";
        for (const t of Object.values(this.tx)) t.stopReason = hard ? "HardReset" : "SoftReset";
        return { payload: { status: this.port.reset(hard ? "Immediate" : "OnIdle") ? "Accepted" : "Rejected" } };
      }
      case "ChangeAvailability": {
        const id: number = p.connectorId;
        if (id !== 0 && !this.evseExists(id)) return { payload: { status: "Rejected" } };
        const inoperative = p.type === "Inoperative";
        const busy = id === 0 ? Object.keys(this.tx).length > 0 : this.tx[id] !== undefined;
        this.setInoperative(id, inoperative);
        return { payload: { status: inoperative && busy ? "Scheduled" : "Accepted" } };
      }
      case "TriggerMessage": return this.trigger(p);
      case "UnlockConnector": {
        if (!this.evseExists(p.connectorId)) return { payload: { status: "NotSupported" } };
        const t = this.tx[p.connectorId];
        if (t) { t.stopReason = "UnlockCommand"; this.port.stopSession(p.connectorId, "Remote"); }
        const r = this.port.unlock(p.connectorId);
        return { payload: { status: r === "Unlocked" ? "Unlocked" : r === "UnknownConnector" ? "NotSupported" : "UnlockFailed" } };
      }
      case "GetConfiguration": {
        const c = this.model.configuration16(p.key);
        return { payload: { configurationKey: c.known, ...(c.unknown.length ? { unknownKey: c.unknown } : {}) } };
      }
      case "ChangeConfiguration": {
        const status = this.model.change16(p.key, p.value);
        if (status === "Accepted" && p.key === "HeartbeatInterval") this.heartbeatIntervalS = this.model.int(V.heartbeat);
        if (status === "Accepted" && p.key === "MessageTimeout" && this.rpc) this.rpc.callTimeoutMs = this.model.int(V.messageTimeout) * 1000;
        return { payload: { status } };
      }
      case "ReserveNow": {
        const id: number = p.connectorId;
        if (id === 0 || !this.evseExists(id)) return { payload: { status: "Rejected" } };
        const s = this.port.snapshot(id);
        if (s.faulted) return { payload: { status: "Faulted" } };
        if (!this.isUsable(id, s)) return { payload: { status: "Unavailable" } };
        if (s.plugged || this.tx[id] || this.reservations.some((r) => r.evseId === id && r.id !== p.reservationId)) return { payload: { status: "Occupied" } };
        this.reservations = [...this.reservations.filter((r) => r.id !== p.reservationId), { id: p.reservationId, evseId: id, idToken: p.idTag, expiresMs: Date.parse(p.expiryDate) }];
        this.saveReservations();
        return { payload: { status: "Accepted" } };
      }
      case "CancelReservation": return this.cancelReservation(p.reservationId);
      case "DataTransfer": return this.dataTransfer(p.vendorId);
      case "SetChargingProfile": {
        const w = { ...p.csChargingProfiles };
        // 1.6 lets Absolute omit startSchedule ("relative to now"): pin it to now.
        if (w.chargingProfileKind === "Absolute" && w.chargingSchedule.startSchedule === undefined) {
          w.chargingSchedule = { ...w.chargingSchedule, startSchedule: this.isoNow() };
        }
        const profile = profileFrom16(p.connectorId, w);
        const reason = validateProfile(profile, this.validationContext(profile));
        if (reason !== null) { this.note(`SetChargingProfile rejected: ${reason}`); return { payload: { status: "Rejected" } }; }
        if (profile.purpose === "TxProfile" && profile.transactionId === undefined) profile.transactionId = this.transactionOn(profile.evseId)!.id;
        this.profiles = installProfile(this.profiles.filter((q) => !this.replaces(profile, q)), profile);
        this.saveProfiles();
        return { payload: { status: "Accepted" }, after: () => this.refreshLimits(true) };
      }
      case "ClearChargingProfile": {
        const purpose: Purpose | undefined = p.chargingProfilePurpose === "ChargePointMaxProfile" ? "ChargingStationMaxProfile" : p.chargingProfilePurpose;
        const { remaining, cleared } = clearProfiles(this.profiles, { id: p.id, evseId: p.connectorId, purpose, stackLevel: p.stackLevel });
        if (cleared === 0) return { payload: { status: "Unknown" } };
        this.profiles = remaining;
        this.saveProfiles();
        return { payload: { status: "Accepted" }, after: () => this.refreshLimits(true) };
      }
      case "GetCompositeSchedule": {
        const id: number = p.connectorId;
        if ((id !== 0 && !this.evseExists(id)) || p.duration <= 0) return { payload: { status: "Rejected" } };
        const unit = (p.chargingRateUnit ?? "W") as "W" | "A";
        const c = this.compositeForWire(id, p.duration, unit);
        return {
          payload: {
            status: "Accepted", connectorId: id, scheduleStart: isoOf(c.startMs),
            chargingSchedule: { duration: p.duration, startSchedule: isoOf(c.startMs), chargingRateUnit: unit, chargingSchedulePeriod: c.periods },
          },
        };
      }
      case "ClearCache":
        this.authCache.clear();
        return { payload: { status: "Accepted" } };
      default:
        throw new OcppError("NotSupported", `${action} is not supported`);
    }
  }

  private trigger(p: any): HandlerReply {
    const id: number | undefined = p.connectorId;
    if (id !== undefined && id !== 0 && !this.evseExists(id)) return { payload: { status: "Rejected" } };
    const targets = id ? [id] : this.evseList.map((e) => e.evseId);
    switch (p.requestedMessage) {
      case "BootNotification":
        return { payload: { status: "Accepted" }, after: () => this.send("BootNotification", this.bootPayload(), undefined, true) };
      case "Heartbeat":
        return { payload: { status: "Accepted" }, after: () => this.send("Heartbeat", {}, undefined, true) };
      case "StatusNotification":
        return {
          payload: { status: "Accepted" },
          after: () => { for (const c of id !== undefined ? [id] : this.statusTargets()) this.send("StatusNotification", this.statusPayload(c, this.statusOf(c)), undefined, true); },
        };
      case "MeterValues":
        return {
          payload: { status: "Accepted" },
          after: () => {
            for (const c of targets) {
              const t = this.tx[c];
              this.send("MeterValues", {
                connectorId: c, ...(t?.serverId !== undefined ? { transactionId: t.serverId } : {}),
                meterValue: [this.meterValue(this.port.snapshot(c), "Trigger")],
              }, undefined, true);
            }
          },
        };
      default:
        return { payload: { status: "NotImplemented" } };
    }
  }
}
