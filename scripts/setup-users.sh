#!/usr/bin/env bash
# The unprivileged users qvmd runs QEMU and dnsmasq as (the package's postinst does the same).
# Idempotent: creates only what is missing. qvmd-qemu joins group kvm where it exists, so a
# sandboxed QEMU can open /dev/kvm when the host grants that group access.
set -euo pipefail
for user in qvmd-qemu qvmd-dhcp; do
  getent passwd "$user" >/dev/null ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
done
if getent group kvm >/dev/null && ! id -nG qvmd-qemu | tr ' ' '\n' | grep -qx kvm; then
  usermod -a -G kvm qvmd-qemu
fi
