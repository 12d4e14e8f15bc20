# Sourced by tests/run-all.sh and .ci/start.sh: installs what Seatkeeper needs to build, run and
# test on a Debian machine of this kind, when it is missing.

# To build and run: Tauri's WebKitGTK stack, libdbus for keyring, and a Secret Service (GNOME
# Keyring) to keep the API keys in.
SEATKEEPER_BUILD_PKGS=(build-essential pkg-config libssl-dev curl file xdg-utils
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev
  libdbus-1-dev dbus dbus-daemon gnome-keyring)
# To test as well: secret-tool to look into the keychain, Xvfb and WebKitWebDriver for the
# real-window tests.
SEATKEEPER_TEST_PKGS=("${SEATKEEPER_BUILD_PKGS[@]}" libsecret-tools xvfb xauth webkit2gtk-driver)

ensure_system_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    return 1
  fi
}

ensure_tools() {
  local tool
  for tool in cargo node npm python3; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed; Seatkeeper needs it to build." >&2; return 1; }
  done
}

# `npm ci` in $1 unless node_modules was installed from the same package-lock.json.
ensure_node_modules() {
  local dir=$1 want
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$dir/node_modules/.package-lock.sha256" 2>/dev/null)" != "$want" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund)
    echo "$want" >"$dir/node_modules/.package-lock.sha256"
  fi
}

# tauri-driver (WebDriver for Tauri apps), installed once into a cache kept across runs.
ensure_tauri_driver() {
  local root="${XDG_CACHE_HOME:-$HOME/.cache}/seatkeeper/tools"
  [ -x "$root/bin/tauri-driver" ] || cargo install tauri-driver --version 2.1.0 --locked --root "$root"
  export PATH="$root/bin:$PATH"
}

# sqlx-cli (`cargo sqlx prepare --check`: the committed query data matches the queries and the
# migrations), installed once into the same cache as tauri-driver. Only SQLite support is built.
ensure_sqlx_cli() {
  local root="${XDG_CACHE_HOME:-$HOME/.cache}/seatkeeper/tools"
  [ -x "$root/bin/cargo-sqlx" ] \
    || cargo install sqlx-cli --version 0.8.6 --no-default-features --features sqlite --locked --root "$root"
  export PATH="$root/bin:$PATH"
}

# The Python venv with the official Smartsheet SDK (tests/sdk-conformance/requirements.txt), kept in
# the user's cache and remade only when the requirements change. Prints its path.
ensure_sdk_venv() {
  local req="$1/tests/sdk-conformance/requirements.txt" want
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/seatkeeper/sdk-venv-py4.4.0"
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ] \
    || ! "$venv/bin/python" -c 'import smartsheet, pytest' 2>/dev/null; then
    echo "installing $(tr '\n' ' ' <"$req")into $venv" >&2
    "${PYTHON:-python3}" -m venv --clear "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
    echo "$want" >"$venv/.requirements.sha256"
  fi
  echo "$venv"
}
