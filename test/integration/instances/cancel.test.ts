// A cancelled ApplyInstance (Pulumi cancelled, the client died or its deadline passed) ends qvmd's
// waits at once, through a real qvmd and a real guest: the client gets CALL_CANCELLED, qvmd's log
// reports the call failed with CALL_CANCELLED long before the wait's own deadline, the instance's
// lock is free (the next call on it does not queue behind a wait), no ARP sweep or SSH probe of
// qvmd's is left, and the VM that was started stays running (what was applied stays).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type { InstanceSpec } from "@pulumi-qemu/api";
import { names } from "../../../agent/src/constants";
import { run } from "../../../agent/src/util/exec";
import { guestImage } from "../../helpers/guest";
import { TestAgent } from "../../helpers/agent";
import { expectAgentError } from "../../helpers/expect";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

const NET = "qc1";
/** The wait's own deadline: a wait that cancelling did not end would hold on this long. */
const WAIT_SECONDS = 300;
/** How long the test lets qvmd take to notice (far below WAIT_SECONDS; not a timing assertion). */
const NOTICE_MS = 20_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * CALL_CANCELLED failures of ApplyInstance in qvmd's log: the first of a 10 s window is logged in
 * full, further ones only counted in the window's summary line (util/refusals.ts); both count.
 */
function cancelledInLog(logFile: string): number {
  const log = fs.readFileSync(logFile, "utf8");
  const full = log.match(/ApplyInstance failed \(CALL_CANCELLED\)/g)?.length ?? 0;
  const summed = [...log.matchAll(/ApplyInstance CALL_CANCELLED x(\d+)/g)].reduce(
    (a, m) => a + Number(m[1]),
    0,
  );
  return full + summed;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = NOTICE_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`not within ${ms / 1000}s: ${what}`);
    await sleep(100);
  }
}

/** A call that must not queue behind a wait; failing (not hanging) when it does. */
async function promptly<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still waiting after ${NOTICE_MS} ms`)), NOTICE_MS);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("qvmd instances: a cancelled ApplyInstance ends its waits (real QEMU guest)", function () {
  this.timeout(600000);
  const agent = new TestAgent();
  let cancels = 0;
  const spec = (s: Partial<InstanceSpec>): InstanceSpec => ({
    id: "cx1",
    image_id: "direct",
    memory_mb: 256,
    nics: [{ network_id: NET, mac: "52:54:00:4c:00:01" }],
    running: true,
    wait_for_ip_seconds: WAIT_SECONDS,
    ...s,
  });

  /** Applies `s`, cancels it once a progress message starts with `at`; returns what it reported. */
  async function cancelAt(s: InstanceSpec, at: string): Promise<string[]> {
    const stop = new AbortController();
    const progress: string[] = [];
    const call = agent.client!.applyInstance(
      s,
      (p) => {
        progress.push(p.message);
        if (p.message.startsWith(at)) stop.abort();
      },
      (WAIT_SECONDS + 60) * 1000,
      stop.signal,
    );
    await expectAgentError(call, "CALL_CANCELLED");
    assert.ok(stop.signal.aborted, `cancelled at "${at}": ${progress.join(" | ")}`);
    cancels++;
    await until(
      `qvmd logs ApplyInstance failed (CALL_CANCELLED) #${cancels}`,
      () => cancelledInLog(agent.logFile) >= cancels,
    );
    return progress;
  }

  /** qvmd's processes and sockets that would mean a wait still runs: ARP sweeps, SSH probes. */
  async function leftWaiting(): Promise<string[]> {
    const sweeps = await run("pgrep", ["-a", "-f", `arpscan\\.py ${names.bridge(NET)} `], { reject: false });
    const probes = await run("ss", ["-Htnp", "dst", "10.238.0.0/24", "and", "dport", "=", ":22"], {
      reject: false,
    });
    const qvmd = `pid=${agent.proc!.pid},`;
    return [
      ...sweeps.stdout.split("\n").filter((l) => l.trim() !== ""),
      ...probes.stdout.split("\n").filter((l) => l.includes(qvmd)),
    ];
  }

  before(async () => {
    const image = await guestImage("direct");
    const c = await agent.start();
    await c.applyNetwork({ id: NET, cidr: "10.238.0.0/24", nat: false, dhcp: { enabled: true } });
    await c.applyImage(image);
  });
  after(() => agent.stop());

  it("while it waits for addresses: CALL_CANCELLED, the lock free, no sweep left, the VM running", async () => {
    const progress = await cancelAt(spec({ wait_for: "ip" }), "waiting for addresses");
    assert.ok(!progress.some((m) => m.startsWith("address ")), `no address yet: ${progress.join(" | ")}`);
    // Instance calls are serialised per id: this one would queue behind a wait still running.
    const v = await promptly(
      "an ApplyInstance after the cancelled one",
      agent.client!.applyInstance(spec({ wait_for_ip_seconds: 0 })),
    );
    assert.ok(v.pid > 0, "the VM the cancelled call started still runs");
    assert.deepEqual(await leftWaiting(), []);
  });

  it("while it waits for cloud-init: CALL_CANCELLED, the lock free, nothing left waiting", async () => {
    const s = spec({
      id: "cx2",
      nics: [{ network_id: NET, mac: "52:54:00:4c:00:02", ip: "10.238.0.20" }],
      user_data: "#cloud-config\nruncmd:\n  - sleep 600\n",
      wait_for: "cloudInit",
    });
    const progress = await cancelAt(s, "waiting for cloud-init");
    assert.ok(
      progress.some((m) => m.startsWith("address 10.238.0.20")),
      `it got as far as the address: ${progress.join(" | ")}`,
    );
    const st = await promptly("GetInstance", agent.client!.getInstance("cx2"));
    assert.ok(st.pid > 0, "the VM stays running");
    assert.equal(
      (await promptly("DeleteInstance after the cancelled call", agent.client!.deleteInstance("cx2")))
        .existed,
      true,
    );
    assert.deepEqual(await leftWaiting(), []);
  });

  it("a call cancelled before it is sent never reaches qvmd", async () => {
    const stop = new AbortController();
    stop.abort();
    const before = cancelledInLog(agent.logFile);
    await expectAgentError(
      agent.client!.applyInstance(spec({ id: "cx3" }), undefined, undefined, stop.signal),
      "CALL_CANCELLED",
    );
    await expectAgentError(agent.client!.getInstance("cx3"), "INSTANCE_NOT_FOUND");
    assert.equal(cancelledInLog(agent.logFile), before);
  });

  it("deletes what it made", async () => {
    assert.equal((await agent.client!.deleteInstance("cx1")).existed, true);
  });
});
