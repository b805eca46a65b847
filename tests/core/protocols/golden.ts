import { strict as assert } from "assert";
import type { CanFrame } from "../../../hal/can";
import { hex } from "../../../src/protocols/bytes";
import type { ModuleSnapshot } from "../../../src/protocols/types";

export function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function ext(id: number, data: string): CanFrame {
  return { id, extended: true, data: fromHex(data) };
}

export function assertFrame(actual: CanFrame, id: number, data: string): void {
  assert.equal(`0x${actual.id.toString(16)}`, `0x${id.toString(16)}`, "id");
  assert.equal(actual.extended, true, "extended");
  assert.equal(hex(actual.data), data, "data");
}

export const snapshot: ModuleSnapshot = {
  voltageV: 750.5,
  currentA: 100.25,
  tempC: 45,
  running: true,
  alarms: ["overTemp"],
  moduleCount: 12,
  capabilities: { maxVoltageV: 1000, minVoltageV: 150, maxCurrentA: 100, ratedPowerKW: 30 },
};
