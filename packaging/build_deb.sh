#!/usr/bin/env bash
# Build the Linux installer: dist/tableside_<version>_<arch>.deb
#
#   bash packaging/build_deb.sh
#
# 1. PyInstaller builds the one-folder app from packaging/tableside.spec (PyInstaller comes
#    from the `packaging` dependency group in uv.lock, so the test env stays lean).
# 2. The folder goes to /opt/tableside, with /usr/bin/pos-app -> /opt/tableside/pos-app,
#    a .desktop entry and hicolor icons (drawn by packaging/make_icon.py).
# 3. Depends: the Debian Qt runtime libraries (as in packaging/bootstrap.sh, plus the
#    Wayland client libraries) are declared, not bundled; any other system library a bundled
#    binary links to is found (packaging/linux_deps.py: readelf, ldconfig, dpkg -S) and
#    added, so the package is complete.
# 4. dpkg-deb makes the package (root-owned files, no maintainer scripts needed: dpkg's
#    triggers refresh the desktop and icon caches).
#
# Needs: Debian/Ubuntu with dpkg-deb, python3 (3.11+) with uv and the Qt runtime libraries
# (bootstrap.sh installs both), readelf (binutils: installed here if missing). Output paths
# (build/, dist/) are git-ignored. Prints the package path on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
start=$(date +%s)

VERSION=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
PKG=tableside
OUT="$ROOT/dist/${PKG}_${VERSION}_${ARCH}.deb"
WORK="$ROOT/build/deb"
STAGE="$WORK/root"

# Debian packages the app needs from the system (alternatives: Debian 13 / Ubuntu 24.04
# renamed glib for the 64-bit time_t transition). Qt's xcb platform plugin for X11, its
# Wayland plugin for Wayland sessions, EGL/GL, fonts, D-Bus (keyring's Secret Service).
DEPENDS=(
  "libegl1" "libgl1" "libfontconfig1" "libfreetype6" "libxkbcommon0"
  "libglib2.0-0t64 | libglib2.0-0" "libdbus-1-3" "fonts-dejavu-core"
  "libx11-6" "libx11-xcb1" "libxcb1" "libxcb-cursor0" "libxcb-icccm4" "libxcb-keysyms1"
  "libxcb-image0" "libxcb-randr0" "libxcb-render-util0" "libxcb-render0" "libxcb-shape0"
  "libxcb-shm0" "libxcb-sync1" "libxcb-xfixes0" "libxcb-xkb1" "libxkbcommon-x11-0"
  "libwayland-client0" "libwayland-cursor0" "libwayland-egl1"
)
# every package name in DEPENDS, alternatives included: their files are not bundled
declared=$(printf '%s\n' "${DEPENDS[@]}" | tr '|' '\n' | tr -d ' ' | sort -u)

# readelf (binutils) reads what the bundled binaries link to; install it if missing.
if ! command -v readelf >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing binutils (readelf)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends binutils
fi

echo "== Tableside $VERSION ($ARCH): PyInstaller one-folder build"
rm -rf "$WORK" && mkdir -p "$WORK" "$ROOT/dist"
t0=$(date +%s)
TABLESIDE_SYSTEM_PACKAGES="$(echo "$declared" | tr '\n' ' ')" \
  python3 -m uv run --frozen --group packaging \
  pyinstaller --noconfirm --clean --log-level WARN \
  --distpath "$WORK/dist" --workpath "$WORK/pyinstaller" packaging/tableside.spec
echo "   PyInstaller: $(( $(date +%s) - t0 )) s, $(du -sh "$WORK/dist/tableside" | cut -f1)"

echo "== Staging /opt/tableside, /usr/bin/pos-app, desktop entry and icons"
mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/doc/$PKG" "$STAGE/DEBIAN"
cp -a "$WORK/dist/tableside" "$STAGE/opt/tableside"
ln -s /opt/tableside/pos-app "$STAGE/usr/bin/pos-app"
for size in 48 128 256; do
  python3 -m uv run --frozen python packaging/make_icon.py --size "$size" \
    "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/tableside.png"
