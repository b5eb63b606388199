// examples/lan-bridge through the Pulumi CLI: a VM bridged onto a test LAN and a port-forwarded VM
// on a NAT network, reached from another host; the forward's port changes in place.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { run } from "../../agent/src/util/exec";
import { guestDir } from "../helpers/guest";
import { openStack, outputsJson } from "../helpers/workspace";
import { TestAgent } from "../helpers/agent";
import { OutsideHost } from "../helpers/hosts";
import { TestLan } from "../helpers/lan";
import { useLeakCheck } from "../helpers/leaks";
import { ssh as sshAs } from "../helpers/ssh";

useLeakCheck();

interface Out {
  bridge: { name: string; addresses: string[] };
  lanvm: { id: string; ipAddresses: string[] };
  web: { id: string; ipAddresses: string[]; hostPort: number };
}

describe("examples/lan-bridge with the Pulumi CLI", function () {
  this.timeout(600000);
  // The admin's config lets bridges enslave the test LAN's uplink (qvxup0), nothing else.
  const agent = new TestAgent({}, { config: { bridges: { uplinks: ["qvxup0"] } } });
  const lan = new TestLan();
  const outside = new OutsideHost();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-lb-"));
  const key = path.join(dir, "id_ed25519");
  const ssh = (ip: string, command: string) => sshAs(key, ip, command, 3);
  /** The source address the outside host sees when the web VM connects to it (undefined: no way out). */
  const seenFromWeb = async () => {
    const r = await ssh(out.web.ipAddresses[0]!, `echo | nc -w 1 ${outside.address} ${outside.port}`);
    return r.stdout.trim() || undefined;
  };
  const until = async (probe: () => Promise<boolean>, deadlineMs: number) => {
    const end = Date.now() + deadlineMs;
    for (;;) {
      if (await probe()) return true;
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let stack: Stack;
  let out: Out;

  /** HTTP GET from the outside host to the host's address on their link. */
  const getFromOutside = async (port: number) => {
    const r = await run(
      "ip",
      ["netns", "exec", outside.ns, "busybox", "nc", "-w", "3", outside.hostSide, String(port)],
      {
        reject: false,
        timeoutMs: 10000,
        input: "GET / HTTP/1.0\r\n\r\n",
      },
    );
    return r.exitCode === 0 && r.stdout.includes("200 OK") ? r.stdout : undefined;
  };

  before(async () => {
    const g = await guestDir("x86_64");
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    await lan.start();
    await outside.start();
    await agent.start();
    stack = await openStack({
      example: "lan-bridge",
      stackName: "e2e",
      stateDir: dir,
      env: { QVMD_SOCKET: agent.socket, QEMU_GUEST_DIR: g },
    });
    await stack.setConfig("uplink", { value: lan.uplink });
    await stack.setConfig("cidr", { value: "10.252.0.0/24" });
    await stack.setConfig("webPort", { value: "18090" });
    await stack.setConfig("sshPublicKey", { value: fs.readFileSync(`${key}.pub`, "utf8").trim() });
  });
  after(async () => {
    if (stack) await stack.destroy().catch((e: unknown) => console.error("destroy in after():", e));
    // This file changes the host's FORWARD chain: put it back as a fresh host has it.
    await run("iptables-nft", ["-w", "-D", "FORWARD", "-i", "qvxforeign", "-j", "ACCEPT"], { reject: false });
    await run("nft", ["delete", "table", "ip", "filter"], { reject: false });
    await agent.stop();
    await outside.stop();
    await lan.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up: the bridged VM has a LAN address, the NAT VM answers through the port forward", async () => {
    await stack.up();
    out = (await outputsJson(stack)) as unknown as Out;
    assert.deepEqual(out.bridge.addresses, [lan.hostAddress], "the uplink's address moved to the bridge");
    assert.match(out.lanvm.ipAddresses[0] ?? "", /^172\.30\.9\.(1[0-4]\d|150)$/);
    assert.match((await getFromOutside(18090)) ?? "", /qvm-guest web/);
  });

  it("changing the forwarded port is an update, not a replace", async () => {
    await stack.setConfig("webPort", { value: "18091" });
    const up = await stack.up();
    assert.equal(up.summary.resourceChanges?.update, 1, JSON.stringify(up.summary.resourceChanges));
    assert.equal(up.summary.resourceChanges?.replace, undefined);
    const now = (await outputsJson(stack)) as unknown as Out;
    assert.equal(now.web.id, out.web.id);
    assert.equal(await getFromOutside(18090), undefined);
    assert.match((await getFromOutside(18091)) ?? "", /qvm-guest web/);
  });

  it("with FORWARD policy DROP set through iptables-nft (what Docker does) the VM still gets out", async () => {
    assert.equal(await seenFromWeb(), outside.hostSide, "masqueraded egress before");
    await run("iptables-nft", ["-w", "-P", "FORWARD", "DROP"]);
    const through = await until(async () => (await seenFromWeb()) === outside.hostSide, 10000);
    const rules = (await run("iptables-nft", ["-w", "-S", "FORWARD"])).stdout;
    const log = fs.readFileSync(agent.logFile, "utf8").split("\n").slice(-12).join("\n");
    assert.ok(through, `qvmd's accept rules let it through\niptables:\n${rules}\nqvmd log:\n${log}`);
  });

  it("after `nft flush ruleset` the VM gets out again and its port forward answers again", async () => {
    assert.equal(await seenFromWeb(), outside.hostSide, "masqueraded egress before");
    await run("nft", ["flush", "ruleset"]);
    // The promise is "restored within 2 s, driven by kernel events": a deadline, not a measurement.
    const netTable = async () => (await run("nft", ["list", "tables"])).stdout.includes("table inet qvm_");
    const restored = await until(netTable, 2000);
    const diag = async () =>
      `nft tables:\n${(await run("nft", ["list", "tables"])).stdout}\nqvmd log:\n${fs.readFileSync(agent.logFile, "utf8").split("\n").slice(-12).join("\n")}`;
    assert.ok(restored, `our network table is back within 2 s\n${await diag()}`);
    assert.ok(
      await until(async () => (await seenFromWeb()) === outside.hostSide, 10000),
      `the VM gets out again\n${await diag()}`,
    );
    assert.ok(
      await until(async () => (await getFromOutside(18091)) !== undefined, 10000),
      `the port forward is back too\n${await diag()}`,
    );
  });

  it("destroy gives the uplink its address back and removes our firewall rules only", async () => {
    await run("iptables-nft", ["-w", "-P", "FORWARD", "DROP"]);
    await run("iptables-nft", ["-w", "-A", "FORWARD", "-i", "qvxforeign", "-j", "ACCEPT"]);
    await stack.destroy();
    const rules = (await run("iptables-nft", ["-w", "-S", "FORWARD"])).stdout;
    assert.ok(!rules.includes("qvm:"), rules);
    assert.match(rules, /-A FORWARD -i qvxforeign -j ACCEPT/, "a foreign rule stays");
    const a = JSON.parse((await run("ip", ["-j", "-4", "addr", "show", "dev", lan.uplink])).stdout) as Array<{
      addr_info: Array<{ local: string; prefixlen: number }>;
    }>;
    assert.deepEqual(
      a[0]?.addr_info.map((x) => `${x.local}/${x.prefixlen}`),
      [lan.hostAddress],
    );
  });
});
