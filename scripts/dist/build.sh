#!/usr/bin/env bash
# `make dist`: every artifact users install, versioned from VERSION, into dist/. Each artifact has
# its own script here; to add one, add a script and a line below.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
rm -rf "$DIST" && mkdir -p "$DIST"
bash "$ROOT/scripts/dist/plugin.sh"
bash "$ROOT/scripts/dist/deb.sh"
bash "$ROOT/scripts/dist/sdk-nodejs.sh"
bash "$ROOT/scripts/dist/python.sh" "$DIST" >/dev/null
# shellcheck disable=SC2094 # find skips SHA256SUMS, the file being written
( cd "$DIST" && find . -type f ! -name SHA256SUMS -printf '%P\n' | sort | xargs sha256sum > SHA256SUMS )
ls -l "$DIST" >&2
