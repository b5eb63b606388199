// The leak check every integration and e2e test file runs after its tests: nothing of ours (our
// prefix `qv`, including test fixtures named `qvx*`) may remain on the host.
import { listForwardAccept } from "../../agent/src/firewall";
import { run } from "../../agent/src/util/exec";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";

/** Test fixtures' temp entries (qvx-*); unit-test fakes run in other processes and are not ours here. */
const tempFixtures = (): string[] =>
  fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("qvx-") && !/^qvx-(unit|fake)-/.test(n));

/**
 * Of `ip -o link show`: a link whose veth peer is in a namespace without a name, one being
 * destroyed (`link-netnsid N` before the kernel's cleanup has started, `unknown` once it has).
 */
const dyingVeth = (line: string) => /\slink-netnsid (\d+|unknown)\b/.test(line);
const ourLinkName = (line: string) => {
  const name = line.split(": ")[1]?.split("@")[0];
  return name && name.startsWith("qv") ? name : undefined;
};

/**
 * `ip -o link show` of the root namespace once no link of ours is still being torn down, or after
 * 10 s. qvmd's network delete (`ip netns delete`) returns before the kernel has destroyed the
 * namespace's veth pair (on a workqueue, slower the busier the host): such a host veth is on its
 * way out, not a leak. One that is still there after the wait, or that is not dying, is listed.
 */
export async function rootLinksSettled(): Promise<string> {
  const until = Date.now() + 10000;
  for (;;) {
    const out = (await run("ip", ["-o", "link", "show"], { reject: false })).stdout;
    const dying = out.split("\n").some((l) => ourLinkName(l) !== undefined && dyingVeth(l));
    if (!dying || Date.now() > until) return out;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function findLeaks(extraDirs: string[] = [], tempBefore?: Set<string>): Promise<string[]> {
  const leaks: string[] = [];
  // Fixtures built when the test files load exist before the first test; what a test made and
  // left in the temp dir is a leak like any kernel object.
  if (tempBefore) {
    // Another process's unit tests (a developer's `make check` beside a host run) make short-lived
    // qvx-* dirs too: what is still there a few seconds later is what stays.
    let fresh = tempFixtures().filter((n) => !tempBefore.has(n));
    if (fresh.length > 0) {
      await new Promise((r) => setTimeout(r, 3000));
      const now = new Set(tempFixtures());
      fresh = fresh.filter((n) => now.has(n));
    }
    for (const n of fresh) leaks.push(`temp ${path.join(os.tmpdir(), n)}`);
  }
  const netns = await run("ip", ["netns", "list"], { reject: false });
  for (const line of netns.stdout.split("\n")) {
    const name = line.split(" ")[0];
    if (name && name.startsWith("qv")) leaks.push(`netns ${name}`);
  }
  for (const line of (await rootLinksSettled()).split("\n")) {
    const name = ourLinkName(line);
    if (name) leaks.push(`link ${name}`);
  }
  const tables = await run("nft", ["list", "tables"], { reject: false });
  for (const line of tables.stdout.split("\n")) if (line.includes("qvm")) leaks.push(`nft ${line.trim()}`);
  // Ours: QEMU, the agent (run as qvmd or agent/dist/main.js), test fixtures (qvx-*) and the DHCP
  // servers of our networks. A command that merely names qvmd (`make gen` on api/proto/qvmd.proto, a
  // `tail` of /run/qvmd/qvmd.log) is not one of them.
  const pattern = "qemu-system|(^|[ /])qvmd( |$)|agent/dist/main\\.js|qvx-|dnsmasq --conf-file=.*/networks/";
  const procs = await run("pgrep", ["-a", "-f", pattern], { reject: false });
  for (const line of procs.stdout.split("\n")) {
    // A zombie is already dead; init reaps the daemons we stopped. A command queued behind the
    // host lock (`flock <lock> ...`, named like our fixtures) has not started, so has made nothing.
    if (line.trim() === "" || line.includes("pgrep") || line.includes("<defunct>")) continue;
    const command = line.slice(line.indexOf(" ") + 1);
    if (/^(\S*\/)?flock \S*pulumi-qemu-[a-z-]+\.lock /.test(command)) continue;
    leaks.push(`process ${line.slice(0, 160)}`);
  }
  for (const id of await listForwardAccept()) leaks.push(`iptables FORWARD rules qvm:${id}`);
  // The attacker suite's users and groups (test/helpers/users.ts).
  for (const [db, kind] of [
    ["/etc/passwd", "user"],
    ["/etc/group", "group"],
  ] as const)
    for (const line of fs.readFileSync(db, "utf8").split("\n"))
      if (line.startsWith("qvx")) leaks.push(`${kind} ${line.split(":")[0]}`);
  for (const dir of extraDirs) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
      leaks.push(`files in ${dir}: ${fs.readdirSync(dir).join(", ")}`);
  }
  return leaks;
}

export async function assertNoLeaks(extraDirs: string[] = [], tempBefore?: Set<string>): Promise<void> {
  const leaks = await findLeaks(extraDirs, tempBefore);
  if (leaks.length > 0)
    throw new Error(`leak check: objects of ours remain on the host:\n  ${leaks.join("\n  ")}`);
}

/** Registers the leak check to run after all tests of the calling file (call at top level). */
export function useLeakCheck(extraDirs: () => string[] = () => []): void {
  let tempBefore = new Set<string>();
  before("temp fixtures before", () => {
    tempBefore = new Set(tempFixtures());
  });
  after("leak check", async function () {
    this.timeout(30000);
    await assertNoLeaks(extraDirs(), tempBefore);
  });
}
