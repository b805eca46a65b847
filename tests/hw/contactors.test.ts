import { strict as assert } from "assert";
import { IoContactorBank, type ContactorChannel } from "../../hal/moddable/contactor-bank";
import { Mcp23017Inputs, Mcp23017Outputs } from "../../hal/moddable/mcp23017";
import { BankOutputs, PinInputs, PinOutputs } from "../../hal/moddable/pins";
import { Hc165Inputs, Hc595Outputs } from "../../hal/moddable/shift-chain";
import { Mcp23017Model } from "../../host-sim/devices/mcp23017";
import { Hc165ChainModel, Hc595ChainModel } from "../../host-sim/devices/shift-chain";
import { digitalBankClassFor, digitalClassFor, i2cClassFor, spiClassFor, type I2cDevice } from "./fakes";

const I2C = { data: 21, clock: 22, hz: 400000 };
const SPI = { clock: 18, out: 23, in: 19, hz: 1000000 };
const clock = { ms: 5000, nowMs() { return this.ms; } };

/** Several MCP23017s on one I2C bus. */
function i2cBus(models: Mcp23017Model[]): I2cDevice {
  return {
    i2cWrite: (a, d) => models.some((m) => m.address === a && m.i2cWrite(a, d)),
    i2cRead: (a, n) => models.find((m) => m.address === a)?.i2cRead(a, n) ?? null,
  };
}

const CHANNELS: ContactorChannel[] = [
  { id: "GC_1", coil: 0, aux: 0, normallyClosed: false },
  { id: "MC_1", coil: 1, aux: 1, normallyClosed: true },
  { id: "MN_1_0", coil: 17, aux: 2, normallyClosed: false },
];

