import { strict as assert } from "assert";
import "./xs-timers";
import fc from "fast-check";
import type { CanFrame } from "../../../hal/can";
import { allProtocols } from "../../../src/protocols";

const frameArb: fc.Arbitrary<CanFrame> = fc.record({
  extended: fc.boolean(),
  id: fc.integer({ min: 0, max: 0x1fffffff }),
  data: fc.uint8Array({ minLength: 0, maxLength: 9 }),
});

/** Frames near valid ones: a valid request/reply id with random payloads. */
function nearValid(p: (typeof allProtocols)[number]): fc.Arbitrary<CanFrame> {
  const seeds = [...p.pollFrames(1), ...p.setpointFrames(1, { enabled: true, voltageV: 500, currentLimitA: 20 })];
  return fc.record({
    seed: fc.constantFrom(...seeds),
    data: fc.uint8Array({ minLength: 8, maxLength: 8 }),
    flipReply: fc.boolean(),
  }).map(({ seed, data, flipReply }) => {
    const reply = p.encodeReply(1, { address: 1, broadcast: false, op: "read", item: "status", values: [] }, { voltageV: 0, currentA: 0, tempC: 0, running: false, alarms: [], moduleCount: 0, capabilities: { maxVoltageV: 0, minVoltageV: 0, maxCurrentA: 0, ratedPowerKW: 0 } }, true);
    return { id: flipReply ? reply.id : seed.id, extended: true, data };
  });
}

function checkReportNumbers(value: Record<string, unknown>): void {
  for (const key of ["voltageV", "currentA", "tempC", "moduleCount"]) {
    if (key in value) assert.ok(Number.isFinite(value[key] as number), `${key} finite`);
  }
}

describe("protocols fuzz: random frames never throw", () => {
  for (const p of allProtocols) {
    it(`${p.name}: decodeReply and decodeRequest on random frames`, () => {
      fc.assert(
        fc.property(fc.oneof(frameArb, nearValid(p)), (f) => {
          const r = p.decodeReply(f);
          if (r.ok) checkReportNumbers(r.value as unknown as Record<string, unknown>);
          else assert.equal(typeof r.reason, "string");
          const q = p.decodeRequest(f);
          if (q.ok) assert.ok(q.value.values.every(Number.isFinite));
          else assert.ok(q.reason.startsWith(p.name));
        }),
        { numRuns: 400, seed: 7 },
      );
    });
    it(`${p.name}: request encode/decode round-trips setpoints`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1000000 }), fc.integer({ min: 0, max: 300000 }), fc.boolean(), (mV, mA, enabled) => {
          const frames = p.setpointFrames(p.minAddress + 1, { enabled, voltageV: mV / 1000, currentLimitA: mA / 1000 });
          for (const f of frames) {
            const q = p.decodeRequest(f);
            assert.ok(q.ok, "decodes");
            if (!q.ok) return;
            if (q.value.item === "setVoltage" || q.value.item === "setVoltageCurrent") assert.ok(Math.abs(q.value.values[0] - mV / 1000) < 0.1);
            if (q.value.item === "onOff") assert.equal(q.value.values[0], enabled ? 0 : 1);
          }
        }),
        { numRuns: 200, seed: 11 },
      );
    });
  }
});
