// The attacker suite, images (findings 1 and 2 of the security review): a real unprivileged user in
// qvmd's socket group, through the real socket, tries to make qvmd (root) read host files through
// an image. Each try is refused with an error naming the property, and the host is unchanged.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as grpc from "@grpc/grpc-js";
import { run } from "../../../agent/src/util/exec";
import { TestAgent } from "../../helpers/agent";
import { assertHostUnchanged, hostSnapshot } from "../../helpers/host-snapshot";
import { useLeakCheck } from "../../helpers/leaks";
import { type CallResult, UnprivilegedUser } from "../../helpers/users";

useLeakCheck();

function expectRefused(r: CallResult, code: string, property: string): void {
  assert.equal(r.ok, false, `expected ${code}, but the call succeeded: ${JSON.stringify(r)}`);
  if (r.ok) return;
  assert.equal(r.error.code, code, r.error.message);
  assert.equal(r.error.property, property, r.error.message);
  assert.ok(
    [grpc.status.INVALID_ARGUMENT, grpc.status.FAILED_PRECONDITION, grpc.status.PERMISSION_DENIED].includes(
      r.error.grpcCode,
    ),
    `a refusal, not a failure: ${JSON.stringify(r.error)}`,
  );
}

describe("attacker: images read no host file (findings 1, 2)", function () {
  this.timeout(300000);
  let user: UnprivilegedUser;
  let agent: TestAgent;
  const base = "https://example.invalid";

  before(async () => {
    user = await UnprivilegedUser.create();
    agent = new TestAgent({}, { socketGroup: String(await user.socketGid()) });
    await agent.start();
  });
  after(async () => {
    await agent?.stop();
    await user?.remove();
  });

  /** Runs the calls as the user and checks that the host and qvmd's files did not change. */
  async function attack(what: string, method: string, ...args: unknown[]): Promise<CallResult> {
    const before = await hostSnapshot(agent.stateDir);
    const r = await user.call(agent.socket, method, ...args);
    assertHostUnchanged(before, await hostSnapshot(agent.stateDir), what);
    return r;
  }

  it("qvmd knows the caller by the socket's peer credentials, not as root", async () => {
    const r = await user.call(agent.socket, "health");
    assert.ok(r.ok, JSON.stringify(r));
    const h = r.value as { caller_uid: number; caller_gid: number };
    assert.equal(h.caller_uid, user.uid);
    assert.equal(h.caller_gid, user.gid);
    assert.notEqual(user.uid, 0);
  });

  it("cannot make qvmd read a host file named file:// (finding 1): the client reads as the user", async () => {
    // Through the typed client (what the provider does): the user's own rights apply.
    for (const file of ["/etc/shadow", "/proc/kcore", "/root/.ssh/id_ed25519"])
      expectRefused(
        await attack(`file://${file}`, "applyImage", { id: "steal", source: `file://${file}` }),
        "IMAGE_SOURCE_MISSING",
        "source",
      );
    const own = path.join(user.home, "vmlinuz");
    fs.writeFileSync(own, "not really a kernel");
    fs.chownSync(own, user.uid, user.gid);
    const boot = { id: "steal", source: `${base}/none` };
    expectRefused(
      await attack("kernel file://", "applyImage", { ...boot, kernel: "file:///etc/shadow" }),
      "IMAGE_SOURCE_MISSING",
      "kernel",
    );
    expectRefused(
      await attack("initrd file://", "applyImage", {
        ...boot,
        kernel: `file://${own}`,
        initrd: "file:///etc/shadow",
      }),
      "IMAGE_SOURCE_MISSING",
      "initrd",
    );
    // A symlink the user made to a root-only file, and a FIFO (which must not hang anything).
    fs.symlinkSync("/etc/shadow", path.join(user.home, "link.img"));
    await run("mkfifo", [path.join(user.home, "fifo.img")]);
    fs.chownSync(path.join(user.home, "fifo.img"), user.uid, user.gid);
    for (const f of ["link.img", "fifo.img"])
      expectRefused(
        await attack(f, "applyImage", { id: "steal", source: `file://${path.join(user.home, f)}` }),
        "IMAGE_SOURCE_MISSING",
        "source",
      );
  });

  it("refuses file:// on the wire in any spelling, whatever the client does (finding 1)", async () => {
    for (const source of [
      "file:///etc/shadow",
      "file:/etc/shadow",
      "FILE:///etc/shadow",
      "file:///proc/kcore",
    ])
      expectRefused(
        await attack(source, "wire:ApplyImage", { spec: { id: "steal", source } }),
        "BAD_SOURCE",
        "source",
      );
    const boot = { id: "steal", source: `${base}/none` };
    expectRefused(
      await attack("wire kernel", "wire:ApplyImage", { spec: { ...boot, kernel: "file:///etc/shadow" } }),
      "BAD_SOURCE",
      "kernel",
    );
    expectRefused(
      await attack("wire initrd", "wire:ApplyImage", {
        spec: { ...boot, kernel: `${base}/k`, initrd: "file:///etc/shadow" },
      }),
      "BAD_SOURCE",
      "initrd",
    );
  });

  it("names only bytes this uid uploaded: another's upload or a guessed digest is refused", async () => {
    const rootFile = path.join(agent.dir, "root-only.img");
    fs.writeFileSync(rootFile, "root's secret image\n", { mode: 0o600 });
    const { sha256 } = await agent.client!.uploadBlob(rootFile);
    for (const digest of [sha256, "0".repeat(64)])
      expectRefused(
        await attack(`sha256:${digest}`, "applyImage", { id: "steal", source: `sha256:${digest}` }),
        "BLOB_NOT_UPLOADED",
        "source",
      );
  });

  it("refuses uploads that are too large, too long, too short or headless, and keeps nothing", async () => {
    const cases: Array<[string, unknown, string, string]> = [
      ["1 TiB announced", { header: { size_bytes: 2 ** 40 }, chunks: [] }, "UPLOAD_TOO_LARGE", "size_bytes"],
      [
        "more than announced",
        {
          header: { size_bytes: 10 },
          chunks: [
            [8, 1],
            [8, 1],
          ],
        },
        "UPLOAD_SIZE_MISMATCH",
        "size_bytes",
      ],
      [
        "fewer than announced",
        { header: { size_bytes: 100 }, chunks: [[8, 1]] },
        "UPLOAD_SIZE_MISMATCH",
        "size_bytes",
      ],
      ["no header", { header: null, chunks: [[8, 1]] }, "UPLOAD_NO_HEADER", "header"],
      [
        "wrong digest",
        { header: { size_bytes: 8, sha256: "0".repeat(64) }, chunks: [[8, 1]] },
        "IMAGE_SHA256_MISMATCH",
        "sha256",
      ],
    ];
    for (const [what, u, code, property] of cases)
      expectRefused(await attack(what, "upload", u), code, property);
    assert.deepEqual(fs.readdirSync(path.join(agent.stateDir, "images", "uploads")), []);
  });

  it("uploads the user's own file (legitimate use), stored privately", async () => {
    const mine = path.join(user.home, "mine.raw");
    fs.writeFileSync(mine, Buffer.alloc(2 * 1024 * 1024, 3));
    fs.chownSync(mine, user.uid, user.gid);
    const r = await user.call(agent.socket, "applyImage", { id: "mine", source: `file://${mine}` });
    assert.ok(r.ok, JSON.stringify(r));
    const img = r.value as { spec: { source: string }; path: string; size_bytes: number };
    assert.match(img.spec.source, /^sha256:[0-9a-f]{64}$/);
    assert.equal(Number(img.size_bytes), 2 * 1024 * 1024);
    assert.equal(fs.statSync(img.path).mode & 0o777, 0o600, "blobs are root's alone");
    assert.equal(
      fs.statSync(agent.stateDir).mode & 0o777,
      0o711,
      "enter-only: the sandbox users reach their own directories, nothing lists or reads the rest",
    );
    assert.ok((await user.call(agent.socket, "deleteImage", "mine")).ok);
    assert.ok(!fs.existsSync(img.path), "the image held the blob; nothing holds it any more");
  });

  it("downloads from nowhere the admin did not allow: loopback, the metadata service (finding 9)", async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const source of [
        `http://127.0.0.1:${port}/x`,
        `http://localhost:${port}/x`,
        `http://[::1]:${port}/x`,
        "http://169.254.169.254/latest/meta-data/iam/",
      ])
        expectRefused(
          await attack(source, "applyImage", { id: "ssrf", source }),
          "DOWNLOAD_NOT_ALLOWED",
          "source",
        );
      assert.equal(hits, 0, "qvmd never connected");
    } finally {
      server.close();
    }
  });

  /** A file in the user's home, theirs, made by `make` (given its path). */
  async function usersFile(name: string, make: (file: string) => Promise<void> | void): Promise<string> {
    const f = path.join(user.home, name);
    await make(f);
    fs.chownSync(f, user.uid, user.gid);
    return f;
  }

  it("refuses a qcow2 whose external data file is a host file or a disk (finding 2)", async () => {
    for (const target of ["/etc/shadow", "/dev/sda", "/proc/kcore"]) {
      // The repro's recipe: create with a dummy data file, then put the target's name in its place.
      const evil = await usersFile("evil.qcow2", async (f) => {
        const dummy = path.join(user.home, "d".repeat(target.length));
        await run("qemu-img", [
          "create",
          "-q",
          "-f",
          "qcow2",
          "-o",
          `data_file=${dummy},data_file_raw=on`,
          f,
          "64M",
        ]);
        const bytes = fs.readFileSync(f);
        fs.writeFileSync(f, Buffer.from(bytes.toString("latin1").replace(dummy, target), "latin1"));
        fs.rmSync(dummy, { force: true });
      });
      const r = await attack(`data-file ${target}`, "applyImage", { id: "evil", source: `file://${evil}` });
      expectRefused(r, "IMAGE_HAS_DATA_FILE", "source");
    }
  });

  it("refuses backing files of every kind (a path, json:, nbd:), and a format it does not take", async () => {
    const backings = [
      "/etc/shadow",
      'json:{"file.driver":"file","file.filename":"/etc/shadow"}',
      "nbd+unix:///x?socket=/run/qvmd/qvmd.sock",
    ];
    for (const [i, b] of backings.entries()) {
      const f = await usersFile(`back${i}.qcow2`, (f) =>
        run("qemu-img", ["create", "-q", "-f", "qcow2", "-u", "-F", "raw", "-b", b, f, "64M"]).then(
          () => undefined,
        ),
      );
      expectRefused(
        await attack(`backing ${b}`, "applyImage", { id: "evil", source: `file://${f}` }),
        "IMAGE_HAS_BACKING_FILE",
        "source",
      );
    }
    // A VMDK descriptor names its extents: qemu-img probing it as root would open them.
    const vmdk = await usersFile("desc.vmdk", (f) =>
      fs.writeFileSync(
        f,
        '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n' +
          'RW 2048 FLAT "/etc/shadow" 0\n',
      ),
    );
    expectRefused(
      await attack("vmdk extent", "applyImage", { id: "evil", source: `file://${vmdk}` }),
      "IMAGE_UNSUPPORTED_FORMAT",
      "source",
    );
    // A qcow2 declared raw is not taken as raw.
    const q = await usersFile("plain.qcow2", (f) =>
      run("qemu-img", ["create", "-q", "-f", "qcow2", f, "1M"]).then(() => undefined),
    );
    expectRefused(
      await attack("qcow2 as raw", "applyImage", { id: "evil", source: `file://${q}`, format: "raw" }),
      "IMAGE_FORMAT_MISMATCH",
      "format",
    );
  });
});
