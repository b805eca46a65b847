/**
 * Winline power modules. 29-bit ids: protocol number 0x060 (bits 28-20),
 * point-to-point flag (19; 0 = broadcast), destination (18-11), source (10-3),
 * group (2-0). Controller address 0xF0, broadcast destination 0xFF.
 * Payload: byte 0 = 0x10 read / 0x03 set, byte 1 reserved (status in replies),
 * bytes 2-3 register (big-endian), bytes 4-7 value (big-endian).
 * Replies: byte 0 = 0x41 float / 0x42 integer, byte 1 status 0xF0 = ok.
 * Registers: 0x0001 voltage, 0x0002 current, 0x0040 status, 0x0021 set voltage
 * (float), 0x001B set current (A x 1024), 0x0030 on/off.
 * The on/off value follows public implementations: 0 = on, 0x00010000 = off
 * (any non-zero value is read as off).
 */
import type { CanFilter, CanFrame } from "../../hal/can";
import { alarmBits, bitAlarms, f32be, putF32be, putU32be, u16be, u32be } from "./bytes";
import { bad, ok, type Decoded, type ModuleItem, type ModuleProtocol, type ModuleReport, type ModuleRequest, type ModuleSetpoint, type ModuleSnapshot } from "./types";

export const WL_PROTOCOL = 0x060;
export const WL_CONTROLLER = 0xf0;
export const WL_BROADCAST = 0xff;
export const WL_OP = { read: 0x10, set: 0x03, replyFloat: 0x41, replyInteger: 0x42 } as const;
export const WL_STATUS_OK = 0xf0;
export const WL_OFF_VALUE = 0x00010000;

export const WL_REG = {
  voltage: 0x0001,
  current: 0x0002,
  status: 0x0040,
  setVoltage: 0x0021,
  setCurrent: 0x001b,
  onOff: 0x0030,
} as const;

const itemByRegister: Record<number, ModuleItem> = {
  0x0001: "voltage",
  0x0002: "current",
  0x0040: "status",
  0x0021: "setVoltage",
  0x001b: "setCurrent",
  0x0030: "onOff",
};

/** Registers whose value is a float32 (the rest are integers). */
const floatItems: readonly ModuleItem[] = ["voltage", "current", "setVoltage"];

/** Status register: bit 0 = output off (state); the rest alarms. */
const STATUS_OFF_BIT = 0;
export const WL_ALARMS: Readonly<Record<number, string>> = {
  1: "moduleFault",
  2: "moduleProtection",
  3: "fanFault",
  4: "overTemp",
  5: "outputOverVoltage",
  6: "outputShortCircuit",
  7: "inputUnderVoltage",
  8: "inputOverVoltage",
  9: "commsInterrupted",
};

export interface WinlineId {
  protocol: number;
  pointToPoint: boolean;
  destination: number;
  source: number;
  group: number;
}

export function winlineId(f: WinlineId): number {
  return (((f.protocol & 0x1ff) << 20) | ((f.pointToPoint ? 1 : 0) << 19) | ((f.destination & 0xff) << 11) | ((f.source & 0xff) << 3) | (f.group & 0x7)) >>> 0;
}

export function parseWinlineId(id: number): WinlineId {
  return {
    protocol: (id >>> 20) & 0x1ff,
    pointToPoint: ((id >>> 19) & 1) === 1,
    destination: (id >>> 11) & 0xff,
    source: (id >>> 3) & 0xff,
    group: id & 0x7,
  };
}

function registerOf(item: ModuleItem): number | undefined {
  for (const key of Object.keys(itemByRegister)) if (itemByRegister[Number(key)] === item) return Number(key);
  return undefined;
}

function checkFrame(f: CanFrame): { id: WinlineId; register: number; item: ModuleItem } | string {
  if (!f.extended) return "winline: standard id, expected 29-bit";
  if (f.data.length !== 8) return `winline: length ${f.data.length}, expected 8`;
  const id = parseWinlineId(f.id);
  if (id.protocol !== WL_PROTOCOL) return `winline: protocol number 0x${id.protocol.toString(16)}, expected 0x60`;
  const register = u16be(f.data, 2);
  const item = itemByRegister[register];
  if (item === undefined) return `winline: unknown register 0x${register.toString(16)}`;
  return { id, register, item };
}

