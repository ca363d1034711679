#!/usr/bin/env bash
# Candor's test command: installs what is missing, builds the preset (default dev), checks the
# format, and runs every CTest label these machines can run (unit, redis, pg, kafka, integration,
# e2e). The store tests start their own stack (the `stack` fixture) on ports 6490/5540/9193.
set -euo pipefail

preset="${CANDOR_TEST_PRESET:-dev}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

case "${1:-}" in
  -h|--help)
    echo "Usage: scripts/test.sh [ctest args...]   (env CANDOR_TEST_PRESET=dev|asan|release)"
    exit 0 ;;
esac

scripts/setup.sh --preset "$preset"
scripts/check-format.sh
ctest --preset "$preset" -j 2 "$@"
