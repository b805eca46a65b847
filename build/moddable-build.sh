#!/usr/bin/env bash
# npm run build:lin — builds the firmware manifest for the lin platform with an installed SDK.
set -euo pipefail
source "$(dirname "$0")/moddable-env.sh"
cd "$repo"
mcconfig -m -p lin -t build -o "$out/firmware"
so=$(ls "$out"/firmware/bin/lin/mc/release/*/mc.so | head -1)
echo "built $so"
