# shellcheck shell=bash
# The guest's bootable disks, one per firmware, made with mtools and sfdisk on a plain file (no loop
# devices, no root needed) and converted to qcow2 (sourced by build.sh; uses its log, die and
# candidate).

# x86_64: raw disk with an MBR, one bootable FAT16 partition at 1 MiB holding SYSLINUX,
# vmlinuz and initrd.img; made with mtools, no loop devices. Converted to qcow2.
make_bios_disk() {
  local work=$1 stage=$2 console=$3
  local img="$work/disk.raw" size_mb=48
  local start=2048 sectors=$((size_mb * 2048))
  truncate -s "${size_mb}M" "$img"
  printf 'label: dos\nstart=%s, type=e, bootable\n' "$start" | sfdisk --quiet "$img" >&2
  mkfs.vfat -F 16 -n QVMBOOT --offset "$start" "$img" $(((sectors - start) / 2)) >/dev/null
  cat >"$work/syslinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT qvm
PROMPT 0
TIMEOUT 0
LABEL qvm
  LINUX /vmlinuz
  INITRD /initrd.img
  APPEND console=$console
EOF
  local part="$img@@$((start * 512))"
  MTOOLS_SKIP_CHECK=1 mcopy -i "$part" "$stage/vmlinuz" "$stage/initrd.img" "$work/syslinux.cfg" ::/
  syslinux --offset $((start * 512)) --install "$img"
  dd if=/usr/lib/syslinux/mbr/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
  qemu-img convert -f raw -O qcow2 "$img" "$stage/disk.qcow2"
}

# aarch64: raw disk with a GPT, one EFI system partition (FAT) holding systemd-boot as the
# removable-media loader (EFI/BOOT/BOOTAA64.EFI), a loader entry, the uncompressed kernel (the
# EFI stub needs the PE image) and initrd.img. systemd-boot-efi comes from the same apt source.
make_efi_disk() {
  local work=$1 stage=$2 console=$3 darch=$4
  local v
  v=$(candidate "systemd-boot-efi:$darch")
  if [ -z "$v" ]; then log "no systemd-boot-efi:$darch: skipping disk.qcow2"; return 0; fi
  (cd "$work/debs" && apt-get download -q "systemd-boot-efi:$darch=$v" >&2 2> >(grep -v 'unsandboxed' >&2)) ||
    die "apt-get download systemd-boot-efi:$darch failed"
  dpkg-deb -x "$work"/debs/systemd-boot-efi_*.deb "$work/sdb"
  local efi
  efi=$(find "$work/sdb" -name 'systemd-bootaa64.efi' | head -n 1)
  [ -n "$efi" ] || die "systemd-bootaa64.efi not in systemd-boot-efi:$darch"
  gzip -dc "$stage/vmlinuz" >"$work/Image" 2>/dev/null || cp "$stage/vmlinuz" "$work/Image"
  local img="$work/disk.raw" size_mb=96 start=2048
  local sectors=$((size_mb * 2048))
  truncate -s "${size_mb}M" "$img"
  printf 'label: gpt\nstart=%s, size=%s, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n' "$start" $((sectors - start - 2048)) |
    sfdisk --quiet "$img" >&2
  mkfs.vfat -F 32 -n QVMEFI --offset "$start" "$img" $(((sectors - start - 2048) / 2)) 2>&1 |
    { grep -v -e "block count mismatch" -e "^mkfs.fat" || true; } >&2
  printf 'timeout 0\ndefault qvm.conf\n' >"$work/loader.conf"
  printf 'title qvm guest\nlinux /Image\ninitrd /initrd.img\noptions console=%s\n' "$console" >"$work/qvm.conf"
  local part="$img@@$((start * 512))"
  export MTOOLS_SKIP_CHECK=1
  mmd -i "$part" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries
  mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTAA64.EFI
  mcopy -i "$part" "$work/loader.conf" ::/loader/loader.conf
  mcopy -i "$part" "$work/qvm.conf" ::/loader/entries/qvm.conf
  mcopy -i "$part" "$work/Image" ::/Image
  mcopy -i "$part" "$stage/initrd.img" ::/initrd.img
  qemu-img convert -f raw -O qcow2 "$img" "$stage/disk.qcow2"
}
