# shellcheck shell=bash disable=SC2034 # sourced: the scripts that source it use these variables
# Shared by the scripts in scripts/dist (sourced): the version, the output folder, and how a Node
# entry point becomes a single executable.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="$(tr -d '[:space:]' < "$ROOT/VERSION")"
DIST="$ROOT/dist"
# Pulumi names plugin tarballs <os>-<arch>; Debian names the same machine amd64.
OS=linux
ARCH=amd64
[ "$(uname -m)" = x86_64 ] || { echo "dist: only linux-amd64 artifacts are built (this is $(uname -m))" >&2; exit 1; }
export PATH="$ROOT/node_modules/.bin:$PATH"

# The Node runtime every executable is built from: the one running the build (Node >= 20.12 has
# single executable applications with node:sea). Stripped of symbols and debug info: 12 MB smaller.
node_runtime() {
  local node
  node="$(readlink -f "$(command -v node)")"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=12)?0:1)' ||
    { echo "dist: Node >= 20.12 is needed to build single executables ($(node --version))" >&2; exit 1; }
  grep -q NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 "$node" ||
    { echo "dist: $node was built without single-executable support" >&2; exit 1; }
  echo "$node"
}

# sea <compiled entry .js> <output executable> <work dir>: bundles the entry and everything it
# requires into one script (esbuild), then injects it, with V8's code cache, into a copy of Node.
sea() {
  local entry="$1" out="$2" work="$3" node
  node="$(node_runtime)"
  mkdir -p "$work"
  esbuild "$entry" --bundle --platform=node --target=node20 --format=cjs --log-level=error \
    --outfile="$work/main.js"
  cat > "$work/sea.json" <<JSON
{ "main": "$work/main.js", "output": "$work/blob", "disableExperimentalSEAWarning": true, "useCodeCache": true }
JSON
  node --experimental-sea-config "$work/sea.json" >/dev/null 2>&1
  cp "$node" "$out"
  chmod u+w "$out"
  strip "$out"
  # postject warns about every note section of Node's ELF; the result is checked by running it.
  postject "$out" NODE_SEA_BLOB "$work/blob" --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 \
    >/dev/null 2>&1 || { echo "dist: postject failed on $out" >&2; exit 1; }
  chmod 0755 "$out"
}
