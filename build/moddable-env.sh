# Sourced by the Moddable build scripts: checks $MODDABLE and puts the SDK's tools
# and this project's TypeScript (>= 6, which mcconfig needs) on PATH.
if [ -z "${MODDABLE:-}" ] || [ ! -x "${MODDABLE}/build/bin/lin/release/mcconfig" ]; then
  echo "moddable: skipped: no Moddable SDK (set MODDABLE to an installed SDK with its Linux tools built)"
  exit 0
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$MODDABLE/build/bin/lin/release:$repo/node_modules/.bin:$PATH"
out="$repo/build/moddable-out"
mkdir -p "$out/firmware" "$out/mcsim-test"
mkdir -p "$out"
