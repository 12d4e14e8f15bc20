#!/usr/bin/env bash
# `npm run package`: builds Seatkeeper's Debian package (tauri build --bundles deb), installing what
# the build needs first. Prints the package's path on its last line.
#
#   npm run package              release build
#   npm run package -- --debug   debug build (the test command's install test: quicker to build)
#
# AppImage is left out (its bundler downloads linuxdeploy from GitHub), and so is rpm (not part of
# this machine's toolchain).
#
# The binary carries no build-time paths: its debug information (which names the folders it was
# built in, also of the C that crates build) is stripped, and the cargo home in the remaining
# source locations (panic messages of dependencies) is remapped. Nothing here depends on where the
# sources are, so a clone in another folder reuses the build (target/package, apart from the other
# builds so that their caches stay as they are).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
# shellcheck source=deps.sh
. .ci/deps.sh
ensure_system_packages "${SEATKEEPER_BUILD_PKGS[@]}"
ensure_tools
ensure_node_modules ui

profile=release
flags=()
case "${1:-}" in
  "") ;;
  --debug) profile=debug; flags=(--debug) ;;
  *) echo "usage: npm run package [-- --debug]" >&2; exit 2 ;;
esac

cargo_home="${CARGO_HOME:-$HOME/.cargo}"
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$cargo_home=cargo"
export CARGO_PROFILE_RELEASE_STRIP=debuginfo CARGO_PROFILE_DEV_STRIP=debuginfo
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}/package"
out="$CARGO_TARGET_DIR/$profile/bundle/deb"
rm -rf "$out"
# tauri build runs the UI build first (beforeBuildCommand) and builds with custom-protocol (the UI
# embedded in the binary).
(cd src-tauri && "$repo/ui/node_modules/.bin/tauri" build "${flags[@]}" --bundles deb --ci)
deb="$(ls "$out"/*.deb)"
echo "$deb"
