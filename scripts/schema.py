#!/usr/bin/env python3
"""Writes schema.json. Kept as a script so descriptions stay readable; the JSON is committed and
`make gen` checks it is up to date."""
import json, os, sys

# The one version number of pulumi-qemu (schema, plugin, packages, SDKs).
VERSION = open(os.path.join(os.path.dirname(__file__), "..", "VERSION")).read().strip()

def s(desc, **kw): return {"type": "string", "description": desc, **kw}
def i(desc, **kw): return {"type": "integer", "description": desc, **kw}
def b(desc, **kw): return {"type": "boolean", "description": desc, **kw}
def arr(items, desc): return {"type": "array", "items": items, "description": desc}
def ref(t, desc): return {"$ref": f"#/types/qemu:index:{t}", "description": desc}
REPLACE = {"replaceOnChanges": True}

types = {
  "qemu:index:FirewallStatus": {"type": "object", "description": "State of a network's firewall rules.", "properties": {
    "state": s("ok or degraded."), "lastError": s("Why it is degraded, when it is."),
    "lastRepairedAt": s("When qvmd last restored rules another tool had removed (ISO 8601).")}, "required": ["state"]},
  "qemu:index:DhcpReservation": {"type": "object", "description": "A fixed address for one MAC.", "properties": {
    "mac": s("MAC address of the guest NIC, aa:bb:cc:dd:ee:ff."),
    "ip": s("Address handed to that MAC. Must be a host address of the network's CIDR, not the gateway or the DHCP server's (last) address."),
    "hostname": s("Optional host name sent with the lease.")}, "required": ["mac", "ip"]},
  "qemu:index:DhcpRange": {"type": "object", "description": "First and last address of the dynamic DHCP pool.", "properties": {
    "start": s("First address of the pool."), "end": s("Last address of the pool.")}, "required": ["start", "end"]},
  "qemu:index:NetworkDhcp": {"type": "object", "description": "The network's DHCP server (dnsmasq inside the namespace, DHCP only). Reservations, range and lease time change in place.", "properties": {
    "enabled": b("Serve DHCP. Default true.", default=True),
    "range": ref("DhcpRange", "Dynamic pool. Default: every host address except the gateway and the last host (the DHCP server's own address)."),
    "leaseTime": i("Lease time in seconds, 120 to 2592000. Default 3600."),
    "reservations": arr(ref("DhcpReservation", ""), "Fixed addresses by MAC. Leases survive agent restarts.")}},
  "qemu:index:InstanceNic": {"type": "object", "description": "One NIC of an instance.", "properties": {
    "networkId": s("Id of a Network to attach to."), "bridgeId": s("Id of a Bridge to attach to (instead of networkId)."),
    "mac": s("MAC address. Default: derived from the resource, stable across updates."),
    "ip": s("Fixed address; becomes a DHCP reservation on the network.")}},
  "qemu:index:PortForward": {"type": "object", "description": "A host port forwarded into the guest (DNAT).", "properties": {
    "hostPort": i("Port on the host."), "guestPort": i("Port in the guest."),
    "protocol": s("tcp or udp. Default tcp."), "hostAddress": s("Host address to listen on. Default: all.")}, "required": ["hostPort", "guestPort"]},
  "qemu:index:DnsRecord": {"type": "object", "description": "A static A record inside the forwarder's zone.", "properties": {
    "name": s("Name, relative to the zone or fully qualified inside it."), "addresses": arr({"type": "string"}, "IPv4 addresses.")}, "required": ["name", "addresses"]},
}

