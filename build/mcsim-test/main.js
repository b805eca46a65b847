// mcsim test app: runs the platform-free core tests (bundled by
// build/moddable-mcsim.sh), then the scripted charge-and-fault scenario — the real
// controller on the simulated plant (host-sim/scenario/charge-and-fault.ts), run as
// fast as XS allows — inside the Moddable simulator. One summary line counts both:
// `moddable: N passed, N failed`. Exits 0 when all pass, 1 when any fails, 2 when
// they do not finish in time.
import Timer from "timer";
import { exit, print } from "exit";
import "core-tests";
import { chargeAndFaultScenario, runChargeAndFault } from "mcsim-scenario";

let passed = 0;
let failed = 0;
const startedMs = Date.now();

function runScenario() {
  const scenario = chargeAndFaultScenario();
  const started = Date.now();
  let checks;
  try {
    checks = runChargeAndFault(scenario);
  } catch (error) {
    failed++;
    print(`  mcsim FAIL scenario ${scenario.name}: threw ${error}\n${error?.stack ?? ""}`);
    return;
  }
  const wallS = (Date.now() - started) / 1000;
  for (const check of checks) {
    if (check.ok) passed++;
    else {
      failed++;
      print(`  mcsim FAIL scenario ${scenario.name}: ${check.title}\n      ${check.detail}`);
    }
  }
  print(`mcsim scenario ${scenario.name}: ${checks.filter((c) => c.ok).length} of ${checks.length} checks ok, ` +
    `${scenario.durationS} s simulated in ${wallS.toFixed(1)} s`);
}

globalThis.__xsSend = function (record) {
  if (record.kind === "result") {
    if (record.status === "passed") passed++;
    else if (record.status === "failed") {
      failed++;
      print(`  mcsim FAIL ${record.title}\n      ${record.error}`);
    }
  } else if (record.kind === "done" || record.kind === "fatal") {
    if (record.kind === "fatal") {
      failed++;
      print(`  mcsim FATAL ${record.error}`);
    }
    print(`mcsim core tests: ${passed} passed, ${failed} failed in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
    // Let the test harness unwind before the long scenario run.
    Timer.set(() => {
      runScenario();
      print(`moddable: ${passed} passed, ${failed} failed`);
      exit(failed > 0 || passed === 0 ? 1 : 0);
    }, 0);
  }
};
Timer.set(() => {
  print(`moddable: ${passed} passed, ${failed + 1} failed (timed out)`);
  exit(2);
}, 300000);
globalThis.__runXsTests();
