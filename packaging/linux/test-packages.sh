#!/usr/bin/env bash
# Installs the Linux packages as a user would and runs them, in clean Debian 12
# roots made with debootstrap --variant=minbase (as root; ~1 min each):
#  1. the .deb: apt-get install ./waypoint_*.deb (pulling Debian's Qt, libtorch,
#     sentencepiece, OpenBLAS), waypoint-cli answers 123+456= on the installed
#     demo, the installed app starts offscreen and stays up, and in a real X
#     window (Xvfb on this machine, the root's own xcb plugin) it opens its demo;
#     a sum is typed into it and the window is saved as a PNG; then
#     apt-get purge, and nothing of the package may be left;
#  2. the tarball, in a second clean root with only a font installed: unpacked, the
#     same checks with its bin/, then deleted; nothing may be left outside it.
#
#   packaging/linux/test-packages.sh     (after build-packages.sh)
# Screenshots and logs: build/packages/test/. WAYPOINT_TEST_ONLY=deb|tarball
# tests only that one. WAYPOINT_TEST_ROOTS keeps the
# roots, the debootstrap tarball and apt's downloads there for the next run
# (default: a temporary folder, removed).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pkgs="$root/build/packages"
out="$pkgs/test"
[ "$(id -u)" -eq 0 ] || { echo "test-packages: needs root (debootstrap, chroot)" >&2; exit 2; }
deb="$(ls "$pkgs"/waypoint_*_amd64.deb 2>/dev/null | head -1 || true)"
tarball="$(ls "$pkgs"/waypoint-*-linux-x86_64.tar.gz 2>/dev/null | head -1 || true)"
only="${WAYPOINT_TEST_ONLY:-}"  # deb or tarball: test just that one
[ "$only" = tarball ] || [ -n "$deb" ] || { echo "test-packages: no .deb; run packaging/linux/build-packages.sh first" >&2; exit 2; }
[ "$only" = deb ] || [ -n "$tarball" ] || { echo "test-packages: no tarball; run packaging/linux/build-packages.sh first" >&2; exit 2; }

