"""The quick start in Python: a network, one image, two VMs. `web` gets its address by DHCP and
boots from the image's disk; `db` has a static address from its network-config and boots the image's
kernel and initrd directly. Both addresses are outputs when `pulumi up` returns. A DNS forwarder on
the network answers dev.internal (web.dev.internal, db.dev.internal) and forwards the rest.

Config (optional): guestDir (default $QEMU_GUEST_DIR), sshPublicKey, webMemoryMb, webRunning, cidr,
dnsUpstreams (JSON list of address[:port]).
"""

import os

import pulumi
import pulumi_qemu as qemu

cfg = pulumi.Config()
guest_dir = cfg.get("guestDir") or os.environ.get("QEMU_GUEST_DIR")
if not guest_dir:
    raise ValueError(
        "set qemu-quickstart-python:guestDir or QEMU_GUEST_DIR to a built guest (scripts/guest/build.sh)"
    )
ssh_key = cfg.get("sshPublicKey")
keys = [ssh_key] if ssh_key else []
web_running = cfg.get_bool("webRunning")

net = qemu.Network("dev", cidr=cfg.get("cidr") or "192.168.72.0/24")
disk = qemu.Image("tiny-disk", source=f"file://{guest_dir}/disk.qcow2")
direct = qemu.Image(
    "tiny-direct",
    source=f"file://{guest_dir}/disk.qcow2",
    kernel=f"file://{guest_dir}/vmlinuz",
    initrd=f"file://{guest_dir}/initrd.img",
    cmdline="console=ttyS0 quiet",
)

web = qemu.Instance(
    "web",
    image_id=disk.id,
    hostname="web",
    memory_mb=cfg.get_int("webMemoryMb") or 256,
    running=True if web_running is None else web_running,
    networks=[{"network_id": net.id}],
    ssh_authorized_keys=keys,
)

static_ip = net.gateway.apply(lambda gw: gw.rsplit(".", 1)[0] + ".20")
db = qemu.Instance(
    "db",
    image_id=direct.id,
    hostname="db",
    memory_mb=256,
    networks=[{"network_id": net.id}],
    ssh_authorized_keys=keys,
    network_config=pulumi.Output.format(
        "version: 2\n"
        "ethernets:\n"
        "  eth0:\n"
        "    addresses: [{0}/24]\n"
        "    gateway4: {1}\n"
        "    nameservers:\n"
        "      addresses: [{1}]\n",
        static_ip,
        net.gateway,
    ),
)

dns = qemu.DnsForwarder(
    "dns",
    network_id=net.id,
    zone="dev.internal",
    upstreams=cfg.get_object("dnsUpstreams"),
)


def vm(instance: qemu.Instance) -> dict:
    return {
        "id": instance.id,
        "fqdn": pulumi.Output.concat(instance.hostname, ".", dns.zone),
        "ipAddresses": instance.ip_addresses,
        "state": instance.state,
    }


pulumi.export("network", {"name": net.name, "cidr": net.cidr, "gateway": net.gateway})
pulumi.export("dns", {"address": dns.address, "zone": dns.zone})
pulumi.export("web", vm(web))
pulumi.export("db", vm(db))
