#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: a certified training run on a built-in
# dataset (the desktop application will take this place once it exists).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/packaging/build.sh"
exec "$root/build/app/convexnn" train --dataset xor --n 16 --formulation exact --beta 0.1 "$@"