describe("hw/mcp23017 expander driver against the register model", () => {
  it("writes the latch before making pins outputs, even after a warm MCU reset", () => {
    const chip = new Mcp23017Model(0x20);
    // The expander kept its state while the MCU rebooted: every output on.
    chip.regs[0x00] = 0;
    chip.regs[0x01] = 0;
    chip.regs[0x14] = 0xff;
    chip.regs[0x15] = 0xff;
    const cold = new Mcp23017Model(0x21);
    cold.regs[0x14] = 0xff; // latch garbage while still inputs
    cold.regs[0x15] = 0xff;
    const seen: number[] = [];
    const write = cold.i2cWrite.bind(cold);
    cold.i2cWrite = (a, d) => {
      const ok = write(a, d);
      seen.push(cold.outputs());
      return ok;
    };
    const bus = i2cClassFor(i2cBus([chip, cold]));
    new Mcp23017Outputs({ i2c: { io: bus.io, ...I2C }, address: 0x20 });
    new Mcp23017Outputs({ i2c: { io: bus.io, ...I2C }, address: 0x21 });
    assert.equal(chip.outputs(), 0);
    assert.ok(seen.every((v) => v === 0), `an output was on during init: ${seen}`);
    assert.equal(cold.regs[0x00] | cold.regs[0x01], 0, "all pins outputs");
  });

  it("rejects an address outside 0x20..0x27", () => {
    const bus = i2cClassFor(i2cBus([]));
    assert.throws(() => new Mcp23017Outputs({ i2c: { io: bus.io, ...I2C }, address: 0x40 }), /address 0x40 outside 0x20\.\.0x27/);
  });

  function rigExpanders() {
    const out0 = new Mcp23017Model(0x20);
    const out1 = new Mcp23017Model(0x21);
    const inp = new Mcp23017Model(0x24);
    inp.externalInputs = 0xffff; // pull-ups: every aux open
    const bus = i2cClassFor(i2cBus([out0, out1, inp]));
    const errors: string[] = [];
    const bank = new IoContactorBank({
      contactors: CHANNELS,
      outputs: [new Mcp23017Outputs({ i2c: { io: bus.io, ...I2C }, address: 0x20 }), new Mcp23017Outputs({ i2c: { io: bus.io, ...I2C }, address: 0x21 })],
      inputs: [new Mcp23017Inputs({ i2c: { io: bus.io, ...I2C }, address: 0x24 })],
      clock,
      onError: (m) => errors.push(m),
    });
    return { out0, out1, inp, bank, errors };
  }

  it("drives coils by contactor semantics (MC normally closed) across two chips", () => {
    const r = rigExpanders();
    assert.equal(r.out0.outputs() | r.out1.outputs(), 0, "all coils off at start");
    r.bank.command("GC_1", true);
    r.bank.command("MN_1_0", true);
    assert.equal(r.out0.outputs(), 0b01);
    assert.equal(r.out1.outputs(), 0b10, "channel 17 is bit 1 of the second chip");
    r.bank.command("MC_1", false); // open a normally-closed contactor = energize
    assert.equal(r.out0.outputs(), 0b11);
    r.bank.releaseAll();
    assert.equal(r.out0.outputs() | r.out1.outputs(), 0);
    assert.equal(r.bank.commanded("MC_1"), true, "released MC is closed");
    assert.equal(r.bank.commanded("GC_1"), false);
  });

  it("reads aux contacts (active low, IPOL) with the time they changed", () => {
    const r = rigExpanders();
    clock.ms = 6000;
    r.inp.externalInputs = 0xffff & ~0b001; // GC_1 aux pulled low = closed
    r.bank.poll();
    assert.deepEqual(r.bank.aux("GC_1"), { closed: true, changedAtMs: 6000 });
    clock.ms = 6100;
    r.bank.poll();
    assert.equal(r.bank.aux("GC_1").changedAtMs, 6000, "no change, no new timestamp");
    assert.equal(r.bank.aux("MN_1_0").closed, false);
  });

  it("an I2C failure releases every coil it can reach and latches a fault", () => {
    const r = rigExpanders();
    r.bank.command("GC_1", true);
    r.bank.command("MN_1_0", true);
    r.out1.dead = true;
    r.bank.command("MN_1_0", false);
    r.bank.command("GC_1", true);
    assert.match(r.bank.fault ?? "", /coil write for "MN_1_0" failed: I2C NACK at 0x21/);
    assert.equal(r.errors.length, 1);
    assert.equal(r.out0.outputs(), 0, "the reachable chip is all off");
    r.out1.dead = false;
    r.bank.command("GC_1", true);
    assert.equal(r.out0.outputs(), 0, "faulted bank never energizes again");
  });

  it("an aux read failure is a fault too, and never throws", () => {
    const r = rigExpanders();
    r.bank.command("GC_1", true);
    r.inp.dead = true;
    assert.doesNotThrow(() => r.bank.poll());
    assert.match(r.bank.fault ?? "", /aux read failed/);
    assert.equal(r.out0.outputs(), 0);
  });

  it("rejects channel maps that do not fit, naming the contactor", () => {
    const r = rigExpanders();
    assert.throws(() => new IoContactorBank({ contactors: [{ id: "GC_9", coil: 40, aux: 0, normallyClosed: false }], outputs: [], inputs: [], clock }), /contactors\[0\] "GC_9": coil 40 outside 0\.\.-1/);
    void r;
  });
});

