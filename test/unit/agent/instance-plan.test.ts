// The instance plan (agent/src/instance/plan.ts) is a plain function of its inputs: what Apply does
// on the host, in order, and what a failed start rolls back. No host, no files.
import * as assert from "node:assert/strict";
import { paths } from "../../../agent/src/constants";
import { QvmdError } from "../../../agent/src/errors";
import { launchKey } from "../../../agent/src/instance/launch";
import { type ApplyFacts, planApply, type Step } from "../../../agent/src/instance/plan";
import { resolveInstance, type InstanceSpecInput } from "../../../agent/src/instance/spec";
import { resolveNetwork } from "../../../agent/src/network/spec";
import type { InstanceRecord } from "../../../agent/src/state";

const p = paths({ stateDir: "/var/lib/qvmd", runDir: "/run/qvmd" });
const n1 = resolveNetwork({ id: "n1", cidr: "10.70.0.0/24", mtu: 1400 }).network!;
const n2 = resolveNetwork({ id: "n2", cidr: "10.71.0.0/24" }).network!;
const image = {
  path: "/var/lib/qvmd/images/blobs/abc",
  format: "qcow2",
  sha256: "abc",
  virtualSizeBytes: 2.5 * 1024 ** 3,
  arch: "x86_64" as const,
  firmware: "bios" as const,
  cmdline: "",
};

function facts(spec: Partial<InstanceSpecInput>, over: Partial<ApplyFacts> = {}): ApplyFacts {
  const { instance, violations } = resolveInstance({
    id: "v1",
    image_id: "img",
    nics: [{ network_id: "n1", mac: "52:54:00:00:00:01" }],
    running: true,
    wait_for_ip_seconds: 60,
    ...spec,
  });
  assert.deepEqual(violations, []);
  // As the manager gathers them: the networks the NICs refer to.
  const used = new Set(instance!.nics.map((n) => n.networkId));
  return {
    inst: instance!,
    image,
    networks: new Map([n1, n2].filter((n) => used.has(n.id)).map((n) => [n.id, n])),
    bridges: new Map(
      [["b1", { name: "qvlan" }] as const].filter(([id]) => instance!.nics.some((n) => n.bridgeId === id)),
    ),
    pid: 0,
    diskExists: false,
    paths: p,
    ...over,
  };
}

const record = (f: ApplyFacts, over: Partial<InstanceRecord> = {}): InstanceRecord => ({
  spec: {} as never,
  blobs: ["abc"],
  diskGb: 3,
  addresses: { "52:54:00:00:00:01": { ip: "10.70.0.9", source: "dhcp" } },
  launchKey: launchKey(f.inst, "abc"),
  createdAt: "",
  ...over,
});

/** Each step in one short line: what a reader of the plan sees. Steps run at once are in [ ]. */
const brief = (steps: Step[]): string[] =>
  steps.map((s) => {
    switch (s.op) {
      case "together":
        return `[${brief(s.steps).join(" | ")}]`;
      case "createTap":
        return `createTap ${s.ns ?? "root"} ${s.tap}`;
      case "deleteTap":
        return `${s.op} ${s.ns ?? "root"} ${s.tap}`;
      case "moveTap":
        return `moveTap ${s.tap} ${s.to ?? "root"}`;
      case "attachTap":
        return `attachTap ${s.tap} ${s.master} ${s.mtu ?? "-"}`;
      case "launch":
      case "startLauncher":
        return `${s.op} ${s.launch.name} in ${s.netns ?? "root"} ${s.accel ?? "probed"}`;
      case "createOverlay":
      case "resizeOverlay":
        return `${s.op} ${s.sizeGb}G`;
      case "stop":
        return `stop ${s.pid} (${s.message})`;
      default:
        return s.op;
    }
  });

/** Every step, those run at once included. */
const flat = (steps: Step[]): Step[] => steps.flatMap((s) => (s.op === "together" ? flat(s.steps) : [s]));

