/**
 * The board description: which pins and expanders drive the contactor coils and
 * read their aux contacts, and how CAN is attached. JSON, validated like the
 * cabinet config (every problem named by its JSON path, all at once), and checked
 * against the cabinet so every contactor has a coil and an aux input.
 *
 * Channels: `outputs` devices are numbered in order (a 16-pin MCP23017 gives 16
 * channels, a 74HC595 chain 8 per chip, a pin list one per pin), and
 * `contactors[].coil` is the global channel index; the same for inputs and `aux`.
 * Platform-free (no I/O): the Moddable wiring lives in hal/moddable/board-io.ts.
 */
import { checkValue, joinPath, show, type ConfigIssue, type FieldRule, type FieldSpec } from "../src/config/schema";
import type { CabinetIndex } from "../src/config/cabinet-index";

export interface I2cBusConfig {
  data: number;
  clock: number;
  hz: number;
  port?: number;
}

export interface SpiBusConfig {
  clock: number;
  out: number;
  in: number;
  hz: number;
  port?: number;
}

export type OutputDeviceConfig =
  | { kind: "pins"; pins: number[]; activeLow?: boolean }
  | { kind: "digitalbank"; pins: number; bank?: number }
  | { kind: "mcp23017"; address: number }
  | { kind: "hc595"; chips: number; select: number; outputEnable: number; hz?: number };

export type InputDeviceConfig =
  | { kind: "pins"; pins: number[]; activeLow?: boolean }
  | { kind: "mcp23017"; address: number; activeLow?: boolean }
  | { kind: "hc165"; chips: number; select: number; load: number; activeLow?: boolean; hz?: number };

export type CanBitrateConfig = 125000 | 250000 | 500000;

export type CanTransportConfig =
  | { transport: "mcp2515"; select: number; interrupt?: number; oscillatorHz: 8000000 | 16000000; bitrate: CanBitrateConfig; hz?: number }
  | { transport: "slcan"; port: number; receive: number; transmit: number; baud: number; bitrate: CanBitrateConfig };

export interface BoardContactorConfig {
  id: string;
  coil: number;
  aux: number;
}

export interface BoardConfig {
  schemaVersion: 1;
  name: string;
  i2c?: I2cBusConfig;
  spi?: SpiBusConfig;
  outputs: OutputDeviceConfig[];
  inputs: InputDeviceConfig[];
  contactors: BoardContactorConfig[];
  can: CanTransportConfig;
  /** Preference domain for Storage (≤ 15 characters on ESP32 NVS). */
  storageDomain?: string;
}

export class BoardError extends Error {
  // A field, not `this.name = ...`: on a device Error.prototype is frozen and the assignment throws.
  override name = "BoardError";
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(`invalid board description (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` + issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    this.issues = issues;
  }
}

const pin: FieldSpec = { kind: "number", integer: true, min: 0, max: 255 };
const hz: FieldSpec = { kind: "number", integer: true, min: 1000, max: 80000000 };
const req = (spec: FieldSpec): FieldRule => ({ spec });
const opt = (spec: FieldSpec): FieldRule => ({ spec, optional: true });
const obj = (fields: Record<string, FieldRule>): FieldSpec => ({ kind: "object", fields });
const bool: FieldSpec = { kind: "boolean" };
/** The tag field of a tagged object (checked separately by checkTagged). */
const tag: FieldSpec = { kind: "string" };
const chips: FieldSpec = { kind: "number", integer: true, min: 1, max: 16 };
const mcpAddress: FieldSpec = { kind: "number", integer: true, min: 0x20, max: 0x27 };
const bitrate: FieldSpec = { kind: "literal", values: [125000, 250000, 500000] };

const outputKinds: Record<string, FieldSpec> = {
  pins: obj({ kind: req(tag), pins: req({ kind: "array", of: pin, minLength: 1 }), activeLow: opt(bool) }),
  digitalbank: obj({ kind: req(tag), pins: req({ kind: "number", integer: true, min: 1, max: 0xffffffff }), bank: opt({ kind: "number", integer: true, min: 0 }) }),
  mcp23017: obj({ kind: req(tag), address: req(mcpAddress) }),
  hc595: obj({ kind: req(tag), chips: req(chips), select: req(pin), outputEnable: req(pin), hz: opt(hz) }),
};
const inputKinds: Record<string, FieldSpec> = {
  pins: obj({ kind: req(tag), pins: req({ kind: "array", of: pin, minLength: 1 }), activeLow: opt(bool) }),
  mcp23017: obj({ kind: req(tag), address: req(mcpAddress), activeLow: opt(bool) }),
  hc165: obj({ kind: req(tag), chips: req(chips), select: req(pin), load: req(pin), activeLow: opt(bool), hz: opt(hz) }),
};
const canKinds: Record<string, FieldSpec> = {
  mcp2515: obj({ transport: req(tag), select: req(pin), interrupt: opt(pin), oscillatorHz: req({ kind: "literal", values: [8000000, 16000000] }), bitrate: req(bitrate), hz: opt(hz) }),
  slcan: obj({ transport: req(tag), port: req({ kind: "number", integer: true, min: 0 }), receive: req(pin), transmit: req(pin), baud: req({ kind: "number", integer: true, min: 1200 }), bitrate: req(bitrate) }),
};

