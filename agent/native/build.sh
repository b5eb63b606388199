#!/usr/bin/env bash
# Builds qvmd's native addons into agent/dist/native/<name>.node with the system C compiler and the
# N-API headers of the Node that runs the build (no node-gyp, offline, a second or so). Called by
# `make build`. One addon per folder of agent/native, one `addon` line each below; the package
# ships every agent/dist/native/*.node beside the executable (scripts/dist/deb.sh) and qvmd loads
# them with nativeAddon() (agent/src/assets.ts). See agent/native/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../dist/native"
node_prefix="$(node -p 'process.config.variables.node_prefix || "/usr"')"
inc=""
for d in "$node_prefix/include/node" /usr/include/node /usr/local/include/node; do
  [ -f "$d/node_api.h" ] && { inc="$d"; break; }
done
[ -n "$inc" ] || { echo "agent/native: no node_api.h (install Node's headers: the nodejs or libnode-dev package)" >&2; exit 1; }
command -v cc >/dev/null || { echo "agent/native: no C compiler (install gcc)" >&2; exit 1; }
mkdir -p "$out"

# addon <name> <source>...: agent/dist/native/<name>.node from agent/native/<sources>.
addon() {
  local name="$1"
  shift
  cc -std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -I"$inc" -o "$out/$name.node" "${@/#/$here/}"
}

# The DNS forwarder's batched UDP (recvmmsg/sendmmsg on libuv's poll): agent/src/dns/udpnative.ts.
addon qvmd-udp udp/io.c udp/module.c
# The caller's uid, gid and pid on qvmd's socket (SO_PEERCRED): agent/src/peer/creds.ts.
addon peercred peercred/peercred.c
# Gives back free malloc memory and the executable's startup pages: agent/src/util/memtrim.ts.
addon memtrim memtrim/memtrim.c
