#!/usr/bin/env bash
# Builds the tiny qvm test guest from Debian packages (downloaded with `apt-get download` and
# unpacked with `dpkg-deb -x`, never installed on the host):
#   vmlinuz      the Debian kernel
#   initrd.img   gzip'd cpio: busybox-static, dropbear (+ its libraries), virtio/fs modules, init
#   disk.qcow2   (x86_64) BIOS-bootable disk: MBR + FAT partition + SYSLINUX -> same kernel+initrd
#                (aarch64) UEFI-bootable disk: GPT + FAT ESP + systemd-boot -> same kernel+initrd
#   cmdline      the kernel command line to use with direct kernel boot (serial console)
#   build-info   architecture, cache key and the exact package versions used
# into ${QEMU_TOOLS_CACHE:-$HOME/.cache/pulumi-qemu}/guest/<arch>-<key>/, key = hash of the files
# of scripts/guest + package versions, so a repeated run returns at once.
#
# Usage: scripts/guest/build.sh [x86_64|aarch64|all]
# Prints the output directory as the last line of stdout (for `all`: one line per arch, aarch64
# last). Everything else goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root="${QEMU_TOOLS_CACHE:-$HOME/.cache/pulumi-qemu}/guest"

log() { echo "guest/build.sh: $*" >&2; }
die() { echo "guest/build.sh: error: $*" >&2; exit 1; }
need() { # CMD DEBIAN-PACKAGE
  command -v "$1" >/dev/null 2>&1 ||
    die "'$1' not found: install Debian package '$2' (it belongs in scripts/apt-packages.txt; run 'make setup')"
}
need_file() { # FILE DEBIAN-PACKAGE
  [ -e "$1" ] || die "'$1' not found: install Debian package '$2' (it belongs in scripts/apt-packages.txt)"
}

# shellcheck source=scripts/guest/apt.sh
. "$here/apt.sh"
# shellcheck source=scripts/guest/disks.sh
. "$here/disks.sh"
# shellcheck source=scripts/guest/modules.sh
. "$here/modules.sh"

# the files that make up the guest (not the docs nor the seed tool)
script_hash() {
  local f
  # shellcheck disable=SC2012 # our own file names (no spaces), in a locale-independent order
  for f in $(cd "$here" && ls | LC_ALL=C sort); do
    case "$f" in README.md|make-seed.sh) continue ;; esac
    [ -f "$here/$f" ] && { echo "file=$f"; sha256sum <"$here/$f"; }
  done
}
write_index() { # INDEX-FILE OUT-DIR (other index entries of the same arch are stale: drop them)
  local dir=${1%/*} arch=${2##*/} f
  arch=${arch%%-*}
  mkdir -p "$dir"
  for f in "$dir/$arch"-*; do [ "$f" != "$1" ] && rm -f "$f"; done
  echo "$2" >"$1.$$" && mv -f "$1.$$" "$1"
}

