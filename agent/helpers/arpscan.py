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


def attach_filter(sock):
    prog = b"".join(struct.pack("HBBI", *ins) for ins in BPF)
    buf = ctypes.create_string_buffer(prog)
    fprog = struct.pack("HL", len(BPF), ctypes.addressof(buf))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    return buf  # keep alive while the socket lives


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
    spa = socket.inet_aton(src_ip)
    targets = [] if net is None or src_ip == "0.0.0.0" else net.hosts()
    for n, host in enumerate(targets):
        if n >= MAX_TARGETS:
            break
        if str(host) == src_ip:
            continue
        frame = (
            b"\xff" * 6 + src_mac + struct.pack("!H", ETH_P_ARP)
            + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
            + src_mac + spa + b"\x00" * 6 + socket.inet_aton(str(host))
        )
        sock.send(frame)
    seen = set()
    end = time.monotonic() + duration
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            continue
        pkt = sock.recv(128)
        if len(pkt) < 42:
            continue
        sha, sip = pkt[22:28], pkt[28:32]
        if sip == b"\x00\x00\x00\x00" or sha == src_mac:
            continue
        ip = socket.inet_ntoa(sip)
        if net is not None and ipaddress.ip_address(ip) not in net:
            continue
        mac = ":".join(f"{b:02x}" for b in sha)
        if (mac, ip) not in seen:
            seen.add((mac, ip))
            sys.stdout.write(f"{mac} {ip}\n")
            sys.stdout.flush()
    del keep
    return 0


if __name__ == "__main__":
    sys.exit(main())
