import { strict as assert } from "assert";
import type { LogLevel } from "../../../hal/log";
import { forSeeds } from "../sessions/random";
import { Scheduler, VirtualClock, VirtualTimerDriver, standardTasks, type SchedulerOptions, type TaskSpec } from "../../../src/scheduler";

interface Rig {
  clock: VirtualClock;
  driver: VirtualTimerDriver;
  scheduler: Scheduler;
  trace: { name: string; atMs: number }[];
  logs: string[];
  feeds: number[];
}

function rig(options: Partial<SchedulerOptions> = {}): Rig {
  const clock = new VirtualClock(0);
  const driver = new VirtualTimerDriver(clock);
  const logs: string[] = [];
  const feeds: number[] = [];
  const scheduler = new Scheduler({
    clock,
    driver,
    log: { write: (level: LogLevel, message: string) => logs.push(`${level}: ${message}`) },
    feedWatchdog: () => feeds.push(clock.nowMs()),
    ...options,
  });
  return { clock, driver, scheduler, trace: [], logs, feeds };
}

/** A task that records its start and "costs" costMs(run) of virtual time. */
function task(r: Rig, spec: Omit<TaskSpec, "run">, costMs: (run: number) => number = () => 0, body?: (run: number) => void): TaskSpec {
  let run = 0;
  return {
    ...spec,
    run: () => {
      r.trace.push({ name: spec.name, atMs: r.clock.nowMs() });
      const n = run++;
      r.clock.advance(costMs(n));
      body?.(n);
    },
  };
}

function add(r: Rig, spec: TaskSpec): void {
  const result = r.scheduler.addTask(spec);
  assert.deepEqual(result, { ok: true });
}

function startsOf(r: Rig, name: string): number[] {
  return r.trace.filter((t) => t.name === name).map((t) => t.atMs);
}

