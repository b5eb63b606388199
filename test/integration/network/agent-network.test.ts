// qvmd with real namespaces, nftables and dnsmasq: DHCP reservations, NAT, isolation, in-place
// changes, crash + restart, hostile requests. Every object is checked gone by the leak check.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { run } from "../../../agent/src/util/exec";
import { AgentError, type NetworkSpec } from "@pulumi-qemu/api";
import { loadQvmd } from "@pulumi-qemu/api";
import { TestAgent } from "../../helpers/agent";
import { Guest, OutsideHost } from "../../helpers/hosts";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const specA = (
  reservations: NetworkSpec["dhcp"] extends infer D
    ? D extends { reservations?: infer R }
      ? R
      : never
    : never,
): NetworkSpec => ({
  id: "qxa",
  cidr: "10.231.0.0/24",
  nat: true,
  dhcp: { enabled: true, reservations },
  owner: "test-a",
});

async function dnsmasqPid(agent: TestAgent, id: string): Promise<string> {
  return fs.readFileSync(`${agent.runDir}/qvm-${id}-dnsmasq.pid`, "utf8").trim();
}

describe("qvmd networks (real kernel)", function () {
  this.timeout(120000);
  const agent = new TestAgent();
  const outside = new OutsideHost();
  const g1 = new Guest("qvxg1", "52:54:00:aa:00:01");
  const g2 = new Guest("qvxg2", "52:54:00:aa:00:02");
  const gb = new Guest("qvxgb", "52:54:00:bb:00:01");

  before(async () => {
    await agent.start();
    await outside.start();
  });
  after(async () => {
    for (const g of [g1, g2, gb]) await g.destroy();
    await outside.stop();
    await agent.stop();
  });

  it("serves the reserved address by DHCP; the guest reaches the gateway and, masqueraded, the outside", async () => {
    const n = await agent.client!.applyNetwork(specA([{ mac: g1.mac, ip: "10.231.0.50", hostname: "web" }]));
    assert.equal(n.namespace, "qvm-qxa");
    assert.equal(n.spec!.gateway, "10.231.0.1");
    await g1.plug(n.namespace, n.bridge);
    const lease = await g1.dhcp();
    assert.equal(lease.ip, "10.231.0.50");
    assert.equal(lease.router, "10.231.0.1");
    assert.equal(lease.dns, "10.231.0.1", "only the gateway is advertised as DNS server");
    assert.ok(await g1.ping("10.231.0.1"), "guest reaches the gateway");
    assert.equal(
      await outside.seenFrom(g1.name),
      outside.hostSide,
      "outside host sees the masqueraded source",
    );
  });

  it("a guest without reservation gets an address from the pool", async () => {
    await g2.plug("qvm-qxa", "qvmqxab");
    const lease = await g2.dhcp();
    const last = Number(lease.ip.split(".")[3]);
    assert.ok(lease.ip.startsWith("10.231.0.") && last >= 2 && last <= 253 && last !== 50, lease.ip);
  });

  it("two networks cannot reach each other", async () => {
    const b = await agent.client!.applyNetwork({
      id: "qxb",
      cidr: "10.232.0.0/24",
      nat: true,
      dhcp: { enabled: true },
      owner: "test-b",
    });
    await gb.plug(b.namespace, b.bridge);
    const lease = await gb.dhcp();
    assert.ok(await gb.ping("10.232.0.1"), "guest B reaches its own gateway");
    assert.ok(!(await gb.ping("10.231.0.50")), "guest B must not reach guest A");
    assert.ok(!(await g1.ping(lease.ip)), "guest A must not reach guest B");
    assert.ok(!(await gb.ping("10.231.0.1")), "guest B must not reach network A's gateway");
    await agent.client!.deleteNetwork("qxb");
  });

  it("a new network replaces a table of its name left behind, whatever it held, and fences its new namespace", async () => {
    // A new network's table is made by a script that only adds (util/nft.ts); this leftover makes
    // that fail, and the replacing script runs instead.
    await run("nft", ["-f", "-"], { input: "table inet qvm_qxl {\n  chain leftover {\n  }\n}\n" });
    try {
      await agent.client!.applyNetwork({ id: "qxl", cidr: "10.230.7.0/24", nat: true });
      const table = (await run("nft", ["list", "table", "inet", "qvm_qxl"])).stdout;
      assert.ok(!table.includes("leftover"), table);
      assert.match(table, /masquerade/);
      const fence = await run("ip", [
        "netns",
        "exec",
        "qvm-qxl",
        "nft",
        "list",
        "table",
        "bridge",
        "qvm_fence",
      ]);
      assert.match(fence.stdout, /iifname "qvt\*" drop/);
      assert.deepEqual((await agent.client!.getNetwork("qxl")).drift, []);
    } finally {
      await agent.client!.deleteNetwork("qxl");
    }
  });

  it("an isolated network has no egress at all, and isolation changes in place", async () => {
    const gi = new Guest("qvxgi", "52:54:00:cc:00:01");
    try {
      const n = await agent.client!.applyNetwork({
        id: "qxi",
        cidr: "10.237.0.0/24",
        nat: true,
        isolated: true,
        dhcp: { enabled: true },
      });
      await gi.plug(n.namespace, n.bridge);
      await gi.dhcp();
      assert.ok(await gi.ping("10.237.0.1"), "the gateway answers");
      assert.equal(await outside.seenFrom(gi.name), undefined, "nothing leaves an isolated network");
      await agent.client!.applyNetwork({
        id: "qxi",
        cidr: "10.237.0.0/24",
        nat: true,
        isolated: false,
        dhcp: { enabled: true },
      });
      assert.equal(await outside.seenFrom(gi.name), outside.hostSide, "egress once isolation is lifted");
    } finally {
      await gi.destroy();
      await agent.client!.deleteNetwork("qxi");
    }
  });

  it("changes reservations in place: the DHCP server is reloaded, not restarted, and serves the new lease", async () => {
    const pid = await dnsmasqPid(agent, "qxa");
    await agent.client!.applyNetwork(specA([{ mac: g1.mac, ip: "10.231.0.60" }]));
    assert.equal(await dnsmasqPid(agent, "qxa"), pid, "dnsmasq kept running");
    // The old lease for this MAC is at .50; the client asks again and must now get .60.
    await g1.exec("ip", "addr", "flush", "dev", "qvxg1g");
    const lease = await g1.dhcp();
    assert.equal(lease.ip, "10.231.0.60");
  });

  it("survives a crash of qvmd: the network keeps working, leases are kept, the restarted agent reports it", async () => {
    const pid = await dnsmasqPid(agent, "qxa");
    await agent.kill("SIGKILL");
    assert.ok(await g1.ping("10.231.0.1"), "network works while qvmd is down");
    await agent.start();
    assert.equal(await dnsmasqPid(agent, "qxa"), pid, "restart did not restart the DHCP server");
    const got = await agent.client!.getNetwork("qxa");
    assert.deepEqual(got.drift, []);
    const leases = fs.readFileSync(`${agent.stateDir}/networks/qxa/leases`, "utf8");
    assert.match(leases, /10\.231\.0\.60/);
    assert.equal(await outside.seenFrom(g1.name), outside.hostSide);
  });

  it("re-asserts a network whose objects were removed behind its back", async () => {
    await run("nft", ["delete", "table", "inet", "qvm_qxa"]);
    const drifted = await agent.client!.getNetwork("qxa");
    assert.ok(
      drifted.drift.some((d) => d.includes("nft table")),
      drifted.drift.join(","),
    );
    await agent.kill("SIGKILL");
    await agent.start();
    assert.deepEqual((await agent.client!.getNetwork("qxa")).drift, []);
  });

  it("rejects bad specs with the property and reason, changing nothing", async () => {
    const cases: Array<[NetworkSpec, string, RegExp]> = [
      [{ id: "qxc", cidr: "10.233.0.0/33" }, "cidr", /invalid CIDR/],
      [{ id: "qxc", cidr: "8.8.8.0/24" }, "cidr", /not inside a private range/],
      [{ id: "qxc", cidr: "10.231.0.0/16" }, "cidr", /overlaps network qxa/],
      [{ id: "qxc", cidr: "10.233.0.0/24", gateway: "10.9.9.9" }, "gateway", /not a host address/],
      [
        {
          id: "qxc",
          cidr: "10.233.0.0/24",
          dhcp: { enabled: true, reservations: [{ mac: "52:54:00:00:00:01", ip: "10.234.0.5" }] },
        },
        "dhcp.reservations[0].ip",
        /not a host address/,
      ],
      [
        {
          id: "qxc",
          cidr: "10.233.0.0/24",
          dhcp: {
            enabled: true,
            reservations: [
              { mac: "52:54:00:00:00:01", ip: "10.233.0.5" },
              { mac: "52:54:00:00:00:01", ip: "10.233.0.6" },
            ],
          },
        },
        "dhcp.reservations[1].mac",
        /already reserved/,
      ],
      [{ id: "much-too-long", cidr: "10.233.0.0/24" }, "id", /must match/],
    ];
    for (const [spec, property, reason] of cases) {
      const e = await agent.client!.applyNetwork(spec).then(
        () => undefined,
        (x: unknown) => x,
      );
      assert.ok(e instanceof AgentError, `expected an error for ${JSON.stringify(spec)}`);
      assert.equal(e.grpcCode, grpc.status.INVALID_ARGUMENT);
      assert.equal(e.property, property);
      assert.match(e.message, reason);
    }
    assert.deepEqual(
      (await agent.client!.listNetworks()).networks.map((n) => n.spec!.id),
      ["qxa"],
    );
  });

  it("rejects a network overlapping a host route, naming the route", async () => {
    // A veth with an address stands for any host interface (the dummy driver may be absent).
    await run("ip", ["link", "add", "qvxdummy", "type", "veth", "peer", "name", "qvxdummyp"]);
    try {
      await run("ip", ["addr", "add", "10.235.1.1/24", "dev", "qvxdummy"]);
      await run("ip", ["link", "set", "qvxdummyp", "up"]);
      await run("ip", ["link", "set", "qvxdummy", "up"]);
      const { violations } = await agent.client!.checkNetwork({ id: "qxd", cidr: "10.235.0.0/16" });
      assert.equal(violations[0]?.property, "cidr");
      assert.match(violations[0]!.reason, /host route "10\.235\.1\.0\/24 dev qvxdummy"/);
    } finally {
      await run("ip", ["link", "delete", "qvxdummy"]);
    }
  });

  it("answers a malformed request sent straight to the socket with INVALID_ARGUMENT and changes nothing", async () => {
    const { qvmd } = loadQvmd();
    const raw = new qvmd.v1.Qvmd(`unix://${agent.socket}`, grpc.credentials.createInsecure());
    const call = (method: "ApplyNetwork" | "DeleteNetwork", req: object) =>
      new Promise<grpc.ServiceError | null>((resolve) =>
        (raw[method] as (r: object, cb: (e: grpc.ServiceError | null) => void) => void)(req, (e) =>
          resolve(e),
        ),
      );
    const before = fs.readFileSync(`${agent.stateDir}/state.json`, "utf8");
    for (const [method, req] of [
      ["ApplyNetwork", {}],
      ["ApplyNetwork", { spec: { id: "../../etc", cidr: "10.236.0.0/24" } }],
      ["ApplyNetwork", { spec: { id: "qxe", cidr: "x".repeat(100) } }],
      [
        "ApplyNetwork",
        {
          spec: {
            id: "qxe",
            cidr: "10.236.0.0/24",
            dhcp: { enabled: true, reservations: [{ mac: "zz", ip: "1" }] },
          },
        },
      ],
      ["DeleteNetwork", { id: "../../../etc/passwd" }],
      ["DeleteNetwork", { id: "__proto__" }],
    ] as const) {
      const e = await call(method, req);
      assert.equal(e?.code, grpc.status.INVALID_ARGUMENT, `${method} ${JSON.stringify(req)} -> ${e?.code}`);
    }
    raw.close();
    assert.equal(fs.readFileSync(`${agent.stateDir}/state.json`, "utf8"), before);
    const netns = await run("ip", ["netns", "list"]);
    assert.ok(!netns.stdout.includes("qvm-qxe"));
  });

  it("deletes the network and everything of it; deleting again succeeds", async () => {
    assert.equal((await agent.client!.deleteNetwork("qxa")).existed, true);
    assert.equal((await agent.client!.deleteNetwork("qxa")).existed, false);
    const e = await agent.client!.getNetwork("qxa").then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.ok(e instanceof AgentError && e.grpcCode === grpc.status.NOT_FOUND);
  });
});
