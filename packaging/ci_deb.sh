#!/usr/bin/env bash
# CI: build the .deb, install it with apt (which brings in its Depends), prove the installed
# files work with `pos-app --self-test`, print installer size and build time, uninstall.
#
#   bash packaging/ci_deb.sh
#
# Runs as root or with sudo. Refuses to replace a tableside package that was installed before
# it started (it would remove it at the end); set CI_DEB_REPLACE=1 to allow that.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Wait for apt's lock rather than fail on it (a fresh machine's unattended upgrades, or a
# second CI run on the same machine).
apt_wait=(-o DPkg::Lock::Timeout=600)

# Two runs on one machine share one system package: install, self-test and purge one at a time.
exec 8>/tmp/tableside-ci-deb.lock
if ! flock -n 8; then
  echo "ci_deb: another run is installing tableside on this machine; waiting for it"
  flock 8
fi

if dpkg -s tableside >/dev/null 2>&1 && [ "${CI_DEB_REPLACE:-0}" != 1 ]; then
  echo "ci_deb: a tableside package is already installed here; not replacing it" \
       "(set CI_DEB_REPLACE=1 to replace and then remove it)" >&2
  exit 1
fi

build_start=$(date +%s)
bash packaging/build_deb.sh | tee /tmp/tableside-build-deb.log
build_secs=$(( $(date +%s) - build_start ))
deb=$(tail -n 1 /tmp/tableside-build-deb.log)
[ -f "$deb" ] || { echo "ci_deb: build did not produce a package" >&2; exit 1; }

cleanup() {
  echo "== Removing the package"
  $sudo apt-get "${apt_wait[@]}" purge -y -qq tableside >/dev/null || $sudo dpkg --purge tableside
  if [ -e /opt/tableside ] || [ -e /usr/bin/pos-app ]; then
    echo "ci_deb: files left behind after purge:" >&2
    ls -ld /opt/tableside /usr/bin/pos-app 2>&1 >&2 || true
    exit 1
  fi
  echo "   removed: /opt/tableside and /usr/bin/pos-app are gone"
}

echo "== Installing $deb"
install_start=$(date +%s)
# apt-get install ./file.deb resolves the Depends from the configured repositories;
# without repository lists (a fresh container), update them once and try again.
if ! $sudo apt-get "${apt_wait[@]}" install -y -qq --no-install-recommends "$deb" >/tmp/tableside-apt.log 2>&1; then
  $sudo apt-get "${apt_wait[@]}" update -qq
  $sudo apt-get "${apt_wait[@]}" install -y -qq --no-install-recommends "$deb" >/tmp/tableside-apt.log 2>&1 \
    || { cat /tmp/tableside-apt.log >&2; exit 1; }
fi
trap cleanup EXIT
install_secs=$(( $(date +%s) - install_start ))
dpkg -s tableside | grep -E '^(Status|Version|Installed-Size):' | sed 's/^/   /'

echo "== Every library the installed files link to resolves, from a declared dependency"
# Depends, flattened: "a (>= 1) | b, c" -> a b c
depends=$(dpkg-query -W -f='${Depends}' tableside \
  | sed -E 's/\([^)]*\)//g; s/[,|]/ /g')
python3 packaging/linux_deps.py /opt/tableside --strict --declared $depends | sed 's/^/   /'

echo "== Self-test from the installed files (a clean environment, outside the source tree)"
selftest_start=$(date +%s)
(
  cd /
  env -i HOME="$(mktemp -d)" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
    /usr/bin/pos-app --self-test
)
selftest_secs=$(( $(date +%s) - selftest_start ))

deb_bytes=$(stat -c %s "$deb")
inst_kib=$(dpkg-query -W -f='${Installed-Size}' tableside)
echo "== Summary"
deb_mib=$(awk "BEGIN { printf \"%.1f\", $deb_bytes / 1048576 }")
echo "   installer: $(basename "$deb"), ${deb_mib} MiB; installed: $(( inst_kib / 1024 )) MiB"
echo "   build: ${build_secs} s   install: ${install_secs} s   self-test: ${selftest_secs} s"
