#!/bin/sh
# Takes the README's screenshots of the real window under Xvfb, in light and
# dark, into docs/screenshots/{picker,sampling,chat,chats,conversation,card,compare}-{light,dark}.png:
# checkpoint picker, sampling panel, saved chats and model card on the demo
# checkpoint (it carries training step and validation loss); the chat mid-stream on a story
# model (the demo model's answers are a few tokens long).
#   tools/screenshots/take.sh [BUILD_DIR] [CHAT_CHECKPOINT]
# BUILD_DIR defaults to build; CHAT_CHECKPOINT to
# $WAYPOINT_SHARED_DIR/models/stories260K/stories260K.bin (../shared).
# Needs a build with the screenshot hooks (-DWAYPOINT_SCREENSHOT_HOOKS=ON, the
# default when the tests build). The stream is slowed (WAYPOINT_TOKEN_DELAY_MS) so the picture catches it
# mid-way; each run gets a fresh, throw-away settings folder (first start).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shared=${WAYPOINT_SHARED_DIR:-$root/../shared}
chat=${2:-$shared/models/stories260K/stories260K.bin}
out=$root/docs/screenshots
app=$build/app/waypoint
[ -x "$app" ] || { echo "no $app: build the app first (cmake --build $build --target waypoint)" >&2; exit 1; }
"$app" --help | grep -q -- --screenshot ||
  { echo "$app has no screenshot hooks: configure $build with -DWAYPOINT_SCREENSHOT_HOOKS=ON and rebuild" >&2; exit 1; }
mkdir -p "$out"
config=$(mktemp -d)
trap 'rm -rf "$config"' EXIT
shoot() {  # theme shots [--checkpoint PATH]
  theme=$1 shots=$2
  shift 2
  rm -rf "$config" && mkdir -p "$config"
  XDG_CONFIG_HOME=$config XDG_DATA_HOME=$config/data WAYPOINT_SCREENSHOTS=$shots WAYPOINT_TOKEN_DELAY_MS=${WAYPOINT_TOKEN_DELAY_MS:-40} \
    xvfb-run -a -s "-screen 0 1400x900x24" "$app" --theme "$theme" --screenshot "$out" "$@"
}
for theme in light dark; do
  shoot "$theme" picker,sampling,chats,conversation,card
  if [ -e "$chat" ]; then
    shoot "$theme" chat --checkpoint "$chat"
  else
    echo "no $chat: skipping the chat shot (pass a story model as CHAT_CHECKPOINT)" >&2
  fi
  # compare-<theme>.png: the demo's three steps answering one sum, greedy,
  # with the evaluation on the held-out problems (window 12) below them; not
  # slowed, so the panes show real tokens/s.
  demo=$root/resources/demo
  (WAYPOINT_TOKEN_DELAY_MS=0; shoot "$theme" compare --compare "$demo/arith-step000500" \
    --compare "$demo/arith-step002000" --compare "$demo/arith-step004000")
done
ls -l "$out"