# ---------------------------------------------------------------- one architecture
build_arch() {
  local arch=$1 darch triplet console
  case "$arch" in
    x86_64) darch=amd64; triplet=x86_64-linux-gnu; console=ttyS0 ;;
    aarch64) darch=arm64; triplet=aarch64-linux-gnu; console=ttyAMA0 ;;
    *) die "unknown architecture '$arch' (x86_64, aarch64 or all)" ;;
  esac

  need apt-get apt; need apt-cache apt; need dpkg-deb dpkg; need readelf binutils
  need cpio cpio; need gzip gzip; need sha256sum coreutils
  need mkfs.vfat dosfstools; need mcopy mtools; need mmd mtools; need sfdisk fdisk; need qemu-img qemu-utils
  if [ "$arch" = x86_64 ]; then
    need syslinux syslinux; need_file /usr/lib/syslinux/mbr/mbr.bin syslinux-common
  fi
  ensure_arch "$darch"

  # Fast path: resolving versions costs ~0.5 s per apt-cache call, so remember the result per
  # state of the apt configuration and lists + our files; any apt-get update invalidates it.
  local stamp
  stamp=$( { echo "arch=$arch"; script_hash;
             stat -c '%n %s %Y' /etc/apt/sources.list /etc/apt/sources.list.d/* /etc/apt/preferences \
               /etc/apt/preferences.d/* /var/lib/apt/lists/*Packages* /var/lib/dpkg/arch 2>/dev/null || true; } |
           sha256sum | cut -c1-16)
  local index="$cache_root/.index/$arch-$stamp"
  if [ -f "$index" ]; then
    local hit
    hit=$(cat "$index")
    if [ -f "$hit/.complete" ]; then
      log "$arch: cached $hit"
      echo "$hit"
      return 0
    fi
  fi

  # resolve the exact packages and versions
  local meta kpkg
  meta="linux-image-$darch"
  if [ -z "$(candidate "$meta:$darch")" ]; then
    [ "$(id -u)" = 0 ] || die "no candidate for $meta:$darch in the apt lists; run as root: apt-get update"
    log "apt lists lack $meta:$darch: apt-get update"
    apt-get update -qq >&2 || die "apt-get update failed"
    [ -n "$(candidate "$meta:$darch")" ] || die "no candidate for $meta:$darch even after apt-get update"
  fi
  kpkg=$(depends_of "$meta:$darch=$(candidate "$meta:$darch")" | grep '^linux-image-' | head -n 1)
  [ -n "$kpkg" ] || die "cannot resolve the kernel package behind $meta"
  local -a pkgs=("$kpkg" busybox-static dropbear-bin)
  # dropbear is dynamically linked: take its dependency closure (libc6, libcrypt1, zlib1g, ...)
  local -A seen=()
  local -a queue=(dropbear-bin)
  while [ ${#queue[@]} -gt 0 ]; do
    local p=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${seen[$p]:-}" ] && continue
    seen[$p]=1
    local v; v=$(candidate "$p:$darch")
    [ -n "$v" ] || { log "note: no $darch candidate for dependency '$p' (skipped)"; continue; }
    [ "$p" != dropbear-bin ] && pkgs+=("$p")
    local d
    for d in $(depends_of "$p:$darch=$v"); do
      case "$d" in debconf|debconf-2.0|dpkg|init-system-helpers|adduser|lsb-base) continue ;; esac
      [ -z "${seen[$d]:-}" ] && queue+=("$d")
    done
  done
  local versions="" p
  for p in "${pkgs[@]}"; do
    local v; v=$(candidate "$p:$darch")
    [ -n "$v" ] || die "no candidate version for $p:$darch"
    versions+="$p:$darch=$v"$'\n'
  done

  local key
  key=$( { echo "arch=$arch"; printf '%s' "$versions"; script_hash; } | sha256sum | cut -c1-16)
  local out="$cache_root/$arch-$key"
  if [ -f "$out/.complete" ]; then
    write_index "$index" "$out"
    log "$arch: cached $out"
    echo "$out"
    return 0
  fi
  log "$arch: building $out"
  log "$arch: packages: ${versions//$'\n'/ }"

  mkdir -p "$cache_root"
  local work
  work=$(mktemp -d "$cache_root/.build-$arch-XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  local debs="$work/debs" x="$work/x" root="$work/root" stage="$work/out"
  mkdir -p "$debs" "$x" "$root" "$stage"

  # download (as root apt-get download cannot drop to _apt in a private dir: harmless warning)
  chmod 755 "$work" "$debs"
  local -a dl=()
  while IFS= read -r line; do [ -n "$line" ] && dl+=("$line"); done <<<"$versions"
  (cd "$debs" && apt-get download -q "${dl[@]}" >&2 2> >(grep -v 'unsandboxed' >&2)) ||
    die "apt-get download failed for: ${dl[*]}"
  local deb
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$x"; done

  # ---- kernel
  local kver vmlinuz kernels
  kernels=("$x"/boot/vmlinuz-*)
  vmlinuz=${kernels[0]}
  [ -f "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kpkg"
  kver=${vmlinuz##*/vmlinuz-}
  cp "$vmlinuz" "$stage/vmlinuz"

  # ---- root filesystem skeleton
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/share/qvm,etc/qvm,etc/dropbear,etc/acpi/PWRF,lib,proc,sys,dev,tmp,run,var/log,var/www,root/.ssh}
  chmod 700 "$root/root"
  chmod 1777 "$root/tmp"
  install -m 755 "$here/init" "$root/init"
  install -m 644 "$here/yaml-flat.awk" "$root/usr/share/qvm/yaml-flat.awk"
  install -m 755 "$here/udhcpc.script" "$root/usr/share/qvm/udhcpc.script"
  install -m 755 "$here/uevent.sh" "$root/usr/share/qvm/uevent.sh"
  install -m 755 "$x/bin/busybox" "$root/bin/busybox"
  ln -s busybox "$root/bin/sh"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$root/etc/passwd"
  printf '%s\n' 'root:*:19000:0:99999:7:::' 'nobody:*:19000:0:99999:7:::' >"$root/etc/shadow"
  chmod 600 "$root/etc/shadow"
  printf '%s\n' 'root:x:0:' 'tty:x:5:' 'nogroup:x:65534:' >"$root/etc/group"
  printf '%s\n' /bin/sh /bin/ash >"$root/etc/shells"
  printf '%s\n' 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin' 'export PS1="\\h:\\w# "' >"$root/etc/profile"
  cat >"$root/etc/inittab" <<'EOF'
