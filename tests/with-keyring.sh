#!/bin/sh
# Runs a command with an unlocked, throw-away GNOME Keyring as the Secret Service.
# Usage: dbus-run-session -- sh with-keyring.sh CMD...
# (dbus-run-session gives a private session bus; the keyring lives in a temporary directory and is
# gone, with the daemon, when the session ends.)
set -e
if [ -z "$DBUS_SESSION_BUS_ADDRESS" ]; then
  echo "with-keyring.sh: no D-Bus session; run it as: dbus-run-session -- sh $0 CMD..." >&2
  exit 2
fi
kr_data="$(mktemp -d)"
trap 'rm -rf "$kr_data"' EXIT
# Do not change HOME (rustup would break); the daemon only needs its own XDG_DATA_HOME.
# The daemon stays in the background: its stderr goes to a file, not to the caller's pipe, which it
# would otherwise hold open after the command ends.
eval "$(printf '%s' "${KEYRING_PW:-ci-password}" | XDG_DATA_HOME="$kr_data" gnome-keyring-daemon --unlock --components=secrets 2>"$kr_data/daemon.log")"
export GNOME_KEYRING_CONTROL
# The daemon claims org.freedesktop.secrets a moment after --unlock returns. A client that comes
# first would make D-Bus start a second, locked keyring instead, so wait for the name (up to 5 s).
i=0
until dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
  i=$((i + 1))
  if [ "$i" -ge 50 ]; then
    echo "with-keyring.sh: gnome-keyring-daemon did not provide org.freedesktop.secrets within 5 s" >&2
    exit 1
  fi
  sleep 0.1
done
# Stop the daemon when the command ends (it would otherwise wait for the session bus to go away).
pid="$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '{print $2}')"
trap 'kill "$pid" 2>/dev/null; rm -rf "$kr_data"' EXIT
"$@"
