# shellcheck shell=bash
# The kernel modules the guest loads: a wanted list and its dependency closure (read from each
# module's .modinfo), copied uncompressed into the root filesystem with their load order in
# /etc/qvm/modules for init (sourced by build.sh; uses its die).

# install_modules UNPACKED ROOT KVER WORK: sets modules_order (names, in load order).
install_modules() {
  local x=$1 root=$2 kver=$3 work=$4
  local moddir="$x/lib/modules/$kver"
  [ -d "$moddir" ] || moddir="$x/usr/lib/modules/$kver"
  [ -d "$moddir" ] || die "no modules directory for $kver"
  local -A modpath=()
  local m name
  while IFS= read -r m; do
    name=${m##*/}; name=${name%%.ko*}; name=${name//-/_}
    modpath[$name]=${m#"$moddir"/}
  done < <(find "$moddir" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst')
  local -a wanted=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio
    failover net_failover virtio_net virtio_blk virtio_scsi virtio_rng virtio_console
    isofs fat vfat nls_cp437 nls_ascii nls_utf8 nls_iso8859_1
    ahci sd_mod sr_mod button evdev)
  local -A visited=()
  local -a order=()
  visit() {
    local n=$1 deps d
    [ -n "${visited[$n]:-}" ] && return 0
    visited[$n]=1
    [ -n "${modpath[$n]:-}" ] || return 0 # built in (or absent on this arch)
    deps=$(modinfo_depends "$moddir/${modpath[$n]}")
    for d in ${deps//,/ }; do visit "$d"; done
    order+=("$n")
  }
  modinfo_depends() {
    case "$1" in
      *.ko) readelf -p .modinfo "$1" 2>/dev/null | sed -n 's/.*\]  *depends=//p' | head -n 1 ;;
      *.ko.xz) xz -dc "$1" >"$work/m.ko" && readelf -p .modinfo "$work/m.ko" | sed -n 's/.*\]  *depends=//p' | head -n 1 ;;
      *) die "cannot read $1 (compressed modules other than .xz are not supported)" ;;
    esac
  }
  for m in "${wanted[@]}"; do visit "$m"; done
  local dest="$root/lib/modules/$kver"
  : >"$root/etc/qvm/modules"
  for m in "${order[@]}"; do
    local rel=${modpath[$m]}
    mkdir -p "$dest/$(dirname "$rel")"
    case "$rel" in
      *.ko.xz) xz -dc "$moddir/$rel" >"$dest/${rel%.xz}"; rel=${rel%.xz} ;;
      *) cp "$moddir/$rel" "$dest/$rel" ;;
    esac
    echo "$rel" >>"$root/etc/qvm/modules"
  done
  cp "$moddir/modules.builtin" "$dest/" 2>/dev/null || true
  # shellcheck disable=SC2034 # read by build.sh
  modules_order=("${order[@]}")
}