describe("hw/74HC595 + 74HC165 chains against the shift-register models", () => {
  function rigChain(failAfter?: number) {
    const out = new Hc595ChainModel(3);
    const inp = new Hc165ChainModel(2);
    const levels = new Map<number, 0 | 1>();
    const oeDuringFirstLatch: number[] = [];
    const digital = digitalClassFor(levels, (pin, v) => {
      if (pin === 25) out.oe = v;
      if (pin === 26) inp.setLoad(v);
    });
    const spiOut = spiClassFor({ transaction: (tx) => { oeDuringFirstLatch.push(out.oe); return out.transaction(tx); } }, { failAfter });
    const spiIn = spiClassFor(inp);
    const errors: string[] = [];
    const bank = new IoContactorBank({
      contactors: [
        { id: "GC_1", coil: 0, aux: 0, normallyClosed: false },
        { id: "MN_12_1", coil: 23, aux: 15, normallyClosed: false },
        { id: "MC_12", coil: 9, aux: 9, normallyClosed: true },
      ],
      outputs: [new Hc595Outputs({ spi: { io: spiOut.io, ...SPI, select: 27 }, chips: 3, outputEnable: { io: digital.io, pin: 25 } })],
      inputs: [new Hc165Inputs({ spi: { io: spiIn.io, ...SPI, select: 14 }, chips: 2, load: { io: digital.io, pin: 26 } })],
      clock,
      onError: (m) => errors.push(m),
    });
    return { out, inp, bank, errors, oeDuringFirstLatch };
  }

  it("latches an all-off image before enabling the outputs", () => {
    const r = rigChain();
    assert.equal(r.oeDuringFirstLatch[0], 1, "/OE high while the first image is shifted in");
    assert.equal(r.out.oe, 0, "outputs enabled afterwards");
    assert.deepEqual(r.out.outputsOn(), []);
  });

  it("maps channels to chips (farthest chip shifted first)", () => {
    const r = rigChain();
    r.bank.command("MN_12_1", true);
    r.bank.command("GC_1", true);
    r.bank.command("MC_12", false);
    assert.deepEqual(r.out.outputsOn(), [0, 9, 23]);
  });

  it("reads the 165 chain, nearest chip first, active low", () => {
    const r = rigChain();
    for (let k = 0; k < 16; k++) r.inp.setInput(k, true);
    r.inp.setInput(15, false);
    r.inp.setInput(9, false);
    r.bank.poll();
    assert.equal(r.bank.aux("MN_12_1").closed, true);
    assert.equal(r.bank.aux("MC_12").closed, true);
    assert.equal(r.bank.aux("GC_1").closed, false);
  });

  it("an SPI error takes /OE high: every output off", () => {
    const r = rigChain(3);
    r.bank.command("GC_1", true);
    r.bank.command("MN_12_1", true);
    assert.deepEqual(r.out.outputsOn(), []);
    assert.equal(r.out.oe, 1);
    assert.match(r.errors[0], /SPI bus error/);
  });
});

describe("hw/direct pins", () => {
  it("Digital outputs (active low drivers) and pulled-up aux inputs", () => {
    const levels = new Map<number, 0 | 1>();
    const digital = digitalClassFor(levels);
    levels.set(34, 0);
    levels.set(35, 1);
    const bank = new IoContactorBank({
      contactors: [{ id: "GC_1", coil: 0, aux: 0, normallyClosed: false }, { id: "GC_2", coil: 1, aux: 1, normallyClosed: false }],
      outputs: [new PinOutputs({ io: digital.io, pins: [12, 13], activeLow: true })],
      inputs: [new PinInputs({ io: digital.io, pins: [34, 35] })],
      clock,
    });
    assert.deepEqual([levels.get(12), levels.get(13)], [1, 1], "active-low outputs idle high");
    bank.command("GC_2", true);
    assert.deepEqual([levels.get(12), levels.get(13)], [1, 0]);
    assert.equal(bank.aux("GC_1").closed, true);
    assert.equal(bank.aux("GC_2").closed, false);
    assert.equal(digital.pins.get(34)!.mode, "inputPullUp");
    bank.close();
    assert.equal(levels.get(13), 1);
    assert.ok(digital.pins.get(12)!.closed);
  });

  it("DigitalBank outputs write one word", () => {
    const fake = digitalBankClassFor();
    const out = new BankOutputs({ io: fake.io, pins: 0b1011_0000 });
    assert.equal(out.count, 3);
    assert.equal(fake.state.value, 0);
    out.set(2, true);
    out.set(0, true);
    out.flush();
    assert.equal(fake.state.value, 0b1001_0000);
    out.allOff();
    assert.equal(fake.state.value, 0);
  });
});
