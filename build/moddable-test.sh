#!/usr/bin/env bash
# Moddable tier of `npm test`: builds the firmware manifest for lin and runs the
# mcsim test app, when an installed SDK is named by $MODDABLE. Otherwise skips.
set -u
if [ -z "${MODDABLE:-}" ] || [ ! -x "${MODDABLE}/build/bin/lin/release/mcconfig" ]; then
  echo "moddable: skipped: no Moddable SDK (set MODDABLE to an installed SDK to run this tier)"
  exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/moddable-build.sh" >/dev/null || { echo "moddable: 0 passed, 1 failed (firmware build)"; exit 1; }
bash "$here/moddable-mcsim.sh"
