#!/usr/bin/env bash
# On this machine, in the project root the device tool sends (/work/main):
# ../shared/tools/device/prepare.sh fills .device/ (ignored) with what the GPU
# machine lacks; the CLI now also needs BSD libedit (line editing), so its
# Debian packages are unpacked there too; then this worktree's commit goes to
# .device/src and the gpt-fast-style peer beside it.
#   bash WORKTREE/bench/cuda/prepare_device.sh WORKTREE
set -euo pipefail
wt=${1:?usage: prepare_device.sh WORKTREE}
bash ../shared/tools/device/prepare.sh
mkdir -p .device/deb
(cd .device/deb && apt-get download -q libedit-dev libedit2 libbsd0 libmd0 >/dev/null)
for f in .device/deb/*.deb; do dpkg -x "$f" .device/root; done
rm -rf .device/deb .device/src && mkdir -p .device/src
git -C "$wt" archive HEAD | tar -x -C .device/src
cp ../shared/tools/device/gptfast_style.py .device/
du -sh .device