::respawn:/bin/cttyhack /bin/sh -l
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sh -c 'echo; echo "QVM-GUEST: shutdown"; killall udhcpc dropbear httpd acpid 2>/dev/null; sync'
EOF
  printf '%s\n' '#!/bin/sh' '# ACPI power button (busybox acpid): orderly poweroff through busybox init' 'poweroff' \
    >"$root/etc/acpi/PWRF/00000080"
  chmod 755 "$root/etc/acpi/PWRF/00000080"

  # ---- dropbear and the libraries it needs (NEEDED entries resolved inside the unpacked debs)
  install -m 755 "$x/usr/sbin/dropbear" "$root/usr/sbin/dropbear"
  install -m 755 "$x/usr/bin/dropbearkey" "$root/usr/bin/dropbearkey"
  install -m 755 "$x/usr/bin/dbclient" "$root/usr/bin/dbclient"
  resolve_in_tree() { # PATH (absolute, inside $x) -> path inside $x after following symlinks
    local p=$1 t _
    for _ in 1 2 3 4 5 6 7 8; do
      [ -L "$x$p" ] || break
      t=$(readlink "$x$p")
      case "$t" in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
    done
    [ -f "$x$p" ] || return 1
    echo "$x$p"
  }
  local interp
  interp=$(readelf -l "$x/usr/sbin/dropbear" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
  [ -n "$interp" ] || die "dropbear has no program interpreter?"
  local src
  src=$(resolve_in_tree "$interp") || die "interpreter $interp not found in the unpacked packages"
  mkdir -p "$root$(dirname "$interp")"
  install -m 755 "$src" "$root$interp"
  local -A libdone=()
  local -a todo=("$root/usr/sbin/dropbear" "$root/usr/bin/dropbearkey" "$root/usr/bin/dbclient")
  while [ ${#todo[@]} -gt 0 ]; do
    local f=${todo[0]}; todo=("${todo[@]:1}")
    local lib
    for lib in $(readelf -d "$f" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
      [ -n "${libdone[$lib]:-}" ] && continue
      libdone[$lib]=1
      local dir found=""
      for dir in "/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib; do
        if src=$(resolve_in_tree "$dir/$lib"); then found=$dir; break; fi
      done
      [ -n "$found" ] || die "library $lib (needed by ${f#"$root"}) not found in: ${pkgs[*]}"
      mkdir -p "$root$found"
      install -m 755 "$src" "$root$found/$lib"
      todo+=("$root$found/$lib")
    done
  done

  # ---- kernel modules: wanted list + dependency closure, in load order
  install_modules "$x" "$root" "$kver" "$work"
  log "$arch: kernel $kver, modules: ${modules_order[*]}"

  { echo "arch=$arch"; echo "key=$key"; echo "kernel=$kver"; printf '%s' "$versions"; } >"$root/etc/qvm/build-info"
  cp "$root/etc/qvm/build-info" "$stage/build-info"
  echo "console=$console" >"$stage/cmdline"

  # ---- initramfs
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) |
    gzip -9n >"$stage/initrd.img"

  # ---- bootable disk
  if [ "$arch" = x86_64 ]; then
    make_bios_disk "$work" "$stage" "$console"
  else
    make_efi_disk "$work" "$stage" "$console" "$darch"
  fi

  touch "$stage/.complete"
  if mv -T "$stage" "$out" 2>/dev/null; then
    # drop older builds of this architecture
    local old
    for old in "$cache_root/$arch"-*; do
      [ "$old" != "$out" ] && [ -d "$old" ] && rm -rf "$old"
    done
  else
    [ -f "$out/.complete" ] || die "could not move the build to $out"
  fi
  write_index "$index" "$out"
  rm -rf "$work"
  trap - EXIT
  log "$arch: done: $(du -sh "$out" | cut -f1) in $out"
  echo "$out"
}

case "${1:-x86_64}" in
  all) build_arch x86_64; build_arch aarch64 ;;
  x86_64|amd64) build_arch x86_64 ;;
  aarch64|arm64) build_arch aarch64 ;;
  -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
  *) die "usage: $0 [x86_64|aarch64|all]" ;;
esac
