import { strict as assert } from "assert";
import type { SerialPortOptions } from "../../hal/moddable/io-types";
import { Slcan } from "../../hal/moddable/slcan";
import { SlcanAdapterModel } from "../../host-sim/devices/slcan-adapter";
import { VirtualCanNetwork } from "../../host-sim/devices/virtual-can";

/** An in-memory `embedded:io/serial` joined to the adapter model. */
function rig(bitrate = 125000) {
  const net = new VirtualCanNetwork();
  const peer = net.attach({ name: "peer" });
  const toHost: number[] = [];
  const adapter = new SlcanAdapterModel({ bus: net.attach({ name: "adapter" }), output: (b) => toHost.push(...b) });
  const state = { options: undefined as SerialPortOptions | undefined, closed: false, failWrites: false };
  class MemSerial {
    constructor(options: SerialPortOptions) {
      state.options = options;
    }
    read(): ArrayBuffer | undefined {
      if (toHost.length === 0) return undefined;
      return Uint8Array.from(toHost.splice(0)).buffer;
    }
    write(value: Uint8Array | ArrayBuffer): void {
      if (state.failWrites) throw new Error("serial port gone");
      adapter.input(value instanceof Uint8Array ? value : new Uint8Array(value));
    }
    close(): void {
      state.closed = true;
    }
  }
  const errors: string[] = [];
  const can = new Slcan({ serial: { io: MemSerial, port: 1, receive: 16, transmit: 17, baud: 115200 }, bitrate, onError: (m) => errors.push(m) });
  const pump = () => {
    adapter.step();
    can.pumpInput();
  };
  return { net, peer, adapter, can, pump, state, errors, toHost };
}

describe("hw/slcan driver against the adapter model", () => {
  it("opens: close, S code, open; the expected BEL for the first close is harmless", () => {
    const r = rig(500000);
    r.pump();
    assert.deepEqual(r.adapter.log, ["C", "S6", "O"]);
    assert.equal(r.adapter.bitrate, 500000);
    assert.equal(r.can.isOpen, true);
    assert.equal(r.can.outstanding(), 0);
    assert.equal(r.state.options?.format, "buffer");
  });

  it("sends t/T frames and receives both kinds", () => {
    const r = rig();
    r.pump();
    assert.ok(r.can.send({ id: 0x123, extended: false, data: Uint8Array.of(1, 2) }));
    assert.ok(r.can.send({ id: 0x0283f005, extended: true, data: new Uint8Array(8) }));
    assert.deepEqual(r.adapter.log.slice(-2), ["t12320102", "T0283F0058" + "00".repeat(8)]);
    assert.equal(r.peer.receive()?.id, 0x123);
    assert.equal(r.peer.receive()?.id, 0x0283f005);
    r.pump();
    assert.equal(r.can.outstanding(), 0, "z/Z acknowledgements consumed");
    r.peer.send({ id: 0x7ff, extended: false, data: Uint8Array.of(9) });
    r.peer.send({ id: 0x1abcdef0, extended: true, data: new Uint8Array(0) });
    r.pump();
    const a = r.can.receive()!;
    const b = r.can.receive()!;
    assert.deepEqual([a.id, a.extended, Array.from(a.data)], [0x7ff, false, [9]]);
    assert.deepEqual([b.id, b.extended, b.data.length], [0x1abcdef0, true, 0]);
  });

  it("BEL error replies are reported, not thrown", () => {
    const r = rig();
    r.pump();
    r.adapter.listenOnly = true; // the adapter now refuses to transmit
    r.can.send({ id: 1, extended: false, data: new Uint8Array(1) });
    assert.doesNotThrow(() => r.pump());
    assert.equal(r.can.errorReplies, 2, "the initial C and the refused frame");
    assert.match(r.errors.join("\n"), /adapter refused a frame/);
  });

  it("garbage, truncated and overlong lines are counted and skipped; the stream resynchronizes", () => {
    const r = rig();
    r.pump();
    r.adapter.raw("t12\r");
    r.adapter.raw("T1234\r");
    r.adapter.raw("\x01\x02zz\r");
    r.adapter.raw("t1232AABBCC\r");
    r.adapter.raw("x".repeat(100) + "\r");
    r.adapter.raw("t1001AA\r");
    assert.doesNotThrow(() => r.pump());
    const e = r.can.errors();
    assert.equal(e.badFrames, 5);
    const f = r.can.receive();
    assert.equal(f?.id, 0x100, "the good line after the bad ones still arrives");
    assert.equal(r.can.receive(), undefined);
  });

  it("software filters", () => {
    const r = rig();
    r.pump();
    r.can.setFilters([{ id: 0x100, mask: 0x700, extended: false }]);
    r.peer.send({ id: 0x1ff, extended: false, data: new Uint8Array(0) });
    r.peer.send({ id: 0x200, extended: false, data: new Uint8Array(0) });
    r.pump();
    assert.equal(r.can.receive()?.id, 0x1ff);
    assert.equal(r.can.receive(), undefined);
  });

  it("status flags: error passive, data overrun, bus error -> bus-off, recovery re-opens", () => {
    const r = rig();
    r.pump();
    r.adapter.statusFlags = 0x20 | 0x08 | 0x80;
    r.can.requestStatus();
    r.pump();
    let e = r.can.errors();
    assert.deepEqual([e.errorPassive, e.rxOverflows, e.busOff], [true, 1, true]);
    r.can.recoverBusOff();
    r.pump();
    e = r.can.errors();
    assert.deepEqual([e.busOff, e.busOffRecoveries], [false, 1]);
    assert.equal(r.can.isOpen, true);
    assert.deepEqual(r.adapter.log.slice(-3), ["F", "C", "O"]);
  });

  it("a dead serial port disables the driver without throwing", () => {
    const r = rig();
    r.pump();
    r.state.failWrites = true;
    assert.equal(r.can.send({ id: 1, extended: false, data: new Uint8Array(0) }), false);
    assert.match(r.errors.join("\n"), /serial write failed: serial port gone/);
    assert.equal(r.can.errors().busOff, true);
    assert.doesNotThrow(() => r.can.receive());
  });

  it("close() closes the channel and the port", () => {
    const r = rig();
    r.pump();
    r.can.close();
    assert.equal(r.adapter.open, false);
    assert.equal(r.state.closed, true);
    assert.equal(r.can.send({ id: 1, extended: false, data: new Uint8Array(0) }), false);
  });
});
