#!/usr/bin/env bash
# The provider plugin: pulumi-resource-qemu-v<version>-linux-amd64.tar.gz, installable with
#   pulumi plugin install resource qemu <version> --file <tarball>
# One executable with its own Node runtime (users of the YAML runtime may have no Node at all),
# and what it reads beside it: the schema and qvmd's contract (proto/: qvmd.proto and its qvmd/v1/).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugin"
sea "$ROOT/provider/dist/main.js" "$work/plugin/pulumi-resource-qemu" "$work/sea"
install -m 0644 "$ROOT/schema.json" "$work/plugin/schema.json"
install -m 0644 -D -t "$work/plugin/proto" "$ROOT/api/proto/qvmd.proto"
install -m 0644 -D -t "$work/plugin/proto/qvmd/v1" "$ROOT"/api/proto/qvmd/v1/*.proto
# The executable must still serve: it prints the port of its gRPC server first.
"$work/plugin/pulumi-resource-qemu" >"$work/port" 2>"$work/stderr" </dev/null &
pid=$!
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
grep -qE '^[0-9]+$' "$work/port" ||
  { echo "dist: the bundled plugin did not start:" >&2; cat "$work/port" "$work/stderr" >&2; exit 1; }
tar -C "$work/plugin" --owner=0 --group=0 --numeric-owner -czf \
  "$DIST/pulumi-resource-qemu-v$VERSION-$OS-$ARCH.tar.gz" pulumi-resource-qemu schema.json proto
