/**
 * Drives the simulated cabinet with its OCPP station against a real CSMS: simulated time
 * advances in small slices, and between slices the event loop runs (socket I/O), so the
 * simulation goes as fast as the CPU allows while the station still talks over TCP.
 */
import { builtinDocument, parseCabinetConfig } from "../../src/config";
import { ocppDefaults, type OcppConfig } from "../../src/ocpp/config";
import type { EvSpec } from "../../host-sim/plant/ev";
import { createSimCabinetWithOcpp, type SimOcpp } from "../../host-sim/ocpp/sim-station";

export const EV_400V: EvSpec = { batteryKWh: 80, socPct: 20, targetSocPct: 95, maxPowerKW: 150, packVoltageV: 400 };

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SimDriver {
  readonly ocpp: SimOcpp;

  constructor(url: string, version: "2.0.1" | "1.6", options: { localIdToken?: (gunId: number) => string | null } = {}) {
    const config: OcppConfig = {
      ...ocppDefaults, url, version, stationId: "SIMCAB1",
      retryBackOffWaitMinimumS: 0, retryBackOffRandomRangeS: 0, meterSampleIntervalS: 2, heartbeatIntervalS: 60,
    };
    this.ocpp = createSimCabinetWithOcpp({
      config: parseCabinetConfig(builtinDocument("ring-12x2")!),
      seed: 11,
      stepMs: 10,
      ocpp: config,
      log: { write: () => {} },
      ...(options.localIdToken ? { localIdToken: options.localIdToken } : {}),
    });
  }

  get controller() { return this.ocpp.cabinet.controller; }
  get runner() { return this.ocpp.cabinet.sim.runner; }
  get nowMs() { return this.runner.nowMs; }

  /** Advances simulated time by simMs in slices, yielding to socket I/O between slices. */
  async run(simMs: number, sliceMs = 100): Promise<void> {
    const end = this.runner.nowMs + simMs;
    while (this.runner.nowMs + 1e-9 < end) {
      this.runner.runUntil(Math.min(end, this.runner.nowMs + sliceMs));
      await macrotask();
    }
  }

  /** Runs until cond holds; fails after maxSimMs of simulated time. */
  async until(what: string, cond: () => boolean, maxSimMs = 60_000): Promise<void> {
    const end = this.runner.nowMs + maxSimMs;
    while (!cond()) {
      if (this.runner.nowMs >= end) throw new Error(`timed out (simulated ${maxSimMs} ms) waiting for ${what}`);
      this.runner.runUntil(this.runner.nowMs + 50);
      await macrotask();
    }
  }

  plug(gunId: number, ev: EvSpec = EV_400V): void { this.ocpp.cabinet.sim.plant.plug(gunId, ev); }
  unplug(gunId: number): void { this.ocpp.cabinet.sim.plant.unplug(gunId); }

  gun(gunId: number) { return this.controller.buildSnapshot().guns.find((g) => g.id === gunId)!; }
  totalPowerKW(): number { return this.controller.buildSnapshot().totalPowerKW; }
  planTotalKW(): number { return this.controller.plan()?.totalKW ?? 0; }
  planBudgetKW(gunId: number): number { return this.controller.plan()?.guns.find((g) => g.id === gunId)?.budgetKW ?? 0; }

  stop(): void {
    this.ocpp.stop();
    this.controller.close();
  }
}

/** The energy register values (Wh) in a list of OCPP meterValue entries. */
export function energyRegisters(meterValues: any[]): number[] {
  const out: number[] = [];
  for (const mv of meterValues) {
    for (const sv of mv.sampledValue ?? []) {
      if ((sv.measurand ?? "Energy.Active.Import.Register") === "Energy.Active.Import.Register") out.push(Number(sv.value));
    }
  }
  return out;
}
