/**
 * The contract every power-module CAN protocol implements: pure encode/decode,
 * no I/O, no time. The module manager (src/modules) talks to modules only
 * through this, so a protocol is chosen per cabinet in the config.
 *
 * Both directions are here: the controller side (poll/command frames out,
 * replies in) and the module side (requests in, replies out), which the
 * simulated module bank in host-sim uses and the golden tests check.
 */
import type { CanFilter, CanFrame } from "../../hal/can";

/** What a request reads or sets. Not every protocol has every item. */
export type ModuleItem =
  | "measurement" // voltage and current together (InfyPower 0x03)
  | "voltage"
  | "current"
  | "status"
  | "temperature"
  | "moduleCount"
  | "capabilities"
  | "onOff"
  | "setVoltage"
  | "setCurrent"
  | "setVoltageCurrent"
  | "voltageMode";

export interface ModuleRequest {
  /** Target module address; ignored when `broadcast`. */
  address: number;
  broadcast: boolean;
  /** With `broadcast`: only the modules of this group (protocols with group addressing). */
  group?: number;
  op: "read" | "set";
  item: ModuleItem;
  /** Set value(s) in SI units: V, A, 1 = off / 0 = on for onOff, mode number for voltageMode. */
  values: number[];
}

export interface ModuleCapabilities {
  maxVoltageV: number;
  minVoltageV: number;
  maxCurrentA: number;
  ratedPowerKW: number;
}

/** A decoded reply from one module: only the fields that frame carried are present. */
export interface ModuleReport {
  address: number;
  item: ModuleItem;
  /** False when the module refused the request (error code / status). */
  accepted: boolean;
  voltageV?: number;
  currentA?: number;
  tempC?: number;
  running?: boolean;
  alarms?: string[];
  moduleCount?: number;
  capabilities?: ModuleCapabilities;
}

/** What a module (real or simulated) knows about itself, to answer a read. */
export interface ModuleSnapshot {
  voltageV: number;
  currentA: number;
  tempC: number;
  running: boolean;
  alarms: readonly string[];
  moduleCount: number;
  capabilities: ModuleCapabilities;
}

export interface ModuleSetpoint {
  enabled: boolean;
  voltageV: number;
  currentLimitA: number;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ModuleProtocol {
  readonly name: "infypower" | "uugreen" | "winline";
  readonly bitrate: 125000 | 250000 | 500000;
  /** Protocol-defined address range of a single module. */
  readonly minAddress: number;
  readonly maxAddress: number;
  /** Filters that let replies to the controller through. */
  replyFilters(): CanFilter[];
  /** Requests that refresh everything the manager reports for one module. */
  pollFrames(address: number): CanFrame[];
  /** Frames that apply a setpoint (mode and values) to one module. */
  setpointFrames(address: number, setpoint: ModuleSetpoint): CanFrame[];
  /** The same for every module at once, or null when the protocol has no broadcast. */
  broadcastSetpointFrames(setpoint: ModuleSetpoint): CanFrame[] | null;
  /** The same for one group of modules, or null when the protocol has no group addressing. */
  groupSetpointFrames(group: number, setpoint: ModuleSetpoint): CanFrame[] | null;
  /** Encode one request (controller side). */
  encodeRequest(request: ModuleRequest): CanFrame;
  /** Controller side: a frame from a module. Never throws. */
  decodeReply(frame: CanFrame): Decoded<ModuleReport>;
  /** Module side: a frame from the controller. Never throws. */
  decodeRequest(frame: CanFrame): Decoded<ModuleRequest>;
  /** Module side: the reply of module `address` to `request`. */
  encodeReply(address: number, request: ModuleRequest, snapshot: ModuleSnapshot, accepted: boolean): CanFrame;
}

export function ok<T>(value: T): Decoded<T> {
  return { ok: true, value };
}

export function bad<T>(reason: string): Decoded<T> {
  return { ok: false, reason };
}
