#!/bin/sh
# Takes the README's screenshots of the real window under Xvfb, in light and
# dark: checkpoint picker, sampling panel, chat mid-stream, model card.
#   tools/screenshots/take.sh [BUILD_DIR] [CHECKPOINT]
# BUILD_DIR defaults to build; CHECKPOINT to the last demo checkpoint.
# The stream is slowed (WAYPOINT_TOKEN_DELAY_MS) so the picture catches it
# mid-way; settings go to a throw-away config folder.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
checkpoint=${2:-}
out=$root/docs/screenshots
app=$build/app/waypoint
[ -x "$app" ] || { echo "no $app: build the app first (cmake --build $build --target waypoint)" >&2; exit 1; }
mkdir -p "$out"
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
for theme in light dark; do
  XDG_CONFIG_HOME=$config WAYPOINT_TOKEN_DELAY_MS=${WAYPOINT_TOKEN_DELAY_MS:-40} \
    xvfb-run -a -s "-screen 0 1400x900x24" \
    "$app" --theme "$theme" --screenshot "$out" ${checkpoint:+--checkpoint "$checkpoint"}
done
ls -l "$out"
