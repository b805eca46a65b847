import { strict as assert } from "assert";
import { base64, ModdableOcppWebSocket, parseWsUrl, utf8Decode, utf8Encode, type Ecma419WebSocketOptions } from "../../../hal/moddable/ocpp-websocket";

class FakeClient {
  static last: FakeClient | null = null;
  written: string[] = [];
  closed = false;
  inbox: Uint8Array | null = null;
  constructor(readonly options: Ecma419WebSocketOptions) { FakeClient.last = this; }
  read(): ArrayBuffer | undefined { const b = this.inbox; this.inbox = null; return b ? (b.buffer as ArrayBuffer) : undefined; }
  write(message: ArrayBuffer): number { this.written.push(utf8Decode(new Uint8Array(message))); return message.byteLength; }
  close(): void { this.closed = true; }
}

describe("moddable ECMA-419 OCPP transport (fake client device)", () => {
  it("parses ws/wss URLs", () => {
    assert.deepEqual(parseWsUrl("ws://csms.local:9000/ocpp/CAB1"), { ok: true, secure: false, host: "csms.local", port: 9000, path: "/ocpp/CAB1" });
    assert.deepEqual(parseWsUrl("wss://csms.example/ocpp/CAB%201"), { ok: true, secure: true, host: "csms.example", port: 443, path: "/ocpp/CAB%201" });
    assert.equal(parseWsUrl("http://x/").ok, false);
  });

  it("round-trips UTF-8 and encodes basic auth in base64", () => {
    const text = "Ünïcödé ✓ 𝄞 [2,\"1\",\"Heartbeat\",{}]";
    assert.equal(utf8Decode(utf8Encode(text)), text);
    assert.equal(base64(utf8Encode("CAB1:secret")), "Q0FCMTpzZWNyZXQ=");
    assert.equal(base64(utf8Encode("ab")), "YWI=");
  });

  it("opens with the requested subprotocol, joins fragments, sends text, reports close", () => {
    const events: string[] = [];
    const t = new ModdableOcppWebSocket({ io: FakeClient as never, socket: "tcp" });
    t.connect({ url: "ws://10.0.0.2:9000/ocpp/CAB1", protocols: ["ocpp2.0.1"], basicAuth: { username: "CAB1", password: "pw" } }, {
      onOpen: (p) => events.push(`open ${p}`), onMessage: (m) => events.push(`msg ${m}`), onClose: (r) => events.push(`close ${r}`),
    });
    const c = FakeClient.last!;
    assert.equal(c.options.host, "10.0.0.2");
    assert.equal(c.options.path, "/ocpp/CAB1");
    assert.equal(c.options.protocol, "ocpp2.0.1");
    assert.equal(c.options.headers.get("Authorization"), "Basic Q0FCMTpwdw==");
    assert.equal(t.send("x"), false, "not open before the handshake");
    c.options.onWritable!.call(c, 1024);
    c.inbox = utf8Encode("[3,\"1\",");
    c.options.onReadable!.call(c, 7, { more: true, binary: false });
    c.inbox = utf8Encode("{}]");
    c.options.onReadable!.call(c, 3, { more: false, binary: false });
    assert.equal(t.send("[2,\"9\",\"Heartbeat\",{}]"), true);
    assert.deepEqual(c.written, ["[2,\"9\",\"Heartbeat\",{}]"]);
    c.options.onControl!.call(c, 8, new ArrayBuffer(0));
    c.options.onClose!.call(c);
    assert.deepEqual(events, ["open ocpp2.0.1", "msg [3,\"1\",{}]", "close closed by server"]);
  });

  it("wss without a TLS device closes with a reason instead of throwing", () => {
    const events: string[] = [];
    new ModdableOcppWebSocket({ io: FakeClient as never }).connect({ url: "wss://x/ocpp/A", protocols: ["ocpp1.6"] }, {
      onOpen: () => events.push("open"), onMessage: () => {}, onClose: (r) => events.push(r),
    });
    assert.deepEqual(events, ["wss:// needs a TLS WebSocket device"]);
  });
});
