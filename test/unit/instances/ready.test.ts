import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  SSH_RETRY_MS,
  cloudInitFinished,
  waitForSerial,
  waitForSshBanner,
} from "../../../agent/src/instance/ready";
import { type InstanceSpec, resolveInstance } from "../../../agent/src/instance/spec";
import { FakeAgent, netSpec, rejects, ROOT } from "../../helpers/fake-agent";

describe("readiness (waitFor)", () => {
  it("recognises cloud-init's final message, as cloud-init and the test guest print it", () => {
    assert.ok(
      cloudInitFinished(
        "[  OK  ] Reached target ...\r\nCloud-init v. 22.4.2 finished at Mon, 30 Nov 2026 22:00:00 +0000. Datasource DataSourceNoCloud.  Up 9.61 seconds\r\n",
      ),
    );
    assert.ok(cloudInitFinished("QVM-GUEST: runcmd done\nCloud-init v. qvm-guest finished at Mon"));
    assert.ok(!cloudInitFinished("QVM-GUEST: runcmd done\n"));
    assert.ok(!cloudInitFinished("echo Cloud-init v. 1 finished at"), "only at the start of a line");
  });

  it("finds the marker in a serial log written in pieces, after it started waiting", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-ready-"));
    const log = path.join(dir, "serial.log");
    try {
      const waiting = waitForSerial(log, cloudInitFinished, Date.now() + 10000);
      await new Promise((r) => setTimeout(r, 150));
      fs.writeFileSync(log, "x".repeat(70000) + "\nCloud-init v. 2");
      await new Promise((r) => setTimeout(r, 150));
      fs.appendFileSync(log, "3.1 finished at now\n");
      assert.equal(await waiting, true);
      assert.equal(await waitForSerial(log, () => false, Date.now() + 200), false, "times out");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a serial log again from its start once it was cut shorter (the log cap)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-ready-"));
    const log = path.join(dir, "serial.log");
    try {
      fs.writeFileSync(log, "x".repeat(70000));
      const waiting = waitForSerial(log, cloudInitFinished, Date.now() + 3000);
      await new Promise((r) => setTimeout(r, 300));
      fs.writeFileSync(log, "[qvmd: 35000 bytes cut]\nCloud-init v. 23.1 finished at now\n");
      assert.equal(await waiting, true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes an SSH banner for SSH, and nothing else", async () => {
    const serve = (greeting: string) =>
      new Promise<net.Server>((resolve) => {
        const s = net.createServer((c) => c.end(greeting));
        s.listen(0, "127.0.0.1", () => resolve(s));
      });
    const ssh = await serve("SSH-2.0-dropbear_2022.83\r\n");
    const http = await serve("HTTP/1.1 400 Bad Request\r\n\r\n");
    try {
      const port = (s: net.Server) => (s.address() as net.AddressInfo).port;
      assert.equal(await waitForSshBanner("127.0.0.1", Date.now() + 3000, port(ssh)), true);
      assert.equal(await waitForSshBanner("127.0.0.1", Date.now() + 600, port(http)), false);
    } finally {
      ssh.close();
      http.close();
    }
  });

  it("a cancelled SSH wait ends at once, its probe socket closed, and probes no more", async () => {
    // Accepts and never answers: the probe waits for a banner until cancelled.
    const peers: net.Socket[] = [];
    const closed: Promise<void>[] = [];
    const silent = await new Promise<net.Server>((resolve) => {
      const s = net.createServer((c) => {
        peers.push(c);
        closed.push(new Promise((r) => c.on("close", () => r())));
        c.on("error", () => undefined);
      });
      s.listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const stop = new AbortController();
      const port = (silent.address() as net.AddressInfo).port;
      const waiting = waitForSshBanner("127.0.0.1", Date.now() + 60000, port, stop.signal);
      while (peers.length === 0) await new Promise((r) => setTimeout(r, 10));
      stop.abort();
      assert.equal(await waiting, false);
      await Promise.all(closed); // the probe's socket was closed (a leak would hang here)
      const seen = peers.length;
      await new Promise((r) => setTimeout(r, 4 * SSH_RETRY_MS));
      assert.equal(peers.length, seen, "no probe after the wait returned");
      assert.equal(await waitForSshBanner("127.0.0.1", Date.now() + 60000, port, stop.signal), false);
      assert.equal(peers.length, seen, "an aborted signal probes nothing");
    } finally {
      silent.close();
    }
  });

  it("a cancelled serial wait ends at once", async () => {
    const stop = new AbortController();
    const waiting = waitForSerial(
      path.join(os.tmpdir(), "qvx-unit-none.log"),
      cloudInitFinished,
      Date.now() + 60000,
      stop.signal,
    );
    setTimeout(() => stop.abort(), 50);
    assert.equal(await waiting, false);
  });

  it("validates waitFor", () => {
    const base = { id: "vm1", image_id: "img1", nics: [{ network_id: "n1", mac: "52:54:00:00:00:01" }] };
    assert.equal(resolveInstance(base).instance?.wait_for, "ip", "default");
    assert.equal(resolveInstance({ ...base, wait_for: "cloudInit" }).instance?.wait_for, "cloudInit");
    assert.deepEqual(
      resolveInstance({ ...base, wait_for: "later" }).violations.map((v) => [v.property, v.code]),
      [["waitFor", "BAD_WAIT_FOR"]],
    );
    assert.deepEqual(
      resolveInstance({ ...base, nics: [], wait_for: "ssh" }).violations.map((v) => v.code),
      ["NO_NIC"],
    );
  });
});

describe("readiness in the instance plan (fake host)", () => {
  const MAC = "52:54:00:00:00:01";
  let a: FakeAgent;
  const progress: string[] = [];
  const spec = (wait_for: string): InstanceSpec =>
    ({
      id: "v1",
      image_id: "img",
      nics: [{ network_id: "n1", bridge_id: "", mac: MAC, ip: "" }],
      running: true,
      wait_for_ip_seconds: 30,
      wait_for,
    }) as InstanceSpec;
  beforeEach(async () => {
    a = new FakeAgent();
    progress.length = 0;
    await a.networks.apply(netSpec({ id: "n1", cidr: "10.50.0.0/24" }), 0);
    await a.images.apply(
      { id: "img", source: a.source("disk.img", Buffer.alloc(1024)) } as never,
      () => undefined,
      ROOT,
    );
    a.vm.addresses.set(MAC, { mac: MAC, ip: "10.50.0.17", source: "dhcp" });
  });
  afterEach(() => a.close());

  it("ip: no readiness probe at all", async () => {
    await a.instances.apply(spec("ip"), (m) => progress.push(m), 0);
    assert.ok(
      !a.vm.calls.some((c) => c.startsWith("ssh") || c.startsWith("cloudInit")),
      a.vm.calls.join("\n"),
    );
  });

  it("ssh: probes the first address after the addresses, and reports each phase", async () => {
    a.vm.sshUp.add("10.50.0.17");
    await a.instances.apply(spec("ssh"), (m) => progress.push(m), 0);
    const calls = a.vm.calls;
    assert.equal(calls.at(-1), "ssh 10.50.0.17", calls.join("\n"));
    assert.ok(calls.includes("discover qvmn1b 52:54:00:00:00:01"), "after the addresses");
    for (const p of [
      "booting",
      "address 10.50.0.17 (dhcp)",
      "waiting for SSH on 10.50.0.17:22",
      "ready (ssh)",
    ])
      assert.ok(
        progress.some((m) => m.startsWith(p)),
        `${p} in ${progress.join(" | ")}`,
      );
  });

  it("cloudInit: watches this instance's serial log; never finished is INSTANCE_NOT_READY on waitFor", async () => {
    const e = await rejects(
      a.instances.apply(spec("cloudInit"), (m) => progress.push(m), 0),
      "INSTANCE_NOT_READY",
      "waitFor",
    );
    assert.match(e.message, /not ready \(waitFor cloudInit\).*within 30s.*serial log tail:/s);
    assert.equal(a.vm.calls.at(-1), `cloudInit ${a.p.instanceSerial("v1")}`);
    a.vm.cloudInitDone.add(a.p.instanceSerial("v1"));
    await a.instances.apply(spec("cloudInit"), (m) => progress.push(m), 0);
    assert.ok(progress.some((m) => m.startsWith("ready (cloudInit)")));
  });

  it("a cancelled call ends its waits with CALL_CANCELLED; what it applied stays", async () => {
    const stop = new AbortController();
    stop.abort();
    await rejects(
      a.instances.apply(spec("ssh"), (m) => progress.push(m), 0, { cancelled: stop.signal }),
      "CALL_CANCELLED",
    );
    assert.ok(!a.vm.calls.some((c) => c.startsWith("ssh")), "no probe once cancelled");
    assert.ok((await a.instances.status("v1")).pid > 0, "the VM started stays running");
    // The instance is free for the next call (its lock was let go).
    await a.instances.apply(spec("ip"), (m) => progress.push(m), 0);
  });
});
