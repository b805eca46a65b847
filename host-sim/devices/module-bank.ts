/**
 * A bank of simulated power modules on a CAN bus, speaking one of the module
 * protocols from the module side. Platform-free: time comes in through `step(nowMs)`.
 *
 * Each module follows its setpoints, reports a settable load current, temperature
 * and alarms, switches itself off after `selfOffAfterMs` without controller
 * traffic (InfyPower: 10 s), and can be made silent to model a cut cable or a
 * dead CAN transceiver.
 */
import type { CanBus } from "../../hal/can";
import type { ModuleProtocol, ModuleRequest, ModuleSnapshot } from "../../src/protocols/types";

export interface SimModule {
  address: number;
  enabled: boolean;
  setVoltageV: number;
  setCurrentA: number;
  /** Current drawn by the load when the output is on (limited by setCurrentA). */
  loadCurrentA: number;
  tempC: number;
  alarms: string[];
  /** Receives nothing and answers nothing. */
  silent: boolean;
  voltageMode: number;
  /** Group for group-addressed commands (InfyPower device type 0x0B, Winline group bits). */
  group: number;
  lastTrafficMs: number;
  /** Requests seen, for tests. */
  requests: number;
}

export interface ModuleBankOptions {
  protocol: ModuleProtocol;
  bus: CanBus;
  addresses: readonly number[];
  selfOffAfterMs?: number;
  maxVoltageV?: number;
  maxCurrentA?: number;
  ratedPowerKW?: number;
}

export class SimModuleBank {
  readonly modules = new Map<number, SimModule>();
  private readonly protocol: ModuleProtocol;
  private readonly bus: CanBus;
  private readonly selfOffAfterMs: number;
  private readonly caps: ModuleSnapshot["capabilities"];
  /** Frames the bank could not decode. */
  badFrames = 0;

  constructor(o: ModuleBankOptions) {
    this.protocol = o.protocol;
    this.bus = o.bus;
    this.selfOffAfterMs = o.selfOffAfterMs ?? 10000;
    this.caps = { maxVoltageV: o.maxVoltageV ?? 1000, minVoltageV: 150, maxCurrentA: o.maxCurrentA ?? 100, ratedPowerKW: o.ratedPowerKW ?? 30 };
    for (const address of o.addresses) {
      this.modules.set(address, { address, enabled: false, setVoltageV: 0, setCurrentA: 0, loadCurrentA: 0, tempC: 30, alarms: [], silent: false, voltageMode: 0, group: 0, lastTrafficMs: 0, requests: 0 });
    }
  }

  module(address: number): SimModule {
    const m = this.modules.get(address);
    if (!m) throw new Error(`sim module bank: no module at address ${address}`);
    return m;
  }

  /** Process every pending frame, answer, and apply the traffic timeout. */
  step(nowMs: number): void {
    for (let f = this.bus.receive(); f; f = this.bus.receive()) {
      const r = this.protocol.decodeRequest(f);
      if (!r.ok) {
        this.badFrames++;
        continue;
      }
      const group = r.value.group;
      const targets = r.value.broadcast
        ? [...this.modules.values()].filter((m) => group === undefined || m.group === group)
        : [this.modules.get(r.value.address)].filter((m): m is SimModule => !!m);
      for (const m of targets) {
        if (m.silent) continue;
        m.lastTrafficMs = nowMs;
        m.requests++;
        const accepted = this.apply(m, r.value);
        // Broadcast sets are not answered (several modules would collide on one id).
        if (r.value.broadcast && r.value.op === "set") continue;
        this.bus.send(this.protocol.encodeReply(m.address, r.value, this.snapshot(m), accepted));
      }
    }
    for (const m of this.modules.values()) {
      if (m.enabled && nowMs - m.lastTrafficMs > this.selfOffAfterMs) m.enabled = false;
    }
  }

  snapshot(m: SimModule): ModuleSnapshot {
    const on = m.enabled && m.alarms.length === 0;
    return {
      voltageV: on ? m.setVoltageV : 0,
      currentA: on ? Math.min(m.loadCurrentA, m.setCurrentA) : 0,
      tempC: m.tempC,
      running: on,
      alarms: m.alarms,
      moduleCount: this.modules.size,
      capabilities: this.caps,
    };
  }

  private apply(m: SimModule, r: ModuleRequest): boolean {
    if (r.op === "read") return true;
    const v = r.values;
    switch (r.item) {
      case "onOff":
        m.enabled = v[0] === 0;
        return true;
      case "setVoltage":
        return this.setVoltage(m, v[0]);
      case "setCurrent":
        return this.setCurrent(m, v[0]);
      case "setVoltageCurrent":
        return this.setVoltage(m, v[0]) && this.setCurrent(m, v[1]);
      case "voltageMode":
        m.voltageMode = v[0];
        return true;
      default:
        return false;
    }
  }

  private setVoltage(m: SimModule, voltageV: number): boolean {
    if (!(voltageV >= 0 && voltageV <= this.caps.maxVoltageV)) return false;
    m.setVoltageV = voltageV;
    return true;
  }

  private setCurrent(m: SimModule, currentA: number): boolean {
    if (!(currentA >= 0 && currentA <= this.caps.maxCurrentA)) return false;
    m.setCurrentA = currentA;
    return true;
  }
}
