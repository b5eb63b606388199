#!/usr/bin/env python3
"""Where a clone's QEMU CPU goes under TCG, without qvmd: the floor bench/warmstart's clones pay.

Boots the test guest once as a template does (the same machine: q35, 1 vCPU, the template's RAM in
a shared file, 4 PCIe root ports, vmgenid, virtio-rng, disk and seed), saves its device state with
x-ignore-shared, then restores clones as qvmd does (RAM a private mapping of that file, -incoming)
and hot-plugs a NIC on rp0. The NIC's backend is QEMU's user network (slirp answers DHCP), so no
kernel object is made. For each clone it prints QEMU's CPU (utime + stime, /proc) for: its start,
the restore, the guest's first second after it, hot-plug -> the lease on the console ("QVM-GUEST:
ip"), the same NIC unplugged and plugged again (the guest's code now translated), and TCG's own
counters (`info jit`: translation blocks made). Asserts nothing; the test guest from
scripts/guest/build.sh must be built (make up, or any integration test, builds it).

With --no-hook the template's guest stops its uevent hook before the save (runcmd `killall
uevent`): a plug then runs the kernel's part only (no shell, no DHCP client), measured over 2 s.

usage (root, under the host lock): python3 bench/warmstart/tcg-cost.py [--no-hook] [CLONES=3] [-- extra QEMU args]
"""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MEM_MB = 256


def guest_dir():
    cache = os.environ.get("QEMU_TOOLS_CACHE", os.path.expanduser("~/.cache/pulumi-qemu"))
    found = sorted(glob.glob(os.path.join(cache, "guest", "x86_64-*", ".complete")))
    if not found:
        sys.exit("tcg-cost: no test guest built (scripts/guest/build.sh x86_64)")
    return os.path.dirname(found[-1])


def cpu(pid):
    """utime + stime of a process, ms."""
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    x = s[s.rindex(")") + 2 :].split()
    return (int(x[11]) + int(x[12])) * 10


class Qmp:
    def __init__(self, path):
        for _ in range(1000):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.01)
        self.f = self.s.makefile("rw")
        self.f.readline()
        self.cmd("qmp_capabilities")

    def cmd(self, name, **args):
        self.f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "error" in r:
                raise RuntimeError(f"{name}: {r['error']}")
            if "return" in r:
                return r["return"]

    def tbs(self):
        jit = self.cmd("human-monitor-command", **{"command-line": "info jit"})
        return int(next(l for l in jit.splitlines() if l.startswith("TB count")).split()[2])


def qemu_argv(work, g, name, shared, extra):
    a = ["qemu-system-x86_64", "-name", name, "-machine", "q35", "-accel", "tcg", "-cpu", "max"]
    a += ["-smp", "1", "-m", f"{MEM_MB}M", "-no-user-config", "-nodefaults", "-display", "none"]
    a += ["-qmp", f"unix:{work}/{name}.qmp,server=on,wait=off", "-serial", f"file:{work}/{name}.serial"]
    a += ["-drive", f"file={work}/{name}.qcow2,format=qcow2,if=none,id=disk0"]
    a += ["-device", "virtio-blk-pci,drive=disk0,bootindex=1"]
    a += ["-drive", f"file={work}/seed.iso,format=raw,if=none,id=seed0,readonly=on"]
    a += ["-device", "virtio-blk-pci,drive=seed0"]
    with open(os.path.join(g, "cmdline")) as f:
        a += ["-kernel", f"{g}/vmlinuz", "-initrd", f"{g}/initrd.img", "-append", f.read().strip()]
    for i in range(4):
        a += ["-device", f"pcie-root-port,id=rp{i},chassis={i + 1},slot={i + 1}"]
    a += ["-device", "virtio-rng-pci", "-device", "vmgenid,guid=auto"]
    a += ["-object", f"memory-backend-file,id=ram0,size={MEM_MB}M,mem-path={work}/template.mem,share={shared}"]
    a += ["-machine", "memory-backend=ram0"]
    return a + extra


def console_count(work, name, text):
    try:
        with open(f"{work}/{name}.serial", errors="replace") as f:
            return f.read().count(text)
    except FileNotFoundError:
        return 0


def wait_console(work, name, text, count=1, seconds=120):
    end = time.time() + seconds
    while time.time() < end:
        if console_count(work, name, text) >= count:
            return True
        time.sleep(0.005)
    return False


