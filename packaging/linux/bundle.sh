#!/usr/bin/env bash
# Turns an installed Waypoint tree (cmake --install --prefix DIR) into a
# self-contained bundle that runs wherever it is unpacked on an x86-64 Linux
# with glibc (build-packages.sh prints the oldest glibc it needs):
#   lib/        every shared library the programs, Qt plugins and QML modules
#               load, except glibc's own (Qt, libtorch, OpenBLAS as
#               libblas.so.3, OpenMP, protobuf, sentencepiece, libstdc++, ...)
#   plugins/    Qt's platform plugins (xcb, offscreen, ...), input contexts,
#               GL integrations, image formats
#   qml/        the QML modules the app imports (packaging/linux/qml-imports.sh)
#   bin/qt.conf points Qt at plugins/ and qml/
# Run paths are $ORIGIN-relative (patchelf); everything is stripped.
#
#   packaging/linux/bundle.sh DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="$(cd "${1:?usage: bundle.sh INSTALLED_DIR}" && pwd)"
for t in patchelf ldd strip; do
  command -v "$t" >/dev/null || { echo "bundle: $t not found (Debian: patchelf, binutils)" >&2; exit 2; }
done
qtplugins="$(qtpaths6 --query QT_INSTALL_PLUGINS 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/qt6/plugins)"
qtqml="$(qtpaths6 --query QT_INSTALL_QML 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/qt6/qml)"

# glibc's libraries come from the system the bundle runs on.
is_base() {
  case "$1" in
    ld-linux*.so*|libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|libresolv.so*|libutil.so*|\
    libanl.so*|libmvec.so*|libBrokenLocale.so*|libnsl.so*|libnss_*|libthread_db.so*|linux-vdso.so*) return 0 ;;
  esac
  return 1
}

mkdir -p "$dir/lib" "$dir/plugins" "$dir/qml"

# Qt plugins: the platforms (xcb for X11/XWayland, offscreen, minimal), what
# xcb needs for OpenGL and typing (compose, ibus), image formats, the SQLite driver of the chat history.
for sub in platforms xcbglintegrations platforminputcontexts imageformats iconengines sqldrivers; do
  [ -d "$qtplugins/$sub" ] || continue
  mkdir -p "$dir/plugins/$sub"
  for f in "$qtplugins/$sub"/*.so; do
    case "$(basename "$f")" in
      # EGL/KMS, framebuffer, VNC and Vulkan-display platforms are for kiosks, not desktops.
      libqeglfs.so|libqlinuxfb.so|libqvnc.so|libqvkkhrdisplay.so|libqminimalegl.so) continue ;;
    esac
    cp -L "$f" "$dir/plugins/$sub/"
  done
done

# QML modules: each module folder's own files; its *impl subfolders whole.
while IFS= read -r mod; do
  rel="${mod#"$qtqml"/}"
  mkdir -p "$dir/qml/$rel"
  find "$mod" -maxdepth 1 -type f -exec cp -L {} "$dir/qml/$rel/" \;
  for impl in "$mod"/*impl; do
    [ -d "$impl" ] && cp -rL "$impl" "$dir/qml/$rel/"
  done
done < <("$here/qml-imports.sh")

# Every ELF file that is not a bundled library yet: the programs, the bridge,
# plugins and QML plugins. ldd gives each one's whole dependency closure.
mapfile -t roots < <(find "$dir/bin" "$dir/lib/waypoint" "$dir/plugins" "$dir/qml" -type f \
  \( -perm -u+x -o -name '*.so*' \) -exec sh -c 'head -c4 "$1" | grep -q ELF' _ {} \; -print)
declare -A copied=()
for f in "${roots[@]}"; do
  while read -r name _ path _; do
    [ -n "${path:-}" ] && [ -f "$path" ] || continue
    is_base "$name" && continue
    [ -n "${copied[$name]:-}" ] && continue
    cp -L "$path" "$dir/lib/$name"
    copied[$name]=1
  done < <(ldd "$f" | grep '=> /')
done

# Run paths relative to each file's own folder.
relpath() { /usr/bin/python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$1" "$2"; }
for f in "${roots[@]}" "$dir"/lib/*.so*; do
  [ -f "$f" ] || continue
  chmod 0755 "$f"  # shared libraries executable, as rpm and most distributions ship them
  rel="$(relpath "$dir/lib" "$(dirname "$f")")"
  if [ "$rel" = "." ]; then rpath='$ORIGIN'; else rpath="\$ORIGIN/$rel"; fi
  patchelf --set-rpath "$rpath" "$f"
  strip --strip-unneeded "$f" 2>/dev/null || true
done

cat > "$dir/bin/qt.conf" <<'QTCONF'
[Paths]
Prefix = ..
Plugins = plugins
QmlImports = qml
Qml2Imports = qml
QTCONF
echo "bundle: ${#roots[@]} programs/plugins, ${#copied[@]} libraries in $(du -sh "$dir" | cut -f1)"
