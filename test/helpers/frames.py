#!/usr/bin/env python3
"""Sends one hand-made Ethernet frame on an interface, as a hostile guest would (tests only).

usage: frames.py IFNAME arp   SRC_MAC OP SHA SPA THA TPA
       frames.py IFNAME dhcp  SRC_MAC SPORT DPORT CHADDR      (BOOTP request/reply, 0.0.0.0 -> bcast)
       frames.py IFNAME udp   SRC_MAC SRC_IP DST_IP DPORT     (broadcast Ethernet destination)
       frames.py IFNAME listen-udp PORT SECONDS                (prints "<src-ip> <len>" per datagram)
"""
import os
import socket
import struct
import sys
import time

BCAST = b"\xff" * 6


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def ip(s):
    return socket.inet_aton(s)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4(src, dst, payload, proto=17):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0, src, dst)
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, checksum(hdr), src, dst) + payload


def udp(sport, dport, payload):
    # Checksum 0: "none", valid for UDP over IPv4.
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def bootp(op, chaddr):
    b = struct.pack("!BBBBIHH4s4s4s4s", op, 1, 6, 0, 0x12345678, 0, 0x8000, b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    b += chaddr + b"\0" * 10 + b"\0" * 192 + b"\x63\x82\x53\x63"
    # DHCP message type: DISCOVER for a request, OFFER for a reply; end.
    b += bytes([53, 1, 1 if op == 1 else 2, 255])
    return b


def main():
    ifname, kind = sys.argv[1], sys.argv[2]
    a = sys.argv[3:]
    if kind == "listen-udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
        s.bind(("0.0.0.0", int(a[0])))
        end = time.monotonic() + float(a[1])
        while (left := end - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                data, (src, _) = s.recvfrom(2048)
            except socket.timeout:
                break
            print(src, len(data), flush=True)
        return 0
    src = mac(a[0])
    if kind == "arp":
        op, sha, spa, tha, tpa = int(a[1]), mac(a[2]), ip(a[3]), mac(a[4]), ip(a[5])
        frame = BCAST + src + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa
    elif kind == "dhcp":
        sport, dport, chaddr = int(a[1]), int(a[2]), mac(a[3])
        op = 1 if dport == 67 else 2
        frame = BCAST + src + b"\x08\x00" + ipv4(ip("0.0.0.0"), ip("255.255.255.255"), udp(sport, dport, bootp(op, chaddr)))
    elif kind == "udp":
        frame = BCAST + src + b"\x08\x00" + ipv4(ip(a[1]), ip(a[2]), udp(40000, int(a[3]), b"qvx-frame"))
    else:
        sys.stderr.write(__doc__)
        return 2
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    # FRAMES_COUNT: the same frame that many times (a flood).
    for _ in range(int(os.environ.get("FRAMES_COUNT", "1"))):
        s.send(frame.ljust(60, b"\0"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
