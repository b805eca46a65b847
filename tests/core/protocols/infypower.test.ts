import { strict as assert } from "assert";
import { infypower } from "../../../src/protocols";
import type { ModuleRequest } from "../../../src/protocols";
import { assertFrame, ext, snapshot } from "./golden";

const read = (item: ModuleRequest["item"], address = 5, broadcast = false): ModuleRequest => ({ address, broadcast, op: "read", item, values: [] });

describe("protocols/infypower golden frames", () => {
  const cases: { name: string; req: ModuleRequest; reqId: number; reqData: string; replyId: number; replyData: string }[] = [
    { name: "0x03 read voltage/current", req: read("measurement"), reqId: 0x028305f0, reqData: "0000000000000000", replyId: 0x0283f005, replyData: "443ba00042c88000" },
    { name: "0x04 read status", req: read("status"), reqId: 0x028405f0, reqData: "0000000000000000", replyId: 0x0284f005, replyData: "000000002d001000" },
    { name: "0x0A read capabilities", req: read("capabilities"), reqId: 0x028a05f0, reqData: "0000000000000000", replyId: 0x028af005, replyData: "03e8009603e80bb8" },
    { name: "0x02 module count (broadcast)", req: read("moduleCount", 0, true), reqId: 0x02823ff0, reqData: "0000000000000000", replyId: 0x0282f000, replyData: "00000c0000000000" },
    { name: "0x1A on", req: { address: 5, broadcast: false, op: "set", item: "onOff", values: [0] }, reqId: 0x029a05f0, reqData: "0000000000000000", replyId: 0x029af005, replyData: "0000000000000000" },
    { name: "0x1A off", req: { address: 5, broadcast: false, op: "set", item: "onOff", values: [1] }, reqId: 0x029a05f0, reqData: "0100000000000000", replyId: 0x029af005, replyData: "0100000000000000" },
    { name: "0x1C set 750 V / 100 A", req: { address: 5, broadcast: false, op: "set", item: "setVoltageCurrent", values: [750, 100] }, reqId: 0x029c05f0, reqData: "000b71b0000186a0", replyId: 0x029cf005, replyData: "000b71b0000186a0" },
  ];
  for (const c of cases) {
    it(`${c.name}: controller -> module`, () => {
      const f = infypower.encodeRequest(c.req);
      assertFrame(f, c.reqId, c.reqData);
      const back = infypower.decodeRequest(f);
      assert.ok(back.ok);
      if (back.ok) assert.deepEqual(back.value, c.req);
    });
    it(`${c.name}: module -> controller`, () => {
      const address = c.req.broadcast ? 0 : c.req.address;
      assertFrame(infypower.encodeReply(address, c.req, snapshot, true), c.replyId, c.replyData);
    });
  }

  it("decodes the replies into SI values", () => {
    const m = infypower.decodeReply(ext(0x0283f005, "443ba00042c88000"));
    assert.deepEqual(m, { ok: true, value: { address: 5, item: "measurement", accepted: true, voltageV: 750.5, currentA: 100.25 } });
    const s = infypower.decodeReply(ext(0x0284f005, "00000000d8001000"));
    assert.deepEqual(s, { ok: true, value: { address: 5, item: "status", accepted: true, tempC: -40, running: true, alarms: ["overTemp"] } });
    const off = infypower.decodeReply(ext(0x0284f005, "0000000019000100"));
    assert.ok(off.ok && off.value.running === false && off.value.alarms?.length === 0);
    const cap = infypower.decodeReply(ext(0x028af005, "03e8009603e80bb8"));
    assert.ok(cap.ok);
    if (cap.ok) assert.deepEqual(cap.value.capabilities, snapshot.capabilities);
    const count = infypower.decodeReply(ext(0x0282f000, "00000c0000000000"));
    assert.ok(count.ok && count.value.moduleCount === 12);
  });

  it("an error code in the id is a refused command", () => {
    const r = infypower.decodeReply(ext(0x0e9cf005, "0000000000000000"));
    assert.ok(r.ok && r.value.accepted === false && r.value.item === "setVoltageCurrent");
  });

  it("setpoints: values before switching on, switching off first", () => {
    const on = infypower.setpointFrames(5, { enabled: true, voltageV: 400, currentLimitA: 10 });
    assert.deepEqual(on.map((f) => (f.id >>> 16) & 0x3f), [0x1c, 0x1a]);
    const off = infypower.setpointFrames(5, { enabled: false, voltageV: 400, currentLimitA: 10 });
    assert.deepEqual(off.map((f) => (f.id >>> 16) & 0x3f), [0x1a, 0x1c]);
    const all = infypower.broadcastSetpointFrames({ enabled: true, voltageV: 400, currentLimitA: 10 });
    assert.ok(all && all.every((f) => ((f.id >>> 8) & 0xff) === 0x3f));
  });

  it("negative or NaN setpoints clamp to zero instead of wrapping", () => {
    const f = infypower.encodeRequest({ address: 1, broadcast: false, op: "set", item: "setVoltageCurrent", values: [-5, Number.NaN] });
    assertFrame(f, 0x029c01f0, "0000000000000000");
  });

  it("rejects bad frames with a reason", () => {
    const bad = [
      { f: { id: 0x283, extended: false, data: new Uint8Array(8) }, why: /standard/ },
      { f: ext(0x0283f005, "443ba000"), why: /length 4/ },
      { f: ext(0x02bff005, "0000000000000000"), why: /unknown command 0x3f/ },
      { f: ext(0x028305f0, "0000000000000000"), why: /destination/ },
      { f: ext(0x0283f005, "7fc000007fc00000"), why: /finite/ },
    ];
    for (const b of bad) {
      const r = infypower.decodeReply(b.f);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, b.why);
    }
  });
});

describe("protocols/infypower group commands", () => {
  it("device type 0x0B with the group number as destination", () => {
    const frames = infypower.groupSetpointFrames(2, { enabled: true, voltageV: 400, currentLimitA: 10 });
    assert.ok(frames);
    assertFrame(frames![1], 0x02da02f0, "0000000000000000");
    const back = infypower.decodeRequest(frames![1]);
    assert.deepEqual(back, { ok: true, value: { address: 0, broadcast: true, group: 2, item: "onOff", op: "set", values: [0] } });
  });
});
