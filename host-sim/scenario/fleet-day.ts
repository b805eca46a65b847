import { Prng } from "../plant/prng";
import type { EvSpec } from "../plant/ev";
import type { Scenario, ScenarioEvent } from "./types";

/** An EV model in the fleet mix. */
interface EvType {
  name: string;
  weight: number;
  batteryKWh: number;
  maxPowerKW: number;
  packVoltageV: number;
}

/** A mixed depot/fleet population: city cars, vans, 400 V and 800 V cars, a few e-trucks. */
const FLEET_MIX: readonly EvType[] = [
  { name: "city car 400 V", weight: 2, batteryKWh: 42, maxPowerKW: 50, packVoltageV: 360 },
  { name: "compact 400 V", weight: 3, batteryKWh: 58, maxPowerKW: 120, packVoltageV: 400 },
  { name: "SUV 400 V", weight: 3, batteryKWh: 77, maxPowerKW: 135, packVoltageV: 400 },
  { name: "van 400 V", weight: 3, batteryKWh: 75, maxPowerKW: 100, packVoltageV: 400 },
  { name: "sedan 800 V", weight: 2, batteryKWh: 84, maxPowerKW: 230, packVoltageV: 800 },
  { name: "premium 800 V", weight: 1, batteryKWh: 100, maxPowerKW: 270, packVoltageV: 800 },
  { name: "e-truck 800 V", weight: 0.5, batteryKWh: 300, maxPowerKW: 350, packVoltageV: 800 },
];

/** Relative arrival rate per hour of day (depot: night shift returns, day peak). */
const ARRIVALS_BY_HOUR: readonly number[] = [
  2, 1.5, 1, 1, 1, 1.5, 3, 5, 6, 6, 5, 5, 6, 6, 5, 5, 6, 7, 7, 6, 5, 4, 3, 2.5,
];

export interface FleetDayOptions {
  seed: number;
  /** Default "ring-12x2". */
  config?: string;
  sessions?: number;
  durationS?: number;
  guns?: number;
  /** Modules that can fail (default: ring-12x2 names). */
  moduleIds?: string[];
}

const round = (x: number, digits = 0) => Number(x.toFixed(digits));

/**
 * A seeded 24 h fleet day (issue 6): about `sessions` sessions of mixed EVs on
 * the guns, each staying its planned dwell time (some users stop early), module
 * failures with repairs, a module over-temperature and comms loss, grid-limit
 * steps (morning and evening peak shaving) and a few priorities / external limits.
 * Same seed, same scenario.
 */
