#!/usr/bin/env bash
# Waypoint's one set-up script (README.md "Set up and run").
#   scripts/setup.sh run    install what is missing, build (Release), start the main job
#   scripts/setup.sh test   install what is missing, build (Release), run the whole test suite
# Dependencies come only from Debian 12's packages; nothing is downloaded from elsewhere.
set -euo pipefail

mode="${1:-run}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${WAYPOINT_BUILD_DIR:-$here/build}"
jobs="$(nproc 2>/dev/null || echo 2)"

# --- 1. Debian packages ------------------------------------------------------
# libopenblas0-pthread: Debian's libtorch uses whatever libblas.so.3 is
# installed, and the reference BLAS is ~30x slower (docs/ARCHITECTURE.md trap 3).
packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-pthread
  libsentencepiece-dev sentencepiece
  nlohmann-json3-dev libre2-dev libedit-dev
  qt6-base-dev qt6-declarative-dev qt6-tools-dev libgl-dev
  libqt6sql6-sqlite
  libcpp-httplib-dev prometheus-cpp-dev
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-layouts
  qml6-module-qtquick-dialogs qml6-module-qtquick-templates qml6-module-qtquick-window
  qml6-module-qtqml-workerscript qml6-module-qtqml-models qml6-module-qtquick-shapes
  qml6-module-qt-labs-settings qml6-module-qt-labs-folderlistmodel qml6-module-qttest
  xvfb xauth
  librsvg2-bin
)
# librsvg2-bin renders the app icon's PNG sizes at build time.
# libcpp-httplib-dev and prometheus-cpp-dev: waypoint-server's HTTP and metrics (server/README.md).
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing from Debian: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The OpenAI Node client for waypoint-server's tests (tests/server/node), from
# npm at the versions package-lock.json pins; Debian's nodejs/npm if no node.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm
fi
node_tests="$here/tests/server/node"
if [ ! -f "$node_tests/node_modules/openai/package.json" ] ||
   [ "$node_tests/package-lock.json" -nt "$node_tests/node_modules/.package-lock.json" ]; then
  echo "== npm ci in tests/server/node (the OpenAI client for the server tests)"
  (cd "$node_tests" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- 2. Build ----------------------------------------------------------------
echo "== building in $build (Release)"
configure=(-DCMAKE_BUILD_TYPE=Release)
# The test suite must not pass by skipping: without ../shared the configure step fails.
[ "$mode" = test ] && configure+=(-DWAYPOINT_REQUIRE_SHARED=ON)
cmake -S "$here" -B "$build" -G Ninja "${configure[@]}"
cmake --build "$build" -j "$jobs"

# --- 3. The main job or the tests ---------------------------------------------
demo="$here/resources/demo"
final_demo="$(ls -d "$demo"/arith-step* 2>/dev/null | sort | tail -n 1 || true)"

case "$mode" in
  run)
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      echo "== no display: answering with the CLI on the demo checkpoint $final_demo"
      echo "   (for the window run: $build/app/waypoint  or headless: $build/app/waypoint -platform offscreen)"
      "$build/cli/waypoint-cli" --checkpoint "$final_demo" --greedy --prompt "123+456=" --max-tokens 8
      echo
    else
      echo "== starting Waypoint on $final_demo"
      exec "$build/app/waypoint" --checkpoint "$final_demo"
    fi
    ;;
  test)
    export QT_QPA_PLATFORM=offscreen
    cd "$build"
    ctest --output-on-failure -j "$jobs" --timeout 1200
    ;;
  *)
    echo "usage: scripts/setup.sh run|test" >&2
    exit 2
    ;;
esac
