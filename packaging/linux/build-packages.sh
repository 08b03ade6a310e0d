#!/usr/bin/env bash
# Builds Waypoint in Release and writes the Linux installers to build/packages/:
#   waypoint_<version>_amd64.deb             Debian 12 and derivatives, on Debian's
#                                            own Qt 6, libtorch, sentencepiece, OpenBLAS
#   waypoint-<version>-linux-x86_64.tar.gz   self-contained: unpack anywhere, run bin/waypoint
#   waypoint-<version>-1.x86_64.rpm          the same bundle under /opt/waypoint
# and checks them with lintian, rpmlint, desktop-file-validate and
# appstreamcli. packaging/linux/test-packages.sh installs them in clean roots.
#
#   packaging/linux/build-packages.sh [-DCMAKE_OPTION=...]   (root or sudo for apt)
# Environment: WAYPOINT_PKG_BUILD (default build-pkg), JOBS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/packaging/linux"
# A sibling of build/ (same depth): ccache then reuses build/'s objects.
build="${WAYPOINT_PKG_BUILD:-$root/build-pkg}"
out="$root/build/packages"
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Tools from Debian: the project's own build dependencies (scripts/setup.sh)
# plus these.
tools=(dpkg-dev lintian rpm rpmlint patchelf desktop-file-utils appstream librsvg2-bin
       qt6-declarative-dev-tools qt6-base-dev-tools file)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

version="$(sed -n 's/^project(Waypoint VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
arch="$(dpkg --print-architecture)"

# --- Build (Release, no tests, no source/build-tree paths compiled in) -------
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DWAYPOINT_BUILD_TESTS=OFF -DWAYPOINT_BUILD_TREE_PATHS=OFF \
  -DCMAKE_INSTALL_PREFIX=/usr "$@" >/dev/null
cmake --build "$build" -j "$jobs"
# The programs must find the demo and the bridge relative to themselves only.
if grep -qaE "$root/resources|$build/lib/waypoint" "$build/app/waypoint" "$build/cli/waypoint-cli"; then
  echo "build-packages: a source or build-tree path for the demo or the bridge is compiled in" >&2; exit 1
fi
# --- What the programs load without linking it: the QML modules the app
# imports and Qt's platform plugins, mapped to the Debian packages that own
# those files; less the packages of libraries they link, which
# dpkg-shlibdeps (run by CPack) lists with their versions.
qtplugins="$(qtpaths6 --query QT_INSTALL_PLUGINS 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/qt6/plugins)"
files=()
# (QtQml itself is built into libQt6Qml, which dpkg-shlibdeps finds: no qmldir.)
while IFS= read -r mod; do [ -f "$mod/qmldir" ] && files+=("$mod/qmldir"); done < <("$here/qml-imports.sh")
# The chat history opens its SQLite file through the QSQLITE driver plugin.
files+=("$qtplugins/platforms/libqxcb.so" "$qtplugins/platforms/libqoffscreen.so" "$qtplugins/sqldrivers/libqsqlite.so")
# The packages owning some paths, in one dpkg call (one per path took
# minutes for the ~300 libraries). dpkg may know a library under /lib or
# /usr/lib (merged /usr): both spellings are asked; unknown ones are skipped
# (dpkg -S then exits 1, which is no error here).
owners() {
  local p
  for p in "$@"; do
    echo "$p"
    case "$p" in /usr/*) echo "${p#/usr}" ;; *) echo "/usr$p" ;; esac
  done | { xargs dpkg -S 2>/dev/null || true; } | sed 's/: .*//' | tr ',' '\n' | sed 's/^ *//; s/:.*//' | sort -u
}
mapfile -t libs < <(ldd "$build/app/waypoint" "$build/cli/waypoint-cli" "$build"/lib/waypoint/*.so |
  awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u)
linked="$(owners "${libs[@]}")"
extra_depends="$(owners "${files[@]}" | grep -vxF -f <(echo "$linked") | paste -sd, | sed 's/,/, /g')"
echo "== packages for what is loaded at run time: $extra_depends"
cmake "$build" -DWAYPOINT_DEB_EXTRA_DEPENDS="$extra_depends" >/dev/null

mkdir -p "$out"
rm -f "$out"/waypoint[_-]*

# --- .deb ------------------------------------------------------------------------
(cd "$build" && cpack -G DEB >/dev/null)
deb="$out/waypoint_${version}_${arch}.deb"
mv "$build/packages/waypoint_${version}_${arch}.deb" "$deb"
echo "== $(basename "$deb"): $(du -h "$deb" | cut -f1)"
dpkg-deb -f "$deb" Depends | fold -s -w 100 | sed 's/^/   Depends: /'
echo "== lintian"
lintian --tag-display-limit 0 --fail-on error "$deb" || { echo "build-packages: lintian reported errors" >&2; exit 1; }

# --- desktop files, as installed ------------------------------------------------
stage="$(mktemp -d)"; trap 'rm -rf "$stage"' EXIT
dpkg-deb -x "$deb" "$stage/deb"
desktop-file-validate "$stage"/deb/usr/share/applications/*.desktop
appstreamcli validate --no-net "$stage"/deb/usr/share/metainfo/*.metainfo.xml

# --- self-contained tarball ------------------------------------------------------
name="waypoint-${version}-linux-x86_64"
cmake --install "$build" --prefix "$stage/$name" --strip >/dev/null
"$here/bundle.sh" "$stage/$name"
tarball="$out/$name.tar.gz"
tar -C "$stage" --owner=0 --group=0 --numeric-owner -czf "$tarball" "$name"
glibc="$(find "$stage/$name" -type f \( -name '*.so*' -o -perm -u+x \) -exec sh -c 'head -c4 "$1" | grep -q ELF && objdump -T "$1"' _ {} \; 2>/dev/null |
  grep -o 'GLIBC_[0-9.]*' | sort -t. -k1,1 -k2,2n -k3,3n -u | tail -1)"
echo "== $(basename "$tarball"): $(du -h "$tarball" | cut -f1), unpacked $(du -sh "$stage/$name" | cut -f1), needs ${glibc}"
echo "$glibc" > "$out/$name.glibc"

# --- .rpm: the same bundle under /opt/waypoint ----------------------------------
cmake -S "$here/rpm" -B "$stage/rpm-build" -DBUNDLE_DIR="$stage/$name" -DVERSION="$version" \
  -DGLIBC_FLOOR="${glibc#GLIBC_}" -DOUT_DIR="$out" >/dev/null
(cd "$stage/rpm-build" && cpack -G RPM >/dev/null)
rpm="$(ls "$out"/waypoint-"$version"-*.rpm | head -1)"
echo "== $(basename "$rpm"): $(du -h "$rpm" | cut -f1)"
echo "== rpmlint"
# (waypoint.rpmlintrc filters, with reasons, what a bundle in /opt is by design.)
rpmlint_out="$(rpmlint -r "$here/rpm/waypoint.rpmlintrc" "$rpm" 2>&1 || true)"
{ grep -E ': E: ' <<< "$rpmlint_out" || true; } | head -n 40
echo "$rpmlint_out" | tail -n 3
if grep -qE '[1-9][0-9]* errors' <<< "$rpmlint_out"; then
  echo "build-packages: rpmlint reported errors" >&2; exit 1
fi
ls -l "$out"
