#!/usr/bin/env bash
# Installs the Debian 12 packages listed in scripts/packages.txt that are not
# installed yet. `make deps`, `make check` and `make demo` call it.
#
# Idempotent and offline once everything is there: it asks dpkg first and only
# runs `apt-get update` and `apt-get install` when a package is missing.
# Package scripts are kept from starting services (the tests start their own
# throwaway MariaDB servers and never use a system one), so installing
# mariadb-server does not leave a server running on port 3306.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list="$here/packages.txt"

wanted=()
while read -r line; do
    pkg=${line%%#*}
    pkg=${pkg//[[:space:]]/}
    [ -n "$pkg" ] && wanted+=("$pkg")
done < "$list"

missing=()
for pkg in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#wanted[@]} packages are installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "install-deps: not root and no sudo; install these packages: ${missing[*]}" >&2
        exit 1
    fi
fi

# A policy-rc.d that answers 101 tells invoke-rc.d and deb-systemd-invoke not to
# start services from package scripts. Put one in place only for this install,
# unless the machine already has its own (containers often do).
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=1
fi
cleanup() {
    if [ "$own_policy" = 1 ]; then "${sudo[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold "${missing[@]}"

echo "install-deps: done"
