// libvirt as the peer, same machine, same run: (1) a NAT network created and deleted through
// libvirt's API (`virsh net-create` of an XML, through one persistent connection) vs our Network
// through qvmd's API; (2) a VM from the same tiny guest image, create -> IP known: libvirt the way
// terraform-provider-libvirt does it (overlay volume, cloud-init ISO volume, define + start, lease
// polling with the provider's backoff) vs our Instance with waitForIp. Under TCG. Prints ms and
// ratios (ours / libvirt); asserts nothing.
// Usage: tsx bench/libvirt/run.ts [N networks] [M VMs]   (root; `make bench-setup` installs libvirt)
// LIBVIRTBENCH_TRACE=1: qvmd runs with bench/profile/tracer.ts and the report ends with where our
// network creates and deletes spent their time, under the same conditions as libvirt's.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { renderMetaData, renderUserData } from "../../agent/src/qemu/seed-render";
import { guestDir } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";
import { mean, median, record, since, timed } from "../lib/results";
import { tracedAgent, printTrees } from "../profile/traced";
import { Libvirtd } from "./daemon";

const N = Number(process.argv[2] ?? 10);
const M = Number(process.argv[3] ?? 3);
const POOL = "qvx-lvpool";
const VMNET = "qvx-lvnet";

interface PeerAnswer {
  ok: boolean;
  error?: string;
  ms?: number;
  phases?: Record<string, number>;
  ip?: string | null;
  polls?: number;
  found_wall?: number;
}

