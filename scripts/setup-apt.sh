#!/usr/bin/env bash
# Installs the Debian packages in scripts/apt-packages.txt that are missing; no-op when all are there.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t want < <(sed -e 's/#.*//' -e '/^\s*$/d' apt-packages.txt | awk '{print $1}')
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
