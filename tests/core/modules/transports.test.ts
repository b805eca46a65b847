/**
 * The module manager over both CAN drivers and their device models, in memory:
 * runs in the XS tier too, so the drivers are exercised on the engine that ships.
 */
import { strict as assert } from "assert";
import { Mcp2515 } from "../../../hal/moddable/mcp2515";
import { Slcan } from "../../../hal/moddable/slcan";
import type { SerialPortOptions, SpiPortOptions } from "../../../hal/moddable/io-types";
import { Mcp2515Model } from "../../../host-sim/devices/mcp2515";
import { SimModuleBank } from "../../../host-sim/devices/module-bank";
import { SlcanAdapterModel } from "../../../host-sim/devices/slcan-adapter";
import { VirtualCanNetwork } from "../../../host-sim/devices/virtual-can";
import { ModuleManager } from "../../../src/modules";
import { uugreen, winline } from "../../../src/protocols";

const clockAt = () => ({ ms: 0, nowMs() { return this.ms; } });

describe("modules over real CAN drivers (register and adapter models)", () => {
  it("MCP2515: UUGreen modules run; bus-off is recovered by the manager and setpoints return", () => {
    const net = new VirtualCanNetwork();
    const model = new Mcp2515Model({ oscillatorHz: 8000000, busBitrate: 125000, wire: net.attach() });
    class Spi {
      constructor(_o: SpiPortOptions) {}
      transfer(b: Uint8Array): void {
        b.set(model.transaction(b));
      }
    }
    const can = new Mcp2515({ spi: { io: Spi, clock: 1, hz: 1000000 }, oscillatorHz: 8000000, bitrate: 125000 });
    const bank = new SimModuleBank({ protocol: uugreen, bus: net.attach(), addresses: [5, 6] });
    const clock = clockAt();
    const m = new ModuleManager({ bus: can, protocol: uugreen, clock, modules: [{ id: "A", address: 5 }, { id: "B", address: 6 }], offlineAfterMs: 2000, busOffRecoveryMs: 500 });
    const run = (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        clock.ms += 100;
        m.tick();
        for (let i = 0; i < 8; i++) model.step();
        bank.step(clock.ms);
        for (let i = 0; i < 8; i++) model.step();
      }
    };
    m.command("B", { enabled: true, voltageV: 700, currentLimitA: 20 });
    run(1500);
    assert.equal(m.state("B"), "running");
    assert.equal(bank.module(6).setVoltageV, 700);
    model.noAck = true; // transceiver unplugged: TEC climbs to bus-off
    run(3000);
    assert.equal(m.state("B"), "offline");
    assert.ok(can.errors().busOffRecoveries >= 1 || can.errors().busOff, "bus-off seen");
    model.noAck = false;
    run(3000);
    assert.ok(m.stats().busOffRecoveries >= 1);
    assert.equal(m.state("B"), "running");
    assert.equal(m.health("B")!.reapplied, 1);
  });

  it("SLCAN: Winline modules run through the adapter model", () => {
    const net = new VirtualCanNetwork();
    const toHost: number[] = [];
    const adapter = new SlcanAdapterModel({ bus: net.attach(), output: (b) => toHost.push(...b) });
    class Serial {
      constructor(_o: SerialPortOptions) {}
      read(): ArrayBuffer | undefined {
        return toHost.length ? Uint8Array.from(toHost.splice(0)).buffer : undefined;
      }
      write(v: Uint8Array | ArrayBuffer): void {
        adapter.input(v instanceof Uint8Array ? v : new Uint8Array(v));
      }
      close(): void {}
    }
    const can = new Slcan({ serial: { io: Serial, port: 0, receive: 0, transmit: 0, baud: 115200 }, bitrate: 125000 });
    const bank = new SimModuleBank({ protocol: winline, bus: net.attach(), addresses: [3] });
    const clock = clockAt();
    const m = new ModuleManager({ bus: can, protocol: winline, clock, modules: [{ id: "W", address: 3 }] });
    m.command("W", { enabled: true, voltageV: 820.5, currentLimitA: 15.5 });
    for (let t = 0; t < 1500; t += 100) {
      clock.ms += 100;
      m.tick();
      bank.step(clock.ms);
      adapter.step();
    }
    m.tick();
    assert.equal(m.state("W"), "running");
    assert.equal(m.read("W").voltageV, 820.5);
    assert.equal(bank.module(3).setCurrentA, 15.5);
    assert.equal(can.errors().badFrames, 0);
  });
});