/** The python3-libvirt side (peer.py): one request, one answer, in order. */
class Peer {
  private readonly proc;
  private readonly lines: AsyncIterator<string>;
  constructor(uri: string) {
    // Debian's python3: python3-libvirt is installed for it, whatever python3 is first on PATH.
    this.proc = spawn("/usr/bin/python3", [path.join(__dirname, "peer.py"), uri], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.proc.stdin.on("error", () => undefined); // a dead peer shows up as `done` below
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  async call(op: string, args: Record<string, unknown> = {}): Promise<PeerAnswer> {
    this.proc.stdin.write(JSON.stringify({ op, ...args }) + "\n");
    const l = await this.lines.next();
    if (l.done) throw new Error(`libvirt peer exited during ${op}`);
    const a = JSON.parse(l.value) as PeerAnswer;
    if (!a.ok) throw new Error(`libvirt ${op}: ${a.error}`);
    return a;
  }
  close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    const gone = new Promise((r) => this.proc.once("exit", r));
    this.proc.stdin.end();
    return gone.then(() => undefined);
  }
}

const netXml = (name: string, bridge: string, net: string, dhcp: boolean) =>
  `<network><name>${name}</name><forward mode='nat'/><bridge name='${bridge}'/><dns enable='no'/>` +
  `<ip address='${net}.1' netmask='255.255.255.0'>` +
  (dhcp ? `<dhcp><range start='${net}.2' end='${net}.253'/></dhcp>` : "") +
  `</ip></network>`;

function domainXml(name: string, pool: string, mac: string, memMb: number): string {
  return `<domain type='qemu'><name>${name}</name><memory unit='MiB'>${memMb}</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type><kernel>${pool}/vmlinuz</kernel>
    <initrd>${pool}/initrd.img</initrd><cmdline>console=ttyS0</cmdline></os>
  <features><acpi/></features><cpu mode='maximum' check='none'/>
  <devices>
    <controller type='usb' model='none'/><memballoon model='none'/>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
      <source file='${pool}/${name}.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='${pool}/${name}-seed.iso'/><target dev='vdb' bus='virtio'/><readonly/></disk>
    <interface type='network'><source network='${VMNET}'/><mac address='${mac}'/>
      <model type='virtio'/><rom enabled='no'/></interface>
    <serial type='file'><source path='${pool}/${name}.serial'/><target port='0'/></serial>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices></domain>`;
}

async function main(): Promise<void> {
  const g = await guestDir("x86_64");
  const traced = process.env.LIBVIRTBENCH_TRACE ? tracedAgent() : undefined;
  const agent = traced?.agent ?? new TestAgent();
  const lv = new Libvirtd();
  const c = await agent.start();
  let peer: Peer | undefined;
  const res = {
    lvCreate: [] as number[],
    lvDelete: [] as number[],
    lvCreateDhcp: [] as number[],
    lvDeleteDhcp: [] as number[],
    ourCreate: [] as number[],
    ourDelete: [] as number[],
    ourCreateDhcp: [] as number[],
    ourDeleteDhcp: [] as number[],
    lvVm: [] as number[],
    ourVm: [] as number[],
    lvPhases: [] as Record<string, number>[],
    lvPolls: [] as number[],
    lvLeaseLag: [] as number[],
    ourLeaseLag: [] as number[],
  };
  try {
    await lv.start();
    peer = new Peer(lv.uri);
    for (const f of ["vmlinuz", "initrd.img", "disk.qcow2"])
      fs.copyFileSync(path.join(g, f), path.join(lv.pool, f));
    await peer.call("pool_create", {
      xml: `<pool type='dir'><name>${POOL}</name><target><path>${lv.pool}</path></target></pool>`,
    });

    // Networks: libvirt and ours alternate, so drift on the shared machine hits both alike.
    for (const dhcp of [false, true]) {
      const warm = netXml("qvx-lnw", "qvxlbw", "10.219.0", dhcp);
      await peer.call("net_create", { xml: warm });
      await peer.call("net_destroy", { name: "qvx-lnw" });
      await c.applyNetwork({ id: "qlw", cidr: "10.219.1.0/24", nat: true, dhcp: { enabled: dhcp } });
      await c.deleteNetwork("qlw");
      const id = dhcp ? "qh" : "ql"; // told apart in a trace (LIBVIRTBENCH_TRACE)
      const [lc, ld, oc, od] = dhcp
        ? [res.lvCreateDhcp, res.lvDeleteDhcp, res.ourCreateDhcp, res.ourDeleteDhcp]
        : [res.lvCreate, res.lvDelete, res.ourCreate, res.ourDelete];
      for (let i = 0; i < N; i++) {
        lc.push(
          (await peer.call("net_create", { xml: netXml(`qvx-ln${i}`, `qvxlb${i}`, `10.220.${i}`, dhcp) }))
            .ms!,
        );
        await timed(oc, () =>
          c.applyNetwork({ id: `${id}${i}`, cidr: `10.221.${i}.0/24`, nat: true, dhcp: { enabled: dhcp } }),
        );
      }
      for (let i = 0; i < N; i++) {
        ld.push((await peer.call("net_destroy", { name: `qvx-ln${i}` })).ms!);
        await timed(od, () => c.deleteNetwork(`${id}${i}`));
      }
    }

    // VMs: create -> IP known.
    await peer.call("net_create", { xml: netXml(VMNET, "qvxlbvm", "10.222.0", true) });
    await c.applyNetwork({ id: "qlvm", cidr: "10.223.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyImage({
      id: "img",
      source: `file://${g}/disk.qcow2`,
      kernel: `file://${g}/vmlinuz`,
      initrd: `file://${g}/initrd.img`,
      cmdline: "console=ttyS0",
    });
    const leases = path.join(agent.stateDir, "networks", "qlvm", "leases");
    for (let i = -1; i < M; i++) {
      const name = `qvx-lv${i < 0 ? "w" : i}`;
      const mac = `52:54:00:49:00:${(16 + i + 1).toString(16)}`;
      const ourMac = `52:54:00:4a:00:${(16 + i + 1).toString(16)}`;
      const ourId = `qlv${i < 0 ? "w" : i}`;
      // libvirt, as terraform-provider-libvirt drives it.
      const a = await peer.call("vm_create", {
        pool: POOL,
        volume_xml:
          `<volume><name>${name}.qcow2</name><capacity unit='G'>1</capacity><target><format type='qcow2'/></target>` +
          `<backingStore><path>${lv.pool}/disk.qcow2</path><format type='qcow2'/></backingStore></volume>`,
        seed_name: `${name}-seed.iso`,
        seed: {
          "meta-data": renderMetaData({ instanceId: name, hostname: name }),
          "user-data": renderUserData({ hostname: name }),
        },
        domain_xml: domainXml(name, lv.pool, mac, 256),
        mac,
        timeout: 180,
      });
      if (!a.ip) throw new Error(`libvirt VM ${name} got no address within 180 s`);
      const status = `/var/lib/libvirt/dnsmasq/qvxlbvm.status`;
      const leaseAt = fs.existsSync(status) ? fs.statSync(status).mtimeMs : NaN;
      await peer.call("vm_delete", { name, pool: POOL, volumes: [`${name}.qcow2`, `${name}-seed.iso`] });
      // Ours.
      const t = process.hrtime.bigint();
      const v = await c.applyInstance({
        id: ourId,
        image_id: "img",
        memory_mb: 256,
        nics: [{ network_id: "qlvm", mac: ourMac }],
        running: true,
        wait_for_ip_seconds: 180,
      });
      const ourMs = since(t);
      const knownAt = Date.now();
      if (!v.nics[0]?.ip) throw new Error(`our instance ${ourId} got no address`);
      const ourLeaseAt = fs.statSync(leases).mtimeMs;
      await c.deleteInstance(ourId);
      if (i < 0) continue; // warm-up: accelerator probe, page cache
      res.lvVm.push(a.ms!);
      res.lvPhases.push(a.phases!);
      res.lvPolls.push(a.polls!);
      res.lvLeaseLag.push(a.found_wall! * 1000 - leaseAt);
      res.ourVm.push(ourMs);
      res.ourLeaseLag.push(knownAt - ourLeaseAt);
    }
  } finally {
    try {
      if (peer) {
        for (const n of [VMNET]) await peer.call("net_destroy", { name: n }).catch(() => undefined);
        await peer.call("pool_destroy", { name: POOL }).catch(() => undefined);
        await peer.close();
      }
    } finally {
      await lv.stop().catch((e: unknown) => console.error("libvirtd stop:", e));
      await agent.stop();
    }
  }
  if (traced)
    printTrees(traced.traceFile, [
      ["ours: network create (NAT, no DHCP)", "Networks.apply", /^ql\d+$/],
      ["ours: network delete (NAT, no DHCP)", "Networks.delete", /^ql\d+$/],
      ["ours: network create (NAT + DHCP)", "Networks.apply", /^qh\d+$/],
      ["ours: network delete (NAT + DHCP)", "Networks.delete", /^qh\d+$/],
    ]);

  const rows: Array<[string, number[], number[]]> = [
    ["network create (NAT, no DHCP)", res.ourCreate, res.lvCreate],
    ["network delete (NAT, no DHCP)", res.ourDelete, res.lvDelete],
    ["network create (NAT + DHCP)", res.ourCreateDhcp, res.lvCreateDhcp],
    ["network delete (NAT + DHCP)", res.ourDeleteDhcp, res.lvDeleteDhcp],
    ["VM create -> IP known (TCG)", res.ourVm, res.lvVm],
  ];
  console.log(`libvirt 9.0 vs qvmd, ${N} networks, ${M} VMs (256 MiB, TCG), median ms`);
  console.log("figure".padEnd(32), "qvmd".padStart(9), "libvirt".padStart(9), "ratio".padStart(7));
  for (const [figure, ours, theirs] of rows) {
    const o = median(ours);
    const p = median(theirs);
    console.log(
      figure.padEnd(32),
      o.toFixed(1).padStart(9),
      p.toFixed(1).padStart(9),
      `${(o / p).toFixed(2)}x`.padStart(7),
      `  (spread qvmd ${Math.min(...ours).toFixed(0)}-${Math.max(...ours).toFixed(0)}, libvirt ${Math.min(...theirs).toFixed(0)}-${Math.max(...theirs).toFixed(0)})`,
    );
    record({
      figure,
      bench: "libvirt",
      ours: o,
      peer: p,
      peerName: "libvirt 9.0",
      unit: "ms",
      better: "lower",
      goal: "<= 1.0x",
      limit: 1.0,
    });
  }
  const phases = Object.keys(res.lvPhases[0] ?? {});
  console.log(
    `libvirt VM phases (mean ms): ${phases.map((k) => `${k} ${mean(res.lvPhases.map((p) => p[k]!)).toFixed(0)}`).join(", ")}; ` +
      `lease polls ${mean(res.lvPolls).toFixed(1)}`,
  );
  console.log(
    `lease written -> address known (median): qvmd ${median(res.ourLeaseLag).toFixed(0)} ms, ` +
      `libvirt with terraform's backoff ${median(res.lvLeaseLag).toFixed(0)} ms`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