tools=(debootstrap xvfb xauth xdotool x11-apps x11-utils imagemagick)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Debian mirror this machine's apt uses.
mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
[ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
mirror="${mirror:-http://deb.debian.org/debian}"

work="${WAYPOINT_TEST_ROOTS:-$(mktemp -d /var/tmp/waypoint-roots.XXXXXX)}"
mkdir -p "$work" "$out"
rm -f "$out"/${only:-}*.png "$out"/${only:-}*.log
xvfb_pid=""
# Every mount under $work (the roots' /proc, /dev, apt cache, X socket), read
# back from the kernel so none is missed, deepest first.
unmount_all() {
  awk -v w="$work/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
}
cleanup() {
  unmount_all
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  # Never recurse into a bind-mounted /dev: only after everything is unmounted.
  if [ -z "${WAYPOINT_TEST_ROOTS:-}" ] && ! awk -v w="$work/" 'index($2, w) == 1 {f=1} END {exit !f}' /proc/mounts; then
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT
fail() { echo "test-packages: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

# One minbase root made once, copied for each test.
base="$work/base.tar"
if [ ! -f "$base" ]; then
  step "debootstrap --variant=minbase bookworm from $mirror"
  rm -rf "$work/base"
  t0=$(date +%s)
  debootstrap --variant=minbase bookworm "$work/base" "$mirror" > "$out/debootstrap.log" 2>&1 ||
    { tail -20 "$out/debootstrap.log"; fail "debootstrap"; }
  tar -C "$work/base" -cf "$base" .
  rm -rf "$work/base"
  echo "   $(( $(date +%s) - t0 )) s"
fi
# new_root NAME: sets $r to a fresh root (called directly, not in $(...), so
# that the mounts it makes are this shell's).
new_root() {
  r="$work/$1"
  unmount_all  # a root left mounted by an interrupted run
  rm -rf --one-file-system "$r"; mkdir -p "$r"; tar -C "$r" -xf "$base"
  cp /etc/resolv.conf "$r/etc/resolv.conf"
  mount -t proc proc "$r/proc"
  mount --bind /dev "$r/dev"
  # Downloaded .debs are kept between runs (apt-get clean is not run).
  mkdir -p "$work/apt-archives/partial"
  mount --bind "$work/apt-archives" "$r/var/cache/apt/archives"
  mkdir -p "$r/tmp/.X11-unix"
  mount --bind /tmp/.X11-unix "$r/tmp/.X11-unix"
}
in_root() { local r="$1"; shift; chroot "$r" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
# Files of the root, for "nothing left" (what apt and the app's user settings write is not the package's).
snapshot() {
  (cd "$1" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./var/cache -o -path ./var/lib/apt \
     -o -path ./var/log -o -path ./var/lib/dpkg -o -path ./root/.config -o -path ./root/.local -o -path ./root/.cache -o -path ./etc/ld.so.cache \) -prune -o -print | sort)
}

# A display for the window checks: Xvfb here; the roots reach it through
# the bind-mounted /tmp/.X11-unix.
display=":57"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 2

# run_checks ROOT PREFIX NAME: the CLI on the demo, the app offscreen, the app in a window.
run_checks() {
  local r="$1" prefix="$2" name="$3"
  local demo="$prefix/share/waypoint/demo/arith-step004000"
  step "$name: waypoint-cli on $demo"
  local answer
  answer="$(in_root "$r" "$prefix/bin/waypoint-cli" --checkpoint "$demo" --greedy --prompt "123+456=" --max-tokens 6 2>"$out/$name-cli.log")" ||
    { cat "$out/$name-cli.log"; fail "$name: waypoint-cli exited with an error"; }
  echo "   123+456= -> $answer"
  [[ "$answer" == *579* ]] || fail "$name: expected 579, got '$answer'"

  step "$name: waypoint -platform offscreen on its demo (20 s)"
  set +e
  in_root "$r" QT_QUICK_BACKEND=software timeout 20 "$prefix/bin/waypoint" -platform offscreen >"$out/$name-offscreen.log" 2>&1
  local rc=$?
  set -e
  [ "$rc" -eq 124 ] || { cat "$out/$name-offscreen.log"; fail "$name: the offscreen app exited ($rc) before 20 s"; }
  if grep -E "qrc:|QQmlApplicationEngine failed|module .* is not installed|Cannot load library" "$out/$name-offscreen.log"; then
    fail "$name: QML errors in the offscreen app's output"
  fi
  echo "   ran 20 s, no QML errors"

  step "$name: waypoint in an X window (xcb), 123+456= typed, screenshot"
  in_root "$r" DISPLAY="$display" QT_QUICK_BACKEND=software "$prefix/bin/waypoint" --theme light >"$out/$name-window.log" 2>&1 &
  local app=$!
  local wid=""
  for _ in $(seq 60); do
    wid="$(DISPLAY=$display xdotool search --onlyvisible --name 'Waypoint$' 2>/dev/null | head -1 || true)"
    [ -n "$wid" ] && break
    sleep 1
  done
  [ -n "$wid" ] || { cat "$out/$name-window.log"; fail "$name: no Waypoint window appeared in 60 s"; }
  sleep 8  # the demo checkpoint loads on the worker
  # No window manager: keys go to the window under the pointer (the app
  # focuses its prompt box itself).
  DISPLAY=$display xdotool mousemove --window "$wid" 5 5 2>/dev/null || true
  DISPLAY=$display xdotool windowfocus "$wid" 2>/dev/null || true
  DISPLAY=$display xdotool key ctrl+1  # the chat, its prompt box focused
  DISPLAY=$display xdotool type --delay 60 "123+456="
  DISPLAY=$display xdotool key Return
  sleep 6
  DISPLAY=$display xwd -root -silent | convert xwd:- "$out/$name-window.png"
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  echo "   saved $out/$name-window.png"
}

# --- 1. the .deb ------------------------------------------------------------------
if [ "$only" != tarball ]; then
new_root deb-root; r1="$r"
cp /etc/apt/sources.list.d/debian.sources "$r1/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$r1/etc/apt/sources.list"
before="$(snapshot "$r1")"
cp "$deb" "$r1/tmp/"
step "deb: apt-get install ./$(basename "$deb") in a clean bookworm root"
t0=$(date +%s)
in_root "$r1" apt-get update -qq > "$out/deb-apt.log" 2>&1 || { tail "$out/deb-apt.log"; fail "apt-get update"; }
in_root "$r1" DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$deb")" >> "$out/deb-apt.log" 2>&1 ||
  { tail -30 "$out/deb-apt.log"; fail "apt-get install of the .deb"; }
echo "   $(grep -c '^Setting up' "$out/deb-apt.log") packages set up in $(( $(date +%s) - t0 )) s"
rm -f "$r1/tmp/$(basename "$deb")"
mapfile -t pkg_files < <(in_root "$r1" dpkg -L waypoint)
run_checks "$r1" /usr deb
step "deb: apt-get purge --autoremove waypoint"
in_root "$r1" DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --autoremove waypoint >> "$out/deb-apt.log" 2>&1 || fail "purge"
left=()
for f in "${pkg_files[@]}"; do
  [ -e "$r1$f" ] || [ -L "$r1$f" ] || continue
  # (A here-string, not `echo | grep -q`: under pipefail grep closing the pipe early fails the echo.)
  [ -d "$r1$f" ] && grep -qxF ".$f" <<< "$before" && continue  # a shared folder that was there before
  left+=("$f")
done
[ ${#left[@]} -eq 0 ] || fail "deb: left after purge: ${left[*]}"
# The user's own settings and chat history (~/.config, ~/.local/share) stay, as with any Debian package.
stray="$(cd "$r1" && find . -xdev \( -path ./proc -o -path ./root/.config -o -path ./root/.local \) -prune -o -iname '*waypoint*' -print)"
[ -z "$stray" ] || fail "deb: files named waypoint left after purge: $stray"
echo "   none of its ${#pkg_files[@]} paths left; the user's data the app wrote: $(cd "$r1" && ls -d root/.config/Waypoint root/.local/share/Waypoint 2>/dev/null | paste -sd' ' || echo none)"
unmount_all
fi

# --- 2. the tarball, nothing installed but a font----------------------------------------
if [ "$only" != deb ]; then
new_root tar-root; r2="$r"
# The bundle carries every library but takes fonts from the system, as desktop
# programs do: a minbase root has none (the window's text would be empty
# boxes), so this root gets Debian's smallest font setup and nothing else.
cp /etc/apt/sources.list.d/debian.sources "$r2/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$r2/etc/apt/sources.list"
in_root "$r2" apt-get update -qq > "$out/tarball-apt.log" 2>&1 || { tail "$out/tarball-apt.log"; fail "apt-get update"; }
in_root "$r2" DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends fonts-dejavu-core fontconfig \
  >> "$out/tarball-apt.log" 2>&1 || { tail -20 "$out/tarball-apt.log"; fail "apt-get install of a font"; }
before="$(snapshot "$r2")"
step "tarball: unpack $(basename "$tarball") into /opt of a second clean root"
tar -C "$r2/opt" -xzf "$tarball"
dir="/opt/$(basename "$tarball" .tar.gz)"
run_checks "$r2" "$dir" tarball
step "tarball: rm -r $dir"
rm -rf "${r2:?}$dir"
after="$(snapshot "$r2")"
diff <(echo "$before") <(echo "$after") > "$out/tarball-left.log" || { cat "$out/tarball-left.log"; fail "tarball: files left outside the bundle"; }
echo "   nothing left outside it"
fi
echo "test-packages: all passed (screenshots: $(ls "$out"/*-window.png | tr '\n' ' '))"
