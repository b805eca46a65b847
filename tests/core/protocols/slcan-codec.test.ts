import "./xs-timers";
import { strict as assert } from "assert";
import fc from "fast-check";
import { decodeSlcanFrame, encodeSlcanFrame, parseSlcanStatus, slcanBitrateCommand } from "../../../hal/moddable/slcan-codec";

describe("slcan codec golden lines", () => {
  it("bitrate codes S0..S8", () => {
    assert.equal(slcanBitrateCommand(125000), "S4");
    assert.equal(slcanBitrateCommand(250000), "S5");
    assert.equal(slcanBitrateCommand(500000), "S6");
    assert.equal(slcanBitrateCommand(1000000), "S8");
    assert.throws(() => slcanBitrateCommand(300000), /bitrate 300000 has no S code/);
  });

  const golden: { line: string; id: number; extended: boolean; data: number[]; remote?: boolean }[] = [
    { line: "t1232AABB", id: 0x123, extended: false, data: [0xaa, 0xbb] },
    { line: "t7FF0", id: 0x7ff, extended: false, data: [] },
    { line: "T0283F0058443BA00042C88000", id: 0x0283f005, extended: true, data: [0x44, 0x3b, 0xa0, 0x00, 0x42, 0xc8, 0x80, 0x00] },
    { line: "T1FFFFFFF1FF", id: 0x1fffffff, extended: true, data: [0xff] },
    { line: "r0553", id: 0x055, extended: false, data: [0, 0, 0], remote: true },
    { line: "R000000012", id: 1, extended: true, data: [0, 0], remote: true },
  ];
  for (const g of golden) {
    it(`${g.line} both ways`, () => {
      const frame = { id: g.id, extended: g.extended, data: Uint8Array.from(g.data), ...(g.remote ? { remote: true } : {}) };
      assert.equal(encodeSlcanFrame(frame), g.line);
      const r = decodeSlcanFrame(g.line);
      assert.ok(r.ok);
      if (r.ok) assert.deepEqual({ ...r.frame, data: Array.from(r.frame.data) }, { ...frame, data: g.data });
    });
  }

  it("accepts a trailing timestamp", () => {
    const r = decodeSlcanFrame("t1232AABB1F2E");
    assert.ok(r.ok && r.frame.id === 0x123 && r.frame.data.length === 2);
  });

  it("rejects truncated, overlong and garbage lines with a reason", () => {
    const bad: [string, RegExp][] = [
      ["t12", /truncated/],
      ["t1232AA", /truncated/],
      ["T123456781", /truncated/],
      ["t1232AABBCC", /overlong/],
      ["t12G1AA", /bad hex/],
      ["t1239" + "00".repeat(9), /length 9 > 8/],
      ["t8001AA", /out of range/],
      ["T200000001AA", /out of range/],
      ["xyz", /not a frame line/],
      ["", /not a frame line/],
    ];
    for (const [line, why] of bad) {
      const r = decodeSlcanFrame(line);
      assert.equal(r.ok, false, line);
      if (!r.ok) assert.match(r.reason, why);
    }
  });

  it("status lines", () => {
    assert.equal(parseSlcanStatus("F20"), 0x20);
    assert.equal(parseSlcanStatus("F2"), null);
    assert.equal(parseSlcanStatus("FZZ"), null);
  });

  it("fuzz: random lines never throw; frames round-trip", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (line) => {
        const r = decodeSlcanFrame(line);
        if (r.ok) assert.ok(r.frame.data.length <= 8);
      }),
      { numRuns: 500, seed: 3 },
    );
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 0x1fffffff }), fc.uint8Array({ maxLength: 8 }), (extended, rawId, data) => {
        const id = extended ? rawId : rawId & 0x7ff;
        const r = decodeSlcanFrame(encodeSlcanFrame({ id, extended, data }));
        assert.ok(r.ok);
        if (r.ok) assert.deepEqual([r.frame.id, r.frame.extended, Array.from(r.frame.data)], [id, extended, Array.from(data)]);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
