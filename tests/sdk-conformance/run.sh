#!/usr/bin/env bash
# Drives smartsheet-sim with Smartsheet's own SDKs (Python smartsheet-python-sdk 4.4.0 under
# pytest, Node smartsheet 5.3.0 under `node --test`) to show that it answers as Smartsheet does.
# Each suite starts its own simulator (pytest session fixture, Node before() hook) and kills it.
#
#   cargo build -p smartsheet-sim && tests/sdk-conformance/run.sh
#
# SMARTSHEET_SIM_BIN  the simulator binary (default ${CARGO_TARGET_DIR:-<repo>/target}/debug/smartsheet-sim)
# PYTHON              the interpreter that makes the venv (default python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

sim_bin="${SMARTSHEET_SIM_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/smartsheet-sim}"
if [[ ! -x "$sim_bin" ]]; then
  echo "sdk-conformance: no smartsheet-sim binary at $sim_bin" >&2
  echo "sdk-conformance: build it with 'cargo build -p smartsheet-sim' or set SMARTSHEET_SIM_BIN" >&2
  exit 1
fi
SMARTSHEET_SIM_BIN="$(cd "$(dirname "$sim_bin")" && pwd)/$(basename "$sim_bin")"
export SMARTSHEET_SIM_BIN

# Python: the SDK's venv, kept in the user's cache; Node: npm ci when the lock file changed.
# shellcheck source=../../.ci/deps.sh
. "$repo/.ci/deps.sh"
venv="$(ensure_sdk_venv "$repo")"
ensure_node_modules "$here/node"
node_dir="$here/node"

status=0
echo "== Python SDK (smartsheet-python-sdk 4.4.0)"
(cd "$here/python" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest) || status=1
echo "== Node SDK (smartsheet 5.3.0)"
(cd "$node_dir" && npm test --silent) || status=1

if ((status)); then
  echo "sdk-conformance: FAILED" >&2
fi
exit "$status"
