#!/usr/bin/env python3
"""The libvirt side of bench/libvirt: one persistent API connection (python3-libvirt, libvirt's own
binding), driven by JSON lines on stdin, one JSON answer per line on stdout. Times are measured here,
around the libvirt calls only, so the peer pays no pipe round trip (ours pays its gRPC one).

What a VM create does follows terraform-provider-libvirt (libvirt_volume with a base volume,
libvirt_cloudinit_disk, libvirt_domain with wait_for_lease): overlay volume in a pool, a NoCloud
ISO built with genisoimage and uploaded as a volume, domain define + create, then polling
DomainInterfaceAddresses(source=lease) on the provider's schedule: StateChangeConf with Delay 200 ms,
MinTimeout 100 ms and the SDK's doubling backoff (200, 400, 800 ms ... capped at 10 s)."""
import json
import os
import subprocess
import sys
import tempfile
import time

import libvirt

conn = libvirt.open(sys.argv[1])
now = time.monotonic


def ms(t0):
    return (now() - t0) * 1000.0


def net_create(xml):
    t0 = now()
    conn.networkCreateXML(xml)
    return {"ms": ms(t0)}


def net_destroy(name):
    t0 = now()
    conn.networkLookupByName(name).destroy()
    return {"ms": ms(t0)}


def pool_create(xml):
    conn.storagePoolCreateXML(xml, 0)
    return {}


def pool_destroy(name):
    conn.storagePoolLookupByName(name).destroy()
    return {}


def seed_iso(files):
    d = tempfile.mkdtemp(prefix="qvx-lv-seed-")
    try:
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        iso = os.path.join(d, "seed.iso")
        subprocess.run(
            ["genisoimage", "-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock"]
            + [os.path.join(d, n) for n in files],
            check=True,
        )
        with open(iso, "rb") as f:
            return f.read()
    finally:
        subprocess.run(["rm", "-rf", d], check=True)


def vm_create(a):
    """Create -> IP known. Returns per-phase ms and the address."""
    phases = {}
    t0 = now()
    pool = conn.storagePoolLookupByName(a["pool"])
    t = now()
    pool.createXML(a["volume_xml"], 0)
    phases["volume"] = ms(t)
    t = now()
    data = seed_iso(a["seed"])
    vol = pool.createXML(
        "<volume><name>%s</name><capacity unit='B'>%d</capacity>"
        "<target><format type='raw'/></target></volume>" % (a["seed_name"], len(data)),
        0,
    )
    st = conn.newStream(0)
    vol.upload(st, 0, len(data), 0)
    st.send(data)
    st.finish()
    phases["seed"] = ms(t)
    t = now()
    dom = conn.defineXML(a["domain_xml"])
    try:
        dom.create()
    except Exception:
        dom.undefine()
        raise
    phases["define+start"] = ms(t)
    started = now()
    mac = a["mac"].lower()
    deadline = now() + a.get("timeout", 120)
    # terraform-plugin-sdk StateChangeConf: sleep(Delay), refresh, then wait doubling from 200 ms.
    time.sleep(0.2)
    wait = 0.1
    polls = 0
    ip = None
    while now() < deadline:
        polls += 1
        state, _ = dom.state()
        if state == libvirt.VIR_DOMAIN_RUNNING:
            ifaces = dom.interfaceAddresses(libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)
            for v in ifaces.values():
                if (v.get("hwaddr") or "").lower() == mac and v.get("addrs"):
                    ip = v["addrs"][0]["addr"]
            if ip:
                break
        wait = min(max(wait * 2, 0.1), 10.0)
        time.sleep(wait)
    phases["lease wait"] = ms(started)
    return {"ms": ms(t0), "phases": phases, "ip": ip, "polls": polls, "found_wall": time.time()}


def vm_delete(a):
    t0 = now()
    dom = conn.lookupByName(a["name"])
    if dom.isActive():
        dom.destroy()
    dom.undefine()
    pool = conn.storagePoolLookupByName(a["pool"])
    for v in a["volumes"]:
        pool.storageVolLookupByName(v).delete(0)
    return {"ms": ms(t0)}


def qemu_pid(name):
    with open("/run/libvirt/qemu/%s.pid" % name) as f:
        return {"pid": int(f.read().strip())}


OPS = {
    "net_create": lambda a: net_create(a["xml"]),
    "net_destroy": lambda a: net_destroy(a["name"]),
    "pool_create": lambda a: pool_create(a["xml"]),
    "pool_destroy": lambda a: pool_destroy(a["name"]),
    "vm_create": vm_create,
    "vm_delete": vm_delete,
    "qemu_pid": lambda a: qemu_pid(a["name"]),
}

for line in sys.stdin:
    req = json.loads(line)
    try:
        res = OPS[req["op"]](req)
        res["ok"] = True
    except Exception as e:  # the driver reports it and cleans up
        res = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write(json.dumps(res) + "\n")
    sys.stdout.flush()
