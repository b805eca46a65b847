/**
 * End to end: the real controller in the simulated cabinet (createSimCabinet, plant model)
 * as an OCPP Charging Station against a strict, subprotocol-enforcing ocpp-rpc CSMS on
 * 127.0.0.1, for OCPP 2.0.1 and 1.6J. Each describe is one continuous story on one cabinet.
 */
import { strict as assert } from "assert";
import { TestCsms } from "../ocpp/csms-harness";
import { energyRegisters, SimDriver } from "./sim-driver";

const strictFailures: any[] = [];

after(() => {
  assert.deepEqual(strictFailures.map((f) => f.error?.message ?? String(f)), [], "strict-validation failures across tests/ocpp-sim");
});

for (const version of ["2.0.1", "1.6"] as const) {
  const v16 = version === "1.6";

  describe(`ocpp ${version}: the simulated cabinet (real controller) against a strict CSMS`, function () {
    this.timeout(60_000);
    let csms: TestCsms;
    let drv: SimDriver;
    /** 1.6: transaction ids the CSMS handed out, by connector. */
    const serverTx: Record<number, number> = {};
    let nextTx = 500;

    before(async () => {
      csms = new TestCsms({ protocol: v16 ? "ocpp1.6" : "ocpp2.0.1" });
      csms.handlers.StartTransaction = (p) => {
        serverTx[p.connectorId] = ++nextTx;
        return { transactionId: nextTx, idTagInfo: { status: "Accepted" } };
      };
      await csms.start();
      // Gun 7 has a driver with an RFID card; everyone else waits for a remote start.
      drv = new SimDriver(csms.url, version, { localIdToken: (gun) => (gun === 7 ? "RFID7" : null) });
    });

    after(async () => {
      drv?.stop();
      const problems = drv?.ocpp.running.station.stats.problems.filter((p) => /CALLERROR|failed/.test(p)) ?? [];
      strictFailures.push(...csms.failures);
      await csms.close();
      assert.deepEqual(problems, [], "the station saw CALLERRORs or failures");
    });

    const statuses = () => csms.of("StatusNotification").filter((s) => (v16 ? s.connectorId > 0 : true));
    const statusOf = (gun: number) => {
      const list = statuses().filter((s) => (v16 ? s.connectorId : s.evseId) === gun);
      const last = list[list.length - 1];
      return last ? (v16 ? last.status : last.connectorStatus) : undefined;
    };
    const txEvents = (gun: number) => csms.of("TransactionEvent").filter((e) => e.evse?.id === gun);

    async function remoteStart(gun: number, token: string) {
      const r = v16
        ? await csms.client.call("RemoteStartTransaction", { connectorId: gun, idTag: token })
        : await csms.client.call("RequestStartTransaction", { evseId: gun, remoteStartId: gun, idToken: { idToken: token, type: "Central" } });
      assert.equal(r.status, "Accepted", `remote start on gun ${gun}`);
    }

    async function waitTransactionStarted(gun: number) {
      if (v16) await drv.until(`StartTransaction answered on ${gun}`, () => serverTx[gun] !== undefined);
      else await drv.until(`TransactionEvent Started on ${gun}`, () => txEvents(gun).some((e) => e.eventType === "Started"));
    }

    function transactionId(gun: number): string | number {
      if (v16) return serverTx[gun];
      return txEvents(gun).find((e) => e.eventType === "Started").transactionInfo.transactionId;
    }

    it("boots (Accepted), reports 12 EVSEs, and a plugged EV waits for authorization", async () => {
      await drv.until("registration", () => drv.ocpp.running.station.online);
      await drv.until("12 status notifications", () => new Set(statuses().map((s) => (v16 ? s.connectorId : s.evseId))).size === 12);
      assert.equal(csms.of("BootNotification").length, 1);
      assert.equal(csms.client.protocol, v16 ? "ocpp1.6" : "ocpp2.0.1");
      for (let gun = 1; gun <= 12; gun++) assert.equal(statusOf(gun), "Available", `gun ${gun}`);
      drv.plug(1);
      await drv.run(5000);
      assert.equal(drv.gun(1).state, "EV_DETECTED", "no free vend: the EV waits");
      assert.ok(drv.gun(1).powerKW < 0.1);
      assert.equal(statusOf(1), v16 ? "Preparing" : "Occupied");
      assert.deepEqual(drv.ocpp.port.waitingForAuthorization, [1]);
    });

    it("remote start -> charging with rising energy in the meter values -> remote stop", async () => {
      await remoteStart(1, "DRIVER1");
      await drv.until("gun 1 charging at > 20 kW", () => drv.gun(1).state === "CHARGING" && drv.gun(1).powerKW > 20, 30_000);
      await waitTransactionStarted(1);
      await drv.run(8000);
      const samples = v16
        ? csms.of("MeterValues").filter((m) => m.connectorId === 1).flatMap((m) => m.meterValue)
        : txEvents(1).flatMap((e) => e.meterValue ?? []);
      const energy = energyRegisters(samples);
      assert.ok(energy.length >= 3, `meter samples: ${energy.length}`);
      for (let i = 1; i < energy.length; i++) assert.ok(energy[i] >= energy[i - 1], `register never decreases: ${energy}`);
      assert.ok(energy[energy.length - 1] - energy[0] > 50, `energy really increases: ${energy}`);
      const power = samples.flatMap((m: any) => m.sampledValue).filter((s: any) => s.measurand === "Power.Active.Import").map((s: any) => Number(s.value));
      assert.ok(Math.max(...power) > 20_000, `power in meter values: ${power}`);

      const id = transactionId(1);
      const stop = v16
        ? await csms.client.call("RemoteStopTransaction", { transactionId: id })
        : await csms.client.call("RequestStopTransaction", { transactionId: id });
      assert.equal(stop.status, "Accepted");
      if (v16) {
        await drv.until("StopTransaction", () => csms.of("StopTransaction").length === 1);
        const st = csms.of("StopTransaction")[0];
        assert.equal(st.reason, "Remote");
        assert.equal(st.transactionId, id);
        const start = csms.of("StartTransaction").find((s) => s.connectorId === 1);
        assert.equal(start.idTag, "DRIVER1");
        assert.ok(st.meterStop - start.meterStart > 50, `meterStart ${start.meterStart} meterStop ${st.meterStop}`);
      } else {
        await drv.until("TransactionEvent Ended", () => txEvents(1).some((e) => e.eventType === "Ended"));
        const events = txEvents(1);
        const ended = events.find((e) => e.eventType === "Ended");
        assert.equal(ended.triggerReason, "RemoteStop");
        assert.equal(ended.transactionInfo.stoppedReason, "Remote");
        assert.deepEqual(events.map((e) => e.seqNo), events.map((_, i) => i), "seqNo 0, 1, 2, ...");
        const startE = energyRegisters(events[0].meterValue ?? []);
        const endE = energyRegisters(ended.meterValue);
        assert.ok(endE[0] - (startE[0] ?? 0) > 50, `energy begin ${startE} end ${endE}`);
      }
      await drv.run(3000);
      assert.ok(["FINISHED"].includes(drv.gun(1).state), `gun 1 state ${drv.gun(1).state}`);
      assert.ok(drv.gun(1).powerKW < 0.5);
    });

    it("a token presented at the gun goes to the CSMS as Authorize and starts the session", async () => {
      drv.plug(7);
      await drv.until("Authorize", () => csms.of("Authorize").length === 1, 10_000);
      const auth = csms.of("Authorize")[0];
      assert.equal(v16 ? auth.idTag : auth.idToken.idToken, "RFID7");
      await drv.until("gun 7 charging", () => drv.gun(7).state === "CHARGING", 30_000);
      await waitTransactionStarted(7);
      if (v16) assert.equal(csms.of("StartTransaction").find((s) => s.connectorId === 7).idTag, "RFID7");
      else assert.ok(txEvents(7).some((e) => e.idToken?.idToken === "RFID7"));
    });

    it("a 100 kW station max profile holds the cabinet to 100 kW within one control cycle; a TxProfile limits one gun", async () => {
      for (const gun of [2, 3]) { drv.plug(gun); await remoteStart(gun, `DRIVER${gun}`); }
      // Gun 4: remote start before the EV arrives (held by the sessions until plug-in).
      await remoteStart(4, "DRIVER4");
      await drv.run(2000);
      assert.equal(drv.gun(4).state, "IDLE");
      drv.plug(4);
      await drv.until("4 guns charging above 150 kW total", () => drv.totalPowerKW() > 150 && [2, 3, 4, 7].every((g) => drv.gun(g).state === "CHARGING"), 40_000);
      for (const gun of [2, 3, 4]) await waitTransactionStarted(gun);
      if (v16) assert.equal(csms.of("StartTransaction").find((x) => x.connectorId === 4).idTag, "DRIVER4");
      else assert.equal(txEvents(4).find((e) => e.eventType === "Started").triggerReason, "RemoteStart");
      assert.ok(drv.planTotalKW() > 150, `plan before: ${drv.planTotalKW()}`);

      const max = v16
        ? await csms.client.call("SetChargingProfile", { connectorId: 0, csChargingProfiles: {
          chargingProfileId: 10, stackLevel: 0, chargingProfilePurpose: "ChargePointMaxProfile", chargingProfileKind: "Absolute",
          chargingSchedule: { startSchedule: "2020-01-01T00:00:00Z", chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 100_000 }] } } })
        : await csms.client.call("SetChargingProfile", { evseId: 0, chargingProfile: {
          id: 10, stackLevel: 0, chargingProfilePurpose: "ChargingStationMaxProfile", chargingProfileKind: "Absolute",
          chargingSchedule: [{ id: 1, startSchedule: "2020-01-01T00:00:00Z", chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 100_000 }] }] } });
      assert.equal(max.status, "Accepted");
      // One control cycle (controlPeriodMs = 100): the plan obeys the new limit.
      await drv.run(drv.controller.config.timing.controlPeriodMs, 10);
      assert.ok(drv.planTotalKW() <= 100 + 1e-6, `plan after one control cycle: ${drv.planTotalKW()} kW`);
      // After the ramp the plant's measured output follows.
      await drv.run(5000);
      assert.ok(drv.planTotalKW() <= 100 + 1e-6, `plan: ${drv.planTotalKW()} kW`);
      // The plan uses the full 100 kW, so the measured sum sits at the limit: allow the sensors'
      // noise and the current loops' regulation error (1 %).
      const measured = drv.totalPowerKW();
      assert.ok(measured <= 100 * 1.01, `measured: ${measured} kW`);
      assert.ok(measured > 80, `the limit is used, not undershot: ${measured} kW`);

      const tx2 = transactionId(2);
      const tx = v16
        ? await csms.client.call("SetChargingProfile", { connectorId: 2, csChargingProfiles: {
          chargingProfileId: 20, transactionId: tx2, stackLevel: 0, chargingProfilePurpose: "TxProfile", chargingProfileKind: "Relative",
          chargingSchedule: { chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 10_000 }] } } })
        : await csms.client.call("SetChargingProfile", { evseId: 2, chargingProfile: {
          id: 20, stackLevel: 0, chargingProfilePurpose: "TxProfile", chargingProfileKind: "Relative", transactionId: tx2,
          chargingSchedule: [{ id: 2, chargingRateUnit: "W", chargingSchedulePeriod: [{ startPeriod: 0, limit: 10_000 }] }] } });
      assert.equal(tx.status, "Accepted");
      await drv.run(drv.controller.config.timing.controlPeriodMs, 10);
      assert.ok(drv.planBudgetKW(2) <= 10 + 1e-6, `gun 2 budget after one cycle: ${drv.planBudgetKW(2)} kW`);
      // Longer than the limits' validity (5 s): the station's refresh keeps them in force.
      await drv.run(8000);
      const g2 = drv.gun(2);
      assert.equal(drv.planBudgetKW(2) <= 10 + 1e-6, true, `gun 2 budget ${drv.planBudgetKW(2)} kW`);
      assert.ok(drv.planTotalKW() <= 100 + 1e-6, `plan total ${drv.planTotalKW()} kW`);
      assert.equal(g2.state, "CHARGING", "the refreshed OCPP limit never goes stale");
      // Measured at the DC meter: the current loop regulates to the budget within 1 %.
      assert.ok(g2.powerKW <= 10 * 1.01 && g2.powerKW > 5, `gun 2 measured ${g2.powerKW} kW`);
      assert.ok(drv.gun(3).powerKW > 20, `other guns keep their share: ${drv.gun(3).powerKW} kW`);
      const total = drv.totalPowerKW();
      assert.ok(total <= 100 * 1.01, `measured total ${total} kW`);

      const comp = await csms.client.call("GetCompositeSchedule", v16 ? { connectorId: 2, duration: 60, chargingRateUnit: "W" } : { evseId: 2, duration: 60, chargingRateUnit: "W" });
      assert.equal(comp.status, "Accepted");
      const periods = v16 ? comp.chargingSchedule.chargingSchedulePeriod : comp.schedule.chargingSchedulePeriod;
      assert.deepEqual(periods, [{ startPeriod: 0, limit: 10_000 }]);
    });

    if (!v16) {
      it("when the OCPP layer stops ticking, its limits go stale in the controller (site -> default, gun -> ramp to zero)", async () => {
        drv.ocpp.running.stop();
        await drv.run(6000);
        const limits = drv.controller.limits.evaluate(drv.nowMs);
        assert.equal(limits.siteExternalLimitSource, "default");
        assert.equal(limits.guns.find((g) => g.gunId === 2)!.expired, true, "the TxProfile limit went stale");
        assert.equal(limits.guns.find((g) => g.gunId === 3)!.expired, false, "no per-gun OCPP limit on gun 3 (the station max is a site limit)");
        assert.ok(drv.gun(2).powerKW < 0.5, `gun 2 ramped to zero: ${drv.gun(2).powerKW} kW`);
        assert.ok(drv.totalPowerKW() > 110, `site limit back to the configured default: ${drv.totalPowerKW()} kW`);
      });
    }

    it("zero strict-validation failures and no refused handshakes", () => {
      assert.deepEqual(csms.failures.map((f) => f.error?.message ?? String(f)), []);
      assert.equal(csms.rejectedHandshakes.length, 0);
    });
  });
}
