import { strict as assert } from "assert";
import { uugreen } from "../../../src/protocols";
import type { ModuleRequest } from "../../../src/protocols";
import { assertFrame, ext, snapshot } from "./golden";

const set = (item: ModuleRequest["item"], value: number, address = 3): ModuleRequest => ({ address, broadcast: address === 0, op: "set", item, values: [value] });
const read = (item: ModuleRequest["item"]): ModuleRequest => ({ address: 3, broadcast: false, op: "read", item, values: [] });

describe("protocols/uugreen golden frames", () => {
  const cases: { name: string; req: ModuleRequest; reqData: string; replyData: string }[] = [
    { name: "cmd 2 set voltage 500 V", req: set("setVoltage", 500), reqData: "100200000007a120", replyData: "110200000007a120" },
    { name: "cmd 3 set current limit 30 A", req: set("setCurrent", 30), reqData: "1003000000007530", replyData: "1103000000007530" },
    { name: "cmd 4 shutdown (off)", req: set("onOff", 1), reqData: "1004000000000001", replyData: "1104000000000001" },
    { name: "cmd 4 shutdown (on)", req: set("onOff", 0), reqData: "1004000000000000", replyData: "1104000000000000" },
    { name: "cmd 95 voltage mode", req: set("voltageMode", 2), reqData: "105f000000000002", replyData: "115f000000000002" },
    { name: "read voltage", req: read("voltage"), reqData: "1262000000000000", replyData: "13620000000b73a4" },
    { name: "read current", req: read("current"), reqData: "1230000000000000", replyData: "133000000001879a" },
    { name: "read temperature", req: read("temperature"), reqData: "121e000000000000", replyData: "131e00000000afc8" },
    { name: "read status", req: read("status"), reqData: "1208000000000000", replyData: "1308000000000010" },
  ];
  for (const c of cases) {
    it(`${c.name}: controller -> module`, () => {
      const f = uugreen.encodeRequest(c.req);
      assertFrame(f, 0x0220c000, c.reqData);
      const back = uugreen.decodeRequest(f);
      assert.ok(back.ok);
      if (back.ok) assert.deepEqual(back.value, c.req);
    });
    it(`${c.name}: module -> controller`, () => {
      assertFrame(uugreen.encodeReply(3, c.req, snapshot, true), 0x0220c000, c.replyData);
      const r = uugreen.decodeReply(ext(0x0220c000, c.replyData));
      assert.ok(r.ok && r.value.address === 3 && r.value.item === c.req.item && r.value.accepted);
    });
  }

  it("decodes values", () => {
    const v = uugreen.decodeReply(ext(0x0220c000, "13620000000b73a4"));
    assert.ok(v.ok && v.value.voltageV === 750.5);
    const t = uugreen.decodeReply(ext(0x0220c000, "131e0000ffffec78"));
    assert.ok(t.ok && t.value.tempC === -5);
    const s = uugreen.decodeReply(ext(0x0220c000, "1308000000000011"));
    assert.ok(s.ok && s.value.running === false);
    if (s.ok) assert.deepEqual(s.value.alarms, ["overTemp"]);
  });

  it("broadcast uses module address 0", () => {
    const all = uugreen.broadcastSetpointFrames({ enabled: false, voltageV: 300, currentLimitA: 5 });
    assert.ok(all);
    assertFrame(all![0], 0x02200000, "1004000000000001");
  });

  it("rejects bad frames with a reason", () => {
    const bad = [
      { f: ext(0x0420c000, "1362000000000000"), why: /protocol number 2/ },
      { f: ext(0x0220c000, "136200"), why: /length 3/ },
      { f: ext(0x0220c000, "1377000000000000"), why: /unknown command/ },
      { f: ext(0x0220c000, "1262000000000000"), why: /not a reply/ },
      { f: ext(0x0220c001, "1362000000000000"), why: /low id bits/ },
    ];
    for (const b of bad) {
      const r = uugreen.decodeReply(b.f);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, b.why);
    }
  });
});
