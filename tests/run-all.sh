#!/usr/bin/env bash
# Runs every test of the project: `npm test` calls this, and CI calls `npm test`.
# Installs what is missing on the way (Debian packages when run as root, the SDKs' Python venv
# and npm packages), so it works on a fresh machine of this kind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
t0=$SECONDS
phase() { echo "::: $1 (t=$((SECONDS - t0))s)"; }
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

phase "system packages"
# What building and testing needs beyond the base image (pyenv's Python ships venv): Tauri's
# WebKitGTK stack; libdbus for keyring and a real Secret Service (GNOME Keyring on a private D-Bus
# session) for the keychain tests; Xvfb and WebKitWebDriver for the real-window tests.
PKGS=(build-essential pkg-config libssl-dev curl file xdg-utils
      libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
      librsvg2-dev libayatana-appindicator3-dev libxdo-dev
      libdbus-1-dev dbus dbus-daemon gnome-keyring libsecret-tools
      xvfb xauth webkit2gtk-driver)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
for tool in cargo node npm python3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed; it is needed to build and test Seatkeeper." >&2; exit 1; }
done

phase "rust: formatting"
cargo fmt --all -- --check

phase "rust: the core crate does not depend on tauri"
if cargo tree --locked -p seatkeeper-core -e normal,build --prefix none | grep -E '^tauri([- ]|$)'; then
  echo "seatkeeper-core must never depend on tauri (see docs/ARCHITECTURE.md)" >&2
  exit 1
fi

phase "rust: clippy"
cargo clippy --locked --workspace --all-targets --quiet -- -D warnings

phase "rust: cargo test --workspace (with a real Secret Service)"
# One workspace-wide run, on a private session bus with an unlocked, throw-away GNOME Keyring.
SEATKEEPER_REAL_KEYRING=1 dbus-run-session -- sh tests/with-keyring.sh cargo test --locked --workspace

phase "generated TypeScript bindings are committed and fresh"
# ts-rs writes ui/src/bindings while the tests run; anything changed or new there is stale.
if [ -d .git ] && [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --short -- ui/src/bindings
  echo "ui/src/bindings is stale: run the Rust tests and commit the regenerated files." >&2
  exit 1
fi

phase "official Smartsheet SDKs against the simulator"
cargo build --locked --quiet -p smartsheet-sim
SMARTSHEET_SIM_BIN="$TARGET_DIR/debug/smartsheet-sim" bash tests/sdk-conformance/run.sh

phase "done"
