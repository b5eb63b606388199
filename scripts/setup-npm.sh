#!/usr/bin/env bash
# `npm ci` only when package-lock.json changed since the last install in this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.qemu-lock-sha
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
