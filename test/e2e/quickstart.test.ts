// The quick start through the real Pulumi CLI: two real QEMU guests (disk boot + DHCP, direct
// kernel boot + static address) whose addresses are outputs when `up` returns; SSH into one, ping
// the other; in-place updates; power state and drift; a qvmd crash that leaves VMs running.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { type ChildProcess, spawn } from "node:child_process";
import { run } from "../../agent/src/util/exec";
import { a, type Fake, nxdomain, reply, startFake } from "../integration/dns/fakes";
import { guestDir } from "../helpers/guest";
import { openStack, outputsJson } from "../helpers/workspace";
import { TestAgent } from "../helpers/agent";
import { useLeakCheck } from "../helpers/leaks";
import { ssh as sshAs } from "../helpers/ssh";

useLeakCheck();

interface Vm {
  id: string;
  fqdn: string;
  ipAddresses: string[];
  state: string;
}

describe("examples/quickstart with the Pulumi CLI and real guests", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-qs-"));
  const key = path.join(dir, "id_ed25519");
  let stack: Stack;
  let out: { web: Vm; db: Vm; dns: { address: string; zone: string } };
  const fakes: Fake[] = [];
  let stub: ChildProcess | undefined;

  const ssh = (ip: string, command: string) => sshAs(key, ip, command, 10);
  const outputs = async () => (out = (await outputsJson(stack)) as unknown as typeof out);
  const qemuPid = async (id: string) => (await agent.client!.getInstance(id)).pid;

  before(async () => {
    const guest = await guestDir("x86_64");
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    await agent.start();
    // Upstreams on loopback: a "public" one that knows nothing (NXDOMAIN), a "private" one that
    // knows secret.corp, and a local stub (dnsmasq) serving a hosts file.
    fakes.push(await startFake("127.0.0.1", nxdomain));
    fakes.push(
      await startFake("127.0.0.1", (q) =>
        q.questions?.[0]?.name === "secret.corp"
          ? reply(q, { answers: a(q, "10.1.2.3") })
          : reply(q, { rcode: 3 }),
      ),
    );
    fs.writeFileSync(path.join(dir, "hosts"), "10.5.5.5 stubbed.test\n");
    stub = spawn(
      "dnsmasq",
      [
        "--keep-in-foreground",
        "--no-resolv",
        "--no-hosts",
        `--addn-hosts=${path.join(dir, "hosts")}`,
        "--listen-address=127.0.0.77",
        "--bind-interfaces",
        "--port=53",
        "--pid-file=",
        "--conf-file=/dev/null",
        // It must read the hosts file in our private temp dir.
        "--user=root",
      ],
      { stdio: "ignore" },
    );
    stack = await openStack({
      example: "quickstart",
      stackName: "e2e",
      stateDir: dir,
      env: { QVMD_SOCKET: agent.socket, QEMU_GUEST_DIR: guest },
    });
    await stack.setConfig("cidr", { value: "10.244.0.0/24" });
    await stack.setConfig("sshPublicKey", { value: fs.readFileSync(`${key}.pub`, "utf8").trim() });
    await stack.setConfig("dnsUpstreams", {
      value: JSON.stringify([...fakes.map((f) => f.server), "127.0.0.77"]),
    });
  });

  after(async () => {
    if (!agent.running) await agent.start();
    if (stack) await stack.destroy().catch((e: unknown) => console.error("destroy in after():", e));
    await agent.stop();
    for (const f of fakes) await f.close();
    stub?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("pulumi up returns both addresses: DHCP for web, the static one (found by ARP) for db", async () => {
    const up = await stack.up();
    assert.equal(up.summary.result, "succeeded");
    await outputs();
    assert.match(out.web.ipAddresses[0] ?? "", /^10\.244\.0\.\d+$/);
    assert.equal(out.db.ipAddresses[0], "10.244.0.20");
    assert.equal(out.web.state, "running");
  });

  it("logs in over SSH to web, which reaches db and the gateway", async () => {
    const r = await ssh(
      out.web.ipAddresses[0]!,
      "hostname && ping -c 1 -W 3 10.244.0.20 && ping -c 1 -W 3 10.244.0.1",
    );
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^web$/m);
    const db = await ssh("10.244.0.20", "hostname");
    assert.match(db.stdout, /^db$/m, db.stderr);
  });

  it("guests resolve each other by name, private names, and hosts-file names through the forwarder", async () => {
    assert.equal(out.db.fqdn, "db.dev.internal");
    assert.equal(out.dns.address, "10.244.0.1");
    const ip = out.web.ipAddresses[0]!;
    const conf = await ssh(ip, "cat /etc/resolv.conf");
    assert.deepEqual(
      conf.stdout.match(/^nameserver .*$/gm),
      ["nameserver 10.244.0.1"],
      "the lease lists only the gateway",
    );
    const db = await ssh(ip, "nslookup db.dev.internal");
    assert.match(db.stdout, /Address:? 10\.244\.0\.20/, db.stdout + db.stderr);
    const web = await ssh("10.244.0.20", "nslookup web.dev.internal");
    assert.match(web.stdout, new RegExp(`Address:? ${ip.replace(/\./g, "\\.")}`), web.stdout + web.stderr);
    const secret = await ssh(ip, "nslookup secret.corp");
    assert.match(
      secret.stdout,
      /Address:? 10\.1\.2\.3/,
      "the private upstream's answer wins over the public NXDOMAIN",
    );
    const stubbed = await ssh(ip, "nslookup stubbed.test");
    assert.match(stubbed.stdout, /Address:? 10\.5\.5\.5/, stubbed.stdout + stubbed.stderr);
  });

  it("changing memory is an in-place update: the VM restarts with the new size and the same address", async () => {
    const ip = out.web.ipAddresses[0];
    await stack.setConfig("webMemoryMb", { value: "320" });
    const preview = await stack.preview();
    assert.equal(preview.changeSummary.update, 1, JSON.stringify(preview.changeSummary));
    assert.equal(preview.changeSummary.replace, undefined);
    await stack.up();
    const before = out.web.id;
    await outputs();
    assert.equal(out.web.id, before, "same instance");
    assert.equal(out.web.ipAddresses[0], ip, "same address after the restart (its lease)");
    const cmdline = fs.readFileSync(`/proc/${await qemuPid(out.web.id)}/cmdline`, "utf8").split("\0");
    assert.equal(cmdline[cmdline.indexOf("-m") + 1], "320M");
  });

  it("running: false stops the VM without replacing it, and true starts it again", async () => {
    await stack.setConfig("webRunning", { value: "false" });
    const up = await stack.up();
    assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}).sort(), ["same", "update"]);
    await outputs();
    assert.equal(out.web.state, "stopped");
    assert.equal(await qemuPid(out.web.id), 0);
    await stack.setConfig("webRunning", { value: "true" });
    await stack.up();
    await outputs();
    assert.equal(out.web.state, "running");
    assert.match(out.web.ipAddresses[0] ?? "", /^10\.244\.0\.\d+$/);
  });

  it("a VM killed behind Pulumi's back shows as drift on refresh, and up starts it again", async () => {
    process.kill(await qemuPid(out.web.id), "SIGKILL");
    const refresh = await stack.refresh();
    assert.equal(refresh.summary.resourceChanges?.update, 1, JSON.stringify(refresh.summary.resourceChanges));
    // Refresh updates resource state, not stack outputs: read the instance from the state.
    const { resources } = (await stack.exportStack()).deployment as {
      resources: Array<{ id?: string; outputs?: Record<string, unknown> }>;
    };
    const web = resources.find((r) => r.id === out.web.id);
    assert.equal(web?.outputs?.state, "stopped");
    assert.equal(web?.outputs?.running, false, "power-state drift shows as running: false");
    const up = await stack.up();
    assert.equal(up.summary.resourceChanges?.update, 1);
    await outputs();
    assert.equal(out.web.state, "running");
  });

  it("killing qvmd leaves both VMs running; the restarted qvmd reports them", async () => {
    const pids = [await qemuPid(out.web.id), await qemuPid(out.db.id)];
    await agent.kill("SIGKILL");
    for (const pid of pids) assert.ok(fs.existsSync(`/proc/${pid}`), `VM ${pid} survived qvmd's death`);
    await agent.start();
    assert.deepEqual([await qemuPid(out.web.id), await qemuPid(out.db.id)], pids);
    const preview = await stack.preview();
    // Failed once in a full run ({"delete":6,"same":1}, not reproduced since): keep the engine's words.
    assert.deepEqual(
      Object.keys(preview.changeSummary),
      ["same"],
      `${JSON.stringify(preview.changeSummary)}\n${preview.stdout}\n${preview.stderr}`,
    );
    const r = await ssh("10.244.0.20", "hostname");
    assert.match(r.stdout, /^db$/m);
  });

  it("pulumi destroy removes VMs, images and the network", async () => {
    const d = await stack.destroy();
    assert.equal(d.summary.result, "succeeded");
    const blobs = path.join(agent.stateDir, "images", "blobs");
    assert.deepEqual(fs.existsSync(blobs) ? fs.readdirSync(blobs) : [], []);
    assert.deepEqual((await agent.client!.listNetworks()).networks, []);
  });
});
