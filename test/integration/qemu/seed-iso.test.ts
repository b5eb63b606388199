// buildSeedIso (the in-process writer, agent/src/qemu/iso9660.ts) makes an ISO 9660 volume labelled
// exactly `cidata` holding the NoCloud files, as real readers see it: blkid (what finds the seed by
// its label) and bsdtar (libarchive's reader, Joliet names and the primary tree). The guest's own
// kernel reading it is test/integration/instances/ready.test.ts (user-data runs).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSeedIso, renderMetaData, renderUserData } from "../../../agent/src/qemu/seed";
import { temp } from "../../../agent/src/constants";
import { run } from "../../../agent/src/util/exec";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

describe("NoCloud seed ISO (in-process writer, real readers)", function () {
  this.timeout(60000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-seed-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const list = async (iso: string) =>
    (await run("bsdtar", ["-tf", iso])).stdout
      .split("\n")
      .filter((f) => f && f !== ".")
      .sort();
  // Extracted to files, byte for byte (run() strips a final newline from stdout).
  let n = 0;
  const read = async (iso: string, f: string, opts: string[] = []) => {
    const out = path.join(dir, `x${n++}`);
    fs.mkdirSync(out);
    try {
      await run("bsdtar", [...opts, "-xf", iso, "-C", out, f]);
      return fs.readFileSync(path.join(out, f), "utf8");
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  };

  it("is labelled cidata and holds user-data, meta-data and network-config", async () => {
    const iso = path.join(dir, "seed.iso");
    const userData = renderUserData({ hostname: "web", sshAuthorizedKeys: ["ssh-ed25519 AAAA test@x"] });
    const metaData = renderMetaData({ instanceId: "web1", hostname: "web" });
    const networkConfig = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n";
    await buildSeedIso(iso, { userData, metaData, networkConfig });

    const blkid = await run("blkid", ["-o", "export", iso]);
    assert.match(blkid.stdout, /^LABEL=cidata$/m);
    assert.match(blkid.stdout, /^TYPE=iso9660$/m);

    assert.deepEqual(await list(iso), ["meta-data", "network-config", "user-data"]);
    assert.equal(await read(iso, "user-data"), userData);
    assert.equal(await read(iso, "meta-data"), metaData);
    assert.equal(await read(iso, "network-config"), networkConfig);
    // A reader that ignores Joliet sees the 8.3 names (bsdtar drops the `.;1`), same contents.
    const primary = (await run("bsdtar", ["--options", "iso9660:!joliet", "-tf", iso])).stdout;
    assert.deepEqual(
      primary
        .split("\n")
        .filter((f) => f && f !== ".")
        .sort(),
      ["META_DAT", "NETWORK_", "USER_DAT"],
    );
    assert.equal(await read(iso, "USER_DAT", ["--options", "iso9660:!joliet"]), userData);
    // Written aside and renamed: nothing else is left next to it.
    assert.deepEqual(fs.readdirSync(dir), ["seed.iso"]);
  });

  it("replaces an existing seed, omits network-config when not given, and clears a crashed build's leftovers", async () => {
    const iso = path.join(dir, "seed.iso");
    fs.writeFileSync(path.join(dir, `${temp.seedDir}crashed.iso`), "half");
    fs.mkdirSync(path.join(dir, `${temp.seedDir}older`));
    await buildSeedIso(iso, {
      userData: "#cloud-config\n",
      metaData: renderMetaData({ instanceId: "b", hostname: "b" }),
    });
    assert.deepEqual(await list(iso), ["meta-data", "user-data"]);
    assert.equal(await read(iso, "user-data"), "#cloud-config\n");
    assert.deepEqual(fs.readdirSync(dir), ["seed.iso"]);
  });
});
