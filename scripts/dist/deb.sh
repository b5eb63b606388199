#!/usr/bin/env bash
# The qvmd Debian package, qvmd_<version>_amd64.deb: the agent as one executable with its own Node
# runtime (Debian 12's nodejs is 18; Node is not a dependency at all), the systemd unit, the socket
# group and state directory (maintainer scripts in scripts/dist/deb/), and the host tools qvmd runs.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pkg="$work/pkg"
lib="$pkg/usr/lib/qvmd"
mkdir -p "$lib" "$pkg/usr/sbin" "$pkg/lib/systemd/system" "$pkg/usr/share/doc/qvmd" "$pkg/DEBIAN"

# executable.js: qvmd, or the DNS forwarder process it forks (the same binary, told by an argument).
sea "$ROOT/agent/dist/executable.js" "$lib/qvmd" "$work/sea"
install -m 0644 -D -t "$lib/proto" "$ROOT/api/proto/qvmd.proto"
install -m 0644 -D -t "$lib/proto/qvmd/v1" "$ROOT"/api/proto/qvmd/v1/*.proto
install -m 0644 "$ROOT/agent/helpers/arpscan.py" "$lib/arpscan.py"
# The native addons (agent/native/README.md), loaded from beside the executable.
install -m 0644 "$ROOT"/agent/dist/native/*.node "$lib/"
install -m 0644 "$ROOT/agent/helpers/sandbox-exec.py" "$lib/sandbox-exec.py"
install -m 0644 "$ROOT/agent/helpers/taplink.py" "$lib/taplink.py"
ln -s ../lib/qvmd/qvmd "$pkg/usr/sbin/qvmd"
# qvmctl, the admin command, is the same binary (`qvmd ctl`); members of group qvmd may use it too.
mkdir -p "$pkg/usr/bin"
printf '#!/bin/sh\nexec /usr/lib/qvmd/qvmd ctl "$@"\n' > "$pkg/usr/bin/qvmctl"
chmod 0755 "$pkg/usr/bin/qvmctl"
[ "$("$lib/qvmd" --version)" = "qvmd $VERSION" ] || { echo "dist: the bundled qvmd does not run" >&2; exit 1; }
# Started without qvmd's IPC channel, the forwarder process refuses, which shows it is the one; it
# loads its UDP addon first, and would have said so had it fallen back to Node's dgram.
child_says="$({ "$lib/qvmd" child qvmd-dns 2>&1 || true; })"
grep -q "started by qvmd over IPC" <<<"$child_says" ||
  { echo "dist: the bundled qvmd does not run the DNS forwarder process" >&2; exit 1; }
if grep -q "falling back to Node.s dgram" <<<"$child_says"; then
  echo "dist: the bundled DNS forwarder cannot load qvmd-udp.node: $child_says" >&2
  exit 1
fi
"$lib/qvmd" ctl --help | grep -q '^usage: qvmctl' ||
  { echo "dist: the bundled qvmd does not run qvmctl" >&2; exit 1; }
install -m 0644 "$ROOT/agent/systemd/qvmd.service" "$pkg/lib/systemd/system/qvmd.service"
grep -q '^ExecStart=/usr/sbin/qvmd ' "$pkg/lib/systemd/system/qvmd.service" ||
  { echo "dist: agent/systemd/qvmd.service must start /usr/sbin/qvmd" >&2; exit 1; }

doc="$pkg/usr/share/doc/qvmd"
cat > "$doc/README" <<TXT
qvmd $VERSION: the privileged agent of pulumi-qemu (local QEMU VMs, networks, DHCP and DNS for Pulumi).

The service (systemctl status qvmd) serves /run/qvmd/qvmd.sock to root and the members of group
qvmd (sudo usermod -aG qvmd \$USER, then log in again). State: /var/lib/qvmd. Log: journalctl -u qvmd.
Without systemd, start it as root: /usr/sbin/qvmd --socket-group qvmd
qvmctl lists what qvmd manages (qvmctl list) and deletes an object by id (qvmctl delete KIND ID).
Stopping or restarting qvmd never stops the VMs and networks it manages; 'pulumi destroy' removes them.
'apt purge qvmd' removes the state directory and the group.
TXT
{
  echo "qvmd $VERSION, part of pulumi-qemu. License: Apache-2.0."
  echo
  echo "/usr/lib/qvmd/qvmd embeds the Node.js $(node --version) runtime, under these terms:"
  echo
  cat "$(dirname "$(readlink -f "$(command -v node)")")/../share/doc/nodejs/LICENSE" 2>/dev/null ||
    echo "Node.js is licensed under the MIT license (https://nodejs.org/en/about/license)."
} > "$doc/copyright"
chmod 0644 "$doc"/*

for s in postinst prerm postrm; do install -m 0755 "$ROOT/scripts/dist/deb/$s" "$pkg/DEBIAN/$s"; done
# Every command qvmd runs (agent/src: ip, ss, nft, dnsmasq, qemu-system-*, qemu-img; no ISO tool, qvmd
# writes the NoCloud seed itself in agent/src/qemu/iso9660.ts,
# python3 for arpscan.py and sandbox-exec.py, iptables when the host has a filter FORWARD chain, OVMF for UEFI guests),
# the libraries of the embedded Node (objdump -T: GLIBC_2.28, GLIBCXX_3.4.21), and groupadd/useradd for
# postinst.
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: qvmd
Version: $VERSION
Architecture: $ARCH
Maintainer: pulumi-qemu developers <pulumi-qemu@pulumi-qemu.invalid>
Section: admin
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: libc6 (>= 2.28), libstdc++6 (>= 5.2), libgcc-s1, passwd, iproute2, nftables, dnsmasq-base, qemu-system-x86, qemu-utils, python3
Recommends: iptables, ovmf
Suggests: qemu-system-arm, qemu-efi-aarch64
Description: pulumi-qemu agent: local QEMU VMs with networks, DHCP and DNS
 qvmd is the one privileged daemon of pulumi-qemu, the Pulumi provider for local
 QEMU virtual machines. It creates isolated networks (network namespace, bridge,
 veth, nftables NAT, DHCP and a DNS forwarder), stores images and runs QEMU
 guests whose addresses it discovers, and keeps durable state so that a restart
 never stops a VM. The unprivileged provider (pulumi-resource-qemu) talks to it
 over a unix socket that members of group qvmd may use.
CONTROL
( cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum ) > "$pkg/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$pkg" "$DIST/qvmd_${VERSION}_${ARCH}.deb" >/dev/null
