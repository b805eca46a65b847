/**
 * InfyPower power modules, protocol V1.13 family. 125 kbps, 29-bit ids:
 *   bits 28-26 error code (0 = normal), 25-22 device type (0x0A single module,
 *   0x0B group), 21-16 command, 15-8 destination, 7-0 source (controller 0xF0).
 * Commands: 0x02 module count, 0x03 voltage/current (two big-endian float32),
 * 0x04 status (byte 4 temperature, bytes 5-7 status tables 2/1/0), 0x0A
 * capabilities, 0x1A on/off (byte 0: 0 = on, 1 = off), 0x1C set voltage/current
 * (u32 mV, u32 mA, big-endian). Read requests carry 8 zero bytes. A module switches
 * itself off after 10 s without controller traffic, so the manager polls.
 */
import type { CanFilter, CanFrame } from "../../hal/can";
import { alarmBits, bitAlarms, f32be, putF32be, putU16be, putU32be, u16be, u32be } from "./bytes";
import { bad, ok, type Decoded, type ModuleItem, type ModuleProtocol, type ModuleReport, type ModuleRequest, type ModuleSetpoint, type ModuleSnapshot } from "./types";

export const INFY_CONTROLLER = 0xf0;
export const INFY_BROADCAST = 0x3f;
export const INFY_DEVICE_SINGLE = 0x0a;
export const INFY_DEVICE_GROUP = 0x0b;

export const INFY_CMD = {
  moduleCount: 0x02,
  measurement: 0x03,
  status: 0x04,
  capabilities: 0x0a,
  onOff: 0x1a,
  setVoltageCurrent: 0x1c,
} as const;

const itemByCommand: Record<number, ModuleItem> = {
  0x02: "moduleCount",
  0x03: "measurement",
  0x04: "status",
  0x0a: "capabilities",
  0x1a: "onOff",
  0x1c: "setVoltageCurrent",
};

/**
 * Status tables as 24 bits: table 0 in byte 7 (bits 0-7), table 1 in byte 6
 * (bits 8-15), table 2 in byte 5 (bits 16-23). Bit 8 ("DC side off") is state,
 * not an alarm; walk-in is informational too.
 */
const STATUS_OFF_BIT = 8;
export const INFY_ALARMS: Readonly<Record<number, string>> = {
  0: "outputShortCircuit",
  2: "internalCommsFault",
  3: "pfcFault",
  5: "dischargeFault",
  9: "moduleFault",
  10: "moduleProtection",
  11: "fanFault",
  12: "overTemp",
  13: "outputOverVoltage",
  15: "commsInterrupted",
  16: "powerLimited",
  17: "duplicateAddress",
  18: "loadSharingFault",
  19: "inputPhaseLoss",
  20: "inputUnbalance",
  21: "inputUnderVoltage",
  22: "inputOverVoltage",
  23: "pfcOff",
};

export interface InfyId {
  errorCode: number;
  deviceType: number;
  command: number;
  destination: number;
  source: number;
}

export function infyId(f: InfyId): number {
  return (((f.errorCode & 0x7) << 26) | ((f.deviceType & 0xf) << 22) | ((f.command & 0x3f) << 16) | ((f.destination & 0xff) << 8) | (f.source & 0xff)) >>> 0;
}

export function parseInfyId(id: number): InfyId {
  return {
    errorCode: (id >>> 26) & 0x7,
    deviceType: (id >>> 22) & 0xf,
    command: (id >>> 16) & 0x3f,
    destination: (id >>> 8) & 0xff,
    source: id & 0xff,
  };
}

function frame(id: number, data: Uint8Array): CanFrame {
  return { id, extended: true, data };
}

function requestPayload(req: ModuleRequest): Uint8Array {
  const data = new Uint8Array(8);
  if (req.op === "read") return data;
  if (req.item === "onOff") data[0] = req.values[0] ? 1 : 0;
  else if (req.item === "setVoltageCurrent") {
    putU32be(data, 0, (req.values[0] ?? 0) * 1000);
    putU32be(data, 4, (req.values[1] ?? 0) * 1000);
  }
  return data;
}

function commandOf(item: ModuleItem): number | undefined {
  for (const key of Object.keys(itemByCommand)) if (itemByCommand[Number(key)] === item) return Number(key);
  return undefined;
}