const topFields: Record<string, FieldRule> = {
  schemaVersion: req({ kind: "literal", values: [1] }),
  name: req({ kind: "string", nonEmpty: true }),
  i2c: opt(obj({ data: req(pin), clock: req(pin), hz: req(hz), port: opt({ kind: "number", integer: true, min: 0 }) })),
  spi: opt(obj({ clock: req(pin), out: req(pin), in: req(pin), hz: req(hz), port: opt({ kind: "number", integer: true, min: 0 }) })),
  contactors: req({ kind: "array", of: obj({ id: req({ kind: "string", nonEmpty: true }), coil: req({ kind: "number", integer: true, min: 0 }), aux: req({ kind: "number", integer: true, min: 0 }) }) }),
  storageDomain: opt({ kind: "string", nonEmpty: true }),
};

/** Check one tagged object: the tag first, then the fields its kind allows (the tag itself is not re-checked). */
function checkTagged(value: unknown, tag: string, kinds: Record<string, FieldSpec>, path: string, issues: ConfigIssue[]): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    issues.push({ path, message: `must be an object, got ${show(value)}` });
    return;
  }
  const record = value as Record<string, unknown>;
  const kind = record[tag];
  const spec = typeof kind === "string" ? kinds[kind] : undefined;
  if (!spec || spec.kind !== "object") {
    issues.push({ path: joinPath(path, tag), message: `must be one of ${Object.keys(kinds).map(show).join(", ")}, got ${show(kind)}` });
    return;
  }
  const { [tag]: _tag, ...fields } = spec.fields;
  void _tag;
  const { [tag]: _value, ...rest } = record;
  void _value;
  checkValue(rest, { kind: "object", fields }, path, issues);
}

export function outputChannels(d: OutputDeviceConfig): number {
  switch (d.kind) {
    case "pins":
      return d.pins.length;
    case "digitalbank": {
      let n = 0;
      for (let b = 0; b < 32; b++) if ((d.pins >>> b) & 1) n++;
      return n;
    }
    case "mcp23017":
      return 16;
    case "hc595":
      return d.chips * 8;
  }
}

export function inputChannels(d: InputDeviceConfig): number {
  switch (d.kind) {
    case "pins":
      return d.pins.length;
    case "mcp23017":
      return 16;
    case "hc165":
      return d.chips * 8;
  }
}

/** Every problem with a board document (structure first; cross-checks only when the structure holds). */
export function validateBoard(doc: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return [{ path: "", message: `must be an object, got ${show(doc)}` }];
  const d = doc as Record<string, unknown>;
  // The tagged parts (outputs, inputs, can) are checked by kind; the rest by the plain schema.
  const { outputs, inputs, can, ...plain } = d;
  checkValue(plain, { kind: "object", fields: topFields }, "", issues);
  for (const [key, list, kinds, minLength] of [["outputs", outputs, outputKinds, 1], ["inputs", inputs, inputKinds, 0]] as const) {
    if (!Array.isArray(list)) issues.push({ path: key, message: list === undefined ? "is required but missing" : `must be an array, got ${show(list)}` });
    else if (list.length < minLength) issues.push({ path: key, message: `must have at least ${minLength} entries, got 0` });
    else list.forEach((o, i) => checkTagged(o, "kind", kinds, `${key}[${i}]`, issues));
  }
  if (can === undefined) issues.push({ path: "can", message: "is required but missing" });
  else checkTagged(can, "transport", canKinds, "can", issues);
  if (issues.length > 0) return issues;
  crossCheck(doc as BoardConfig, issues);
  return issues;
}

