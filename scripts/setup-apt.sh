#!/usr/bin/env bash
# Installs the Debian packages in a list (default scripts/apt-packages.txt) that are missing; no-op
# when all are there. Usage: setup-apt.sh [LIST]
set -euo pipefail
cd "$(dirname "$0")"
list=${1:-apt-packages.txt}
mapfile -t want < <(sed -e 's/#.*//' -e '/^\s*$/d' "$list" | awk '{print $1}')
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Daemons in these packages (libvirtd) must not start on install: the benches start their own.
# A policy-rc.d that says "no" is the Debian way; a host that has one keeps it.
policy=/usr/sbin/policy-rc.d
own_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
trap '[ -n "$own_policy" ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
