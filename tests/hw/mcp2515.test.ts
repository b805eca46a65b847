import { strict as assert } from "assert";
import { Mcp2515, mcp2515BitTiming, type Mcp2515Options } from "../../hal/moddable/mcp2515";
import { Mcp2515Model } from "../../host-sim/devices/mcp2515";
import { SimModuleBank } from "../../host-sim/devices/module-bank";
import { VirtualCanNetwork } from "../../host-sim/devices/virtual-can";
import { ModuleManager } from "../../src/modules";
import { infypower } from "../../src/protocols";
import { digitalClassFor, spiClassFor } from "./fakes";

const PINS = { clock: 18, out: 23, in: 19, select: 5, hz: 8000000 };

function rig(o: { osc?: number; bitrate?: 125000 | 250000 | 500000; busBitrate?: number; interrupt?: boolean; failAfter?: number; extra?: Partial<Mcp2515Options> } = {}) {
  const net = new VirtualCanNetwork();
  const peer = net.attach({ name: "peer" });
  const wire = net.attach({ name: "mcp2515-wire" });
  const bitrate = o.bitrate ?? 125000;
  const model = new Mcp2515Model({ oscillatorHz: o.osc ?? 16000000, busBitrate: o.busBitrate ?? bitrate, wire });
  const spi = spiClassFor(model, { failAfter: o.failAfter });
  const levels = new Map<number, 0 | 1>();
  const digital = digitalClassFor(levels);
  const errors: string[] = [];
  const readable: number[] = [];
  const can = new Mcp2515({
    spi: { io: spi.io, ...PINS },
    interrupt: o.interrupt ? { io: digital.io, pin: 4 } : undefined,
    oscillatorHz: o.osc ?? 16000000,
    bitrate,
    onError: (m) => errors.push(m),
    onReadable: (n) => readable.push(n),
    ...o.extra,
  });
  /** Let the chip run; fire the INT pin callback like the GPIO edge would. */
  const step = (n = 1) => {
    for (let i = 0; i < n; i++) {
      model.step();
      const pin = digital.pins.get(4);
      if (pin && model.intAsserted()) pin.onReadable?.();
    }
  };
  return { net, peer, model, spi, can, step, errors, readable, digital };
}

