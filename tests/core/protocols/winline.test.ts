import { strict as assert } from "assert";
import { winline } from "../../../src/protocols";
import type { ModuleRequest } from "../../../src/protocols";
import { assertFrame, ext, snapshot } from "./golden";

const set = (item: ModuleRequest["item"], value: number): ModuleRequest => ({ address: 2, broadcast: false, op: "set", item, values: [value] });
const read = (item: ModuleRequest["item"]): ModuleRequest => ({ address: 2, broadcast: false, op: "read", item, values: [] });

const TO_MODULE_2 = 0x06081780;
const FROM_MODULE_2 = 0x060f8010;

describe("protocols/winline golden frames", () => {
  const cases: { name: string; req: ModuleRequest; reqData: string; replyData: string }[] = [
    { name: "read 0x0001 voltage", req: read("voltage"), reqData: "1000000100000000", replyData: "41f00001443ba000" },
    { name: "read 0x0002 current", req: read("current"), reqData: "1000000200000000", replyData: "41f0000242c88000" },
    { name: "read 0x0040 status", req: read("status"), reqData: "1000004000000000", replyData: "42f0004000000010" },
    { name: "set 0x0021 voltage 750.5 V", req: set("setVoltage", 750.5), reqData: "03000021443ba000", replyData: "41f00021443ba000" },
    { name: "set 0x001B current 20 A", req: set("setCurrent", 20), reqData: "0300001b00005000", replyData: "42f0001b00005000" },
    { name: "set 0x0030 on", req: set("onOff", 0), reqData: "0300003000000000", replyData: "42f0003000000000" },
    { name: "set 0x0030 off", req: set("onOff", 1), reqData: "0300003000010000", replyData: "42f0003000010000" },
  ];
  for (const c of cases) {
    it(`${c.name}: controller -> module`, () => {
      const f = winline.encodeRequest(c.req);
      assertFrame(f, TO_MODULE_2, c.reqData);
      const back = winline.decodeRequest(f);
      assert.ok(back.ok);
      if (back.ok) assert.deepEqual(back.value, c.req);
    });
    it(`${c.name}: module -> controller`, () => {
      assertFrame(winline.encodeReply(2, c.req, snapshot, true), FROM_MODULE_2, c.replyData);
      const r = winline.decodeReply(ext(FROM_MODULE_2, c.replyData));
      assert.ok(r.ok && r.value.address === 2 && r.value.item === c.req.item && r.value.accepted);
    });
  }

  it("decodes values and status", () => {
    const v = winline.decodeReply(ext(FROM_MODULE_2, "41f00001443ba000"));
    assert.ok(v.ok && v.value.voltageV === 750.5);
    const a = winline.decodeReply(ext(FROM_MODULE_2, "42f0001b00005000"));
    assert.ok(a.ok && a.value.currentA === 20);
    const s = winline.decodeReply(ext(FROM_MODULE_2, "42f0004000000011"));
    assert.ok(s.ok && s.value.running === false);
    if (s.ok) assert.deepEqual(s.value.alarms, ["overTemp"]);
    const refused = winline.decodeReply(ext(FROM_MODULE_2, "42f1003000000000"));
    assert.ok(refused.ok && refused.value.accepted === false);
  });

  it("broadcast clears the point-to-point flag and targets 0xFF", () => {
    const all = winline.broadcastSetpointFrames({ enabled: true, voltageV: 400, currentLimitA: 10 });
    assert.ok(all);
    assertFrame(all![2], 0x0607ff80, "0300003000000000");
    const back = winline.decodeRequest(all![2]);
    assert.ok(back.ok && back.value.broadcast);
  });

  it("rejects bad frames with a reason", () => {
    const bad = [
      { f: ext(0x070f8010, "41f00001443ba000"), why: /protocol number 0x70/ },
      { f: ext(FROM_MODULE_2, "41f0"), why: /length 2/ },
      { f: ext(FROM_MODULE_2, "41f0123400000000"), why: /unknown register 0x1234/ },
      { f: ext(FROM_MODULE_2, "10f0000100000000"), why: /not a reply/ },
      { f: { id: 0x123, extended: false, data: new Uint8Array(8) }, why: /standard/ },
    ];
    for (const b of bad) {
      const r = winline.decodeReply(b.f);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, b.why);
    }
  });
});

describe("protocols/winline group commands", () => {
  it("broadcast with the group in bits 2-0", () => {
    const frames = winline.groupSetpointFrames(2, { enabled: false, voltageV: 400, currentLimitA: 10 });
    assert.ok(frames);
    assertFrame(frames![0], 0x0607ff82, "0300003000010000");
    const back = winline.decodeRequest(frames![0]);
    assert.ok(back.ok && back.value.broadcast && back.value.group === 2);
    assert.equal(winline.groupSetpointFrames(0, { enabled: false, voltageV: 0, currentLimitA: 0 }), null, "group 0 is not a group");
  });
});
