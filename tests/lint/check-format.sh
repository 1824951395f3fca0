#!/usr/bin/env bash
# Lists C++ files whose formatting differs from .clang-format and fails if there are any.
set -euo pipefail
clang_format=${1:-clang-format}
mapfile -t files < <(git ls-files -- '*.cpp' '*.hpp' '*.h' '*.cc' 2>/dev/null || true)
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(find shared services bench tests -name node_modules -prune -o \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print)
fi
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run: clang-format -i $f)"
    bad=$((bad + 1))
  fi
done
echo "clang-format: ${#files[@]} files checked, $bad not formatted"
[ "$bad" -eq 0 ]
