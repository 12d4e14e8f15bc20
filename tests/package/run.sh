#!/usr/bin/env bash
# The Debian package, as an admin gets it: `npm run package -- --debug` builds it; its control
# fields, files and desktop entry are checked; it is installed (dpkg -i when run as root, with its
# declared dependencies checked by dpkg; otherwise extracted into a scratch root) and the installed
# binary is started in a real window under Xvfb (tests/e2e/installed.e2e.mjs); then it is removed.
#
#   bash tests/package/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
fail() { echo "package: $*" >&2; exit 1; }

deb="$(bash .ci/package.sh --debug | tail -n 1)"
[ -f "$deb" ] || fail "npm run package printed no package ($deb)"
echo "package: $deb"

# The version comes from one place: the workspace's Cargo.toml.
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = seatkeeper ] || fail "package name $(field Package), not seatkeeper"
[ "$(field Version)" = "$version" ] || fail "version $(field Version), not the workspace's $version"
[ "$(field Architecture)" = amd64 ] || fail "architecture $(field Architecture)"
# WebKitGTK and GTK are Tauri's own; D-Bus and a Secret Service, for the keychain, are declared in
# tauri.conf.json. Each once.
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3 "gnome-keyring | org.freedesktop.secrets"; do
  n="$(field Depends | tr ',' '\n' | sed 's/^ *//' | grep -cxF "$dep" || true)"
  [ "$n" = 1 ] || fail "Depends names $dep $n times: $(field Depends)"
done
# Read whole before matching: under pipefail, `field … | grep -q` fails when grep stops at the first
# line's match and dpkg-deb, still writing the long description, dies of SIGPIPE.
description="$(field Description)"
grep -qF "Smartsheet seats" <<<"$description" || fail "no description: $description"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
dpkg-deb -x "$deb" "$scratch/root"
for f in usr/bin/seatkeeper-app usr/share/applications/Seatkeeper.desktop \
  usr/share/icons/hicolor/128x128/apps/seatkeeper-app.png; do
  [ -e "$scratch/root/$f" ] || fail "the package has no /$f: $(dpkg-deb -c "$deb" | awk '{print $6}' | tr '\n' ' ')"
done
desktop="$scratch/root/usr/share/applications/Seatkeeper.desktop"
for line in "Name=Seatkeeper" "Exec=seatkeeper-app" "Icon=seatkeeper-app" "Categories=Utility;" "Type=Application"; do
  grep -qxF "$line" "$desktop" || fail "the desktop entry lacks '$line': $(cat "$desktop")"
done
# No build-time paths (the sources' folder, the cargo home) in anything the package carries.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
for path in "$repo" "$cargo_home"; do
  if grep -rlF "$path" "$scratch/root"; then fail "the package carries the build-time path $path"; fi
done

bin="$scratch/root/usr/bin/seatkeeper-app"
if [ "$(id -u)" -eq 0 ]; then
  dpkg -i "$deb"
  trap 'dpkg -r seatkeeper >/dev/null; rm -rf "$scratch"' EXIT
  bin=/usr/bin/seatkeeper-app
  [ "$(command -v seatkeeper-app)" = "$bin" ] || fail "dpkg -i put no seatkeeper-app on the PATH"
fi
echo "package: starting $bin under Xvfb"
SHOTS="$repo/tests/artifacts/package" APP_BIN="$bin" \
  bash tests/e2e/run.sh node --test --test-timeout=180000 installed.e2e.mjs