export const winline: ModuleProtocol = {
  name: "winline",
  bitrate: 125000,
  minAddress: 0,
  maxAddress: 0xfe,

  replyFilters(): CanFilter[] {
    return [{ id: winlineId({ protocol: WL_PROTOCOL, pointToPoint: false, destination: WL_CONTROLLER, source: 0, group: 0 }), mask: (0x1ff << 20) | (0xff << 11), extended: true }];
  },

  encodeRequest(req: ModuleRequest): CanFrame {
    const register = registerOf(req.item);
    if (register === undefined) throw new Error(`winline: no register for item "${req.item}"`);
    const data = new Uint8Array(8);
    data[0] = req.op === "set" ? WL_OP.set : WL_OP.read;
    data[2] = register >> 8;
    data[3] = register & 0xff;
    if (req.op === "set") writeValue(data, req.item, req.values[0] ?? 0);
    const group = req.broadcast && req.group !== undefined ? req.group : 0;
    const id = winlineId({ protocol: WL_PROTOCOL, pointToPoint: !req.broadcast, destination: req.broadcast ? WL_BROADCAST : req.address, source: WL_CONTROLLER, group });
    return { id, extended: true, data };
  },

  pollFrames(address: number): CanFrame[] {
    const items: ModuleItem[] = ["voltage", "current", "status"];
    return items.map((item) => this.encodeRequest({ address, broadcast: false, op: "read", item, values: [] }));
  },

  setpointFrames(address: number, sp: ModuleSetpoint): CanFrame[] {
    return setFrames(this, address, false, sp);
  },

  broadcastSetpointFrames(sp: ModuleSetpoint): CanFrame[] {
    return setFrames(this, 0, true, sp);
  },

  /** Groups 1-7 (the 3-bit group field; 0 = every module). */
  groupSetpointFrames(group: number, sp: ModuleSetpoint): CanFrame[] | null {
    if (!Number.isInteger(group) || group < 1 || group > 7) return null;
    return setFrames(this, 0, true, sp, group);
  },

  decodeReply(f: CanFrame): Decoded<ModuleReport> {
    const c = checkFrame(f);
    if (typeof c === "string") return bad(c);
    if (c.id.destination !== WL_CONTROLLER) return bad(`winline: destination 0x${c.id.destination.toString(16)} is not the controller`);
    const d = f.data;
    if (d[0] !== WL_OP.replyFloat && d[0] !== WL_OP.replyInteger) return bad(`winline: byte 0 = 0x${d[0].toString(16)} is not a reply`);
    if (c.id.source === WL_BROADCAST) return bad("winline: reply from the broadcast address");
    const report: ModuleReport = { address: c.id.source, item: c.item, accepted: d[1] === WL_STATUS_OK };
    if (!report.accepted) return ok(report);
    const value = d[0] === WL_OP.replyFloat ? f32be(d, 4) : u32be(d, 4);
    if (!Number.isFinite(value)) return bad("winline: value is not a finite float");
    switch (c.item) {
      case "voltage":
      case "setVoltage":
        report.voltageV = value;
        break;
      case "current":
        report.currentA = value;
        break;
      case "setCurrent":
        report.currentA = value / 1024;
        break;
      case "status":
        report.running = Math.floor(value / 2 ** STATUS_OFF_BIT) % 2 === 0;
        report.alarms = bitAlarms(value, WL_ALARMS);
        break;
      case "onOff":
        report.running = value === 0;
        break;
    }
    return ok(report);
  },

  decodeRequest(f: CanFrame): Decoded<ModuleRequest> {
    const c = checkFrame(f);
    if (typeof c === "string") return bad(c);
    if (c.id.source !== WL_CONTROLLER) return bad(`winline: source 0x${c.id.source.toString(16)} is not the controller`);
    const d = f.data;
    const broadcast = !c.id.pointToPoint || c.id.destination === WL_BROADCAST;
    const address = broadcast ? 0 : c.id.destination;
    const g = broadcast && c.id.group !== 0 ? { group: c.id.group } : {};
    if (d[0] === WL_OP.read) return ok({ address, broadcast, ...g, op: "read", item: c.item, values: [] });
    if (d[0] !== WL_OP.set) return bad(`winline: byte 0 = 0x${d[0].toString(16)} is not a request`);
    const value = c.item === "setVoltage" ? f32be(d, 4) : c.item === "setCurrent" ? u32be(d, 4) / 1024 : c.item === "onOff" ? (u32be(d, 4) === 0 ? 0 : 1) : u32be(d, 4);
    if (!Number.isFinite(value)) return bad("winline: value is not a finite float");
    return ok({ address, broadcast, ...g, op: "set", item: c.item, values: [value] });
  },

  encodeReply(address: number, req: ModuleRequest, s: ModuleSnapshot, accepted: boolean): CanFrame {
    const register = registerOf(req.item) ?? 0;
    const data = new Uint8Array(8);
    data[0] = floatItems.includes(req.item) ? WL_OP.replyFloat : WL_OP.replyInteger;
    data[1] = accepted ? WL_STATUS_OK : 0xf1;
    data[2] = register >> 8;
    data[3] = register & 0xff;
    switch (req.item) {
      case "voltage":
        putF32be(data, 4, s.voltageV);
        break;
      case "current":
        putF32be(data, 4, s.currentA);
        break;
      case "status":
        putU32be(data, 4, alarmBits(s.alarms, WL_ALARMS) + (s.running ? 0 : 2 ** STATUS_OFF_BIT));
        break;
      default:
        writeValue(data, req.item, req.values[0] ?? 0);
    }
    const id = winlineId({ protocol: WL_PROTOCOL, pointToPoint: true, destination: WL_CONTROLLER, source: address, group: 0 });
    return { id, extended: true, data };
  },
};

function writeValue(data: Uint8Array, item: ModuleItem, value: number): void {
  if (item === "setVoltage") putF32be(data, 4, value);
  else if (item === "setCurrent") putU32be(data, 4, value * 1024);
  else if (item === "onOff") putU32be(data, 4, value ? WL_OFF_VALUE : 0);
  else putU32be(data, 4, value);
}

function setFrames(p: ModuleProtocol, address: number, broadcast: boolean, sp: ModuleSetpoint, group?: number): CanFrame[] {
  const g = group === undefined ? {} : { group };
  const v = p.encodeRequest({ address, broadcast, ...g, op: "set", item: "setVoltage", values: [sp.voltageV] });
  const a = p.encodeRequest({ address, broadcast, ...g, op: "set", item: "setCurrent", values: [sp.currentLimitA] });
  const onOff = p.encodeRequest({ address, broadcast, ...g, op: "set", item: "onOff", values: [sp.enabled ? 0 : 1] });
  return sp.enabled ? [v, a, onOff] : [onOff, v, a];
}