network_inputs = {
  "name": s("Short name (1-8 characters, a-z 0-9) used in every kernel object of the network (netns qvm-<name>, links qvm<name>h/n/b, nft table inet qvm_<name>). Default: 8 random hex characters. Changing it replaces the network.", **REPLACE),
  "cidr": s("Private IPv4 network (RFC 1918), prefix /16 to /29, e.g. 192.168.71.0/24. Must not overlap another network or a host route. Changing it replaces the network.", **REPLACE),
  "gateway": s("Gateway address, held by the host end of the veth pair. Default: the first host address. The last host address is kept for the DHCP server. Changing it replaces the network.", **REPLACE),
  "dhcp": ref("NetworkDhcp", "DHCP settings. Default: enabled with the whole pool."),
  "nat": b("Masquerade traffic leaving the network through the host's routes (false: route it untranslated). Default true. Changes in place.", default=True),
  "isolated": b("No egress at all: guests reach only each other, the gateway's DHCP/DNS and port forwards in. Default false. Changes in place.", default=False),
  "mtu": i("MTU of the bridge and veth pair, 576 to 9000. Default 1500. Changes in place.", default=1500),
}
network_outputs = dict(network_inputs)
network_outputs.update({
  "namespace": s("Network namespace holding the bridge and the guests' TAP devices."),
  "bridge": s("Bridge inside the namespace."),
  "hostInterface": s("Host end of the veth pair (root namespace); holds the gateway address."),
  "gateway": s("Gateway address in effect."),
  "dhcpServerAddress": s("The DHCP server's own address on the bridge (the last host address)."),
  "dhcpRange": ref("DhcpRange", "DHCP pool in effect."),
  "leaseTime": i("Lease time in effect, seconds."),
  "drift": arr({"type": "string"}, "Objects of the network missing or changed on the host, as last read (empty when all is well). The next update repairs them."),
  "firewall": ref("FirewallStatus", "The network's firewall as last read: ok, or degraded with the last error, and when qvmd last repaired rules another tool removed."),
})

image_inputs = {
  "source": s("file:///absolute/path or http(s):// URL of the disk image (qcow2 or raw). Replaces.", **REPLACE),
  "sha256": s("Expected SHA-256 (hex) of the source; a mismatch fails and keeps nothing. Replaces.", **REPLACE),
  "format": s("qcow2 or raw; detected with qemu-img when absent. In place."),
  "kernel": s("Kernel (file:// or http(s)://) for direct boot. Replaces.", **REPLACE),
  "initrd": s("Initrd for direct boot. Replaces.", **REPLACE),
  "cmdline": s("Kernel command line for direct boot. In place (used from the next VM start)."),
  "arch": s("x86_64 (default) or aarch64. Replaces.", **REPLACE),
  "firmware": s("bios (x86_64 default) or uefi (aarch64 needs uefi). In place (used from the next VM start)."),
}
image_outputs = dict(image_inputs)
image_outputs.update({
  "path": s("Path of the stored blob."), "sha256": s("SHA-256 of the stored bytes."), "format": s("Format in effect."),
  "sizeBytes": i("File size in bytes."), "virtualSizeBytes": i("Virtual disk size in bytes."),
  "kernelPath": s("Stored kernel, when given."), "initrdPath": s("Stored initrd, when given."),
  "arch": s("Architecture in effect."), "firmware": s("Firmware in effect."),
})
instance_inputs = {
  "imageId": s("Id of an Image. Replaces.", **REPLACE),
  "cpus": i("vCPUs, 1-64. Default 1. In place (restart).", default=1),
  "memoryMb": i("Memory in MiB, 64-1048576. Default 512. In place (restart).", default=512),
  "diskGb": i("Disk size in GiB; 0 = the image's size. Grows in place; shrinking is rejected."),
  "networks": arr(ref("InstanceNic", ""), "NICs; each may be on a different Network. In place (restart)."),
  "hostname": s("Host name (cloud-init). Default: the instance id."),
  "userData": s("cloud-init user-data (#cloud-config or a #! script), at most 1 MiB."),
  "metaData": s("cloud-init meta-data. Default: instance-id and local-hostname."),
  "networkConfig": s("cloud-init network-config (v1 or v2), e.g. a static address; such guests are found by ARP."),
  "sshAuthorizedKeys": arr({"type": "string"}, "SSH public keys for root (merged into #cloud-config user-data)."),
  "running": b("Power state. Default true. false = ACPI powerdown, then quit. A VM stopped behind Pulumi's back reads as false on refresh.", default=True),
  "accel": s("auto (default: KVM only if a probe guest really boots under it, else TCG), kvm or tcg."),
  "machine": s("QEMU machine type. Default q35 (x86_64), virt (aarch64)."),
  "waitForIp": b("Return from create/update only when every NIC has an address. Default true.", default=True),
  "waitForIpTimeoutSeconds": i("How long to wait for addresses, 1-3600. Default 300. On timeout the error quotes the serial log.", default=300),
  "portForwards": arr(ref("PortForward", ""), "Host ports forwarded (DNAT) to the guest's first address, from other hosts and from the host itself (use a host address, not 127.0.0.1). In place. Refused when another instance forwards the port or a host process listens on it."),
}
instance_outputs = dict(instance_inputs)
instance_outputs.update({
  "ipAddresses": arr({"type": "string"}, "Address per NIC, in order (empty while unknown or stopped)."),
  "macs": arr({"type": "string"}, "MAC per NIC."),
  "state": s("running or stopped."),
  "serialLog": s("Path of the serial console log."),
  "pid": i("QEMU's pid (0 when stopped)."),
  "diskGbInEffect": i("Disk size in effect, GiB."),
})

