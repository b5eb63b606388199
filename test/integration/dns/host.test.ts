// The forwarder process (agent/src/dns/remote.ts + child.ts) on loopback: several forwarders in one
// unprivileged process on sockets this process bound, the same answers as in-process (through the
// batched UDP addon, or Node's dgram when told to), restarts
// after a crash with options and host tables intact, moves, closes. Asserts answers, never times.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { type ForwarderOptions, DnsError, ForwarderHost } from "../../../agent/src/dns";
import { useLeakCheck } from "../../helpers/leaks";
import { type Fake, addresses, ask, eventually, positive, startFake } from "./fakes";

useLeakCheck();

const uidOf = (pid: number) =>
  Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

describe("dns forwarder process", function () {
  this.timeout(60000);
  let up: Fake;
  let host: ForwarderHost;
  const opts = (zone: string, records: Record<string, string[]> = {}, port = 0): ForwarderOptions => ({
    listen: { address: "127.0.0.1", port },
    upstreams: { kind: "static", servers: [up.server] },
    allowedSources: ["127.0.0.0/8"],
    zone,
    records,
  });
  const a = async (port: number, name: string) => {
    const r = await ask(port, name, { timeoutMs: 1500 });
    return r && addresses(r.packet).join();
  };

  beforeEach(async () => {
    up = await startFake("127.0.0.1", positive("192.0.2.1"));
    host = new ForwarderHost({ user: "nobody", restartDelayMs: 50 });
  });
  afterEach(async () => {
    await host.close();
    await up.close();
  });

  it("serves several forwarders from one process that is not root", async () => {
    const one = await host.start("one", opts("one.internal"));
    const two = await host.start("two", opts("two.internal", { x: ["10.2.2.2"] }));
    await one.setHosts([{ name: "web", ip: "10.1.1.1" }]);
    assert.equal(await a(one.address.port, "web.one.internal"), "10.1.1.1");
    assert.equal(await a(two.address.port, "x.two.internal"), "10.2.2.2");
    assert.equal(await a(one.address.port, "example.org"), "192.0.2.1");
    const pid = (await host.pid())!;
    assert.notEqual(pid, process.pid);
    assert.notEqual(uidOf(pid), 0);
    assert.equal((await one.stats()).answeredLocal, 1);
    assert.equal((await one.stats()).udpIo, "batched", "the process loaded the batched UDP addon");
  });

  it("answers the same through Node's dgram when the addon is not used (QVMD_DNS_UDP=dgram)", async () => {
    process.env.QVMD_DNS_UDP = "dgram";
    let f;
    try {
      f = await host.start("plain", opts("plain.internal", { x: ["10.3.3.3"] }));
    } finally {
      delete process.env.QVMD_DNS_UDP;
    }
    assert.equal((await f.stats()).udpIo, "dgram");
    assert.equal(await a(f.address.port, "x.plain.internal"), "10.3.3.3");
    assert.equal(await a(f.address.port, "example.org"), "192.0.2.1");
    const st = await f.stats();
    assert.equal(st.answeredLocal + st.forwarded, 2);
  });

  it("refuses bad options and host tables here, without a round trip, and changes nothing", async () => {
    await assert.rejects(
      host.start("bad", { ...opts("z.internal"), allowedSources: [] }),
      (e: unknown) => e instanceof DnsError && e.code === "DNS_INVALID_OPTIONS",
    );
    const f = await host.start("ok", opts("z.internal"));
    await assert.rejects(
      f.setHosts([{ name: "web", ip: "not-an-ip" }]),
      (e: unknown) => e instanceof DnsError && e.violations[0]?.code === "DNS_BAD_HOST",
    );
    await assert.rejects(
      f.update({ ...opts("z.internal"), upstreams: { kind: "static", servers: ["nope"] } }),
      (e: unknown) => e instanceof DnsError && e.code === "DNS_INVALID_OPTIONS",
    );
    assert.equal(await a(f.address.port, "example.org"), "192.0.2.1");
  });

  it("is started again after a crash, every forwarder on its port with its latest data", async () => {
    const one = await host.start("one", opts("one.internal"));
    const two = await host.start("two", opts("two.internal", { x: ["10.2.2.2"] }));
    await one.setHosts([{ name: "web", ip: "10.1.1.1" }]);
    await two.update(opts("two.internal", { x: ["10.2.2.3"] }, two.address.port));
    const before = (await host.pid())!;
    process.kill(before, "SIGKILL");
    assert.ok(await eventually(async () => (await a(one.address.port, "web.one.internal")) === "10.1.1.1"));
    assert.equal(await a(two.address.port, "x.two.internal"), "10.2.2.3");
    assert.notEqual(await host.pid(), before);
    assert.equal(host.restarts, 1);
  });

  it("moves to a new address and port, and stops answering once closed", async () => {
    const f = await host.start("one", opts("one.internal", { web: ["10.1.1.1"] }));
    const old = f.address.port;
    await f.update({
      ...opts("one.internal", { web: ["10.1.1.9"] }),
      listen: { address: "127.0.0.1", port: 0 },
    });
    assert.equal(f.address.port, old, "port 0 keeps the port it has");
    const probe = await startFake("127.0.0.1", positive("0.0.0.0"));
    const free = probe.port;
    await probe.close();
    await f.update({
      ...opts("one.internal", { web: ["10.1.1.9"] }),
      listen: { address: "127.0.0.1", port: free },
    });
    assert.equal(f.address.port, free);
    assert.equal(await a(free, "web.one.internal"), "10.1.1.9");
    assert.equal(await a(old, "web.one.internal"), undefined, "the old port is closed");
    await f.close();
    assert.equal(await a(free, "web.one.internal"), undefined);
    await assert.rejects(f.stats(), (e: unknown) => e instanceof DnsError && e.code === "DNS_CLOSED");
  });

  it("stops its process when the last forwarder closes, and starts one again when needed", async () => {
    const one = await host.start("one", opts("one.internal", { x: ["10.1.1.1"] }));
    const two = await host.start("two", opts("two.internal"));
    const first = (await host.pid())!;
    await one.close();
    assert.equal(await host.pid(), first, "one forwarder left: the process stays");
    assert.equal(await a(two.address.port, "example.org"), "192.0.2.1");
    await two.close();
    assert.equal(await host.pid(), undefined, "no forwarder left: no process");
    assert.equal(fs.existsSync(`/proc/${first}`), false, "the idle process has exited");
    const three = await host.start("three", opts("three.internal", { y: ["10.3.3.3"] }));
    const second = (await host.pid())!;
    assert.notEqual(second, first);
    assert.equal(await a(three.address.port, "y.three.internal"), "10.3.3.3");
    assert.equal(host.restarts, 0, "a process stopped on purpose is not restarted as after a crash");
  });
});
