#!/usr/bin/env bash
# Configures and builds a Release build with Ninja in build/ (warnings are errors when CI=true).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/packaging/install-deps.sh"
werror=OFF
if [ "${CI:-}" = "true" ] || [ "${CONVEXNN_WERROR:-}" = "ON" ]; then
  werror=ON
fi
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCONVEXNN_WERROR="$werror" >/dev/null
cmake --build "$root/build" --parallel "$(nproc)"
