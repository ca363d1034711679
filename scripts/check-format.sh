#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (repo .clang-format) would write.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files '*.h' '*.cc' 2>/dev/null || true)
[ "${#files[@]}" -gt 0 ] || exit 0
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/candor-format.log; then
  echo "format drift (run: clang-format -i \$(git ls-files '*.h' '*.cc')):" >&2
  grep -E '^[^ ].*error' /tmp/candor-format.log | cut -d: -f1 | sort -u >&2
  exit 1
fi
echo "format: ${#files[@]} files clean" >&2
