#!/usr/bin/env bash
# Runs every test of the project: `npm test` calls this, and CI calls `npm test`.
# Installs what is missing on the way (Debian packages when run as root, npm packages, the SDKs'
# Python venv, tauri-driver), so it works on a fresh machine of this kind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
t0=$SECONDS
phase() { echo "::: $1 (t=$((SECONDS - t0))s)"; }
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

phase "system packages and tools"
# shellcheck source=../.ci/deps.sh
. .ci/deps.sh
ensure_system_packages "${SEATKEEPER_TEST_PKGS[@]}"
ensure_tools

phase "ui: install, typecheck, build, vitest"
ensure_node_modules ui
(cd ui && npm run build && npm test)

phase "rust: formatting"
cargo fmt --all -- --check

phase "rust: the core crate does not depend on tauri; only the app carries the simulator"
if cargo tree --locked -p seatkeeper-core -e normal,build --prefix none | grep -E '^tauri([- ]|$)'; then
  echo "seatkeeper-core must never depend on tauri (see docs/ARCHITECTURE.md)" >&2
  exit 1
fi
for crate in seatkeeper-core seatkeeper-cli; do
  if cargo tree --locked -p "$crate" -e normal,build --prefix none | grep -E '^smartsheet-sim '; then
    echo "$crate must not carry the simulator: only the app does, for the demo (see docs/ARCHITECTURE.md)" >&2
    exit 1
  fi
done

phase "rust: clippy"
cargo clippy --locked --workspace --all-targets --quiet -- -D warnings

phase "rust: the committed sqlx query data matches the queries and the migrations"
# A fresh database from the migrations, then `cargo sqlx prepare --check` (sqlx's compile-time
# checked queries are otherwise built from seatkeeper-core/.sqlx alone: SQLX_OFFLINE in .cargo).
ensure_sqlx_cli
sqlx_db="$(mktemp -d)/schema.db"
DATABASE_URL="sqlite:$sqlx_db" sqlx database setup --source src-tauri/crates/seatkeeper-core/migrations >/dev/null
(cd src-tauri/crates/seatkeeper-core \
  && DATABASE_URL="sqlite:$sqlx_db" cargo sqlx prepare --check -- --all-targets --locked --quiet)
rm -rf "$(dirname "$sqlx_db")"

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

phase "benchmark harness, small configuration (checks it runs and the syncs agree; no timing)"
bash tests/bench/run.sh --small

phase "real window: the app under Xvfb through tauri-driver (screenshots in tests/artifacts/e2e)"
# A debug build with the UI embedded (without custom-protocol the binary would load the dev server).
cargo build --locked --quiet -p seatkeeper-app --features tauri/custom-protocol
APP_BIN="$TARGET_DIR/debug/seatkeeper-app" SMARTSHEET_SIM_BIN="$TARGET_DIR/debug/smartsheet-sim" bash tests/e2e/run.sh

phase "the Debian package: built, checked, installed and started in a real window, then removed"
bash tests/package/run.sh

phase "done"
