#!/usr/bin/env bash
# Seatkeeper's sync benchmark: a harness, not a timed test (see tests/bench/bench.py for what it
# measures). `npm run bench` runs the full configuration (release builds, the official Python SDK
# side by side) and rewrites docs/benchmarks.md.
#
#   bash tests/bench/run.sh            full: 50,000 users / 2,000,000 events; 5,000 / 200,000 rate limited
#   bash tests/bench/run.sh --small    2,000 users / 40,000 events; debug builds; report in
#                                      tests/artifacts/bench/small.md; fails only on failed or
#                                      inconsistent syncs, never on time (the test command runs it)
#
# PYTHON  the interpreter that makes the SDK venv (default python3); the venv is the one of
#         tests/sdk-conformance (same location and requirements).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

config=full
case "${1:-}" in
  "") ;;
  --small) config=small ;;
  *) echo "usage: $0 [--small]" >&2; exit 2 ;;
esac

target="${CARGO_TARGET_DIR:-$repo/target}"
if [[ $config == full ]]; then
  profile=release
  cargo_flags=(--release)
  report="$repo/docs/benchmarks.md"
else
  profile=debug
  cargo_flags=()
  report="$repo/tests/artifacts/bench/small.md"
fi
echo "bench: building smartsheet-sim and the bench driver ($profile)"
cargo build --quiet "${cargo_flags[@]}" -p smartsheet-sim --bin smartsheet-sim
cargo build --quiet "${cargo_flags[@]}" -p seatkeeper-cli --example bench_sync

# The official SDK, in the venv of tests/sdk-conformance.
# shellcheck source=../../.ci/deps.sh
. "$repo/.ci/deps.sh"
venv="$(ensure_sdk_venv "$repo")"

exec "$venv/bin/python" "$here/bench.py" --config "$config" --profile "$profile" \
  --sim "$target/$profile/smartsheet-sim" --driver "$target/$profile/examples/bench_sync" \
  --python "$venv/bin/python" --report "$report"
