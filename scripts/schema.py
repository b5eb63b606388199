#!/usr/bin/env python3
"""Writes schema.json. Kept as a script so descriptions stay readable; the JSON is committed and
`make gen` checks it is up to date."""
import json, sys

def s(desc, **kw): return {"type": "string", "description": desc, **kw}
def i(desc, **kw): return {"type": "integer", "description": desc, **kw}
def b(desc, **kw): return {"type": "boolean", "description": desc, **kw}
def arr(items, desc): return {"type": "array", "items": items, "description": desc}
def ref(t, desc): return {"$ref": f"#/types/qemu:index:{t}", "description": desc}
REPLACE = {"replaceOnChanges": True}

types = {
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
  "nat": b("Masquerade traffic leaving the network through the host's routes. Default true. Changes in place.", default=True),
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
})

resources = {
  "qemu:index:Network": {
    "description": "An isolated network: a namespace with a bridge, joined to the host by a veth pair, NAT through one nftables table of ours, and a DHCP server with reservations.",
    "inputProperties": network_inputs, "requiredInputs": ["cidr"],
    "properties": network_outputs,
    "required": ["name", "cidr", "namespace", "bridge", "hostInterface", "gateway", "dhcpServerAddress", "nat", "mtu", "drift"],
  },
  "qemu:index:Bridge": {
    "description": "A host bridge outside any namespace, optionally enslaving an uplink NIC, for VMs on the LAN. Not available yet.",
    "inputProperties": {"name": s("Bridge name (at most 15 characters).", **REPLACE), "address": s("Optional address/CIDR for the bridge."),
      "uplink": s("NIC to enslave; its address moves to the bridge and back on destroy."), "stp": b("Spanning tree."), "mtu": i("MTU."),
      "adopt": b("Adopt an existing bridge by name; never deleted on destroy.")},
    "requiredInputs": ["name"], "properties": {"name": s("Bridge name.")}, "required": ["name"],
  },
  "qemu:index:Image": {
    "description": "A VM image in the agent's content-addressed store. Not available yet.",
    "inputProperties": {"source": s("file:// or http(s):// URL.", **REPLACE), "sha256": s("Expected SHA-256 of the source.", **REPLACE),
      "format": s("qcow2 or raw; detected when absent."), "kernel": s("Kernel for direct boot."), "initrd": s("Initrd for direct boot."),
      "cmdline": s("Kernel command line for direct boot."), "arch": s("x86_64 or aarch64. Default x86_64.", **REPLACE),
      "firmware": s("bios or uefi (aarch64 needs uefi).")},
    "requiredInputs": ["source"], "properties": {"path": s("Path in the store."), "format": s("Format."), "sha256": s("SHA-256."), "sizeBytes": i("Size in bytes.")}, "required": ["path"],
  },
  "qemu:index:Instance": {
    "description": "A QEMU virtual machine whose addresses are known when `pulumi up` returns. Not available yet.",
    "inputProperties": {"imageId": s("Id of an Image.", **REPLACE), "cpus": i("vCPUs."), "memoryMb": i("Memory in MiB."), "diskGb": i("Disk size in GiB; grows in place."),
      "networks": arr(ref("InstanceNic", ""), "NICs."), "hostname": s("Host name."), "userData": s("cloud-init user-data."), "metaData": s("cloud-init meta-data."),
      "networkConfig": s("cloud-init network-config."), "sshAuthorizedKeys": arr({"type": "string"}, "SSH public keys."),
      "running": b("Power state. Default true."), "accel": s("auto, kvm or tcg."), "machine": s("QEMU machine type."),
      "waitForIp": b("Wait until every NIC has an address. Default true."), "portForwards": arr(ref("PortForward", ""), "Port forwards.")},
    "requiredInputs": ["imageId"], "properties": {"ipAddresses": arr({"type": "string"}, "Address per NIC."), "macs": arr({"type": "string"}, "MAC per NIC."),
      "state": s("running or stopped."), "serialLog": s("Serial log path."), "pid": i("QEMU pid.")}, "required": ["state"],
  },
  "qemu:index:DnsForwarder": {
    "description": "A DNS forwarder on a network's gateway answering the network's zone. Not available yet.",
    "inputProperties": {"networkId": s("Id of the Network.", **REPLACE), "zone": s("Zone answered locally, e.g. dev.internal."),
      "upstreams": arr({"type": "string"}, "Static upstreams, address[:port]."), "resolvConf": s("resolv.conf to follow."),
      "hostsFile": s("hosts file answered before forwarding."), "records": arr(ref("DnsRecord", ""), "Static records in the zone.")},
    "requiredInputs": ["networkId"], "properties": {"address": s("Address the forwarder listens on.")}, "required": ["address"],
  },
}

schema = {
  "name": "qemu", "displayName": "QEMU (local)", "version": "0.1.0",
  "description": "Local QEMU virtual machines with isolated networks, NAT, DHCP and DNS, driven by the qvmd agent.",
  "keywords": ["qemu", "vm", "local", "category/infrastructure"], "license": "Apache-2.0",
  "config": {"variables": {"socketPath": s("Path of qvmd's unix socket. Default /run/qvmd/qvmd.sock.")}},
  "provider": {"description": "The qemu provider.", "inputProperties": {"socketPath": s("Path of qvmd's unix socket. Default /run/qvmd/qvmd.sock.")}},
  "types": types, "resources": resources,
  "language": {"nodejs": {"packageName": "pulumi-qemu", "respectSchemaVersion": True, "dependencies": {"@pulumi/pulumi": "3.248.0"}, "devDependencies": {"typescript": "~5.9.3", "@types/node": "^20.19.0"}}},
}
json.dump(schema, sys.stdout, indent=2); sys.stdout.write("\n")