describe("hw/mcp2515 driver against the register model", () => {
  for (const osc of [8000000, 16000000]) {
    for (const bitrate of [125000, 250000, 500000] as const) {
      it(`bit timing ${bitrate / 1000} kbps at ${osc / 1e6} MHz`, () => {
        const t = mcp2515BitTiming(osc, bitrate);
        assert.ok(t.samplePoint >= 0.7 && t.samplePoint <= 0.9, `sample point ${t.samplePoint}`);
        const r = rig({ osc, bitrate });
        assert.equal(r.model.configuredBitrate(), bitrate);
        assert.equal(r.model.regs[0x2a], t.cnf1);
        assert.equal(r.model.mode(), 0, "normal mode after init");
        // Frames flow at that rate.
        r.can.send({ id: 0x123, extended: false, data: new Uint8Array([1]) });
        r.step();
        assert.equal(r.peer.receive()?.id, 0x123);
      });
    }
  }

  it("refuses impossible bit timings with a clear error", () => {
    assert.throws(() => mcp2515BitTiming(8000000, 1000000 * 3), /no bit timing for 3000000 bit\/s with a 8000000 Hz crystal/);
  });

  it("construction fails clearly when the chip does not answer", () => {
    const dead = { transaction: (tx: Uint8Array) => new Uint8Array(tx.length).fill(0xff) };
    assert.throws(() => new Mcp2515({ spi: { io: spiClassFor(dead).io, ...PINS }, oscillatorHz: 16000000, bitrate: 125000 }), /CANSTAT 0xff.*check SPI wiring/);
  });

  it("sends and receives 11-bit and 29-bit frames (and remote frames)", () => {
    const r = rig();
    r.can.send({ id: 0x7ff, extended: false, data: new Uint8Array([1, 2, 3]) });
    r.can.send({ id: 0x1fffffff, extended: true, data: new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]) });
    r.step(2);
    const a = r.peer.receive()!;
    const b = r.peer.receive()!;
    assert.deepEqual([a.id, a.extended, Array.from(a.data)], [0x7ff, false, [1, 2, 3]]);
    assert.deepEqual([b.id, b.extended, Array.from(b.data)], [0x1fffffff, true, [9, 8, 7, 6, 5, 4, 3, 2]]);
    r.peer.send({ id: 0x0283f005, extended: true, data: new Uint8Array([0x44, 0x3b, 0xa0, 0, 0x42, 0xc8, 0x80, 0]) });
    r.peer.send({ id: 0x055, extended: false, data: new Uint8Array(2), remote: true });
    r.step();
    const c = r.can.receive()!;
    assert.equal(c.id, 0x0283f005);
    assert.equal(c.extended, true);
    assert.equal(Array.from(c.data).join(","), "68,59,160,0,66,200,128,0");
    r.step();
    const d = r.can.receive()!;
    assert.deepEqual([d.id, d.extended, d.remote, d.data.length], [0x055, false, true, 2]);
    assert.equal(r.can.receive(), undefined);
  });

  it("acceptance filters: hardware masks drop other traffic, software finishes long lists", () => {
    const r = rig();
    r.can.setFilters(infypower.replyFilters());
    r.peer.send({ id: 0x0283f005, extended: true, data: new Uint8Array(8) }); // to controller: pass
    r.peer.send({ id: 0x028305f0, extended: true, data: new Uint8Array(8) }); // to a module: drop
    r.peer.send({ id: 0x0f0, extended: false, data: new Uint8Array(8) }); // standard: drop
    r.step();
    assert.deepEqual([r.can.receive()?.id, r.can.receive()], [0x0283f005, undefined]);
    assert.equal(r.model.regs[0x60] & 0x60, 0, "RXB0 uses its filters");
    const many = [0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106, 0x107].map((id) => ({ id, mask: 0x7ff, extended: false }));
    r.can.setFilters(many);
    for (const id of [0x100, 0x107, 0x108, 0x200]) {
      r.peer.send({ id, extended: false, data: new Uint8Array(1) });
      r.step();
    }
    const got: number[] = [];
    for (let f = r.can.receive(); f; f = r.can.receive()) got.push(f.id);
    assert.deepEqual(got, [0x100, 0x107]);
  });

  it("TX buffers: lowest id leaves first, whatever the send order", () => {
    const r = rig();
    r.model.noAck = true; // hold everything in the buffers
    for (const id of [0x300, 0x200, 0x100, 0x050, 0x400]) r.can.send({ id, extended: false, data: new Uint8Array(1) });
    assert.equal(r.can.pendingTx(), 2, "three hardware buffers, two frames queued in software");
    r.model.noAck = false;
    r.model.regs[0x1c] = 0; // forget the error the held attempt caused
    r.step(6);
    r.can.service();
    r.step(6);
    const order: number[] = [];
    for (let f = r.peer.receive(); f; f = r.peer.receive()) order.push(f.id);
    assert.deepEqual(order.slice(0, 3), [0x100, 0x200, 0x300], "TXP follows id among loaded buffers");
    assert.deepEqual(order.slice().sort((a, b) => a - b), [0x050, 0x100, 0x200, 0x300, 0x400]);
  });

  it("RX overflow: rollover into RXB1, then counted, never thrown", () => {
    const r = rig();
    for (const id of [1, 2, 3]) r.model.inject({ id, extended: false, data: new Uint8Array([id]) });
    assert.equal(r.model.regs[0x2d] & 0x80, 0x80, "RX1OVR set in EFLG");
    const ids = [r.can.receive()?.id, r.can.receive()?.id, r.can.receive()];
    assert.deepEqual(ids, [1, 2, undefined]);
    assert.equal(r.can.errors().rxOverflows, 1);
    assert.equal(r.model.regs[0x2d] & 0xc0, 0, "overflow flags cleared by the driver");
  });

  it("error counters, error passive, bus-off and recovery", () => {
    const r = rig();
    r.model.noAck = true;
    r.can.send({ id: 0x10, extended: false, data: new Uint8Array(1) });
    r.step(13);
    let e = r.can.errors();
    assert.equal(e.txErrors, 104);
    assert.equal(e.errorPassive, false);
    r.step(4);
    e = r.can.errors();
    assert.equal(e.errorPassive, true);
    r.step(20);
    r.can.service();
    e = r.can.errors();
    assert.equal(e.busOff, true);
    assert.equal(r.can.send({ id: 0x11, extended: false, data: new Uint8Array(1) }), false, "no sending while bus-off");
    r.model.noAck = false;
    r.can.recoverBusOff();
    e = r.can.errors();
    assert.deepEqual([e.busOff, e.txErrors, e.busOffRecoveries], [false, 0, 1]);
    assert.equal(r.can.send({ id: 0x12, extended: false, data: new Uint8Array(1) }), true);
    r.step();
    assert.equal(r.peer.receive()?.id, 0x12);
  });

  it("wrong bit rate on the wire: nothing received, receive errors counted", () => {
    const r = rig({ bitrate: 125000, busBitrate: 250000 });
    r.peer.send({ id: 0x1, extended: false, data: new Uint8Array(1) });
    r.step();
    assert.equal(r.can.receive(), undefined);
    assert.ok(r.can.errors().rxErrors > 0);
  });

  it("INT pin: the falling edge services the chip and calls onReadable", () => {
    const r = rig({ interrupt: true });
    const pin = r.digital.pins.get(4)!;
    assert.equal(pin.mode, "inputPullUp");
    r.peer.send({ id: 0x42, extended: false, data: new Uint8Array(1) });
    r.step();
    assert.deepEqual(r.readable, [1]);
    assert.equal(r.model.intAsserted(), false, "flags cleared");
    assert.equal(r.can.receive()?.id, 0x42);
  });

  it("an SPI failure disables the driver without throwing", () => {
    const r = rig({ failAfter: 40 });
    assert.doesNotThrow(() => {
      for (let i = 0; i < 20; i++) {
        r.can.send({ id: i, extended: false, data: new Uint8Array(1) });
        r.can.receive();
      }
    });
    assert.equal(r.can.spiFaults, 1);
    assert.match(r.errors[0], /SPI failure, controller disabled: SPI bus error/);
    assert.equal(r.can.errors().busOff, true);
    assert.equal(r.can.send({ id: 1, extended: false, data: new Uint8Array(1) }), false);
  });

  it("close() aborts, parks the chip in configuration mode and closes the transports", () => {
    const r = rig({ interrupt: true });
    r.can.close();
    assert.equal(r.model.mode(), 4);
    assert.equal(r.spi.state.closed, true);
    assert.equal(r.digital.pins.get(4)!.closed, true);
    assert.equal(r.can.receive(), undefined);
  });

  it("carries the module manager: InfyPower modules over MCP2515", () => {
    const r = rig();
    const bank = new SimModuleBank({ protocol: infypower, bus: r.peer, addresses: [1, 2] });
    const clock = { ms: 0, nowMs() { return this.ms; } };
    const manager = new ModuleManager({ bus: r.can, protocol: infypower, clock, modules: [{ id: "M1", address: 1 }, { id: "M2", address: 2 }] });
    manager.command("M2", { enabled: true, voltageV: 600, currentLimitA: 40 });
    for (let i = 0; i < 20; i++) {
      clock.ms += 100;
      manager.tick();
      r.step(4);
      bank.step(clock.ms);
      r.step(4);
    }
    manager.tick();
    assert.equal(manager.state("M1"), "online");
    assert.equal(manager.state("M2"), "running");
    assert.equal(manager.read("M2").voltageV, 600);
    assert.equal(manager.stats().badFrames, 0);
  });
});
