#!/usr/bin/env bash
# `npm start`: builds Seatkeeper (release) and starts it, installing what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deps.sh
. .ci/deps.sh
ensure_system_packages "${SEATKEEPER_BUILD_PKGS[@]}"
ensure_tools
ensure_node_modules ui
(cd ui && npm run build)
cargo build --release --locked -p seatkeeper-app --features tauri/custom-protocol
exec "${CARGO_TARGET_DIR:-target}/release/seatkeeper-app" "$@"
