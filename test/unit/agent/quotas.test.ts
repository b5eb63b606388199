// Per-uid quotas (finding 9): counted from what each uid holds, the applied object left out (so a
// change is not counted twice), root exempt; a refusal names the property.
import * as assert from "node:assert/strict";
import { defaultConfig } from "../../../agent/src/config";
import { QvmdError } from "../../../agent/src/errors";
import { assertWithinQuota, instanceUsage, templateUsage, usageOf } from "../../../agent/src/policy/quotas";

const inst = (uid: number | undefined, memory_mb: number, diskGb: number) => ({
  uid,
  spec: { id: "x", image_id: "i", memory_mb },
  diskGb,
  blobs: [],
  addresses: {},
  launchKey: "",
  createdAt: "",
});
const state = {
  networks: { n1: { uid: 1000, spec: { id: "n1", cidr: "10.0.0.0/24" }, createdAt: "" } },
  images: {
    i: {
      uid: 1000,
      spec: { id: "i", source: "" },
      sha256: "",
      format: "raw" as const,
      sizeBytes: 1,
      virtualSizeBytes: 3 * 1024 ** 3,
      createdAt: "",
    },
  },
  instances: { a: inst(1000, 1024, 10), b: inst(1000, 0, 5), c: inst(undefined, 4096, 50) },
  bridges: {},
  dnsForwarders: {},
} as unknown as Parameters<typeof usageOf>[0]; // records cut down to what quotas count

describe("quotas", () => {
  it("counts a uid's objects; records without a uid are root's", () => {
    assert.deepEqual(usageOf(state, 1000), {
      instances: 2,
      memoryMb: 1024 + 512,
      diskGb: 15,
      networks: 1,
      images: 1,
      bridges: 0,
      dnsForwarders: 0,
    });
    assert.equal(usageOf(state, 0).instances, 1);
    assert.equal(
      usageOf(state, 1000, { kind: "instances", id: "a" }).memoryMb,
      512,
      "the applied one left out",
    );
    assert.deepEqual(instanceUsage(state, { image_id: "i", memory_mb: 0, disk_gb: 0 }), {
      memoryMb: 512,
      diskGb: 3,
    });
  });

  it("counts a template as an instance with its memory, and its disk layer plus memory file as disk; a clone as its template", () => {
    const tpl = (uid: number, memoryMb: number, diskGb?: number) => ({
      uid,
      imageId: "i",
      machine: { arch: "x86_64", cpus: 1, memoryMb, machine: "q35" },
      diskGb,
    });
    const clone = { ...inst(1000, 0, 3), spec: { id: "k", image_id: "", template_id: "t", memory_mb: 0 } };
    const s = {
      ...state,
      instances: { k: clone },
      templates: { t: tpl(1000, 256, 3), u: tpl(1000, 2048), r: tpl(0, 4096, 9) },
    } as unknown as Parameters<typeof usageOf>[0];
    const u = usageOf(s, 1000);
    // t: 256 MiB, 3 GiB + 1 GiB of memory file; u (an old record without diskGb): the image's 3 GiB
    // + 2 GiB; the clone k: t's 256 MiB and 3 GiB.
    assert.deepEqual([u.instances, u.memoryMb, u.diskGb], [3, 256 + 2048 + 256, 4 + 5 + 3]);
    assert.deepEqual(
      usageOf(s, 1000, { kind: "templates", id: "u" }).memoryMb,
      512,
      "the applied one left out",
    );
    assert.deepEqual(instanceUsage(s, { image_id: "", template_id: "t", memory_mb: 0, disk_gb: 0 }), {
      memoryMb: 256,
      diskGb: 3,
    });
    assert.deepEqual(templateUsage(s, { image_id: "i", memory_mb: 0 }), { memoryMb: 512, diskGb: 3 + 1 });
    assert.deepEqual(templateUsage(s, { image_id: "i", memory_mb: 1536 }), { memoryMb: 1536, diskGb: 3 + 2 });
  });

  it("refuses past a quota, naming the property; root is not counted", () => {
    const q = { ...defaultConfig().quotas, instances: 2, memoryMb: 2048 };
    const user = { uid: 1000, gid: 1000, pid: 1 };
    const used = usageOf(state, 1000);
    assert.throws(
      () => assertWithinQuota(user, q, used, { instances: 1 }),
      (e: unknown) => e instanceof QvmdError && e.code === "QUOTA_EXCEEDED" && e.opts.property === "id",
    );
    assert.throws(
      () =>
        assertWithinQuota(user, q, usageOf(state, 1000, { kind: "instances", id: "a" }), {
          instances: 0,
          memoryMb: 2000,
        }),
      (e: unknown) => e instanceof QvmdError && e.code === "QUOTA_EXCEEDED" && e.opts.property === "memoryMb",
    );
    assertWithinQuota(user, q, usageOf(state, 1000, { kind: "instances", id: "a" }), {
      instances: 0,
      memoryMb: 1536,
    });
    assertWithinQuota({ uid: 0, gid: 0, pid: 1 }, q, used, { instances: 100 });
  });
});
