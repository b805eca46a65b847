/**
 * UUGreen UR1000x0 power modules. 29-bit ids: protocol number (bits 28-25, = 1),
 * monitor address (24-21), module address (20-14, 0 = broadcast), bits 13-0 zero.
 * Payload: byte 0 message type, byte 1 command, byte 2 result (0 = ok, replies
 * only), byte 3 zero, bytes 4-7 u32 value big-endian.
 *
 * From the issue: commands 2 set voltage and 3 set current limit (value x1000),
 * 4 shutdown (1 = off, 0 = on), 95 high/low voltage mode.
 * Beyond the issue (from public implementations; verify on a bench module):
 * message types 0x10 set, 0x11 set reply, 0x12 read, 0x13 read reply; read
 * commands 0x62 output voltage (mV), 0x30 output current (mA), 0x1E temperature
 * (m°C, signed), 0x08 status flags.
 */
import type { CanFilter, CanFrame } from "../../hal/can";
import { alarmBits, bitAlarms, i32be, putI32be, putU32be, u32be } from "./bytes";
import { bad, ok, type Decoded, type ModuleItem, type ModuleProtocol, type ModuleReport, type ModuleRequest, type ModuleSetpoint, type ModuleSnapshot } from "./types";

export const UU_PROTOCOL = 1;
export const UU_MONITOR = 1;
export const UU_BROADCAST = 0;

export const UU_TYPE = { set: 0x10, setReply: 0x11, read: 0x12, readReply: 0x13 } as const;

export const UU_CMD = {
  setVoltage: 2,
  setCurrent: 3,
  onOff: 4,
  voltageMode: 95,
  voltage: 0x62,
  current: 0x30,
  temperature: 0x1e,
  status: 0x08,
} as const;

const itemByCommand: Record<number, ModuleItem> = {
  2: "setVoltage",
  3: "setCurrent",
  4: "onOff",
  95: "voltageMode",
  0x62: "voltage",
  0x30: "current",
  0x1e: "temperature",
  0x08: "status",
};

