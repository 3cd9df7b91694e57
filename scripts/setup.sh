#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine with Python 3.11 (and root or sudo).
#   scripts/setup.sh          runtime: virtualenv + requirements.txt + Debian's chromium (pictures)
#   scripts/setup.sh --dev    also test tools and chromium-driver
# Fast when everything is already there: it installs only what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[ "${1:-}" = "--dev" ] && DEV=1
PYTHON=${PYTHON:-python3}
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

apt_missing() {  # print the Debian packages among "$@" that are not installed
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

apt_install() {
  local missing
  missing=$(apt_missing "$@")
  [ -z "$missing" ] && return 0
  echo "setup: installing Debian packages: $missing" >&2
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
}

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    apt_install python3-venv
    "$PYTHON" -m venv .venv
  fi
fi

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
want=(requirements.txt)
[ "$DEV" = 1 ] && want+=(requirements-dev.txt)
stamp=".venv/.installed-$(stamp_of "${want[@]}")"
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages (${want[*]})" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check $(printf -- '-r %s ' "${want[@]}")
  touch "$stamp"
fi

if [ "$DEV" = 1 ]; then
  apt_install chromium chromium-driver
else
  apt_install chromium  # the deck pictures (services/pictures.py) are taken in headless chromium
fi
