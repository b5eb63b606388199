#!/usr/bin/env bash
# `make check` (gen-check, lint, typecheck, unit tests) as a user without privileges. CI runs as
# root, so this is how CI shows that the front door needs none: from root, it clones the committed
# tree into a scratch directory owned by `nobody` and runs `make check` there as `nobody`. Run by
# anyone else, it is just `make check`.
#
# The tools `make setup` put under root's home (the Pulumi tools, Go's module cache) are read, never
# written: a private mount namespace binds them where `nobody` can reach them. The checkout is not
# touched; uncommitted changes are not in the clone (the script says so).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || exec make check

user=nobody
uid=$(id -u "$user")
gid=$(id -g "$user")
work=$(mktemp -d /tmp/pulumi-qemu-check-XXXXXX)
trap 'rm -rf "$work"' EXIT
repo="$work/repo"

[ -z "$(git status --porcelain --untracked-files=no)" ] ||
  echo "check-unprivileged: uncommitted changes are not checked (the clone is of HEAD)" >&2
git clone -q --no-hardlinks --no-checkout . "$repo"
git -C "$repo" checkout -q --detach "$(git rev-parse HEAD)"
# What `make setup` installed in the checkout: the npm tree (copied; it holds workspace links) and the
# tool links (bound below).
cp -a node_modules "$repo/"
pulumi_tools=$(readlink -e .tools/pulumi) || { echo "check-unprivileged: .tools/pulumi is missing: run make setup" >&2; exit 1; }
gomodcache=$(go env GOMODCACHE)
mkdir -p "$repo/.tools/pulumi" "$work/gomod" "$work/home" "$work/gocache"
# `go mod tidy` may want modules `make setup` did not download (tests of dependencies): fetch them
# now, as root, into the shared cache, so the unprivileged run finds everything there. That run is
# offline (GOPROXY=off): the module cache is read-only to it, and what is in it root downloaded and
# verified against the checksum database (GOSUMDB=off there only skips asking again).
(cd "$repo/sdk/go" && go mod tidy >/dev/null 2>&1) || true
git -C "$repo" checkout -q -- sdk/go
chown -R "$uid:$gid" "$work"

go_bin=$(dirname "$(readlink -f "$(command -v go)")")
path="$repo/.tools/pulumi:$repo/provider:$repo/node_modules/.bin:$go_bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# shellcheck disable=SC2016 # expanded by the inner shell, after the mounts
unshare --mount --propagation private bash -c '
  set -euo pipefail
  mount --bind -o ro "$1" "$2/repo/.tools/pulumi"
  mount --bind -o ro "$3" "$2/gomod"
  exec setpriv --reuid="$4" --regid="$5" --clear-groups --reset-env \
    env HOME="$2/home" PATH="$6" GOMODCACHE="$2/gomod" GOCACHE="$2/gocache" GOPROXY=off GOSUMDB=off GOFLAGS=-buildvcs=false \
    GOTOOLCHAIN=local NPM_CONFIG_UPDATE_NOTIFIER=false \
    make -C "$2/repo" check
' check-unprivileged "$pulumi_tools" "$work" "$gomodcache" "$uid" "$gid" "$path"
echo "check-unprivileged: make check passed as $user (uid $uid)" >&2