def overlay(work, backing, name):
    subprocess.run(
        ["qemu-img", "create", "-q", "-f", "qcow2", "-b", backing, "-F", "qcow2", f"{work}/{name}.qcow2"],
        check=True,
    )


def plug(q, mac):
    q.cmd("device_add", driver="virtio-net-pci", netdev="net0", mac=mac, bus="rp0", id="nic0", romfile="")


def main():
    args = sys.argv[1:]
    extra = args[args.index("--") + 1 :] if "--" in args else []
    args = args[: args.index("--")] if "--" in args else args
    no_hook = "--no-hook" in args
    args = [a for a in args if a != "--no-hook"]
    clones = int(args[0]) if args else 3
    g = guest_dir()
    # Our prefix: a run killed half-way is found by the leak checks.
    work = tempfile.mkdtemp(prefix="qvx-tcgcost-")
    procs = []
    try:
        with open(f"{work}/user-data", "w") as f:
            f.write("#cloud-config\nhostname: tpl\n")
            if no_hook:
                f.write("runcmd:\n  - killall uevent\n")
        with open(f"{work}/meta-data", "w") as f:
            f.write("instance-id: tpl\n")
        seed = [f"{REPO}/scripts/guest/make-seed.sh", f"{work}/seed.iso", f"{work}/user-data", f"{work}/meta-data"]
        subprocess.run(seed, check=True, stdout=subprocess.DEVNULL)
        overlay(work, f"{g}/disk.qcow2", "template")
        p = subprocess.Popen(qemu_argv(work, g, "template", "on", extra))
        procs.append(p)
        q = Qmp(f"{work}/template.qmp")
        if not wait_console(work, "template", "Cloud-init v. qvm-guest finished"):
            sys.exit("tcg-cost: the template did not boot")
        time.sleep(1)
        print(f"template booted: QEMU CPU {cpu(p.pid)} ms, {q.tbs()} TBs")
        q.cmd("migrate-set-capabilities", capabilities=[{"capability": "x-ignore-shared", "state": True}])
        q.cmd("stop")
        q.cmd("migrate", uri=f"exec:cat > {work}/template.state")
        while q.cmd("query-migrate").get("status") != "completed":
            time.sleep(0.01)
        q.cmd("quit")
        p.wait()
        print("clone   start restore  idle1s  plug->lease  again (ms of QEMU CPU; TBs made)")
        for i in range(clones):
            name = f"clone{i}"
            overlay(work, f"{work}/template.qcow2", name)
            argv = qemu_argv(work, g, name, "off", extra) + ["-netdev", "user,id=net0", "-incoming", "defer"]
            p = subprocess.Popen(argv, stderr=subprocess.DEVNULL)
            procs.append(p)
            q = Qmp(f"{work}/{name}.qmp")
            c0 = cpu(p.pid)
            q.cmd("migrate-set-capabilities", capabilities=[{"capability": "x-ignore-shared", "state": True}])
            q.cmd("migrate-incoming", uri=f"exec:cat {work}/template.state")
            while q.cmd("query-migrate").get("status") != "completed":
                time.sleep(0.002)
            if not q.cmd("query-status")["running"]:
                q.cmd("cont")
            c1, t1 = cpu(p.pid), q.tbs()
            time.sleep(1)
            c2, t2 = cpu(p.pid), q.tbs()
            plug(q, f"52:54:00:7c:00:{i:02x}")
            ok = time.sleep(2) is None if no_hook else wait_console(work, name, "QVM-GUEST: ip ")
            c3, t3 = cpu(p.pid), q.tbs()
            q.cmd("device_del", id="nic0")
            time.sleep(3)  # the guest lets go of the NIC (ACPI) and its lease client stops
            c4 = cpu(p.pid)
            plug(q, f"52:54:00:7c:01:{i:02x}")
            again = time.sleep(2) is None if no_hook else wait_console(work, name, "QVM-GUEST: ip ", 2)
            c5, t5 = cpu(p.pid), q.tbs()
            print(
                f"{name}  {c0:5d} {c1 - c0:7d} {c2 - c1:4d} ({t2 - t1:5d})  {c3 - c2:4d} ({t3 - t2:5d})"
                f"  {c5 - c4:4d} ({t5 - t3:5d}){'' if ok and again else '  (no lease seen)'}",
                flush=True,
            )
            q.cmd("quit")
            p.wait()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
