#!/usr/bin/env bash
# Prints the folders of the system's QML modules that Waypoint's QML imports
# (directly or through other modules), one per line, as Qt's
# qmlimportscanner finds them. build-packages.sh maps them to Debian
# packages (dpkg -S) and bundle.sh copies them into the tarball.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
qtqml="$(qtpaths6 --query QT_INSTALL_QML 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/qt6/qml)"
scanner="$(qtpaths6 --query QT_INSTALL_LIBEXECS 2>/dev/null || echo /usr/lib/qt6/libexec)/qmlimportscanner"
[ -x "$scanner" ] || { echo "qml-imports: $scanner not found (Debian: qt6-declarative-dev-tools)" >&2; exit 2; }
# The app also loads the Fusion style at run time (QQuickStyle), and QtQml
# (built into libQt6Qml, so the scanner cannot read its qmldir) brings
# QtQml.Models and QtQml.WorkerScript; they are named here.
extra="$(mktemp -d)"; trap 'rm -rf "$extra"' EXIT
printf "import QtQuick\nimport QtQuick.Controls.Fusion\nimport QtQml.Models\nimport QtQml.WorkerScript\nItem {}\n" > "$extra/Style.qml"
"$scanner" -rootPath "$root/qml" -rootPath "$extra" -importPath "$qtqml" 2>/dev/null |
  /usr/bin/python3 -c '
import json, sys
seen = set()
for m in json.load(sys.stdin):
    p = m.get("path")
    if m.get("type") == "module" and p and p not in seen:
        seen.add(p)
        print(p)
'
