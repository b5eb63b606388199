#!/usr/bin/env bash
# Builds the pulumi_qemu sdist, and the wheel from that sdist (so a missing file in the sdist shows),
# from sdk/python into the directory given (default dist/python). Offline: the build tools come from
# the venv `make setup` made, without build isolation.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(realpath -m "${1:-$root/dist/python}")"
py="$root/.tools/python/venv/bin/python"
[ -x "$py" ] || { echo "dist-python: $py is missing: run 'make setup'" >&2; exit 1; }
# setuptools writes build/ and *.egg-info beside the sources: build from a copy.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$root/sdk/python/." "$tmp/"
mkdir -p "$out"
rm -f "$out"/pulumi_qemu-*
"$py" -m build --no-isolation --outdir "$out" "$tmp" >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
ls "$out"/pulumi_qemu-*
