#!/usr/bin/env bash
# The checks that are too heavy for every CI run on two cores (README.md,
# "Development"): run before merging a change that touches a parser, the
# threading, or a file format.
#
#   scripts/hardening.sh asan [ctest -R regex]  build-asan: the whole project and test
#                                               suite with ASan + UBSan (clang-14), then ctest
#   scripts/hardening.sh tsan [ctest -R regex]  build-tsan: the threaded tests (chat, compare,
#                                               evaluation, server) with TSan, then ctest
#   scripts/hardening.sh fuzz [SECONDS]         build-fuzz: the libFuzzer targets, SECONDS each
#                                               (default 30: a smoke; 600 for a real run), see
#                                               tests/fuzz/run.sh
#
# Needs clang-14 and its sanitizer/libFuzzer runtimes (Debian: clang-14,
# libclang-rt-14-dev); installed here when missing. Heavy: nice 15.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-}"
shift || true

need=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
jobs="$(nproc 2>/dev/null || echo 2)"

case "$mode" in
  asan)
    nice -n 15 cmake --preset asan
    nice -n 15 cmake --build --preset asan -j "$jobs"
    nice -n 15 ctest --preset asan -j "$jobs" "$@"
    ;;
  tsan)
    nice -n 15 cmake --preset tsan
    nice -n 15 cmake --build --preset tsan -j "$jobs"
    nice -n 15 ctest --preset tsan "$@"
    ;;
  fuzz)
    seconds="${1:-30}"
    nice -n 15 cmake --preset fuzz
    nice -n 15 cmake --build --preset fuzz -j "$jobs"
    tests/fuzz/run.sh -t "$seconds" -b build-fuzz
    ;;
  *)
    sed -n '2,15p' "$0"
    exit 2
    ;;
esac
