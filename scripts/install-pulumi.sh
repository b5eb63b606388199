#!/usr/bin/env bash
# Builds the Pulumi CLI (and our gensdk tool) from the Go modules pinned in tools/pulumi, because the
# CLI cannot be downloaded here. Binaries are cached outside the checkout, keyed by the pinned
# versions, so fresh clones (CI) reuse them and a second run returns at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/tools/pulumi"
key="$(cat "$src/go.mod" "$src/go.sum" "$src/gensdk/main.go" | sha256sum | cut -c1-16)"
out="${QEMU_TOOLS_CACHE:-$HOME/.cache/pulumi-qemu}/pulumi-$key"
mkdir -p "$root/.tools"
if [ ! -x "$out/pulumi" ] || [ ! -x "$out/gensdk" ]; then
  echo "building the Pulumi CLI from Go modules into $out (slow the first time)" >&2
  version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" {print $2; exit}' "$src/go.sum")"
  tmp="$out.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
  (cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" \
    -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  (cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -o "$tmp/gensdk" ./gensdk)
  rm -rf "$out" && mv "$tmp" "$out"
fi
# A stable path inside the checkout, so the Makefile and tests need not know the cache key.
ln -sfn "$out" "$root/.tools/pulumi"