function crossCheck(b: BoardConfig, issues: ConfigIssue[]): void {
  const usesI2c = b.outputs.some((o) => o.kind === "mcp23017") || b.inputs.some((i) => i.kind === "mcp23017");
  const usesSpi = b.outputs.some((o) => o.kind === "hc595") || b.inputs.some((i) => i.kind === "hc165") || b.can.transport === "mcp2515";
  if (usesI2c && !b.i2c) issues.push({ path: "i2c", message: "is required: an MCP23017 is listed" });
  if (usesSpi && !b.spi) issues.push({ path: "spi", message: "is required: a 74HC595/165 chain or an MCP2515 is listed" });

  // Every GPIO used once.
  const pins = new Map<number, string>();
  const claim = (p: number | undefined, path: string) => {
    if (p === undefined) return;
    const other = pins.get(p);
    if (other !== undefined) issues.push({ path, message: `pin ${p} is already used by ${other}` });
    else pins.set(p, path);
  };
  if (b.i2c) {
    claim(b.i2c.data, "i2c.data");
    claim(b.i2c.clock, "i2c.clock");
  }
  if (b.spi) {
    claim(b.spi.clock, "spi.clock");
    claim(b.spi.out, "spi.out");
    claim(b.spi.in, "spi.in");
  }
  b.outputs.forEach((o, i) => {
    if (o.kind === "pins") o.pins.forEach((p, k) => claim(p, `outputs[${i}].pins[${k}]`));
    if (o.kind === "hc595") {
      claim(o.select, `outputs[${i}].select`);
      claim(o.outputEnable, `outputs[${i}].outputEnable`);
    }
  });
  b.inputs.forEach((o, i) => {
    if (o.kind === "pins") o.pins.forEach((p, k) => claim(p, `inputs[${i}].pins[${k}]`));
    if (o.kind === "hc165") {
      claim(o.select, `inputs[${i}].select`);
      claim(o.load, `inputs[${i}].load`);
    }
  });
  if (b.can.transport === "mcp2515") {
    claim(b.can.select, "can.select");
    claim(b.can.interrupt, "can.interrupt");
  } else {
    claim(b.can.receive, "can.receive");
    claim(b.can.transmit, "can.transmit");
  }

  // Expander addresses unique on the I2C bus.
  const addresses = new Map<number, string>();
  const addr = (a: number, path: string) => {
    const other = addresses.get(a);
    if (other !== undefined) issues.push({ path, message: `I2C address 0x${a.toString(16)} is already used by ${other}` });
    else addresses.set(a, path);
  };
  b.outputs.forEach((o, i) => o.kind === "mcp23017" && addr(o.address, `outputs[${i}].address`));
  b.inputs.forEach((o, i) => o.kind === "mcp23017" && addr(o.address, `inputs[${i}].address`));

  const coilCount = b.outputs.reduce((n, o) => n + outputChannels(o), 0);
  const auxCount = b.inputs.reduce((n, o) => n + inputChannels(o), 0);
  const ids = new Set<string>();
  const coils = new Map<number, string>();
  const auxes = new Map<number, string>();
  b.contactors.forEach((c, i) => {
    const path = `contactors[${i}]`;
    if (ids.has(c.id)) issues.push({ path: `${path}.id`, message: `duplicate contactor ${show(c.id)}` });
    ids.add(c.id);
    if (c.coil >= coilCount) issues.push({ path: `${path}.coil`, message: `channel ${c.coil} does not exist (outputs have ${coilCount})` });
    if (c.aux >= auxCount) issues.push({ path: `${path}.aux`, message: `channel ${c.aux} does not exist (inputs have ${auxCount})` });
    const oc = coils.get(c.coil);
    if (oc !== undefined) issues.push({ path: `${path}.coil`, message: `channel ${c.coil} already drives ${show(oc)}` });
    coils.set(c.coil, c.id);
    const oa = auxes.get(c.aux);
    if (oa !== undefined) issues.push({ path: `${path}.aux`, message: `channel ${c.aux} already reads ${show(oa)}` });
    auxes.set(c.aux, c.id);
  });
  if (b.storageDomain !== undefined && b.storageDomain.length > 15) issues.push({ path: "storageDomain", message: `must be at most 15 characters (ESP32 NVS), got ${b.storageDomain.length}` });
}

/** Problems between a (valid) board and a cabinet: contactors without hardware and hardware without contactors. */
export function checkBoardForCabinet(board: BoardConfig, cabinet: CabinetIndex, moduleBitrate?: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const onBoard = new Set(board.contactors.map((c) => c.id));
  for (const c of cabinet.contactors) {
    if (!onBoard.has(c.id)) issues.push({ path: "contactors", message: `cabinet contactor ${show(c.id)} has no coil/aux channel on this board` });
  }
  board.contactors.forEach((c, i) => {
    if (!cabinet.contactorById.has(c.id)) issues.push({ path: `contactors[${i}].id`, message: `${show(c.id)} is not a contactor of this cabinet` });
  });
  if (moduleBitrate !== undefined && board.can.bitrate !== moduleBitrate) {
    issues.push({ path: "can.bitrate", message: `${board.can.bitrate} does not match the module protocol's ${moduleBitrate}` });
  }
  return issues;
}

/** Validate and return a frozen board, or throw a BoardError listing every problem. */
export function parseBoard(doc: unknown, cabinet?: CabinetIndex, moduleBitrate?: number): BoardConfig {
  const issues = validateBoard(doc);
  if (issues.length === 0 && cabinet) issues.push(...checkBoardForCabinet(doc as BoardConfig, cabinet, moduleBitrate));
  if (issues.length > 0) throw new BoardError(issues);
  return deepFreeze(JSON.parse(JSON.stringify(doc)) as BoardConfig);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