export const infypower: ModuleProtocol = {
  name: "infypower",
  bitrate: 125000,
  minAddress: 0,
  maxAddress: 0x3e,

  replyFilters(): CanFilter[] {
    // Destination byte = controller, any command, type, source.
    return [{ id: INFY_CONTROLLER << 8, mask: 0xff << 8, extended: true }];
  },

  encodeRequest(req: ModuleRequest): CanFrame {
    const command = commandOf(req.item);
    if (command === undefined) throw new Error(`infypower: no command for item "${req.item}"`);
    return frame(
      req.broadcast && req.group !== undefined
        ? infyId({ errorCode: 0, deviceType: INFY_DEVICE_GROUP, command, destination: req.group, source: INFY_CONTROLLER })
        : infyId({ errorCode: 0, deviceType: INFY_DEVICE_SINGLE, command, destination: req.broadcast ? INFY_BROADCAST : req.address, source: INFY_CONTROLLER }),
      requestPayload(req),
    );
  },

  pollFrames(address: number): CanFrame[] {
    return [
      this.encodeRequest({ address, broadcast: false, op: "read", item: "measurement", values: [] }),
      this.encodeRequest({ address, broadcast: false, op: "read", item: "status", values: [] }),
    ];
  },

  setpointFrames(address: number, sp: ModuleSetpoint): CanFrame[] {
    return setFrames(this, address, false, sp);
  },

  broadcastSetpointFrames(sp: ModuleSetpoint): CanFrame[] {
    return setFrames(this, 0, true, sp);
  },

  groupSetpointFrames(group: number, sp: ModuleSetpoint): CanFrame[] {
    return setFrames(this, 0, true, sp, group);
  },

  decodeReply(f: CanFrame): Decoded<ModuleReport> {
    if (!f.extended) return bad("infypower: standard id, expected 29-bit");
    if (f.data.length !== 8) return bad(`infypower: length ${f.data.length}, expected 8`);
    const id = parseInfyId(f.id);
    if (id.destination !== INFY_CONTROLLER) return bad(`infypower: destination 0x${id.destination.toString(16)} is not the controller`);
    if (id.deviceType !== INFY_DEVICE_SINGLE && id.deviceType !== INFY_DEVICE_GROUP) return bad(`infypower: device type 0x${id.deviceType.toString(16)}`);
    const item = itemByCommand[id.command];
    if (item === undefined) return bad(`infypower: unknown command 0x${id.command.toString(16)}`);
    if (id.source > 0x3e) return bad(`infypower: source 0x${id.source.toString(16)} is not a module address`);
    const report: ModuleReport = { address: id.source, item, accepted: id.errorCode === 0 };
    if (!report.accepted) return ok(report);
    const d = f.data;
    switch (item) {
      case "moduleCount":
        report.moduleCount = d[2];
        break;
      case "measurement": {
        const v = f32be(d, 0);
        const a = f32be(d, 4);
        if (!Number.isFinite(v) || !Number.isFinite(a)) return bad("infypower: measurement is not a finite float");
        report.voltageV = v;
        report.currentA = a;
        break;
      }
      case "status": {
        const bits = (d[5] << 16) | (d[6] << 8) | d[7];
        report.tempC = d[4] > 127 ? d[4] - 256 : d[4];
        report.running = Math.floor(bits / 2 ** STATUS_OFF_BIT) % 2 === 0;
        report.alarms = bitAlarms(bits, INFY_ALARMS);
        break;
      }
      case "capabilities":
        report.capabilities = { maxVoltageV: u16be(d, 0), minVoltageV: u16be(d, 2), maxCurrentA: u16be(d, 4) / 10, ratedPowerKW: u16be(d, 6) / 100 };
        break;
      case "onOff":
        report.running = d[0] === 0;
        break;
      case "setVoltageCurrent":
        report.voltageV = u32be(d, 0) / 1000;
        report.currentA = u32be(d, 4) / 1000;
        break;
    }
    return ok(report);
  },

  decodeRequest(f: CanFrame): Decoded<ModuleRequest> {
    if (!f.extended) return bad("infypower: standard id, expected 29-bit");
    if (f.data.length !== 8) return bad(`infypower: length ${f.data.length}, expected 8`);
    const id = parseInfyId(f.id);
    if (id.source !== INFY_CONTROLLER) return bad(`infypower: source 0x${id.source.toString(16)} is not the controller`);
    const item = itemByCommand[id.command];
    if (item === undefined) return bad(`infypower: unknown command 0x${id.command.toString(16)}`);
    const broadcast = id.destination === INFY_BROADCAST || id.deviceType === INFY_DEVICE_GROUP;
    const d = f.data;
    const address = broadcast ? 0 : id.destination;
    const base: Omit<ModuleRequest, "op" | "values"> = id.deviceType === INFY_DEVICE_GROUP ? { address, broadcast, group: id.destination, item } : { address, broadcast, item };
    if (item === "onOff") return ok({ ...base, op: "set", values: [d[0] === 0 ? 0 : 1] });
    if (item === "setVoltageCurrent") return ok({ ...base, op: "set", values: [u32be(d, 0) / 1000, u32be(d, 4) / 1000] });
    return ok({ ...base, op: "read", values: [] });
  },

  encodeReply(address: number, req: ModuleRequest, s: ModuleSnapshot, accepted: boolean): CanFrame {
    const command = commandOf(req.item) ?? 0;
    const d = new Uint8Array(8);
    switch (req.item) {
      case "moduleCount":
        d[2] = s.moduleCount & 0xff;
        break;
      case "measurement":
        putF32be(d, 0, s.voltageV);
        putF32be(d, 4, s.currentA);
        break;
      case "status": {
        const bits = alarmBits(s.alarms, INFY_ALARMS) + (s.running ? 0 : 2 ** STATUS_OFF_BIT);
        d[4] = Math.round(s.tempC) & 0xff;
        d[5] = (bits >> 16) & 0xff;
        d[6] = (bits >> 8) & 0xff;
        d[7] = bits & 0xff;
        break;
      }
      case "capabilities":
        putU16be(d, 0, s.capabilities.maxVoltageV);
        putU16be(d, 2, s.capabilities.minVoltageV);
        putU16be(d, 4, s.capabilities.maxCurrentA * 10);
        putU16be(d, 6, s.capabilities.ratedPowerKW * 100);
        break;
      default:
        d.set(requestPayload(req));
    }
    return frame(infyId({ errorCode: accepted ? 0 : 3, deviceType: INFY_DEVICE_SINGLE, command, destination: INFY_CONTROLLER, source: address }), d);
  },
};

function setFrames(p: ModuleProtocol, address: number, broadcast: boolean, sp: ModuleSetpoint, group?: number): CanFrame[] {
  const g = group === undefined ? {} : { group };
  const setVI = p.encodeRequest({ address, broadcast, ...g, op: "set", item: "setVoltageCurrent", values: [sp.voltageV, sp.currentLimitA] });
  const onOff = p.encodeRequest({ address, broadcast, ...g, op: "set", item: "onOff", values: [sp.enabled ? 0 : 1] });
  // Values first, then switch on, so the output never starts on stale setpoints.
  return sp.enabled ? [setVI, onOff] : [onOff, setVI];
}
