import { strict as assert } from "assert";
import type { CanBus, CanFrame } from "../../../hal/can";
import { ModuleManager } from "../../../src/modules";
import { allProtocols, infypower, uugreen, winline } from "../../../src/protocols";
import type { ModuleProtocol } from "../../../src/protocols";
import { SimModuleBank } from "../../../host-sim/devices/module-bank";
import { VirtualCanNetwork } from "../../../host-sim/devices/virtual-can";

class FakeClock {
  ms = 1000;
  nowMs(): number {
    return this.ms;
  }
}

function rig(protocol: ModuleProtocol, opts: { offlineAfterMs?: number; pollPeriodMs?: number; useBroadcast?: boolean } = {}) {
  const clock = new FakeClock();
  const net = new VirtualCanNetwork();
  const controllerBus = net.attach({ name: "controller" });
  const bankBus = net.attach({ name: "bank" });
  const addresses = [1, 2, 3];
  const bank = new SimModuleBank({ protocol, bus: bankBus, addresses });
  const manager = new ModuleManager({
    bus: controllerBus, protocol, clock,
    modules: addresses.map((address) => ({ id: `M${address}`, address })),
    offlineAfterMs: opts.offlineAfterMs ?? 3000, pollPeriodMs: opts.pollPeriodMs ?? 500, useBroadcast: opts.useBroadcast,
  });
  /** Run the control loop for `ms` in 100 ms ticks; the bank answers within the same tick. */
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clock.ms += 100;
      manager.tick();
      bank.step(clock.ms);
    }
    manager.tick();
  };
  return { clock, net, controllerBus, bank, manager, run };
}

