#!/usr/bin/env bash
# Builds the Pulumi CLI (and our gensdk tool) from the Go modules pinned in tools/pulumi, and the
# YAML language host, because neither can be downloaded here. Binaries are cached outside the
# checkout, keyed by the pinned versions, so fresh clones (CI) reuse them and a second run returns
# at once.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/tools/pulumi"
cache="${QEMU_TOOLS_CACHE:-$HOME/.cache/pulumi-qemu}"
key="$(cat "$src/go.mod" "$src/go.sum" "$src/gensdk/main.go" | sha256sum | cut -c1-16)"
out="$cache/pulumi-$key"
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

# The YAML language host (`runtime: yaml` projects run with a plain `pulumi up`). It does not
# compile against the CLI's pkg/v3, so it is built in its own module at the Pulumi version it
# requires (go install resolves that from its go.mod); a language host is a separate process.
yaml_version=v1.25.0
yaml="$cache/pulumi-language-yaml-$yaml_version"
if [ ! -x "$yaml/pulumi-language-yaml" ]; then
  echo "building pulumi-language-yaml $yaml_version into $yaml (slow the first time)" >&2
  tmp="$yaml.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  GOBIN="$tmp" GOFLAGS=-mod=mod go install -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=${yaml_version#v}" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$yaml_version"
  rm -rf "$yaml" && mv "$tmp" "$yaml"
fi
# The CLI looks for bundled language hosts next to its own (resolved) executable: a hard link there
# (a copy across file systems) makes it found without the "from \$PATH" warning.
if ! cmp -s "$yaml/pulumi-language-yaml" "$out/pulumi-language-yaml"; then
  ln -f "$yaml/pulumi-language-yaml" "$out/pulumi-language-yaml" 2>/dev/null ||
    cp "$yaml/pulumi-language-yaml" "$out/pulumi-language-yaml"
fi

# A stable path inside the checkout, so the Makefile and tests need not know the cache key.
ln -sfn "$out" "$root/.tools/pulumi"
