#!/usr/bin/env bash
# Downloads the Go modules the generated Go SDK and the Go example need into the module cache
# (outside the checkout), so `make test` needs no registry. A no-op when they are there.
set -euo pipefail
cd "$(dirname "$0")/.."
for mod in sdk/go examples/quickstart-go; do (cd "$mod" && go mod download); done
