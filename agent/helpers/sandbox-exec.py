#!/usr/bin/env python3
"""Starts a program (QEMU, qemu-img) as an unprivileged user, handing it what only root can open.

qvmd runs this as root, inside the right network namespace (`ip netns exec`). It opens each TAP
named with --tap (/dev/net/tun is root-only on many hosts), making it, persistent, when it does not
exist (the TAP outlives the program, as one `ip tuntap add` made), and with NAME:MASTER[:MTU] sets
its MTU, joins it to the bridge MASTER and sets it up (one netlink request: what `ip link set`
does, without an `ip` exec per start on the way to the VM's start); it binds each unix socket named with
--listen (in a root-only directory: the program needs no write access there, and root never
connects through a path the program could replace), opens each file named with --read read-only
(never through a link: e.g. a saved VM state), then drops to --uid/--gid with only the
supplementary --groups, sets no_new_privs and executes the program. The descriptors land on fixed
numbers, in order: the TAPs from 3, then the sockets, then the files, so that the program's argv
(or a later QMP command) can name them.

With --daemon SECONDS the program runs detached (its own session, not our child once we exit) and
we wait until it answers a command on the first --listen socket, its QMP server (QEMU is up);
then we print its pid and exit 0. QEMU's own -daemonize cannot be used: its seccomp filter with
spawn=deny forbids the fork it needs. If the program exits first, or SECONDS pass (it is then
killed), we print what it wrote to stderr and exit 1.

With --wait-go we open and start nothing until the line "go" arrives on stdin: qvmd starts us
while it still prepares what the program needs (its disk, seed, TAPs), so that our own start (the
namespace switch, the interpreter) overlaps that work. When stdin ends without it (qvmd gave up,
or died), we exit 125 having done nothing.

usage: sandbox-exec.py --uid N --gid N [--groups G,G] [--tap NAME[:MASTER[:MTU]]]... [--listen PATH]...
                       [--read PATH]... [--daemon SECONDS] [--wait-go] -- ARGV...
Exit status 126 with a message on stderr when anything fails before the program runs.
"""
import ctypes
import fcntl
import json
import os
import select
import signal
import socket
import stat
import sys
import time

# Beside us in the package's directory, which holds what the package installed and nothing else.
sys.dont_write_bytecode = True
from taplink import TapError, open_tap  # noqa: E402

PR_SET_NO_NEW_PRIVS = 38
FIRST_FD = 3
SCRATCH_FD = 100
STDERR_KEEP = 16384


def fail(message):
    sys.stderr.write(f"sandbox-exec: {message}\n")
    sys.exit(126)


def parse(argv):
    opts = {"uid": None, "gid": None, "groups": [], "taps": [], "listen": [], "read": [], "daemon": None}
    opts["wait_go"] = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return opts, argv[i + 1 :]
        if a == "--wait-go":
            opts["wait_go"] = True
            i += 1
            continue
        if i + 1 >= len(argv):
            fail(f"{a} needs a value")
        v = argv[i + 1]
        if a in ("--uid", "--gid"):
            opts[a[2:]] = int(v)
        elif a == "--groups":
            opts["groups"] = [int(g) for g in v.split(",") if g != ""]
        elif a == "--tap":
            opts["taps"].append(v)
        elif a == "--listen":
            opts["listen"].append(v)
        elif a == "--read":
            opts["read"].append(v)
        elif a == "--daemon":
            opts["daemon"] = float(v)
        else:
            fail(f"unknown option {a}")
        i += 2
    fail("missing -- before the program")


def listen_unix(path):
    parent = os.lstat(os.path.dirname(path))
    # Root's alone, or the program could swap the socket for a link to something else of root's.
    if parent.st_uid != 0 or parent.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        fail(f"{os.path.dirname(path)} must be owned by root and writable by root only")
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            fail(f"{path} exists and is not a socket")
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        s.bind(path)
    finally:
        os.umask(old)
    s.listen(8)
    return s.detach()


def open_read(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as e:
        fail(f"cannot open {path}: {e.strerror}")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        fail(f"{path} is not a regular file")
    return fd


def place(fds):
    """Moves the descriptors to FIRST_FD, FIRST_FD+1, ... without clobbering one another."""
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, SCRATCH_FD) for fd in fds]
    for fd in fds:
        os.close(fd)
    for n, fd in enumerate(moved):
        os.dup2(fd, FIRST_FD + n, inheritable=True)
        os.close(fd)


