#!/usr/bin/env bash
# Makes the Python tools venv (building the pulumi_qemu wheel, running Python programs through the
# Automation API) and a wheelhouse from which tests install into fresh venvs without an index.
# Cached outside the checkout, keyed by the requirements and the interpreter, so fresh clones (CI)
# reuse it and a second run returns at once. Prints nothing when there is nothing to do.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
req="$root/scripts/python-requirements.txt"
key="$( (cat "$req"; python3 -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)"
out="${QEMU_TOOLS_CACHE:-$HOME/.cache/pulumi-qemu}/python-$key"
if [ ! -f "$out/ok" ]; then
  echo "making the Python tools venv and wheelhouse in $out" >&2
  # A venv is not relocatable (absolute paths in its scripts): build it in place, mark it done last.
  rm -rf "$out" && mkdir -p "$out"
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  "$out/venv/bin/pip" download -q --disable-pip-version-check -d "$out/wheels" -r "$req"
  touch "$out/ok"
fi
mkdir -p "$root/.tools"
ln -sfn "$out" "$root/.tools/python"