describe("instance plan", () => {
  it("creates: reservations; overlay, seed, probe, QEMU's launcher at once; QEMU, TAP moves, record, addresses", () => {
    const plan = planApply(
      facts({
        accel: "auto",
        nics: [
          { network_id: "n1", mac: "52:54:00:00:00:01" },
          { network_id: "n2", mac: "52:54:00:00:00:02" },
          { bridge_id: "b1", mac: "52:54:00:00:00:03" },
        ],
      }),
    );
    assert.deepEqual(brief(plan.steps), [
      "[refreshHostFence | createOverlay 3G | buildSeed | probeAccel | " +
        "deleteTap qvm-n2 qvtv11 | deleteTap root qvtv12 | " +
        "startLauncher qvm-v1 in qvm-n1 probed]",
      "[launch qvm-v1 in qvm-n1 probed | refreshDhcp | refreshDhcp]",
      "moveTap qvtv11 qvm-n2",
      "attachTap qvtv11 qvmn2b 1500",
      "moveTap qvtv12 root",
      "attachTap qvtv12 qvlan -",
      "launched",
      "awaitAddresses",
    ]);
    const early = flat(plan.steps).find((s) => s.op === "startLauncher");
    const launch = flat(plan.steps).find((s) => s.op === "launch");
    assert.deepEqual(early?.launch, launch?.launch, "the launcher started early is the launch's own");
    assert.deepEqual(
      launch?.launch.nics.map((n) => [n.tap, n.join?.master ?? "-", n.join?.mtu ?? "-"]),
      [
        ["qvtv10", "qvmn1b", 1400],
        ["qvtv11", "-", "-"],
        ["qvtv12", "-", "-"],
      ],
      "the launcher makes every TAP in QEMU's namespace and joins the one that stays there to its bridge",
    );
    const at = (op: Step["op"]) => plan.steps.findIndex((s) => flat([s]).some((x) => x.op === op));
    assert.ok(at("refreshHostFence") < at("launch"), "the host fence exists before QEMU starts");
    assert.ok(
      at("refreshDhcp") < at("moveTap"),
      "the networks' fences are rendered before a moved TAP joins",
    );
    assert.deepEqual(plan.record.addresses, {});
    assert.equal(plan.record.diskGb, 3, "the image's virtual size, rounded up");
    assert.deepEqual(
      { from: plan.rollback!.from, to: plan.rollback!.to },
      { from: 0, to: 7 },
      "from the preparation (host fence, probe and TAPs run in it) through the record of the launch, the networks' fences beside it; not the wait",
    );
    assert.deepEqual(brief(plan.rollback!.steps), [
      "stopStarted",
      "deleteTap qvm-n1 qvtv10",
      "deleteTap qvm-n1 qvtv11",
      "deleteTap qvm-n2 qvtv11",
      "deleteTap qvm-n1 qvtv12",
      "deleteTap root qvtv12",
    ]);
  });

  it("launches with the accelerator asked for, and UEFI vars when the image boots UEFI", () => {
    const plan = planApply(facts({ accel: "kvm" }, { image: { ...image, firmware: "uefi" } }));
    const launch = flat(plan.steps).find((s) => s.op === "launch")!;
    assert.ok(launch.op === "launch" && launch.accel === "kvm");
    assert.equal(launch.launch.uefi!.vars, p.instanceVars("v1"));
    assert.ok(flat(plan.steps).some((s) => s.op === "prepareUefiVars"));
    assert.ok(!flat(plan.steps).some((s) => s.op === "probeAccel"));
  });

  it("leaves a running VM alone when the launch is unchanged, and keeps its addresses", () => {
    const f = facts({ hostname: "web" }, { pid: 42, diskExists: true });
    const plan = planApply({ ...f, existing: record(f) });
    assert.deepEqual(brief(plan.steps), ["refreshDhcp", "buildSeed", "awaitAddresses"]);
    assert.equal(plan.rollback, undefined);
    assert.deepEqual(Object.keys(plan.record.addresses), ["52:54:00:00:00:01"]);
  });

  it("restarts when what QEMU was started with changed, forgetting the old addresses", () => {
    const old = facts({}, { pid: 42, diskExists: true });
    const plan = planApply({ ...facts({ cpus: 2 }, { pid: 42, diskExists: true }), existing: record(old) });
    assert.deepEqual(brief(plan.steps).slice(0, 6), [
      "refreshDhcp",
      "buildSeed",
      "stop 42 (restarting to apply changes)",
      "probeAccel",
      "launch qvm-v1 in qvm-n1 probed",
      "launched",
    ]);
    assert.deepEqual(plan.record.addresses, {});
    assert.equal(plan.record.launchKey, "", "no key until the new launch is done (the launched step)");
  });

  it("records a start as not launched until its last step, so a crash mid-start restarts it", () => {
    const key = launchKey(facts({}).inst, "abc");
    const fresh = planApply(facts({}));
    assert.equal(
      fresh.record.launchKey,
      key,
      "nothing follows a start whose TAPs all stay: QEMU up is whole",
    );
    assert.deepEqual(fresh.steps.at(-2), { op: "launched", launchKey: key });
    const nics = [
      { network_id: "n1", mac: "52:54:00:00:00:01" },
      { network_id: "n2", mac: "52:54:00:00:00:02" },
    ];
    assert.equal(
      planApply(facts({ nics })).record.launchKey,
      "",
      "a TAP moves after the launch: not whole yet",
    );
    // Killed between QEMU's launch and "launched": the VM runs, its TAPs perhaps unattached.
    const f = facts({}, { pid: 42, diskExists: true });
    const retry = planApply({ ...f, existing: record(f, { launchKey: "" }) });
    assert.deepEqual(brief(retry.steps).slice(0, 4), [
      "refreshDhcp",
      "buildSeed",
      "stop 42 (restarting: its last start was cut short)",
      "probeAccel",
    ]);
    const stop = retry.steps.find((s) => s.op === "stop");
    assert.equal(stop?.op === "stop" && stop.graceMs, 0, "no ACPI grace for a start that never finished");
    assert.ok(brief(retry.steps).includes("launch qvm-v1 in qvm-n1 probed"), brief(retry.steps).join(", "));
    const stopped = planApply({ ...facts({ nics }, { diskExists: true }), existing: record(f) });
    assert.equal(stopped.record.launchKey, "", "a stopped VM starting again: not launched until it is");
    const restart = planApply({ ...facts({ cpus: 2 }, { pid: 42, diskExists: true }), existing: record(f) });
    assert.equal(restart.record.launchKey, "", "a restart: the old QEMU runs under the record until stopped");
  });

  it("stops a VM that should not run, and publishes instead of waiting", () => {
    const f = facts({ running: false }, { pid: 42, diskExists: true });
    assert.deepEqual(brief(planApply({ ...f, existing: record(f) }).steps), [
      "refreshDhcp",
      "buildSeed",
      "stop 42 (stopping)",
      "publishAddresses",
    ]);
  });

  it("grows a disk through QMP while running, with qemu-img when stopped, and never shrinks it", () => {
    const running = facts({ disk_gb: 5 }, { pid: 42, diskExists: true });
    const grow = planApply({ ...running, existing: record(running) }).steps[1]!;
    assert.deepEqual(grow, {
      op: "resizeRunning",
      qmpSocket: p.instanceQmp("v1"),
      device: "disk0",
      bytes: 5 * 1024 ** 3,
    });
    const stopped = facts({ disk_gb: 5 }, { diskExists: true });
    assert.deepEqual(
      flat(planApply({ ...stopped, existing: record(stopped) }).steps)
        .map((s) => s.op)
        .filter((op) => op.startsWith("resize")),
      ["resizeOverlay"],
    );
    const small = facts({ disk_gb: 2 }, { diskExists: true });
    assert.throws(
      () => planApply({ ...small, existing: record(small) }),
      (e: unknown) => e instanceof QvmdError && e.code === "DISK_SHRINK" && e.opts.property === "diskGb",
    );
  });

  it("keys a launch on what QEMU is started with, not on the seed", () => {
    const a = facts({});
    assert.equal(launchKey(a.inst, "abc"), launchKey(facts({ user_data: "#cloud-config\n" }).inst, "abc"));
    assert.notEqual(launchKey(a.inst, "abc"), launchKey(facts({ memory_mb: 1024 }).inst, "abc"));
    assert.notEqual(launchKey(a.inst, "abc"), launchKey(a.inst, "def"));
  });
});