done
cat > "$STAGE/usr/share/applications/tableside.desktop" <<'EOF'
[Desktop Entry]
Type=Application
Name=Tableside
GenericName=Point of Sale
Comment=Take donations at fundraising events
Exec=pos-app
Icon=tableside
Terminal=false
Categories=Office;Finance;
Keywords=donation;fundraising;POS;
EOF
cp packaging/README.md "$STAGE/usr/share/doc/$PKG/README.md"
cat > "$STAGE/usr/share/doc/$PKG/copyright" <<EOF
Tableside $VERSION. Bundles CPython, Qt for Python (PySide6, LGPLv3) and the Python
packages listed in uv.lock, each under its own license (see /opt/tableside/_internal).
EOF

echo "== Checking shared libraries"
# What bundled binaries link to outside the folder must come from packages in Depends:
# packaging/linux_deps.py lists the owners (readelf + ldconfig + dpkg -S); add any not
# declared yet (libc6 with the version this was built against).
report=$(python3 packaging/linux_deps.py "$STAGE/opt/tableside" --declared $declared)
if grep -q '^unowned ' <<<"$report"; then
  echo "ERROR: bundled binaries link to libraries no Debian package owns:" >&2
  grep '^unowned ' <<<"$report" >&2
  exit 1
fi
if grep -q '^missing ' <<<"$report"; then
  # e.g. the Wayland client libraries, when not installed on the build machine: apt
  # installs them with the package, and ci_deb.sh checks the installed tree has none left.
  echo "   not on this machine (expected from declared packages; checked after install):"
  grep '^missing ' <<<"$report" | cut -d' ' -f2 | sort -u | sed 's/^/     /'
fi
extra=()
for pkg in $(grep '^package ' <<<"$report" | cut -d' ' -f2); do
  if [ "$pkg" = "libc6" ]; then
    DEPENDS+=("libc6 (>= $(dpkg-query -W -f='${Version}' libc6 | cut -d- -f1))")
  else
    DEPENDS+=("$pkg")
  fi
  extra+=("$pkg")
done
[ ${#extra[@]} -eq 0 ] || echo "   also linked, added to Depends: ${extra[*]}"

echo "== Building the package"
# Files root-owned (dpkg-deb --root-owner-group), directories 755, no group/world write.
chmod -R u+rwX,go+rX,go-w "$STAGE"
installed_kb=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
depends=$(printf '%s, ' "${DEPENDS[@]}")
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: Tableside maintainers <it@tableside.invalid>
Section: misc
Priority: optional
Installed-Size: $installed_kb
Depends: ${depends%, }
Description: point of sale for in-person fundraising events
 Tableside takes card, cash and check donations at event tables: a keyboard-first
 volunteer window, card charges through Stripe (or a training simulator), emailed
 receipts and a background job queue that survives crashes and lost Wi-Fi.
 .
 Run "pos-app doctor" to check a provisioned laptop; see
 /usr/share/doc/tableside/README.md for the IT guide.
EOF
rm -f "$OUT"
# xz -6: the smallest package (about 45 s on 2 cores). DEB_COMPRESS=zstd builds in seconds
# for local iterations (dpkg >= 1.21.18 / Debian 12 / Ubuntu 21.10 can install those).
case "${DEB_COMPRESS:-xz}" in
  zstd) compress=(-Zzstd -z9) ;;
  *)    compress=(-Zxz -z6) ;;
esac
dpkg-deb --root-owner-group "${compress[@]}" --build "$STAGE" "$OUT" >/dev/null
dpkg-deb --info "$OUT" | sed -n '/Package:/,/Description:/p' | sed 's/^/   /'

echo "== Built $(du -h "$OUT" | cut -f1) package, $(( installed_kb / 1024 )) MiB installed, in $(( $(date +%s) - start )) s"
echo "$OUT"
