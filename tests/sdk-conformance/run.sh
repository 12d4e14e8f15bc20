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

# Python: a venv kept in the user's cache, (re)installed only when requirements.txt changed.
venv="${XDG_CACHE_HOME:-$HOME/.cache}/seatkeeper/sdk-venv-py4.4.0"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [[ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]] \
  || ! "$venv/bin/python" -c 'import smartsheet, pytest' 2>/dev/null; then
  echo "sdk-conformance: installing $(tr '\n' ' ' <"$here/requirements.txt")into $venv"
  "${PYTHON:-python3}" -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  echo "$want" >"$venv/.requirements.sha256"
fi

# Node: npm ci when node_modules is missing or was installed from another package-lock.json.
node_dir="$here/node"
want="$(sha256sum "$node_dir/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$node_dir/node_modules/.package-lock.sha256" 2>/dev/null)" != "$want" ]]; then
  (cd "$node_dir" && npm ci --no-audit --no-fund)
  echo "$want" >"$node_dir/node_modules/.package-lock.sha256"
fi

status=0
echo "== Python SDK (smartsheet-python-sdk 4.4.0)"
(cd "$here/python" && PYTHONDONTWRITEBYTECODE=1 "$venv/bin/python" -m pytest) || status=1
echo "== Node SDK (smartsheet 5.3.0)"
(cd "$node_dir" && npm test --silent) || status=1

if ((status)); then
  echo "sdk-conformance: FAILED" >&2
fi
exit "$status"
