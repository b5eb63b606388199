"""The launcher's TAPs (sandbox-exec.py --tap NAME[:MASTER[:MTU]]), as root in QEMU's namespace.

A TAP is opened, made when it does not exist, and kept (persistent): it outlives its QEMU as one
`ip tuntap add` made does, and is removed by qvmd. With MASTER it joins that bridge, its MTU set
and up, in one netlink request: what `ip link set NAME mtu MTU master MASTER up` does, without an
`ip` exec (a process, a namespace switch) on the way to every VM's start. Hand-written rather than
pyroute2: one message, and that library's import alone costs more than the exec it replaces.
"""
import fcntl
import os
import socket
import struct

TUNSETIFF = 0x400454CA
TUNSETPERSIST = 0x400454CB
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
RTM_NEWLINK = 16
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
IFLA_MTU = 4
IFLA_MASTER = 10
IFF_UP = 1


class TapError(Exception):
    pass


def open_tap(spec):
    name, _, join = spec.partition(":")
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    ifr = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
    try:
        fcntl.ioctl(fd, TUNSETIFF, ifr)
        fcntl.ioctl(fd, TUNSETPERSIST, 1)
    except OSError as e:
        raise TapError(f"cannot attach to TAP {name}: {e.strerror}") from e
    if join:
        master, _, mtu = join.partition(":")
        try:
            link_join(name, master, int(mtu) if mtu else 0)
        except (OSError, ValueError) as e:
            raise TapError(f"cannot join TAP {name} to {master}: {e}") from e
    return fd


def rtattr(kind, value):
    data = struct.pack("HH", 4 + len(value), kind) + value
    return data + b"\0" * (-len(data) % 4)


def link_join(name, master, mtu):
    """`ip link set NAME mtu MTU master MASTER up` as one RTM_NEWLINK; a TAP already in MASTER stays."""
    attrs = rtattr(IFLA_MASTER, struct.pack("I", socket.if_nametoindex(master)))
    if mtu:
        attrs += rtattr(IFLA_MTU, struct.pack("I", mtu))
    # struct ifinfomsg: family, pad, type, index, flags, change
    body = struct.pack("BxHiII", socket.AF_UNSPEC, 0, socket.if_nametoindex(name), IFF_UP, IFF_UP) + attrs
    msg = struct.pack("IHHII", 16 + len(body), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as nl:
        nl.sendall(msg)
        reply = nl.recv(65536)
    _, kind, _, _, _ = struct.unpack_from("IHHII", reply)
    if kind != NLMSG_ERROR:
        raise OSError(f"unexpected netlink reply type {kind}")
    (err,) = struct.unpack_from("i", reply, 16)
    if err:
        raise OSError(-err, os.strerror(-err))
