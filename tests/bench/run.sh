#!/usr/bin/env bash
# Seatkeeper's benchmark: a harness, not a timed test. The sync (tests/bench/bench.py: Seatkeeper
# against the official Python SDK, rate limited, incremental) and the UI (tests/e2e/scroll.bench.mjs:
# the Software Subscriptions list of every user and the Removal Candidates, in the app's real window). `npm run bench` runs the
# full configuration (release builds) and rewrites docs/benchmarks.md.
#
#   bash tests/bench/run.sh            full: 50,000 users / 2,000,000 events; 5,000 / 200,000 rate
#                                      limited; a 50,000-row list
#   bash tests/bench/run.sh --ui-only  only the UI part of the full run (release builds): its section 4
#                                      replaces that of docs/benchmarks.md, which says so
#   bash tests/bench/run.sh --small    2,000 users / 40,000 events; debug builds; report in
#                                      tests/artifacts/bench/small.md; fails only on failed or
#                                      inconsistent syncs or a list that does not show its rows, never
#                                      on time (the test command runs it)
#
# PYTHON  the interpreter that makes the SDK venv (default python3); the venv is the one of
#         tests/sdk-conformance (same location and requirements).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

config=full
ui_only=false
case "${1:-}" in
  "") ;;
  --small) config=small ;;
  --ui-only) ui_only=true ;;
  *) echo "usage: $0 [--small | --ui-only]" >&2; exit 2 ;;
esac

target="${CARGO_TARGET_DIR:-$repo/target}"
artifacts="$repo/tests/artifacts/bench"
if [[ $config == full ]]; then
  profile=release
  cargo_flags=(--release)
  report="$repo/docs/benchmarks.md"
  ui_users=50000 ui_frames=300 ui_events=2000000 ui_samples=5
else
  profile=debug
  cargo_flags=()
  report="$artifacts/small.md"
  ui_users=2000 ui_frames=120 ui_events=40000 ui_samples=2
fi
mkdir -p "$artifacts"
echo "bench: building smartsheet-sim and the bench driver ($profile)"
cargo build --quiet "${cargo_flags[@]}" -p smartsheet-sim --bin smartsheet-sim
cargo build --quiet "${cargo_flags[@]}" -p seatkeeper-cli --example bench_sync

# shellcheck source=../../.ci/deps.sh
. "$repo/.ci/deps.sh"

# The UI: the app with the built UI embedded (custom-protocol), in a real window.
echo "bench: building the UI and the app ($profile)"
ensure_node_modules ui
npm --prefix ui run --silent build >/dev/null
cargo build --quiet "${cargo_flags[@]}" -p seatkeeper-app --features tauri/custom-protocol
ui_json="$artifacts/ui-$config.json"
echo "bench: the Software Subscriptions list with $ui_users rows, the Removal Candidates and the License Usage view ($ui_events events), in the app's window"
SHOTS="$artifacts/shots-$config" BENCH_USERS=$ui_users BENCH_EVENTS=$ui_events BENCH_FRAMES=$ui_frames BENCH_SAMPLES=$ui_samples BENCH_STEP=40 BENCH_OUT="$ui_json" \
  APP_BIN="$target/$profile/seatkeeper-app" SMARTSHEET_SIM_BIN="$target/$profile/smartsheet-sim" \
  bash tests/e2e/run.sh node scroll.bench.mjs > "$artifacts/ui-$config.log" 2>&1 \
  || { tail -40 "$artifacts/ui-$config.log" >&2; echo "bench: the UI benchmark failed" >&2; exit 1; }

if $ui_only; then
  exec python3 "$here/bench.py" --splice-ui --report "$report" --ui "$ui_json"
fi

# The official SDK, in the venv of tests/sdk-conformance.
venv="$(ensure_sdk_venv "$repo")"

exec "$venv/bin/python" "$here/bench.py" --config "$config" --profile "$profile" \
  --sim "$target/$profile/smartsheet-sim" --driver "$target/$profile/examples/bench_sync" \
  --python "$venv/bin/python" --report "$report" --ui "$ui_json"
