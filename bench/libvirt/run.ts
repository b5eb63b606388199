// libvirt as the peer, same machine, same run: (1) a NAT network created and deleted through
// libvirt's API (`virsh net-create` of an XML, through one persistent connection) vs our Network
// through qvmd's API; (2) a VM from the same tiny guest image, create -> IP known: libvirt the way
// terraform-provider-libvirt does it (overlay volume, cloud-init ISO volume, define + start, lease
// polling with the provider's backoff) vs our Instance with waitForIp. Under TCG. Prints ms and
// ratios (ours / libvirt); asserts nothing.
// Usage: tsx bench/libvirt/run.ts [N networks] [M VMs]   (root; `make bench-setup` installs libvirt)
// LIBVIRTBENCH_TRACE=1: qvmd runs with bench/profile/tracer.ts and the report ends with where our
// network creates and deletes spent their time, under the same conditions as libvirt's.
// LIBVIRTBENCH_PREVIOUS=<another checkout of ours, built>: its qvmd makes and deletes the same
// networks too, taking turns with ours beside libvirt's, so two builds are compared in one run.
// M = 0: networks only.
import * as fs from "node:fs";
import * as path from "node:path";
import { renderMetaData, renderUserData } from "../../agent/src/qemu/seed-render";
import { guestDir, guestImage } from "../../test/helpers/guest";
import { TestAgent } from "../../test/helpers/agent";
import { mean, median, record, since, timed } from "../lib/results";
import { tracedAgent, printTrees } from "../profile/traced";
import { Libvirtd } from "./daemon";
import { Peer, VMNET, domainXml, netXml } from "./peer";

const N = Number(process.argv[2] ?? 10);
const M = Number(process.argv[3] ?? 3);
const POOL = "qvx-lvpool";

async function main(): Promise<void> {
  const g = await guestDir("x86_64");
  const traced = process.env.LIBVIRTBENCH_TRACE ? tracedAgent() : undefined;
  const agent = traced?.agent ?? new TestAgent();
  const lv = new Libvirtd();
  const c = await agent.start();
  const prevDir = process.env.LIBVIRTBENCH_PREVIOUS;
  const prevAgent = prevDir && new TestAgent({}, { main: path.join(prevDir, "agent", "dist", "main.js") });
  const pc = prevAgent ? await prevAgent.start() : undefined;
  /** [who, op, dhcp] -> ms: "libvirt", "ours", "previous" x "create", "delete" x "", "dhcp". */
  const nets = new Map<string, number[]>();
  const net = (who: string, op: string, dhcp: boolean) => {
    const k = `${who} ${op}${dhcp ? " dhcp" : ""}`;
    if (!nets.has(k)) nets.set(k, []);
    return nets.get(k)!;
  };
  let peer: Peer | undefined;
  const res = {
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

    // Networks: libvirt and ours alternate, so drift on the shared machine hits both alike; ours
    // and the previous build take turns going first.
    const ourSides = [["ours", c, "", 221] as const, ...(pc ? [["previous", pc, "p", 224] as const] : [])];
    for (const dhcp of [false, true]) {
      const warm = netXml("qvx-lnw", "qvxlbw", "10.219.0", dhcp);
      await peer.call("net_create", { xml: warm });
      await peer.call("net_destroy", { name: "qvx-lnw" });
      for (const [, cl, pre, b] of ourSides) {
        await cl.applyNetwork({
          id: `${pre}qlw`,
          cidr: `10.${b}.254.0/24`,
          nat: true,
          dhcp: { enabled: dhcp },
        });
        await cl.deleteNetwork(`${pre}qlw`);
      }
      const id = dhcp ? "qh" : "ql"; // told apart in a trace (LIBVIRTBENCH_TRACE)
      const turn = (i: number) => (i % 2 ? [...ourSides].reverse() : ourSides);
      for (let i = 0; i < N; i++) {
        const xml = netXml(`qvx-ln${i}`, `qvxlb${i}`, `10.220.${i}`, dhcp);
        net("libvirt", "create", dhcp).push((await peer.call("net_create", { xml })).ms!);
        for (const [who, cl, pre, b] of turn(i))
          await timed(net(who, "create", dhcp), () =>
            cl.applyNetwork({
              id: `${pre}${id}${i}`,
              cidr: `10.${b}.${i}.0/24`,
              nat: true,
              dhcp: { enabled: dhcp },
            }),
          );
      }
      for (let i = 0; i < N; i++) {
        net("libvirt", "delete", dhcp).push((await peer.call("net_destroy", { name: `qvx-ln${i}` })).ms!);
        for (const [who, cl, pre] of turn(i))
          await timed(net(who, "delete", dhcp), () => cl.deleteNetwork(`${pre}${id}${i}`));
      }
    }
    if (M > 0) {
      // VMs: create -> IP known.
      await peer.call("net_create", { xml: netXml(VMNET, "qvxlbvm", "10.222.0", true) });
      await c.applyNetwork({ id: "qlvm", cidr: "10.223.0.0/24", nat: true, dhcp: { enabled: true } });
      await c.applyImage(await guestImage("img"));
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
    }
  } finally {
    try {
      if (peer) {
        for (const n of [VMNET]) await peer.call("net_destroy", { name: n }).catch(() => undefined);
        await peer.call("pool_destroy", { name: POOL }).catch(() => undefined);
        await peer.close();
      }
    } finally {
      // Ours first: their FORWARD rules gone, libvirtd's stop finds the iptables-nft tables it
      // caused empty and removes them (daemon.ts).
      try {
        await agent.stop();
        if (prevAgent) await prevAgent.stop();
      } finally {
        await lv.stop().catch((e: unknown) => console.error("libvirtd stop:", e));
      }
    }
  }
  if (traced)
    printTrees(traced.traceFile, [
      ["ours: network create (NAT, no DHCP)", "Networks.apply", /^ql\d+$/],
      ["ours: network delete (NAT, no DHCP)", "Networks.delete", /^ql\d+$/],
      ["ours: network create (NAT + DHCP)", "Networks.apply", /^qh\d+$/],
      ["ours: network delete (NAT + DHCP)", "Networks.delete", /^qh\d+$/],
    ]);

  const rows: Array<[string, number[], number[], number[]?]> = [];
  for (const dhcp of [false, true])
    for (const op of ["create", "delete"])
      rows.push([
        `network ${op} (NAT${dhcp ? " + DHCP" : ", no DHCP"})`,
        net("ours", op, dhcp),
        net("libvirt", op, dhcp),
        pc && net("previous", op, dhcp),
      ]);
  if (M > 0) rows.push(["VM create -> IP known (TCG)", res.ourVm, res.lvVm]);
  console.log(`libvirt 9.0 vs qvmd, ${N} networks, ${M} VMs (256 MiB, TCG), median ms`);
  console.log("figure".padEnd(32), "qvmd".padStart(9), "libvirt".padStart(9), "ratio".padStart(7));
  const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;
  for (const [figure, ours, theirs, prev] of rows) {
    const o = median(ours);
    const p = median(theirs);
    console.log(
      figure.padEnd(32),
      o.toFixed(1).padStart(9),
      p.toFixed(1).padStart(9),
      `${(o / p).toFixed(2)}x`.padStart(7),
      `  (spread qvmd ${spread(ours)}, libvirt ${spread(theirs)})`,
    );
    if (prev)
      console.log(
        `  previous (${prevDir}) ${median(prev).toFixed(1)} ms, ${(median(prev) / p).toFixed(2)}x libvirt; ` +
          `qvmd / previous ${(o / median(prev)).toFixed(2)}x (spread ${spread(prev)})`,
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
  if (M === 0) return;
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