export function generateFleetDay(options: FleetDayOptions): Scenario {
  const rng = new Prng(options.seed);
  const durationS = options.durationS ?? 86_400;
  const gunCount = options.guns ?? 12;
  const target = options.sessions ?? 150;
  const moduleIds = options.moduleIds ?? Array.from({ length: gunCount * 2 }, (_, i) => `M${Math.floor(i / 2) + 1}_${i % 2}`);
  const events: ScenarioEvent[] = [];
  const freeAtS = new Array<number>(gunCount + 1).fill(0);

  // Candidate arrivals from the daily profile; EVs that find every gun busy drive on.
  const arrivals: number[] = [];
  const hourCount = Math.min(24, Math.ceil(durationS / 3600));
  const hours = ARRIVALS_BY_HOUR.slice(0, hourCount).map((_, h) => h);
  const rates = ARRIVALS_BY_HOUR.slice(0, hourCount);
  for (let i = 0; i < target * 1.6; i++) {
    const hour = rng.pick(hours, rates);
    arrivals.push(Math.min(hour * 3600 + rng.uniform(0, 3600), durationS - 900));
  }
  arrivals.sort((a, b) => a - b);
  let sessions = 0;
  for (const arrivalS of arrivals) {
    if (sessions >= target) break;
    const free = [];
    for (let g = 1; g <= gunCount; g++) if (freeAtS[g] <= arrivalS) free.push(g);
    if (free.length === 0) continue;
    const gun = rng.pick(free);
    const type = rng.pick(FLEET_MIX, FLEET_MIX.map((t) => t.weight));
    const socPct = round(Math.min(60, Math.max(5, rng.normal(25, 10))));
    const targetSocPct = rng.pick([80, 80, 80, 85, 90, 70]);
    const needKWh = ((targetSocPct - socPct) / 100) * type.batteryKWh;
    // Planned dwell: the time a shared cabinet typically needs, plus slack; capped by the shift.
    const typicalKW = Math.min(type.maxPowerKW, 60) * 0.8;
    const dwellS = Math.min(4 * 3600, (needKWh / typicalKW) * 3600 * rng.uniform(0.8, 1.4) + rng.uniform(300, 1500));
    const atS = round(arrivalS, 1);
    let unplugS = round(arrivalS + dwellS, 1);
    if (unplugS >= durationS - 60) unplugS = durationS - 60;
    if (unplugS <= atS + 120) continue;
    const ev: EvSpec = { batteryKWh: type.batteryKWh, socPct, targetSocPct, maxPowerKW: type.maxPowerKW, packVoltageV: type.packVoltageV };
    events.push({ type: "plug", atS, gun, ev });
    if (rng.next() < 0.1) {
      const stopS = round(atS + (unplugS - atS) * rng.uniform(0.4, 0.8), 1);
      events.push({ type: "stop", atS: stopS, gun, by: rng.next() < 0.5 ? "user" : "ev" });
    }
    events.push({ type: "unplug", atS: unplugS, gun });
    freeAtS[gun] = unplugS + rng.uniform(60, 600);
    sessions++;
  }

  // Module failures with repairs, one over-temperature (fan), one comms loss.
  for (let i = 0; i < 3; i++) {
    const atS = round(rng.uniform(3600, durationS - 7200));
    events.push({ type: "fault", atS, kind: "moduleFail", target: rng.pick(moduleIds), clearAtS: round(atS + rng.uniform(3600, 4 * 3600)) });
  }
  const otS = round(rng.uniform(11 * 3600, 16 * 3600));
  events.push({ type: "fault", atS: otS, kind: "moduleOverTemp", target: rng.pick(moduleIds), clearAtS: otS + 1800 });
  const clS = round(rng.uniform(2 * 3600, 22 * 3600));
  events.push({ type: "fault", atS: clS, kind: "moduleCommsLoss", target: rng.pick(moduleIds), clearAtS: clS + 600 });

  // Grid-limit steps: morning and evening peak shaving.
  events.push({ type: "gridLimit", atS: 7 * 3600, kW: 300 });
  events.push({ type: "gridLimit", atS: 10 * 3600, kW: 360 });
  events.push({ type: "gridLimit", atS: 17 * 3600, kW: 200 });
  events.push({ type: "gridLimit", atS: 21 * 3600, kW: 360 });

  // Back office: a priority vehicle and an external limit on one gun for the afternoon.
  const prioGun = rng.int(1, gunCount);
  events.push({ type: "priority", atS: 8 * 3600, gun: prioGun, value: 2 });
  events.push({ type: "priority", atS: 12 * 3600, gun: prioGun, value: 0 });
  const limGun = rng.int(1, gunCount);
  events.push({ type: "externalLimit", atS: 13 * 3600, gun: limGun, kW: 50 });
  events.push({ type: "externalLimit", atS: 16 * 3600, gun: limGun, kW: null });

  // Shorter days keep what falls inside them (the 24 h schedule is fixed).
  const kept = events
    .filter((e) => e.atS <= durationS)
    .map((e) => (e.type === "fault" && e.clearAtS !== undefined && e.clearAtS > durationS ? { ...e, clearAtS: undefined } : e))
    .map((e) => JSON.parse(JSON.stringify(e)) as ScenarioEvent);
  kept.sort((a, b) => a.atS - b.atS);
  return {
    name: "fleet-day",
    description: `Seeded 24 h fleet day (seed ${options.seed}): ${sessions} sessions of mixed 400/800 V EVs on ${gunCount} guns, module failures with repairs, grid-limit steps.`,
    config: options.config ?? "ring-12x2",
    durationS,
    seed: options.seed,
    stepMs: 10,
    events: kept,
  };
}
