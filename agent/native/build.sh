#!/usr/bin/env bash
# Builds qvmd's native addons into agent/dist/native/ with the system C compiler and the N-API
# headers of the Node that runs the build. Called by `make build`; quick and offline.
#   qvmd-udp.node  the DNS forwarder's batched UDP (udp/: recvmmsg/sendmmsg on libuv's poll)
#   peercred.node  the caller's uid, gid and pid on qvmd's socket (SO_PEERCRED)
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
cc -std=gnu11 -O2 -Wall -Wextra -Werror -shared -fPIC -I"$inc" -o "$out/qvmd-udp.node" \
  "$here/udp/io.c" "$here/udp/module.c"
cc -O2 -Wall -Wextra -Werror -shared -fPIC -I"$inc" -o "$out/peercred.node" "$here/peercred.c"