resources = {
  "qemu:index:Network": {
    "description": "An isolated network: a namespace with a bridge, joined to the host by a veth pair, NAT through one nftables table of ours, and a DHCP server with reservations.",
    "inputProperties": network_inputs, "requiredInputs": ["cidr"],
    "properties": network_outputs,
    "required": ["name", "cidr", "namespace", "bridge", "hostInterface", "gateway", "dhcpServerAddress", "nat", "mtu", "drift"],
  },
  "qemu:index:Bridge": {
    "description": "A host bridge (root namespace) for VMs on the LAN. With an uplink, the uplink's IPv4 addresses and routes move to the bridge (and back on destroy), so the host keeps its connectivity. Instances attach NICs with bridgeId; their addresses are found by ARP from the bridge's address. An adopted bridge is never deleted.",
    "inputProperties": {
      "name": s("Interface name, at most 15 characters; must start with qv unless adopted. Replaces.", **REPLACE),
      "address": s("Optional a.b.c.d/prefix for the bridge itself (also where ARP discovery sends from)."),
      "uplink": s("NIC to enslave; its addresses and routes move to the bridge and back on destroy."),
      "stp": b("Spanning tree. Default false.", default=False),
      "mtu": i("MTU. Default: leave as is."),
      "adopt": b("Use an existing bridge of that name; it is never deleted. Replaces.", default=False, **REPLACE),
    },
    "requiredInputs": ["name"],
    "properties": {
      "name": s("Interface name."), "address": s("Address given."), "uplink": s("Uplink enslaved."),
      "stp": b("Spanning tree."), "mtu": i("MTU."), "adopt": b("Adopted."),
      "addresses": arr({"type": "string"}, "IPv4 addresses on the bridge now."),
      "movedAddresses": arr({"type": "string"}, "Addresses moved from the uplink (they go back on destroy)."),
      "drift": arr({"type": "string"}, "What is missing on the host, as last read."),
    },
    "required": ["name", "addresses", "drift"],
  },
  "qemu:index:Image": {
    "description": "A VM image in qvmd's content-addressed store. A new source, sha256, kernel, initrd or arch replaces it; format, cmdline and firmware change in place. The download is verified against sha256 when given; nothing is kept on a mismatch.",
    "inputProperties": image_inputs, "requiredInputs": ["source"],
    "properties": image_outputs, "required": ["source", "path", "format", "sha256", "sizeBytes", "virtualSizeBytes", "arch", "firmware"],
  },
  "qemu:index:Instance": {
    "description": "A QEMU virtual machine whose addresses are known when `pulumi up` returns (found from DHCP leases and ARP, no guest agent). cpus, memoryMb, networks and running change in place (restarting the VM where QEMU needs it); diskGb grows in place; a new imageId replaces it.",
    "inputProperties": instance_inputs, "requiredInputs": ["imageId"],
    "properties": instance_outputs, "required": ["imageId", "cpus", "memoryMb", "networks", "running", "ipAddresses", "macs", "state", "serialLog", "pid"],
  },
  "qemu:index:DnsForwarder": {
    "description": "A DNS forwarder on a network's gateway (UDP and TCP port 53, answering only that network). It answers `zone` itself: every instance on the network by host name (A and PTR) plus `records`; the rest goes to the upstreams, queried concurrently (first positive answer wins). Everything but the network changes in place.",
    "inputProperties": {
      "networkId": s("Id of the Network. One forwarder per network. Replaces.", **REPLACE),
      "zone": s("Zone answered locally, e.g. dev.internal."),
      "upstreams": arr({"type": "string"}, "Upstream servers, address[:port]. Default: resolvConf when given, else auto (the host's systemd-resolved stub, else /etc/resolv.conf)."),
      "resolvConf": s("A resolv.conf to follow; watched, new upstreams used within a second."),
      "hostsFile": s("A hosts file answered before forwarding (e.g. /etc/hosts); watched."),
      "records": arr(ref("DnsRecord", ""), "Static A records inside the zone."),
    },
    "requiredInputs": ["networkId"],
    "properties": {
      "networkId": s("Id of the Network."), "zone": s("Zone answered locally."),
      "upstreams": arr({"type": "string"}, "Static upstreams as given."), "resolvConf": s("resolv.conf followed."),
      "hostsFile": s("Hosts file answered."), "records": arr(ref("DnsRecord", ""), "Static records."),
      "address": s("Address the forwarder listens on (the network's gateway)."),
      "port": i("Port (53)."),
      "upstreamSource": s("Where the upstreams come from: static, resolvConf <path> or auto."),
      "upstreamsInEffect": arr({"type": "string"}, "Upstreams in use now."),
      "names": arr({"type": "string"}, "Fully qualified names answered from instances and records."),
    },
    "required": ["networkId", "address", "port", "names"],
  },
}

