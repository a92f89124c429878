#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu machine to run Tableside from source: the Qt runtime
# libraries (only those missing) and uv. Python packages come from uv.lock via `uv run`.
set -euo pipefail
# --tests: also the peers the test suite starts itself (PostgreSQL's server binaries).
with_tests=0
[ "${1:-}" = "--tests" ] && with_tests=1

qt_libs=(
  libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libglib2.0-0 libdbus-1-3
  fonts-dejavu-core
  # the xcb platform plugin, for a real window on X11
  libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-sync1 libxcb-xkb1 libxkbcommon-x11-0
)

if [ "$with_tests" -eq 1 ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  qt_libs+=(postgresql)
fi

if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for pkg in "${qt_libs[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing Qt runtime libraries: ${missing[*]}"
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

if ! python3 -m uv --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
