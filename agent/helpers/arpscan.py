#!/usr/bin/env python3
"""ARP discovery for qvmd, run inside a network's namespace (`ip netns exec`): sends an ARP who-has
for every host of a CIDR on one interface, then prints `<mac> <ip>` for every ARP sender it hears
until the duration ends. A classic BPF program attached to the socket (SO_ATTACH_FILTER) makes the
kernel pass only ARP frames, so user space never sees the rest of the bridge's traffic. Guests
with static addresses are found by their replies and by their own requests (gratuitous ARP,
gateway lookups). Standard library only: node has no AF_PACKET sockets.

usage: arpscan.py <ifname> <source-ip> <cidr> <duration-seconds>
A source of 0.0.0.0 sends nothing (no address to ask from): it only listens. A cidr of "any"
reports senders of every address.
"""
import ctypes
import ipaddress
import select
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806
SO_ATTACH_FILTER = 26
MAX_TARGETS = 4096

# ldh [12]; jeq #ETH_P_ARP ? next : drop; ldh [20] (opcode); jeq #1 or #2 ? accept : drop
BPF = [
    (0x28, 0, 0, 12),
    (0x15, 0, 4, ETH_P_ARP),
    (0x28, 0, 0, 20),
    (0x15, 1, 0, 1),
    (0x15, 0, 1, 2),
    (0x06, 0, 0, 0xFFFF),
    (0x06, 0, 0, 0),
]


def bpf_program():
    """The filter as the kernel takes it: struct sock_filter {u16 code; u8 jt, jf; u32 k} each."""
    return b"".join(struct.pack("HBBI", *ins) for ins in BPF)


def attach_filter(sock):
    buf = ctypes.create_string_buffer(bpf_program())
    fprog = struct.pack("HL", len(BPF), ctypes.addressof(buf))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    return buf  # keep alive while the socket lives


def targets(net, src_ip):
    """The addresses to ask: every host of the network but our own, at most MAX_TARGETS."""
    if net is None or src_ip == "0.0.0.0":
        return []
    out = []
    for n, host in enumerate(net.hosts()):
        if n >= MAX_TARGETS:
            break
        if str(host) != src_ip:
            out.append(str(host))
    return out


def who_has(src_mac, src_ip, target_ip):
    """A broadcast ARP request (Ethernet II) for target_ip, from src_mac/src_ip."""
    return (
        b"\xff" * 6 + src_mac + struct.pack("!H", ETH_P_ARP)
        + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
        + src_mac + socket.inet_aton(src_ip) + b"\x00" * 6 + socket.inet_aton(target_ip)
    )


def sender(pkt, src_mac, net):
    """(mac, ip) of an ARP frame's sender worth reporting, or None: not ours, not 0.0.0.0 (a probe),
    inside the network (unless net is None)."""
    if len(pkt) < 42:
        return None
    sha, sip = pkt[22:28], pkt[28:32]
    if sip == b"\x00\x00\x00\x00" or sha == src_mac:
        return None
    ip = socket.inet_ntoa(sip)
    if net is not None and ipaddress.ip_address(ip) not in net:
        return None
    return ":".join(f"{b:02x}" for b in sha), ip


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    ifname, src_ip, cidr, duration = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    net = None if cidr == "any" else ipaddress.ip_network(cidr, strict=True)
    with open(f"/sys/class/net/{ifname}/address") as f:
        src_mac = bytes.fromhex(f.read().strip().replace(":", ""))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
    keep = attach_filter(sock)
    sock.bind((ifname, ETH_P_ARP))
    for host in targets(net, src_ip):
        sock.send(who_has(src_mac, src_ip, host))
    seen = set()
    end = time.monotonic() + duration
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            continue
        found = sender(sock.recv(128), src_mac, net)
        if found is not None and found not in seen:
            seen.add(found)
            sys.stdout.write(f"{found[0]} {found[1]}\n")
            sys.stdout.flush()
    del keep
    return 0


if __name__ == "__main__":
    sys.exit(main())
