#!/usr/bin/env bash
# Fails, naming the files, when a tracked C++ source is not formatted per .clang-format. Fails too
# when it cannot list the sources (not a git checkout, git missing): a check that saw no file did
# not pass.
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "clang-format is not installed (scripts/setup-deps.sh installs it)"; exit 1; }
listing=$(git ls-files -- '*.cpp' '*.hpp' '*.h' '*.cc' '*.hpp.in') \
  || { echo "cannot list the tracked sources of $1 (git ls-files failed)"; exit 1; }
mapfile -t files <<<"$listing"
checked=0
bad=()
for f in "${files[@]}"; do
  [ -n "$f" ] && [ -f "$f" ] || continue
  checked=$((checked + 1))
  clang-format --dry-run -Werror --style=file "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ "$checked" -eq 0 ]; then
  echo "no C++ source found in $1: nothing was checked"
  exit 1
fi
if [ ${#bad[@]} -gt 0 ]; then
  echo "not clang-formatted (run: clang-format -i FILE):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "$checked files formatted"
