#!/usr/bin/env bash
# Real-window end-to-end tests: the app binary (built with embedded UI assets) in a real WebKitGTK
# window under Xvfb, driven through tauri-driver + WebKitWebDriver, with a real Secret Service
# (GNOME Keyring on a private D-Bus session) and a fresh data directory.
#
#   APP_BIN=target/debug/seatkeeper-app SMARTSHEET_SIM_BIN=target/debug/smartsheet-sim tests/e2e/run.sh [CMD...]
#
# Without CMD it runs the tests (npm test); the UI benchmark passes `node scroll.bench.mjs`.
# Screenshots of each step go to tests/artifacts/e2e/ (SHOTS, when not set).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=../../.ci/deps.sh
. "$repo/.ci/deps.sh"
ensure_tauri_driver
ensure_node_modules "$here"
# The simulator only for the tests and the benchmark (the installed package's check needs none).
bins=(APP_BIN)
[ $# -eq 0 ] || [ -n "${SMARTSHEET_SIM_BIN:-}" ] && bins+=(SMARTSHEET_SIM_BIN)
for bin in "${bins[@]}"; do
  [ -x "${!bin:-}" ] || { echo "e2e: $bin must name a built binary (got '${!bin:-}')" >&2; exit 1; }
done
export SHOTS="${SHOTS:-$repo/tests/artifacts/e2e}"
rm -rf "$SHOTS" && mkdir -p "$SHOTS"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
# A fresh app: its database, logs and settings live under these.
export XDG_DATA_HOME="$data/share" XDG_CONFIG_HOME="$data/config"
cd "$here"
[ $# -gt 0 ] || set -- npm test --silent
timeout 600 dbus-run-session -- sh "$repo/tests/with-keyring.sh" \
  xvfb-run -a -s "-screen 0 1280x900x24" "$@"
