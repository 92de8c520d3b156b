#!/usr/bin/env bash
# Installs what is missing, builds, and starts ConvexNN Studio on a built-in dataset, ready to press
# Run. Without a display (a server, a container) it runs the same demo headless with the CLI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/packaging/build.sh"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$root/build/app/convexnn-studio" "$@"
fi
echo "No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the demo with the CLI."
echo "On a desktop, this command opens ConvexNN Studio; headless, try: xvfb-run $root/build/app/convexnn-studio --run --screenshot shot.png"
exec "$root/build/app/convexnn" train --dataset moons --n 40 --test-fraction 0.25 --formulation exact --beta 0.1
