// DNS forwarders through qvmd: validation that names the property, one forwarder per network,
// in-place updates of records and upstreams, and answers only to the network's own addresses.
import * as assert from "node:assert/strict";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as dnsPacket from "dns-packet";
import { type DnsForwarderSpec } from "@pulumi-qemu/api";
import { TestAgent } from "../../helpers/agent";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";
import { a, type Fake, reply, startFake } from "./fakes";

useLeakCheck();

/** Asks the forwarder from `source` (it answers only sources inside the network). */
function query(server: string, source: string, name: string): Promise<dnsPacket.DecodedPacket | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket("udp4");
    const done = (p?: dnsPacket.DecodedPacket) => {
      clearTimeout(timer);
      sock.close();
      resolve(p);
    };
    const timer = setTimeout(() => done(undefined), 1500);
    sock.on("message", (m) => done(dnsPacket.decode(m)));
    sock.bind(0, source, () => {
      const q = dnsPacket.encode({
        type: "query",
        id: 4242,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: "A", name }],
      });
      sock.send(q, 53, server);
    });
  });
}
/** The forwarder processes (`qvmd-dns`) qvmd has started, by pid. */
function forwarderProcesses(qvmdPid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const argv = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      if (ppid === qvmdPid && argv.includes("qvmd-dns")) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const addrs = (p?: dnsPacket.DecodedPacket) =>
  (p?.answers ?? []).filter((x) => x.type === "A").map((x) => (x as { data: string }).data);

describe("qvmd DNS forwarders", function () {
  this.timeout(120000);
  const agent = new TestAgent();
  let upstream: Fake;
  const spec = (s: Partial<DnsForwarderSpec>): DnsForwarderSpec => ({
    id: "d1",
    network_id: "qd1",
    zone: "dev.internal",
    ...s,
  });
  const expectError = expectAgentError;

  before(async () => {
    upstream = await startFake("127.0.0.1", (q) => reply(q, { answers: a(q, "10.7.7.7") }));
    const c = await agent.start();
    await c.applyNetwork({ id: "qd1", cidr: "10.239.0.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyNetwork({ id: "qd2", cidr: "10.239.1.0/24", nat: true, dhcp: { enabled: true } });
  });
  after(async () => {
    await agent.stop();
    await upstream.close();
  });

  it("refuses bad forwarders, naming the property", async () => {
    const c = agent.client!;
    await expectError(c.applyDnsForwarder(spec({ network_id: "nonet" })), "UNKNOWN_NETWORK", "networkId");
    await expectError(
      c.applyDnsForwarder(spec({ upstreams: ["not-an-address"] })),
      "DNS_BAD_UPSTREAM",
      "upstreams[0]",
    );
    await expectError(c.applyDnsForwarder(spec({ zone: "bad..zone" })), "DNS_BAD_ZONE", "zone");
    await expectError(
      c.applyDnsForwarder(spec({ records: [{ name: "www.example.com", addresses: ["10.0.0.1"] }] })),
      "DNS_RECORD_OUTSIDE_ZONE",
      "records",
    );
  });

  it("answers its zone and forwards the rest, only to the network's own addresses", async () => {
    const d = await agent.client!.applyDnsForwarder(
      spec({ upstreams: [upstream.server], records: [{ name: "api", addresses: ["10.239.0.50"] }] }),
    );
    assert.equal(d.address, "10.239.0.1");
    assert.deepEqual(d.names, ["api.dev.internal"]);
    assert.deepEqual(addrs(await query("10.239.0.1", "10.239.0.1", "api.dev.internal")), ["10.239.0.50"]);
    assert.deepEqual(addrs(await query("10.239.0.1", "10.239.0.1", "example.org")), ["10.7.7.7"]);
    assert.equal(
      await query("10.239.0.1", "10.239.1.1", "api.dev.internal"),
      undefined,
      "another network's address gets nothing",
    );
  });

  it("refuses a second forwarder on the same network", async () => {
    await expectError(agent.client!.applyDnsForwarder(spec({ id: "d2" })), "DNS_NETWORK_TAKEN", "networkId");
  });

  it("changes records and upstreams in place", async () => {
    const other = await startFake("127.0.0.1", (q) => reply(q, { answers: a(q, "10.8.8.8") }));
    try {
      await agent.client!.applyDnsForwarder(
        spec({ upstreams: [other.server], records: [{ name: "api", addresses: ["10.239.0.51"] }] }),
      );
      assert.deepEqual(addrs(await query("10.239.0.1", "10.239.0.1", "api.dev.internal")), ["10.239.0.51"]);
      assert.deepEqual(addrs(await query("10.239.0.1", "10.239.0.1", "example.org")), ["10.8.8.8"]);
    } finally {
      await other.close();
    }
  });

  it("stops answering when deleted, and stops its process with the last one", async () => {
    const qvmd = agent.proc!.pid!;
    assert.equal(forwarderProcesses(qvmd).length, 1, "one forwarder process while a forwarder serves");
    assert.equal((await agent.client!.deleteDnsForwarder("d1")).existed, true);
    assert.equal(await query("10.239.0.1", "10.239.0.1", "api.dev.internal"), undefined);
    assert.equal((await agent.client!.deleteDnsForwarder("d1")).existed, false);
    assert.deepEqual(forwarderProcesses(qvmd), [], "no forwarder left: no idle process");
    // Started again on demand.
    await agent.client!.applyDnsForwarder(
      spec({ upstreams: [upstream.server], records: [{ name: "api", addresses: ["10.239.0.52"] }] }),
    );
    assert.equal(forwarderProcesses(qvmd).length, 1);
    assert.deepEqual(addrs(await query("10.239.0.1", "10.239.0.1", "api.dev.internal")), ["10.239.0.52"]);
    assert.equal((await agent.client!.deleteDnsForwarder("d1")).existed, true);
    assert.deepEqual(forwarderProcesses(qvmd), []);
  });
});