def drop(uid, gid, groups):
    if uid == 0 or gid == 0:
        fail("refusing to run the program as root")
    os.setgroups(groups)
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
        fail("could not drop privileges")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        fail(f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}")


def become(opts, program, fds):
    place(fds)
    drop(opts["uid"], opts["gid"], opts["groups"])
    try:
        os.execvp(program[0], program)
    except OSError as e:
        fail(f"cannot run {program[0]}: {e.strerror}")


def daemon(opts, program, fds, seconds):
    if not opts["listen"]:
        fail("--daemon needs a --listen socket to wait on")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.setsid()
        os.chdir("/")
        null = os.open("/dev/null", os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(w, 1)
        os.dup2(w, 2)
        # Once we are gone its writes fail with EPIPE and are lost, as -daemonize does with /dev/null.
        become(opts, program, fds)
    os.close(w)
    for fd in fds:
        os.close(fd)
    stderr = Collector(r)
    deadline = time.monotonic() + seconds

    def failed(message, status=None):
        if status is None:
            # Whatever it was doing, it is not running for the caller: make sure of that.
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        stderr.drain()
        code = os.waitstatus_to_exitcode(status)
        give_up(stderr.text, f"{program[0]} (exit {code}): {message}")

    try:
        if ready_over_qmp(opts["listen"][0], pid, deadline, stderr):
            sys.stderr.write(stderr.text.decode(errors="replace"))
            sys.stdout.write(f"{pid}\n")
            return 0
        failed(f"not ready within {seconds:g} s")
    except Exited as e:
        failed("exited before it was ready", e.status)
    except (OSError, ValueError) as e:
        failed(f"its QMP socket failed before it was ready ({e})")


class Exited(Exception):
    def __init__(self, status):
        super().__init__()
        self.status = status


class Collector:
    """What the program writes to stderr while it starts (the tail of it)."""

    def __init__(self, fd):
        self.fd = fd
        self.text = b""

    def read(self):
        chunk = os.read(self.fd, 4096)
        self.text = (self.text + chunk)[-STDERR_KEEP:]
        return chunk

    def drain(self):
        while select.select([self.fd], [], [], 0.2)[0] and self.read():
            pass


def exited(pid):
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        raise Exited(status)


def ready_over_qmp(path, pid, deadline, stderr):
    """
    True once QMP answers a command. The greeting alone proves little: QMP's socket is served from
    its own thread before the machine exists, so an image or kernel that fails to load comes after
    it. A command's answer comes from the main loop, which runs only once the machine is built.
    """
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    buf = b""
    try:
        while time.monotonic() < deadline:
            exited(pid)
            ready, _, _ = select.select([stderr.fd, conn], [], [], 0.05)
            if stderr.fd in ready:
                stderr.read()
            if conn not in ready:
                continue
            try:
                chunk = conn.recv(4096)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                # Closed: the program is exiting; give it a moment to be reaped with its status.
                for _ in range(40):
                    exited(pid)
                    time.sleep(0.05)
                raise OSError("closed")
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                msg = json.loads(line) if line.strip() else {}
                if "QMP" in msg:
                    conn.sendall(b'{"execute":"qmp_capabilities","id":1}\n{"execute":"query-status","id":2}\n')
                elif msg.get("id") == 2:
                    if "return" in msg:
                        return True
                    raise OSError(f"query-status: {msg.get('error')}")
        return False
    finally:
        conn.close()


def give_up(err, message):
    sys.stderr.write(err.decode(errors="replace"))
    sys.stderr.write(f"sandbox-exec: {message}\n")
    sys.exit(1)


def main():
    opts, program = parse(sys.argv[1:])
    if not program or opts["uid"] is None or opts["gid"] is None:
        fail(__doc__)
    if opts["wait_go"] and sys.stdin.buffer.readline() != b"go\n":
        sys.stderr.write("sandbox-exec: not started (no go on stdin)\n")
        return 125
    try:
        fds = [open_tap(t) for t in opts["taps"]]
    except TapError as e:
        fail(str(e))
    fds += [listen_unix(p) for p in opts["listen"]]
    fds += [open_read(p) for p in opts["read"]]
    if opts["daemon"] is not None:
        return daemon(opts, program, fds, opts["daemon"])
    become(opts, program, fds)


if __name__ == "__main__":
    sys.exit(main())
