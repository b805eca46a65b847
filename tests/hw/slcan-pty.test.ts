/**
 * SLCAN over a real pseudo-terminal pair: the driver opens the pty's slave side
 * like a USB-CAN adapter's tty; on the master side (relayed by a python3 child)
 * sits the adapter model with a simulated InfyPower module bank behind it.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import { Slcan } from "../../hal/moddable/slcan";
import { SimModuleBank } from "../../host-sim/devices/module-bank";
import { ttySerialClass } from "../../host-sim/devices/node-tty-serial";
import { SlcanAdapterModel } from "../../host-sim/devices/slcan-adapter";
import { VirtualCanNetwork } from "../../host-sim/devices/virtual-can";
import { ModuleManager } from "../../src/modules";
import { infypower } from "../../src/protocols";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, step: () => void, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    step();
    await sleep(5);
  }
}

describe("hw/slcan over a pseudo-terminal pair", function () {
  let child: ChildProcessWithoutNullStreams | undefined;
  let ptyPath = "";
  let adapter: SlcanAdapterModel;
  let bank: SimModuleBank;
  let net: VirtualCanNetwork;

  before(async function () {
    child = spawn("python3", [path.join(__dirname, "pty-bridge.py")]);
    net = new VirtualCanNetwork();
    const c = child;
    adapter = new SlcanAdapterModel({ bus: net.attach({ name: "adapter" }), output: (b) => c.stdin.write(b) });
    bank = new SimModuleBank({ protocol: infypower, bus: net.attach({ name: "bank" }), addresses: [1, 2] });
    let first = true;
    ptyPath = await new Promise<string>((resolve, reject) => {
      c.once("error", reject);
      c.once("exit", (code) => reject(new Error(`pty bridge exited with ${code}`)));
      let pending = Buffer.alloc(0);
      c.stdout.on("data", (chunk: Buffer) => {
        if (!first) return adapter.input(chunk);
        pending = Buffer.concat([pending, chunk]);
        const nl = pending.indexOf(10);
        if (nl < 0) return;
        first = false;
        resolve(pending.subarray(0, nl).toString());
        if (pending.length > nl + 1) adapter.input(pending.subarray(nl + 1));
      });
    });
  });

  after(() => {
    child?.stdin.end();
    child?.kill();
  });

  it("runs the module manager through the pty, survives garbage, reports BEL", async () => {
    assert.match(ptyPath, /^\/dev\/pts\/\d+$/);
    const errors: string[] = [];
    const can = new Slcan({ serial: { io: ttySerialClass(ptyPath), port: 0, receive: 0, transmit: 0, baud: 115200 }, bitrate: 125000, onError: (m) => errors.push(m) });
    try {
      await until("the channel to open", () => can.isOpen, () => can.pumpInput());
      assert.equal(adapter.bitrate, 125000);

      const clock = { ms: 0, nowMs() { return this.ms; } };
      const manager = new ModuleManager({ bus: can, protocol: infypower, clock, modules: [{ id: "M1", address: 1 }, { id: "M2", address: 2 }] });
      manager.command("M1", { enabled: true, voltageV: 450, currentLimitA: 12 });
      const loop = () => {
        clock.ms += 100;
        manager.tick();
        adapter.step();
        bank.step(clock.ms);
        adapter.step();
      };
      await until("M1 running at 450 V, M2 online", () => manager.state("M1") === "running" && manager.read("M1").voltageV === 450 && manager.state("M2") === "online", loop);
      assert.equal(bank.module(1).setCurrentA, 12);

      // Line noise from the adapter: counted by the driver, the loop carries on.
      adapter.raw("t12\rT0283F00\r\x01\x02garbage\r");
      const badBefore = can.errors().badFrames;
      await until("bad lines counted", () => can.errors().badFrames >= badBefore + 3, loop);
      assert.equal(manager.state("M1"), "running");

      // An error reply: the adapter refuses frames while listen-only.
      adapter.listenOnly = true;
      await until("a BEL reply", () => errors.some((e) => /refused a frame/.test(e)), loop);
      adapter.listenOnly = false;
    } finally {
      can.close();
    }
    await until("the adapter to see close", () => !adapter.open, () => undefined);
  });
});
