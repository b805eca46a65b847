#!/usr/bin/env bash
# npm run test:mcsim — bundles the platform-free core tests and the charge-and-fault
# scenario (real controller + simulated plant, host-sim/scenario/charge-and-fault.ts),
# builds the mcsim test app (build/mcsim-test) and runs it headless in the Moddable
# simulator. The app ends the process with its own exit code (a tiny native module);
# a run that ends without the summary line counts as a failure. The limits (300 s in
# the app, 330 s outside) are generous because the machine may be shared: on an idle
# machine the whole run takes about 100 s.
set -uo pipefail
source "$(dirname "$0")/moddable-env.sh"
cd "$repo"
node --input-type=module -e '
import { bundleForXs } from "./build/xs/bundle.mjs";
import * as fs from "node:fs";
import * as path from "node:path";
const find = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? find(path.join(d, e.name)) : e.name.endsWith(".test.ts") ? [path.resolve(d, e.name)] : []);
const files = [path.resolve("tests/support/fast-check-seed.ts"), ...find("tests/core").sort()];
const code = await bundleForXs({ contents: files.map((f) => `import ${JSON.stringify(f)};`).join("\n"), format: "esm" });
fs.writeFileSync(process.argv[1], code);
fs.writeFileSync(process.argv[2], await bundleForXs({ harness: false, format: "esm",
  contents: `export * from ${JSON.stringify(path.resolve("host-sim/scenario/charge-and-fault.ts"))};` }));
' "$out/core-tests.js" "$out/mcsim-scenario.js" || { echo "moddable: 0 passed, 1 failed (bundle)"; exit 1; }
( cd build/mcsim-test && mcconfig -m -p lin -t build -o "$out/mcsim-test" ) > "$out/mcsim-build.log" 2>&1 || {
  tail -30 "$out/mcsim-build.log"; echo "moddable: 0 passed, 1 failed (build)"; exit 1; }
so=$(ls "$out"/mcsim-test/bin/lin/mc/release/*/mc.so | head -1)
config_home=$(mktemp -d)
XDG_CONFIG_HOME="$config_home" xvfb-run -a timeout 330 stdbuf -oL mcsim "$so" > "$out/mcsim-run.log" 2>&1
rc=$?
rm -rf "$config_home"
grep -v '^instruments' "$out/mcsim-run.log" | grep -E -A1 'FAIL|FATAL|^mcsim |^moddable:|XS abort' || true
if ! grep -q '^moddable: [0-9]* passed' "$out/mcsim-run.log"; then
  echo "moddable: 0 passed, 1 failed (no summary from mcsim, exit $rc)"
  exit 1
fi
exit $rc
