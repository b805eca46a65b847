import { strict as assert } from "assert";
import { Scheduler, SlicedJob, VirtualClock, VirtualTimerDriver } from "../../../src/scheduler";

describe("sliced jobs", () => {
  it("spreads long work over task runs without overrunning the budget", () => {
    const clock = new VirtualClock();
    const driver = new VirtualTimerDriver(clock);
    const scheduler = new Scheduler({ clock, driver });
    // 12 slices of 2 ms each = 24 ms of work; the task has a 10 ms budget.
    function* search(): Generator<void, number> {
      let sum = 0;
      for (let i = 1; i <= 12; i++) {
        clock.advance(2);
        sum += i;
        yield;
      }
      return sum;
    }
    const job = new SlicedJob(search);
    const results: { atMs: number; result: number }[] = [];
    const slicesPerRun: number[] = [];
    scheduler.addTask({
      name: "search", periodMs: 20, priority: 1, budgetMs: 10,
      run: (ctx) => {
        const outcome = job.step(ctx);
        slicesPerRun.push(outcome.slices);
        if (outcome.done) results.push({ atMs: ctx.startMs, result: outcome.result });
      },
    });
    scheduler.start();
    driver.runUntil(100);
    // Each run does 5 slices (10 ms), the 3rd finishes after 3 (2 + the final return), then a new search starts.
    assert.deepEqual(slicesPerRun.slice(0, 3), [5, 5, 3]);
    assert.deepEqual(results[0], { atMs: 40, result: 78 });
    assert.equal(scheduler.taskReport("search")?.overruns, 0);
    assert.equal(scheduler.taskReport("search")?.maxMs, 10);
  });

  it("starts over after the work throws, and reset() abandons work in progress", () => {
    let attempts = 0;
    function* flaky(): Generator<void, string> {
      attempts += 1;
      yield;
      if (attempts === 1) throw new Error("bus error");
      return "ok";
    }
    const job = new SlicedJob(flaky);
    const noBudget = { timeLeftMs: () => 0 };
    assert.deepEqual(job.step(noBudget), { done: false, slices: 1 });
    assert.throws(() => job.step(noBudget), /bus error/);
    assert.equal(job.inProgress, false);
    assert.deepEqual(job.step(noBudget), { done: false, slices: 1 });
    assert.equal(job.inProgress, true);
    job.reset();
    assert.equal(job.inProgress, false);
    job.step(noBudget);
    assert.deepEqual(job.step(noBudget), { done: true, slices: 1, result: "ok" });
    assert.equal(attempts, 3);
  });

  it("bounds the slices of one run when the clock does not move", () => {
    function* endless(): Generator<void, void> {
      for (;;) yield;
    }
    const job = new SlicedJob(endless, 50);
    assert.deepEqual(job.step({ timeLeftMs: () => 10 }), { done: false, slices: 50 });
  });
});
