// mcsim test app: runs the platform-free core tests (bundled by
// build/moddable-mcsim.sh) inside the Moddable simulator and exits with 0 when
// all pass, 1 when any fails, 2 when they do not finish in time.
import Timer from "timer";
import { exit, print } from "exit";
import "core-tests";

let passed = 0;
let failed = 0;
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
    print(`moddable: ${passed} passed, ${failed} failed`);
    exit(failed > 0 || passed === 0 ? 1 : 0);
  }
};
Timer.set(() => {
  print(`moddable: ${passed} passed, ${failed + 1} failed (timed out)`);
  exit(2);
}, 120000);
globalThis.__runXsTests();
