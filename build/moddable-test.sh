#!/usr/bin/env bash
# Moddable tier of `npm test`, when an installed SDK is named by $MODDABLE (otherwise
# skips): builds the firmware manifest for lin (the real controller on the simulated
# plant), runs that firmware in mcsim until its charge-and-fault scenario has played
# (real time, about 30 s) and checks its trace, then runs the mcsim test app (core
# tests + the scenario as fast as XS goes). One summary line `moddable: N passed,
# N failed` counts the firmware run as one test.
set -u
if [ -z "${MODDABLE:-}" ] || [ ! -x "${MODDABLE}/build/bin/lin/release/mcconfig" ]; then
  echo "moddable: skipped: no Moddable SDK (set MODDABLE to an installed SDK to run this tier)"
  exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
out="$here/moddable-out"
bash "$here/moddable-build.sh" > "$out/firmware-build.log" 2>&1 || {
  tail -30 "$out/firmware-build.log"; echo "moddable: 0 passed, 1 failed (firmware build)"; exit 1; }

# The firmware never exits: watch its trace until the scenario (30 s of simulated time,
# paced in real time) has reported, at most 150 s on a loaded machine, then end it.
so=$(ls "$out"/firmware/bin/lin/mc/release/*/mc.so | head -1)
config_home=$(mktemp -d)
XDG_CONFIG_HOME="$config_home" xvfb-run -a timeout 150 stdbuf -oL "$MODDABLE/build/bin/lin/release/mcsim" "$so" > "$out/firmware-run.log" 2>&1 &
xvfb_pid=$!
while kill -0 "$xvfb_pid" 2>/dev/null; do
  if grep -q '^\[info\] scenario charge-and-fault: .* checks ok' "$out/firmware-run.log"; then
    # End our own mcsim: signal the `timeout` that xvfb-run started; xvfb-run then stops its X server.
    timeout_pid=$(pgrep -P "$xvfb_pid" -x timeout)
    [ -n "$timeout_pid" ] && kill "$timeout_pid"
    break
  fi
  sleep 1
done
wait "$xvfb_pid" 2>/dev/null
rm -rf "$config_home"
grep -E 'scenario|error|XS abort' "$out/firmware-run.log" | grep -v '^instruments' | sed 's/^/  firmware: /'
if grep -q '^\[info\] scenario charge-and-fault: \([0-9]*\) of \1 checks ok' "$out/firmware-run.log" && ! grep -q 'XS abort' "$out/firmware-run.log"; then
  fw_passed=1; fw_failed=0
else
  echo "  mcsim FAIL lin firmware: charge-and-fault did not report all checks ok (see build/moddable-out/firmware-run.log)"
  fw_passed=0; fw_failed=1
fi

bash "$here/moddable-mcsim.sh" > "$out/mcsim-summary.log" 2>&1
rc=$?
grep -v '^moddable:' "$out/mcsim-summary.log"
line=$(grep -m1 '^moddable: [0-9]* passed, [0-9]* failed' "$out/mcsim-summary.log")
passed=$(echo "$line" | sed -n 's/^moddable: \([0-9]*\) passed.*/\1/p')
failed=$(echo "$line" | sed -n 's/^moddable: [0-9]* passed, \([0-9]*\) failed.*/\1/p')
echo "moddable: $(( ${passed:-0} + fw_passed )) passed, $(( ${failed:-1} + fw_failed )) failed"
if [ "$rc" -ne 0 ] || [ "$fw_failed" -ne 0 ]; then exit 1; fi
exit 0