schema = {
  "name": "qemu", "displayName": "QEMU (local)", "version": VERSION,
  "description": "Local QEMU virtual machines with isolated networks, NAT, DHCP and DNS, driven by the qvmd agent.",
  "keywords": ["qemu", "vm", "local", "category/infrastructure"], "license": "Apache-2.0",
  "config": {"variables": {"socketPath": s("Path of qvmd's unix socket. Default /run/qvmd/qvmd.sock.")}},
  "provider": {"description": "The qemu provider.", "inputProperties": {"socketPath": s("Path of qvmd's unix socket. Default /run/qvmd/qvmd.sock.")}},
  "types": types, "resources": resources,
  "repository": "https://github.com/pulumi-qemu/pulumi-qemu",
  # supportPack makes the Go generator write sdk/go/go.mod (module path: importBasePath's parent).
  "meta": {"supportPack": True},
  "language": {
    "nodejs": {"packageName": "pulumi-qemu", "respectSchemaVersion": True, "dependencies": {"@pulumi/pulumi": "3.248.0"}, "devDependencies": {"typescript": "~5.9.3", "@types/node": "^20.19.0"}},
    "python": {"packageName": "pulumi_qemu", "respectSchemaVersion": True, "pyproject": {"enabled": True},
               "inputTypes": "classes-and-dicts", "requires": {"pulumi": ">=3.248.0,<4.0.0"}},
    "go": {"importBasePath": "github.com/pulumi-qemu/pulumi-qemu/sdk/go/qemu", "respectSchemaVersion": True,
           "generateResourceContainerTypes": True},
  },
}
json.dump(schema, sys.stdout, indent=2); sys.stdout.write("\n")
