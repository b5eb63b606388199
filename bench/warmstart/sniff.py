#!/usr/bin/env python3
"""Timestamps what crosses a network's bridge during bench/warmstart, for its profile: each DHCP
message (type, client MAC), each TCP SYN to port 22 and each SYN-ACK and first data byte back, and
how many ARP requests went by (per 100 ms). Run in the network's namespace on its bridge and on the
bridge's port to the host (the veth: the host's own traffic to a guest is bridged, never seen by the
bridge device itself):
    ip netns exec <ns> python3 sniff.py <bridge> <veth>
until killed. A frame seen on both is reported once (the first time). One line per event on stdout, wall-clock seconds first:
    <t> dhcp <type> <client-mac> <your-ip>
    <t> syn <guest-ip> <host-port>        (host -> guest:22)
    <t> synack <guest-ip> <host-port>     (guest:22 answers the SYN)
    <t> banner <guest-ip> <host-port>     (the first data from guest:22)
    <t> arp <count> <sender-ip>           (ARP requests in the 100 ms ending at t, by sender)
    <t> arpreply <sender-ip> <sender-mac> <target-ip>
A kernel filter (classic BPF) passes only ARP, UDP 67/68 and TCP port 22, so the rest of the
bridge's traffic costs nothing here. Standard library only; reads, never sends."""
import ctypes
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SO_ATTACH_FILTER = 26
SO_RCVBUFFORCE = 33
DHCP_TYPES = {1: "discover", 2: "offer", 3: "request", 4: "decline", 5: "ack", 6: "nak", 7: "release"}

# ldh [12]; ARP -> accept; not IPv4 -> drop; ldb [23] (protocol); UDP: ldh [36] (dst port) 67/68;
# TCP: ldxb 4*([14]&0xf); ldh [x+14] (src port) 22 or ldh [x+16] (dst port) 22.
BPF = [
    (0x28, 0, 0, 12),
    (0x15, 12, 0, 0x0806),  # ARP -> accept
    (0x15, 0, 12, 0x0800),  # not IPv4 -> drop
    (0x30, 0, 0, 23),
    (0x15, 0, 3, 17),  # not UDP -> TCP check
    (0x28, 0, 0, 36),
    (0x15, 7, 0, 67),
    (0x15, 6, 7, 68),
    (0x15, 0, 6, 6),  # not TCP -> drop
    (0xB1, 0, 0, 14),
    (0x48, 0, 0, 14),
    (0x15, 2, 0, 22),
    (0x48, 0, 0, 16),
    (0x15, 0, 1, 22),
    (0x06, 0, 0, 0xFFFF),
    (0x06, 0, 0, 0),
]


def attach_filter(sock):
    prog = b"".join(struct.pack("HBBI", *ins) for ins in BPF)
    buf = ctypes.create_string_buffer(prog)
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", len(BPF), ctypes.addressof(buf)))
    return buf


def mac(b):
    return ":".join(f"{x:02x}" for x in b)


def dhcp_type(opts):
    i = 0
    while i < len(opts) and opts[i] != 255:
        if opts[i] == 0:
            i += 1
            continue
        if i + 1 >= len(opts):
            return None
        code, ln = opts[i], opts[i + 1]
        if code == 53 and ln == 1 and i + 2 < len(opts):
            return DHCP_TYPES.get(opts[i + 2], str(opts[i + 2]))
        i += 2 + ln
    return None


def open_socket(ifname):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    keep = attach_filter(sock)
    # An ARP sweep is ~1000 frames at once: a roomy buffer (root may exceed rmem_max) so none is lost.
    sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    sock.bind((ifname, 0))
    return sock, keep


def event(pkt, seen):
    """The line for one frame (without its time), or None. `seen` dedupes across interfaces."""
    etype = struct.unpack("!H", pkt[12:14])[0]
    if etype == 0x0806:
        if len(pkt) < 42:
            return None
        sender, target = socket.inet_ntoa(pkt[28:32]), socket.inet_ntoa(pkt[38:42])
        if pkt[20:22] == b"\x00\x01":
            return ("arp", sender)
        return f"arpreply {sender} {mac(pkt[22:28])} {target}"
    if len(pkt) < 34:
        return None
    ihl = (pkt[14] & 0x0F) * 4
    proto = pkt[23]
    src, dst = socket.inet_ntoa(pkt[26:30]), socket.inet_ntoa(pkt[30:34])
    l4 = 14 + ihl
    if proto == 17 and len(pkt) >= l4 + 8 + 240:
        bootp = pkt[l4 + 8 :]
        t = dhcp_type(bootp[240:])
        return t and f"dhcp {t} {mac(bootp[28:34])} {socket.inet_ntoa(bootp[16:20])}"
    if proto != 6 or len(pkt) < l4 + 14:
        return None
    sport, dport = struct.unpack("!HH", pkt[l4 : l4 + 4])
    flags = pkt[l4 + 13]
    payload = struct.unpack("!H", pkt[16:18])[0] - ihl - (pkt[l4 + 12] >> 4) * 4
    if dport == 22 and flags & 0x12 == 0x02:
        return f"syn {dst} {sport}"
    if sport == 22 and flags & 0x12 == 0x12:
        return f"synack {src} {dport}"
    if sport == 22 and payload > 0 and ("banner", src, dport) not in seen:
        seen.add(("banner", src, dport))
        return f"banner {src} {dport}"
    return None


def main():
    socks = [open_socket(name) for name in sys.argv[1:]]
    out = sys.stdout
    arps, bucket = {}, time.time()
    seen = set()
    # The same frame on the bridge and on its veth port: reported once (by its bytes, briefly).
    recent = {}
    while True:
        ready, _, _ = select.select([s for s, _ in socks], [], [], 0.1)
        now = time.time()
        if now - bucket >= 0.1:
            for sender, n in arps.items():
                out.write(f"{now:.4f} arp {n} {sender}\n")
            out.flush()
            arps, bucket = {}, now
            recent = {k: t for k, t in recent.items() if now - t < 0.05}
        for sock in ready:
            pkt = sock.recv(2048)
            if len(pkt) < 22 or recent.get(pkt) is not None:
                continue
            recent[pkt] = now
            line = event(pkt, seen)
            if isinstance(line, tuple):
                arps[line[1]] = arps.get(line[1], 0) + 1
            elif line:
                out.write(f"{now:.4f} {line}\n")
                out.flush()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
