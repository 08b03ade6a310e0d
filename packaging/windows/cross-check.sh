#!/usr/bin/env bash
# Compiles for Windows, here on Debian, with the MinGW-w64 cross compiler
# (g++-mingw-w64-x86-64-posix): every engine, CLI and benchmark source that
# does not need libtorch or Qt, and links the platform layer into a small
# program. What needs libtorch or Qt is built for Windows only by
# .github/workflows/release.yml (MSVC, PyTorch's libtorch, Qt's installer).
#
#   packaging/windows/cross-check.sh        exit 0 when everything compiles
#
# A source counts as "needs libtorch/Qt" only when the first error is a
# missing ATen/c10/torch/Qt header (or re2, sentencepiece, libedit: libraries
# the workflow brings from vcpkg); any other error fails the check (e.g. a
# Linux-only call outside engine/src/platform).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cxx="${MINGW_CXX:-x86_64-w64-mingw32-g++-posix}"
if ! command -v "$cxx" >/dev/null; then
  echo "cross-check: $cxx not found; install Debian's g++-mingw-w64-x86-64-posix" >&2
  exit 2
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# Header-only libraries from Debian's own packages, without the rest of
# /usr/include (whose glibc headers must not be seen by a Windows build).
mkdir -p "$out/include"
for h in nlohmann; do
  [ -d "/usr/include/$h" ] && ln -s "/usr/include/$h" "$out/include/$h"
done
flags=(-std=c++17 -O0 -Wall -Wextra -Wno-unused-parameter -DQT_NO_KEYWORDS
       -I"$root/engine/include" -I"$root/engine/report/include" -I"$root/engine/src" -I"$root/engine/src/platform/include"
       -I"$root/cli" -I"$root/bench" -I"$root/app" -isystem "$out/include")

compiled=0; needs=0; failed=0
needs_list=()
cd "$root"
while IFS= read -r src; do
  log="$out/log.txt"
  if "$cxx" "${flags[@]}" -c "$src" -o "$out/obj.o" 2>"$log"; then
    compiled=$((compiled + 1))
  elif grep -m1 -E 'fatal error: ' "$log" | grep -qE "fatal error: (ATen|c10|torch|Q[A-Za-z]*|QtCore|QtQml|re2|sentencepiece[a-z_]*|histedit|editline)[/.:]"; then
    needs=$((needs + 1)); needs_list+=("$src")
  else
    failed=$((failed + 1))
    echo "== FAILED: $src"; head -20 "$log"
  fi
done < <(find engine/src cli bench -name '*.cpp' | sort)

# The platform layer as a library, linked into a program that uses it.
plat=(engine/src/platform/*.cpp)
for f in "${plat[@]}"; do
  "$cxx" "${flags[@]}" -c "$f" -o "$out/$(basename "$f" .cpp).o"
done
"$cxx" "${flags[@]}" -static -o "$out/platform_check.exe" "$root/packaging/windows/platform_check.cpp" \
  "$out"/calendar_time.o "$out"/environment.o "$out"/executable_path.o "$out"/file_mapping.o "$out"/shared_library.o "$out"/thread_priority.o \
  "$out"/process_memory.o -lpsapi
echo "platform layer: linked platform_check.exe ($(stat -c %s "$out/platform_check.exe") bytes)"
if command -v wine >/dev/null 2>&1; then
  wine "$out/platform_check.exe" "$root/README.md"
else
  echo "platform layer: not run (no wine here)"
fi

echo "needs libtorch/Qt (built only by the release workflow): ${needs_list[*]:-none}" | fold -s -w 120
echo "cross-check (x86_64-w64-mingw32): $compiled sources compiled, $failed failed, $needs need libtorch or Qt"
[ "$failed" -eq 0 ]
