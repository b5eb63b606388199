// buildSeedIso makes an ISO 9660 volume labelled exactly `cidata` holding the NoCloud files.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSeedIso, renderMetaData, renderUserData } from "../../../agent/src/qemu/seed";
import { run } from "../../../agent/src/util/exec";
import { useLeakCheck } from "../../helpers/leaks";

useLeakCheck();

describe("NoCloud seed ISO (real genisoimage)", function () {
  this.timeout(60000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-seed-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is labelled cidata and holds user-data, meta-data and network-config", async () => {
    const iso = path.join(dir, "seed.iso");
    const userData = renderUserData({ hostname: "web", sshAuthorizedKeys: ["ssh-ed25519 AAAA test@x"] });
    const metaData = renderMetaData({ instanceId: "web1", hostname: "web" });
    const networkConfig = "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n";
    await buildSeedIso(iso, { userData, metaData, networkConfig });

    const info = await run("isoinfo", ["-d", "-i", iso]);
    assert.match(info.stdout, /^Volume id: cidata$/m);
    assert.match(info.stdout, /Rock Ridge/);
    const blkid = await run("blkid", ["-o", "export", iso]);
    assert.match(blkid.stdout, /^LABEL=cidata$/m);
    assert.match(blkid.stdout, /^TYPE=iso9660$/m);

    const files = (await run("isoinfo", ["-R", "-f", "-i", iso])).stdout.split("\n").sort();
    assert.deepEqual(files, ["/meta-data", "/network-config", "/user-data"]);
    const read = async (f: string) => (await run("isoinfo", ["-R", "-i", iso, "-x", f])).stdout;
    assert.equal(await read("/user-data"), userData.trimEnd());
    assert.equal(await read("/meta-data"), metaData.trimEnd());
    assert.equal(await read("/network-config"), networkConfig.trimEnd());
    // Built aside and renamed: nothing else is left next to it.
    assert.deepEqual(fs.readdirSync(dir), ["seed.iso"]);
  });

  it("replaces an existing seed and omits network-config when not given", async () => {
    const iso = path.join(dir, "seed.iso");
    await buildSeedIso(iso, {
      userData: "#cloud-config\n",
      metaData: renderMetaData({ instanceId: "b", hostname: "b" }),
    });
    const files = (await run("isoinfo", ["-R", "-f", "-i", iso])).stdout.split("\n").sort();
    assert.deepEqual(files, ["/meta-data", "/user-data"]);
  });
});