/** Status flags: bit 0 = output off (state, not an alarm). */
const STATUS_OFF_BIT = 0;
export const UU_ALARMS: Readonly<Record<number, string>> = {
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

export function uuId(monitor: number, module: number): number {
  return (((UU_PROTOCOL & 0xf) << 25) | ((monitor & 0xf) << 21) | ((module & 0x7f) << 14)) >>> 0;
}

function commandOf(item: ModuleItem): number | undefined {
  for (const key of Object.keys(itemByCommand)) if (itemByCommand[Number(key)] === item) return Number(key);
  return undefined;
}

function scaledValue(item: ModuleItem, value: number): number {
  return item === "setVoltage" || item === "setCurrent" ? value * 1000 : value;
}

function checkFrame(f: CanFrame): string | null {
  if (!f.extended) return "uugreen: standard id, expected 29-bit";
  if (f.data.length !== 8) return `uugreen: length ${f.data.length}, expected 8`;
  if (((f.id >>> 25) & 0xf) !== UU_PROTOCOL) return `uugreen: protocol number ${(f.id >>> 25) & 0xf}, expected 1`;
  if ((f.id & 0x3fff) !== 0) return "uugreen: low id bits not zero";
  return null;
}

export const uugreen: ModuleProtocol = {
  name: "uugreen",
  bitrate: 125000,
  minAddress: 1,
  maxAddress: 0x7f,

  replyFilters(): CanFilter[] {
    return [{ id: uuId(UU_MONITOR, 0), mask: (0xf << 25) | (0xf << 21), extended: true }];
  },

  encodeRequest(req: ModuleRequest): CanFrame {
    const command = commandOf(req.item);
    if (command === undefined) throw new Error(`uugreen: no command for item "${req.item}"`);
    const data = new Uint8Array(8);
    data[0] = req.op === "set" ? UU_TYPE.set : UU_TYPE.read;
    data[1] = command;
    if (req.op === "set") putU32be(data, 4, scaledValue(req.item, req.values[0] ?? 0));
    return { id: uuId(UU_MONITOR, req.broadcast ? UU_BROADCAST : req.address), extended: true, data };
  },

  pollFrames(address: number): CanFrame[] {
    const items: ModuleItem[] = ["voltage", "current", "temperature", "status"];
    return items.map((item) => this.encodeRequest({ address, broadcast: false, op: "read", item, values: [] }));
  },

  setpointFrames(address: number, sp: ModuleSetpoint): CanFrame[] {
    return setFrames(this, address, false, sp);
  },

  broadcastSetpointFrames(sp: ModuleSetpoint): CanFrame[] {
    return setFrames(this, UU_BROADCAST, true, sp);
  },

  /** UR1000x0 ids have no group field (only monitor-wide broadcast). */
  groupSetpointFrames(): null {
    return null;
  },

  decodeReply(f: CanFrame): Decoded<ModuleReport> {
    const problem = checkFrame(f);
    if (problem) return bad(problem);
    const d = f.data;
    if (d[0] !== UU_TYPE.setReply && d[0] !== UU_TYPE.readReply) return bad(`uugreen: message type 0x${d[0].toString(16)} is not a reply`);
    const item = itemByCommand[d[1]];
    if (item === undefined) return bad(`uugreen: unknown command ${d[1]}`);
    const address = (f.id >>> 14) & 0x7f;
    if (address === UU_BROADCAST) return bad("uugreen: reply from the broadcast address");
    const report: ModuleReport = { address, item, accepted: d[2] === 0 };
    if (!report.accepted) return ok(report);
    const raw = u32be(d, 4);
    switch (item) {
      case "voltage":
      case "setVoltage":
        report.voltageV = raw / 1000;
        break;
      case "current":
      case "setCurrent":
        report.currentA = raw / 1000;
        break;
      case "temperature":
        report.tempC = i32be(d, 4) / 1000;
        break;
      case "status":
        report.running = Math.floor(raw / 2 ** STATUS_OFF_BIT) % 2 === 0;
        report.alarms = bitAlarms(raw, UU_ALARMS);
        break;
      case "onOff":
        report.running = raw === 0;
        break;
    }
    return ok(report);
  },

  decodeRequest(f: CanFrame): Decoded<ModuleRequest> {
    const problem = checkFrame(f);
    if (problem) return bad(problem);
    const d = f.data;
    if (d[0] !== UU_TYPE.set && d[0] !== UU_TYPE.read) return bad(`uugreen: message type 0x${d[0].toString(16)} is not a request`);
    const item = itemByCommand[d[1]];
    if (item === undefined) return bad(`uugreen: unknown command ${d[1]}`);
    const address = (f.id >>> 14) & 0x7f;
    const broadcast = address === UU_BROADCAST;
    if (d[0] === UU_TYPE.read) return ok({ address, broadcast, op: "read", item, values: [] });
    const raw = u32be(d, 4);
    const value = item === "setVoltage" || item === "setCurrent" ? raw / 1000 : raw;
    return ok({ address, broadcast, op: "set", item, values: [value] });
  },

  encodeReply(address: number, req: ModuleRequest, s: ModuleSnapshot, accepted: boolean): CanFrame {
    const data = new Uint8Array(8);
    data[0] = req.op === "set" ? UU_TYPE.setReply : UU_TYPE.readReply;
    data[1] = commandOf(req.item) ?? 0;
    data[2] = accepted ? 0 : 1;
    switch (req.item) {
      case "voltage":
        putU32be(data, 4, s.voltageV * 1000);
        break;
      case "current":
        putU32be(data, 4, s.currentA * 1000);
        break;
      case "temperature":
        putI32be(data, 4, s.tempC * 1000);
        break;
      case "status":
        putU32be(data, 4, alarmBits(s.alarms, UU_ALARMS) + (s.running ? 0 : 2 ** STATUS_OFF_BIT));
        break;
      default:
        putU32be(data, 4, scaledValue(req.item, req.values[0] ?? 0));
    }
    return { id: uuId(UU_MONITOR, address), extended: true, data };
  },
};

function setFrames(p: ModuleProtocol, address: number, broadcast: boolean, sp: ModuleSetpoint): CanFrame[] {
  const v = p.encodeRequest({ address, broadcast, op: "set", item: "setVoltage", values: [sp.voltageV] });
  const a = p.encodeRequest({ address, broadcast, op: "set", item: "setCurrent", values: [sp.currentLimitA] });
  const onOff = p.encodeRequest({ address, broadcast, op: "set", item: "onOff", values: [sp.enabled ? 0 : 1] });
  return sp.enabled ? [v, a, onOff] : [onOff, v, a];
}
