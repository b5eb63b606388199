#!/usr/bin/env bash
# Builds a cloud-init NoCloud seed (volume label `cidata`) for the qvm test guest.
#
# Usage: scripts/guest/make-seed.sh <out.iso|out.img> <user-data> <meta-data> [network-config]
#   *.iso  ISO 9660 + Joliet, made by qvmd's own writer (tools/seed-iso.ts; needs the repo's npm setup)
#   *.img  FAT (vfat) image of 2 MiB made with mkfs.vfat + mcopy (no loop devices)
# Attach it as a read-only virtio disk, e.g.
#   -drive file=seed.iso,format=raw,if=virtio,readonly=on
set -euo pipefail

die() { echo "make-seed.sh: error: $*" >&2; exit 1; }
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  die "usage: $0 <out.iso|out.img> <user-data> <meta-data> [network-config]"
fi
out=$1 user=$2 meta=$3 net=${4:-}
for f in "$user" "$meta" ${net:+"$net"}; do [ -f "$f" ] || die "no such file: $f"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$user" "$work/user-data"
cp "$meta" "$work/meta-data"
[ -n "$net" ] && cp "$net" "$work/network-config"
files=(user-data meta-data)
[ -n "$net" ] && files+=(network-config)

case "$out" in
  *.iso)
    tsx="$(cd "$(dirname "$0")/../.." && pwd)/node_modules/.bin/tsx"
    [ -x "$tsx" ] || die "tsx not found at $tsx: run 'make setup' (npm) first"
    "$tsx" "$(dirname "$0")/tools/seed-iso.ts" "$work/seed.iso" "${files[@]/#/$work/}"
    mv "$work/seed.iso" "$out"
    ;;
  *.img)
    command -v mkfs.vfat >/dev/null 2>&1 || die "mkfs.vfat not found: install Debian package 'dosfstools'"
    command -v mcopy >/dev/null 2>&1 || die "mcopy not found: install Debian package 'mtools'"
    truncate -s 2M "$work/seed.img"
    mkfs.vfat -n CIDATA "$work/seed.img" >/dev/null
    for f in "${files[@]}"; do MTOOLS_SKIP_CHECK=1 mcopy -i "$work/seed.img" "$work/$f" "::/$f"; done
    mv "$work/seed.img" "$out"
    ;;
  *) die "output must end in .iso or .img: $out" ;;
esac