describe("scheduler (virtual clock)", () => {
  it("releases periodic tasks exactly on their period grid", () => {
    const r = rig();
    add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }, () => 1));
    add(r, task(r, { name: "control", periodMs: 100, offsetMs: 5, priority: 50, budgetMs: 30 }, () => 3));
    add(r, task(r, { name: "telemetry", periodMs: 1000, priority: 10, budgetMs: 8 }, () => 2));
    r.scheduler.start();
    r.driver.runUntil(999);
    const safety = startsOf(r, "safety");
    assert.equal(safety.length, 100);
    // Telemetry released at 0 together with safety runs right after it (1 ms later); safety stays on its grid.
    assert.deepEqual(safety, Array.from({ length: 100 }, (_, i) => i * 10));
    assert.deepEqual(startsOf(r, "control"), [5, 105, 205, 305, 405, 505, 605, 705, 805, 905]);
    assert.deepEqual(startsOf(r, "telemetry"), [1]);
    const report = r.scheduler.taskReport("safety");
    assert.ok(report);
    assert.equal(report.missedDeadlines, 0);
    assert.equal(report.skippedReleases, 0);
    assert.equal(report.meanMs, 1);
    assert.equal(r.feeds.length, 100);
  });

  it("a wake that stops at maxRunsPerWake re-arms at once for the tasks still due", () => {
    // Guards dispatch's re-arm: only a wake whose last scan found nothing due may reuse that scan's
    // earliest release; a wake cut short by maxRunsPerWake must look at every task again.
    const r = rig({ maxRunsPerWake: 1 });
    add(r, task(r, { name: "a", periodMs: 100, priority: 3, budgetMs: 5 }));
    add(r, task(r, { name: "b", periodMs: 100, priority: 2, budgetMs: 5 }));
    add(r, task(r, { name: "c", periodMs: 100, priority: 1, budgetMs: 5 }));
    r.scheduler.start();
    assert.equal(r.driver.runUntil(0), 3);
    assert.deepEqual(r.trace.map((t) => `${t.name}@${t.atMs}`), ["a@0", "b@0", "c@0"]);
    assert.equal(r.driver.pendingAtMs(), 100);
  });

  it("after a wake with nothing left due, the next wake is the earliest release of any task", () => {
    const r = rig();
    add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }, () => 1));
    add(r, task(r, { name: "control", periodMs: 100, offsetMs: 5, priority: 50, budgetMs: 30 }, () => 3));
    add(r, task(r, { name: "comms", periodMs: null, priority: 30, budgetMs: 8 }));
    r.scheduler.start();
    const wakes: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      r.driver.runUntil(r.driver.pendingAtMs() ?? 0, 1);
      wakes.push(r.driver.pendingAtMs());
    }
    // safety@0 -> control due at 5; control@5 ends at 8 -> safety due at 10; safety@10 -> 20.
    assert.deepEqual(wakes, [5, 10, 20, 30]);
    r.scheduler.signal("comms");
    assert.equal(r.driver.pendingAtMs(), r.clock.nowMs(), "a signal while idle arms for now");
  });

  it("measures last, max and mean and counts overruns", () => {
    const r = rig();
    const costs = [4, 8, 2, 9];
    add(r, task(r, { name: "work", periodMs: 20, priority: 1, budgetMs: 5 }, (n) => costs[n] ?? 1));
    r.scheduler.start();
    r.driver.runUntil(79);
    const report = r.scheduler.taskReport("work");
    assert.ok(report);
    assert.equal(report.runs, 4);
    assert.equal(report.lastMs, 9);
    assert.equal(report.maxMs, 9);
    assert.equal(report.meanMs, (4 + 8 + 2 + 9) / 4);
    assert.equal(report.overruns, 2);
    assert.equal(report.consecutiveOverruns, 1);
    assert.equal(report.missedDeadlines, 0);
    assert.ok(r.logs.some((l) => /work overran its budget: 8 ms > 5 ms/.test(l)));
  });

  it("after a task overruns by 50 ms the safety task runs next and its missed deadline is counted", () => {
    const r = rig();
    add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }));
    // control's first run takes 60 ms against a 10 ms budget: a 50 ms overrun.
    add(r, task(r, { name: "control", periodMs: 100, offsetMs: 5, priority: 50, budgetMs: 10 }, (n) => (n === 0 ? 60 : 1)));
    // Two more tasks become due while control runs; both must wait for safety.
    add(r, task(r, { name: "comms", periodMs: 20, offsetMs: 15, priority: 99, budgetMs: 5 }));
    add(r, task(r, { name: "telemetry", periodMs: 1000, offsetMs: 30, priority: 10, budgetMs: 5 }));
    r.scheduler.start();
    r.driver.runUntil(200);
    const i = r.trace.findIndex((t) => t.name === "control");
    assert.deepEqual(r.trace[i], { name: "control", atMs: 5 });
    assert.deepEqual(r.trace[i + 1], { name: "safety", atMs: 65 });
    assert.deepEqual(r.trace[i + 2], { name: "comms", atMs: 65 });
    const safety = r.scheduler.taskReport("safety");
    const control = r.scheduler.taskReport("control");
    assert.ok(safety && control);
    assert.equal(safety.missedDeadlines, 1);
    assert.equal(safety.maxLatencyMs, 55);
    assert.equal(safety.skippedReleases, 5); // 20, 30, 40, 50, 60 passed while control ran
    assert.equal(control.overruns, 1);
    assert.equal(control.maxMs, 60);
    // Back on the 10 ms grid right after.
    assert.deepEqual(startsOf(r, "safety").filter((t) => t > 65 && t < 110), [70, 80, 90, 100]);
    assert.equal(r.scheduler.watchdogStats().withheld, 1);
  });

  it("never feeds the watchdog after a late or failing safety run", () => {
    const failures: unknown[] = [];
    const r = rig({ onSafetyFailure: (e) => failures.push(e) });
    // Safety run 3 takes 12 ms (past its 10 ms deadline), run 5 throws.
    add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }, (n) => (n === 3 ? 12 : 0), (n) => {
      if (n === 5) throw new Error("ADC read failed");
    }));
    r.scheduler.start();
    r.driver.runUntil(95);
    const safety = startsOf(r, "safety");
    assert.deepEqual(safety, [0, 10, 20, 30, 50, 60, 70, 80, 90]);
    // Fed after every run that ended on time, not after the late one (30, ended 42) nor the failing one (60).
    assert.deepEqual(r.feeds, [0, 10, 20, 50, 70, 80, 90]);
    assert.equal(failures.length, 1);
    assert.match(String(failures[0]), /ADC read failed/);
    assert.deepEqual(r.scheduler.watchdogStats(), { fed: 7, withheld: 2 });
    const report = r.scheduler.taskReport("safety");
    assert.ok(report);
    assert.equal(report.errors, 1);
    assert.equal(report.missedDeadlines, 1);
    assert.equal(report.demoted, false);
  });

  it("contains an exception in a non-safety task: the others keep running", () => {
    const r = rig();
    add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }));
    add(r, task(r, { name: "broken", periodMs: 50, priority: 60, budgetMs: 5 }, () => 1, () => {
      throw new TypeError("cannot read properties of undefined");
    }));
    add(r, task(r, { name: "control", periodMs: 100, priority: 50, budgetMs: 10 }));
    r.scheduler.start();
    r.driver.runUntil(499);
    assert.equal(startsOf(r, "safety").length, 50);
    assert.equal(startsOf(r, "control").length, 5);
    const broken = r.scheduler.taskReport("broken");
    assert.ok(broken);
    assert.equal(broken.runs, 10);
    assert.equal(broken.errors, 10);
    assert.equal(broken.lastError, "TypeError: cannot read properties of undefined");
    assert.equal(r.logs.filter((l) => /^error: scheduler: task broken threw TypeError/.test(l)).length, 10);
    assert.equal(r.feeds.length, 50);
  });

  it("demotes a task that overruns repeatedly, reports it, and restores it after good runs", () => {
    const demoted: string[] = [];
    const r = rig({ demoteAfterOverruns: 3, restoreAfterRuns: 2, onDemoted: (report) => demoted.push(`${report.name}:${report.overruns}`) });
    // "hog" overruns its 5 ms budget on runs 0..3, then behaves.
    add(r, task(r, { name: "hog", periodMs: 100, priority: 80, budgetMs: 5 }, (n) => (n <= 3 ? 20 : 1)));
    add(r, task(r, { name: "meek", periodMs: 100, priority: 10, budgetMs: 5 }, () => 1));
    r.scheduler.start();
    r.driver.runUntil(699);
    assert.deepEqual(demoted, ["hog:3"]);
    const order = r.trace.map((t) => t.name);
    // Periods 0-2: hog first (priority 80). Period 3 onward hog is demoted: meek first.
    assert.deepEqual(order.slice(0, 6), ["hog", "meek", "hog", "meek", "hog", "meek"]);
    assert.deepEqual(order.slice(6, 12), ["meek", "hog", "meek", "hog", "meek", "hog"]);
    // Runs 4 and 5 were within budget: restored for the period at 600.
    assert.deepEqual(order.slice(12, 14), ["hog", "meek"]);
    const hog = r.scheduler.taskReport("hog");
    assert.ok(hog);
    assert.equal(hog.demoted, false);
    assert.equal(hog.demotions, 1);
    assert.equal(hog.overruns, 4);
    assert.ok(r.logs.some((l) => /hog demoted after 3 consecutive overruns/.test(l)));
  });

  it("never demotes the safety task, even when it overruns", () => {
    const r = rig({ demoteAfterOverruns: 2 });
    add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }, () => 4));
    add(r, task(r, { name: "control", periodMs: 10, priority: 150, budgetMs: 5 }));
    r.scheduler.start();
    r.driver.runUntil(95);
    const safety = r.scheduler.taskReport("safety");
    assert.ok(safety);
    assert.equal(safety.overruns, 10);
    assert.equal(safety.demoted, false);
    // Safety still first every period although control has a larger priority number.
    for (let t = 0; t < 100; t += 10) assert.equal(r.trace.find((x) => x.atMs >= t)?.name, "safety");
  });

  it("runs an event-driven task after signal(), after a due safety task", () => {
    const r = rig();
    add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }));
    add(r, task(r, { name: "comms", periodMs: null, priority: 30, budgetMs: 5 }));
    r.scheduler.start();
    r.driver.runUntil(23);
    assert.deepEqual(startsOf(r, "comms"), []);
    assert.deepEqual(r.scheduler.signal("comms"), { ok: true });
    r.driver.runUntil(30);
    assert.deepEqual(startsOf(r, "comms"), [23]);
    assert.deepEqual(r.scheduler.signal("nope"), { ok: false, error: 'signal: no task named "nope"' });
    assert.equal(r.scheduler.taskReport("comms")?.nextReleaseMs, null);
  });

  it("refuses bad task specs with an error naming the field", () => {
    const r = rig();
    const run = (): void => undefined;
    assert.match(errorOf(r.scheduler.addTask({ name: "a", periodMs: -1, priority: 1, budgetMs: 1, run })), /task "a": periodMs must be a positive number or null, got -1/);
    assert.match(errorOf(r.scheduler.addTask({ name: "b", periodMs: 10, priority: 1, budgetMs: Number.NaN, run })), /budgetMs .* got NaN/);
    assert.match(errorOf(r.scheduler.addTask({ name: "", periodMs: 10, priority: 1, budgetMs: 1, run })), /task.name must be a non-empty string/);
    assert.deepEqual(r.scheduler.addTask({ name: "s", safety: true, periodMs: 10, priority: 1, budgetMs: 1, run }), { ok: true });
    assert.match(errorOf(r.scheduler.addTask({ name: "s2", safety: true, periodMs: 10, priority: 1, budgetMs: 1, run })), /a safety task is already registered \(s\)/);
    assert.match(errorOf(r.scheduler.addTask({ name: "s", periodMs: 10, priority: 1, budgetMs: 1, run })), /name already registered/);
  });

  it("contains a throwing watchdog hook and log", () => {
    const clock = new VirtualClock();
    const driver = new VirtualTimerDriver(clock);
    let runs = 0;
    const scheduler = new Scheduler({
      clock, driver,
      feedWatchdog: () => { throw new Error("i2c"); },
      log: { write: () => { throw new Error("log full"); } },
    });
    scheduler.addTask({ name: "safety", safety: true, periodMs: 10, priority: 1, budgetMs: 1, run: () => { runs++; } });
    scheduler.start();
    driver.runUntil(45);
    assert.equal(runs, 5);
  });

  it("builds the standard task table from the timing config", () => {
    const noop = (): void => undefined;
    const specs = standardTasks({ fastPeriodMs: 10, controlPeriodMs: 100, telemetryPeriodMs: 1000 }, { safety: noop, control: noop, telemetry: noop, comms: noop });
    assert.deepEqual(specs.map((s) => [s.name, s.periodMs, s.safety === true]), [
      ["safety", 10, true], ["control", 100, false], ["comms", null, false], ["telemetry", 1000, false],
    ]);
    const r = rig();
    for (const s of specs) add(r, s);
  });

  it("property: a safety run waits at most for one other task run", () => {
    forSeeds(40, (random) => {
      const controlCosts = Array.from({ length: random.int(5, 40) }, () => random.int(0, 40));
      const commsCosts = Array.from({ length: random.int(5, 40) }, () => random.int(0, 25));
      const r = rig();
      add(r, task(r, { name: "safety", safety: true, periodMs: 10, priority: 100, budgetMs: 2 }));
      add(r, task(r, { name: "control", periodMs: 100, offsetMs: 5, priority: 50, budgetMs: 30 }, (n) => controlCosts[n % controlCosts.length]));
      add(r, task(r, { name: "comms", periodMs: 30, offsetMs: 3, priority: 30, budgetMs: 10 }, (n) => commsCosts[n % commsCosts.length]));
      r.scheduler.start();
      r.driver.runUntil(2000);
      const longest = Math.max(...r.scheduler.report().filter((t) => !t.safety).map((t) => t.maxMs));
      const safety = r.scheduler.taskReport("safety");
      assert.ok(safety);
      assert.ok(safety.maxLatencyMs <= longest, `safety waited ${safety.maxLatencyMs} ms, longest other run ${longest} ms`);
      // Fed exactly on the runs that finished within their deadline.
      assert.equal(r.feeds.length, safety.runs - safety.missedDeadlines);
    });
  });
});

function errorOf(result: { ok: true } | { ok: false; error: string }): string {
  assert.equal(result.ok, false);
  return result.ok ? "" : result.error;
}
