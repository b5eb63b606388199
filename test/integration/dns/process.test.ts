// The forwarders' process boundary, through a real qvmd: they run in one process of their own,
// not root, which serves the gateway's port 53 (qvmd bound it), comes back after a crash with its
// zone, and takes a query flood while qvmd's Health RPC keeps answering. Asserts owners, answers
// and CPU shares, never times.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { run } from "../../../agent/src/util/exec";
import { TestAgent } from "../../helpers/agent";
import { useLeakCheck } from "../../helpers/leaks";
import { addresses, ask, type Fake, positive, startFake, eventually } from "./fakes";

useLeakCheck();

const GATEWAY = "10.239.2.1";

/** Children of `parent` whose command line has `pattern`. */
async function pids(parent: number, pattern: string): Promise<number[]> {
  const r = await run("pgrep", ["-P", String(parent), "-f", pattern], { reject: false });
  return r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number);
}

const uidOf = (pid: number) =>
  Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
/** user + system CPU ticks of a process. */
const cpuOf = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
};

describe("qvmd DNS forwarder processes", function () {
  this.timeout(120000);
  const agent = new TestAgent();
  let upstream: Fake;
  const lookup = (name: string) => ask(53, name, { from: GATEWAY, server: GATEWAY, timeoutMs: 2000 });

  before(async () => {
    upstream = await startFake("127.0.0.1", positive("10.7.7.7"));
    const c = await agent.start();
    await c.applyNetwork({ id: "qd3", cidr: "10.239.2.0/24", nat: true, dhcp: { enabled: true } });
    await c.applyDnsForwarder({
      id: "d3",
      network_id: "qd3",
      zone: "dev.internal",
      upstreams: [upstream.server],
      records: [{ name: "api", addresses: ["10.239.2.50"] }],
    });
  });
  after(async () => {
    await agent.stop();
    await upstream.close();
  });

  const child = async () => {
    const found = await pids(agent.proc!.pid!, "qvmd-dns");
    assert.equal(found.length, 1, `one forwarder process: ${found.join(" ")}`);
    return found[0]!;
  };

  it("serves from a process of its own that owns the gateway's port 53 and is not root", async () => {
    const pid = await child();
    assert.notEqual(pid, agent.proc!.pid);
    const ss = await run("ss", ["-Hulnp", `src ${GATEWAY}:53`]);
    assert.match(ss.stdout, new RegExp(`pid=${pid},`), ss.stdout);
    assert.doesNotMatch(ss.stdout, new RegExp(`pid=${agent.proc!.pid},`));
    assert.notEqual(uidOf(pid), 0, "dropped root once bound");
    assert.deepEqual(addresses((await lookup("api.dev.internal"))!.packet), ["10.239.2.50"]);
  });

  it("is restarted with its zone after it crashes", async () => {
    const before = await child();
    process.kill(before, "SIGKILL");
    const back = await eventually(async () => {
      const r = await lookup("api.dev.internal");
      return r !== undefined && addresses(r.packet).join() === "10.239.2.50";
    }, 15000);
    assert.ok(back, "answers again");
    const after = await child();
    assert.notEqual(after, before);
    assert.deepEqual(addresses((await lookup("example.org"))!.packet), ["10.7.7.7"]);
    assert.match(fs.readFileSync(agent.logFile, "utf8"), /exited \(SIGKILL\); restarting/);
  });

  it("takes a query flood in its own process while qvmd's Health RPC keeps answering", async () => {
    const pid = await child();
    const qvmd = agent.proc!.pid!;
    const names = "/tmp/qvx-dnsflood.txt";
    fs.writeFileSync(names, "api.dev.internal A\nnope.dev.internal A\n");
    try {
      const [c0, q0] = [cpuOf(pid), cpuOf(qvmd)];
      const flood = run(
        "dnsperf",
        ["-s", GATEWAY, "-a", GATEWAY, "-p", "53", "-d", names, "-l", "3", "-q", "50", "-t", "2"],
        { reject: false },
      );
      let healthy = 0;
      for (let i = 0; i < 20; i++) {
        await agent.client!.health(2000);
        healthy++;
        await new Promise((r) => setTimeout(r, 100));
      }
      const out = (await flood).stdout;
      const [c1, q1] = [cpuOf(pid), cpuOf(qvmd)];
      assert.equal(healthy, 20);
      assert.match(out, /Queries completed:\s+[1-9]/, out);
      assert.ok(c1 - c0 > 2 * (q1 - q0), `CPU ticks: forwarder ${c1 - c0}, qvmd ${q1 - q0}`);
    } finally {
      fs.rmSync(names, { force: true });
    }
  });
});
