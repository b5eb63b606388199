// The real forwarder's own data (zone records, host table, hosts files) and where it finds its
// upstreams (resolv.conf, systemd-resolved's stub), followed when those files are replaced.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { useLeakCheck } from "../../helpers/leaks";
import { DnsError, startForwarder } from "../../../agent/src/dns";
import { type Fake, addresses, ask, eventually, nxdomain, positive, rcodeOf } from "./fakes";
import { useForwarder } from "./harness";

useLeakCheck();

describe("dns forwarder (integration, loopback)", function () {
  const h = useForwarder();
  const { fake, start, port, tempDir, replaceFile } = h;

  describe("local data", () => {
    it("answers the zone (records and host table), PTR for its addresses, NXDOMAIN without forwarding", async () => {
      const up = await fake(positive("203.0.113.1"));
      await start([up], { zone: "dev.internal", records: { db: ["192.168.71.20"] } });
      h.fwd!.setHosts([{ name: "web", ip: "192.168.71.10" }]);
      assert.deepEqual(addresses((await ask(port(), "web.dev.internal"))!.packet), ["192.168.71.10"]);
      assert.deepEqual(addresses((await ask(port(), "DB.dev.internal"))!.packet), ["192.168.71.20"]);
      const ptr = (await ask(port(), "10.71.168.192.in-addr.arpa", { type: "PTR" }))!.packet;
      assert.deepEqual(
        ptr.answers!.map((x) => (x as { data: string }).data),
        ["web.dev.internal"],
      );
      const aaaa = (await ask(port(), "web.dev.internal", { type: "AAAA" }))!.packet;
      assert.equal(rcodeOf(aaaa), "NOERROR");
      assert.equal(aaaa.answers!.length, 0);
      assert.equal(rcodeOf((await ask(port(), "ghost.dev.internal"))!.packet), "NXDOMAIN");
      assert.equal(up.received.length, 0, "nothing inside the zone was forwarded");

      h.fwd!.setHosts([]);
      assert.equal(rcodeOf((await ask(port(), "web.dev.internal"))!.packet), "NXDOMAIN");
      assert.throws(
        () => h.fwd!.setHosts([{ name: "web.example.com", ip: "192.168.71.10" }]),
        (e: unknown) => e instanceof DnsError && e.violations[0]?.code === "DNS_RECORD_OUTSIDE_ZONE",
      );
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["203.0.113.1"]);
      assert.ok(h.fwd!.stats().answeredLocal >= 6);
    });

    it("answers names from a hosts file and follows its replacement by rename", async () => {
      const dir = tempDir();
      const hosts = path.join(dir, "hosts");
      fs.writeFileSync(hosts, "127.0.0.1 localhost\n10.20.30.40 build.lan build\n");
      const up = await fake(nxdomain);
      await start([up], { hostsFile: hosts });
      assert.deepEqual(addresses((await ask(port(), "build.lan"))!.packet), ["10.20.30.40"]);
      const ptr = (await ask(port(), "40.30.20.10.in-addr.arpa", { type: "PTR" }))!.packet;
      assert.equal((ptr.answers![0] as { data: string }).data, "build.lan");
      replaceFile(hosts, "10.20.30.41 build.lan\n");
      const switched = await eventually(
        async () => addresses((await ask(port(), "build.lan"))!.packet).join() === "10.20.30.41",
      );
      assert.ok(switched, "the renamed-in hosts file is used");
    });
  });

  describe("upstream sources", () => {
    it("follows a resolv.conf replaced by rename", async function () {
      // resolv.conf has no port syntax, so these fakes need port 53 on their own loopback addresses.
      let one: Fake, two: Fake;
      try {
        one = await fake(positive("192.0.2.11"), "127.0.0.21", 53);
        two = await fake(positive("192.0.2.22"), "127.0.0.22", 53);
      } catch {
        return this.skip();
      }
      const dir = tempDir();
      const conf = path.join(dir, "resolv.conf");
      fs.writeFileSync(conf, `# test\nnameserver ${one.address}\n`);
      await start([], { upstreams: { kind: "resolvConf", path: conf } });
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.11"]);
      replaceFile(conf, `nameserver ${two.address}\noptions edns0\n`);
      const switched = await eventually(
        async () => addresses((await ask(port(), "example.com"))!.packet).join() === "192.0.2.22",
      );
      assert.ok(switched, "the renamed-in resolv.conf is used");
      assert.deepEqual(
        h.fwd!.stats().upstreams.map((u) => u.upstream),
        [`${two.address}:53`],
      );
      // A moment without the file (mid-replacement) keeps the last good upstreams.
      fs.rmSync(conf);
      await h.fwd!.reloadUpstreams();
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.22"]);
      assert.match(h.fwd!.stats().upstreamSource.error ?? "", /ENOENT/);
    });

    it("auto: uses the host's resolv.conf, or systemd-resolved's stub when it runs", async function () {
      let one: Fake;
      try {
        one = await fake(positive("192.0.2.11"), "127.0.0.21", 53);
      } catch {
        return this.skip();
      }
      const dir = tempDir();
      const autoPaths = {
        etcResolvConf: path.join(dir, "resolv.conf"),
        stubFile: path.join(dir, "stub-resolv.conf"),
      };
      fs.writeFileSync(autoPaths.etcResolvConf, `nameserver 127.0.0.53\nnameserver ${one.address}\n`);
      h.fwd = await startForwarder(
        {
          listen: { address: "127.0.0.1", port: 0 },
          upstreams: { kind: "auto" },
          allowedSources: ["127.0.0.1/32"],
        },
        { autoPaths },
      );
      // No stub file: 127.0.0.53 is not running, so only the other nameserver is used.
      assert.deepEqual(
        h.fwd.stats().upstreams.map((u) => u.upstream),
        [`${one.address}:53`],
      );
      assert.deepEqual(addresses((await ask(port(), "example.com"))!.packet), ["192.0.2.11"]);
      fs.writeFileSync(autoPaths.stubFile, "nameserver 127.0.0.53\n");
      const switched = await eventually(
        async () => h.fwd!.stats().upstreams[0]?.upstream === "127.0.0.53:53",
      );
      assert.ok(switched, "the stub is preferred once it exists");
    });
  });
});