describe("modules/manager", () => {
  for (const protocol of allProtocols) {
    describe(protocol.name, () => {
      it("brings modules online, applies setpoints, reports measurements", () => {
        const r = rig(protocol);
        r.bank.module(2).loadCurrentA = 25;
        r.run(1000);
        assert.deepEqual(r.manager.ids.map((id) => r.manager.state(id)), ["online", "online", "online"]);
        r.manager.command("M2", { enabled: true, voltageV: 400, currentLimitA: 20 });
        r.run(1000);
        assert.equal(r.bank.module(2).enabled, true);
        assert.equal(r.bank.module(2).setVoltageV, 400);
        assert.equal(r.manager.state("M2"), "running");
        const reading = r.manager.read("M2");
        assert.equal(reading.online, true);
        assert.equal(reading.running, true);
        assert.equal(reading.voltageV, 400);
        assert.equal(reading.currentA, 20, "load current limited by the current limit");
        assert.equal(r.manager.state("M1"), "online");
        assert.equal(r.manager.stats().badFrames, 0);
      });

      it("comms loss: offline after the silence timeout, setpoint re-applied when comms return", () => {
        const r = rig(protocol, { offlineAfterMs: 2000 });
        r.manager.command("M1", { enabled: true, voltageV: 500, currentLimitA: 30 });
        r.run(1000);
        assert.equal(r.manager.state("M1"), "running");
        r.bank.module(1).silent = true;
        r.run(2500);
        assert.equal(r.manager.state("M1"), "offline");
        const lost = r.manager.read("M1");
        assert.equal(lost.online, false);
        assert.deepEqual(lost.alarms, ["commsLost"]);
        assert.equal(r.manager.state("M2"), "online", "other modules unaffected");
        // The module's own traffic timeout (10 s) switches it off while we cannot reach it.
        r.run(9000);
        assert.equal(r.bank.module(1).enabled, false);
        r.bank.module(1).setVoltageV = 0;
        r.bank.module(1).silent = false;
        r.run(2000);
        assert.equal(r.manager.state("M1"), "running");
        assert.equal(r.bank.module(1).enabled, true);
        assert.equal(r.bank.module(1).setVoltageV, 500);
        assert.equal(r.bank.module(1).setCurrentA, 30);
        assert.equal(r.manager.health("M1")!.reapplied, 1);
      });

      it("a module reporting an alarm is faulted and unhealthy for the planner", () => {
        const r = rig(protocol);
        r.run(1000);
        r.bank.module(3).alarms = ["overTemp"];
        r.bank.module(3).tempC = 92;
        r.run(1000);
        assert.equal(r.manager.state("M3"), "faulted");
        const h = r.manager.health("M3")!;
        assert.equal(h.healthy, false);
        assert.deepEqual(h.alarms, ["overTemp"]);
        const obs = r.manager.observations();
        assert.deepEqual(obs.map((o) => o.healthy), [true, true, false]);
        if (protocol !== winline) assert.equal(obs[2].tempC, 92);
        r.bank.module(3).alarms = [];
        r.run(1000);
        assert.equal(r.manager.state("M3"), "online", "alarm cleared -> healthy again");
      });

      it("bad and foreign frames are counted and ignored", () => {
        const r = rig(protocol);
        const noise = r.net.attach({ name: "noise" });
        r.run(500);
        noise.send({ id: 0x123, extended: false, data: new Uint8Array([1, 2, 3]) });
        noise.send({ id: protocol.replyFilters()[0].id, extended: true, data: new Uint8Array([0xde, 0xad]) });
        const foreign = protocol.encodeReply(protocol.maxAddress - 1, { address: 0, broadcast: false, op: "read", item: "status", values: [] }, r.bank.snapshot(r.bank.module(1)), true);
        noise.send(foreign);
        assert.doesNotThrow(() => r.run(500));
        const s = r.manager.stats();
        assert.equal(s.badFrames, 1, "standard-id frame filtered by the controller's acceptance filter; the short one is bad");
        assert.equal(s.unknownModuleFrames, 1);
        assert.ok(s.lastBadFrameReason.length > 0);
        assert.equal(r.manager.state("M1"), "online");
      });
    });
  }

  it("polls every module at least once a second, even when asked for less", () => {
    const r = rig(infypower, { pollPeriodMs: 5000, offlineAfterMs: 8000 });
    r.run(100);
    const before = r.controllerBus.sent.length;
    r.run(3000);
    const polls = r.controllerBus.sent.slice(before).filter((f) => ((f.id >>> 16) & 0x3f) === 0x04);
    assert.ok(polls.length >= 9, `3 modules x 3 s -> at least 9 status polls, got ${polls.length}`);
  });

  it("a module that never answers goes from unknown to offline", () => {
    const r = rig(uugreen, { offlineAfterMs: 1500 });
    r.bank.module(2).silent = true;
    r.run(500);
    assert.equal(r.manager.state("M2"), "unknown");
    r.run(1500);
    assert.equal(r.manager.state("M2"), "offline");
    assert.equal(r.manager.read("M2").online, false);
  });

  it("uses one broadcast when every module gets the same command", () => {
    const r = rig(winline, { useBroadcast: true });
    r.run(500);
    for (const id of r.manager.ids) r.manager.command(id, { enabled: true, voltageV: 300, currentLimitA: 10 });
    const before = r.controllerBus.sent.length;
    r.clock.ms += 100;
    r.manager.tick();
    const sets = r.controllerBus.sent.slice(before).filter((f) => f.data[0] === 0x03);
    assert.equal(sets.length, 3, "set voltage, set current, on: once for all");
    assert.ok(sets.every((f) => ((f.id >>> 11) & 0xff) === 0xff));
    r.bank.step(r.clock.ms);
    assert.ok([1, 2, 3].every((a) => r.bank.module(a).enabled && r.bank.module(a).setVoltageV === 300));
  });

  it("a driver that throws never throws into the control loop", () => {
    const clock = new FakeClock();
    const broken: CanBus = {
      send: () => {
        throw new Error("spi gone");
      },
      receive: (): CanFrame | undefined => {
        throw new Error("spi gone");
      },
      setFilters: () => undefined,
      errors: () => ({ txErrors: 0, rxErrors: 0, errorPassive: false, busOff: false, rxOverflows: 0, badFrames: 0, busOffRecoveries: 0 }),
      recoverBusOff: () => undefined,
      close: () => undefined,
    };
    const lines: string[] = [];
    const m = new ModuleManager({ bus: broken, protocol: infypower, clock, modules: [{ id: "M1", address: 1 }], log: { write: (_l, msg) => lines.push(msg) } });
    assert.doesNotThrow(() => m.tick());
    assert.match(lines.join("\n"), /spi gone/);
  });

  it("rejects a configuration it cannot address, naming the module", () => {
    const net = new VirtualCanNetwork();
    assert.throws(
      () => new ModuleManager({ bus: net.attach(), protocol: uugreen, clock: new FakeClock(), modules: [{ id: "M1_0", address: 0 }] }),
      /modules\[0\] "M1_0" address 0 outside uugreen range 1\.\.127/,
    );
    assert.throws(
      () => new ModuleManager({ bus: net.attach(), protocol: infypower, clock: new FakeClock(), modules: [{ id: "A", address: 1 }, { id: "B", address: 1 }] }),
      /"B" reuses address 1/,
    );
  });

  it("close() commands every module off", () => {
    const r = rig(infypower);
    r.manager.command("M1", { enabled: true, voltageV: 400, currentLimitA: 10 });
    r.run(500);
    assert.equal(r.bank.module(1).enabled, true);
    r.manager.close();
    r.bank.step(r.clock.ms);
    assert.equal(r.bank.module(1).enabled, false);
  });
});

describe("modules/simulated bank group addressing", () => {
  it("a group command reaches only that group's modules", () => {
    const net = new VirtualCanNetwork();
    const ctl = net.attach();
    const bank = new SimModuleBank({ protocol: infypower, bus: net.attach(), addresses: [1, 2, 3] });
    bank.module(2).group = 1;
    bank.module(3).group = 1;
    for (const f of infypower.groupSetpointFrames(1, { enabled: true, voltageV: 500, currentLimitA: 5 })!) ctl.send(f);
    bank.step(0);
    assert.deepEqual([1, 2, 3].map((a) => bank.module(a).enabled), [false, true, true]);
    assert.equal(ctl.receive(), undefined, "group sets are not answered");
  });

  it("modules stay on for a long session while the manager polls (no 10 s self-off)", () => {
    const r = rig(infypower);
    r.manager.command("M1", { enabled: true, voltageV: 500, currentLimitA: 30 });
    r.run(30000);
    assert.equal(r.bank.module(1).enabled, true);
    assert.equal(r.manager.state("M1"), "running");
  });
});
