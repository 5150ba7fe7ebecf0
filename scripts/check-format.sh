#!/usr/bin/env bash
# Checks that every C++ file of the project follows .clang-format (clang-format 14, Debian 12).
# With --fix, formats them in place instead.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "error: clang-format is not installed (scripts/install-deps.sh)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^tests/data/')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/glimpse-format.$$; then
  grep -o '^[^:]*\.\(cpp\|h\)' /tmp/glimpse-format.$$ | sort -u | sed 's/^/not formatted: /' >&2
  rm -f /tmp/glimpse-format.$$
  echo "run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/glimpse-format.$$
echo "format ok (${#files[@]} files)"
