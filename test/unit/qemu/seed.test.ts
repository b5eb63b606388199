import * as assert from "node:assert/strict";
import { QvmdError } from "../../../agent/src/errors";
import {
  SEED_MAX_BYTES,
  checkSeedSize,
  renderMetaData,
  renderUserData,
} from "../../../agent/src/qemu/seed-render";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host";
const KEY2 = "ssh-rsa AAAAB3Nza second@host";

describe("NoCloud seed rendering", () => {
  it("meta-data quotes values so any hostname stays one YAML scalar", () => {
    assert.equal(
      renderMetaData({ instanceId: "web1", hostname: "web" }),
      'instance-id: "web1"\nlocal-hostname: "web"\n',
    );
    assert.equal(
      renderMetaData({ instanceId: "i", hostname: 'a: b\n"c"' }),
      'instance-id: "i"\nlocal-hostname: "a: b\\n\\"c\\""\n',
    );
  });

  it("without user data emits a #cloud-config with hostname and keys", () => {
    assert.equal(
      renderUserData({ hostname: "web", sshAuthorizedKeys: [KEY] }),
      `#cloud-config\nhostname: "web"\nssh_authorized_keys:\n  - ${JSON.stringify(KEY)}\n`,
    );
    assert.equal(
      renderUserData({ hostname: "web", sshAuthorizedKeys: [] }),
      '#cloud-config\nhostname: "web"\n',
    );
  });

  it("passes user data through unchanged when there are no keys", () => {
    const script = "#!/bin/sh\necho hi\n";
    assert.equal(renderUserData({ userData: script, hostname: "h" }), script);
  });

  it("appends a keys block to a #cloud-config that has none", () => {
    const ud = "#cloud-config\npackages:\n  - nginx";
    assert.equal(
      renderUserData({ userData: ud, hostname: "h", sshAuthorizedKeys: [KEY] }),
      `${ud}\nssh_authorized_keys:\n  - ${JSON.stringify(KEY)}\n`,
    );
  });

  it("extends an existing block list with the missing keys, keeping its indentation", () => {
    const ud = `#cloud-config\nssh_authorized_keys:\n    - ${KEY}\nruncmd:\n  - [echo, hi]\n`;
    const out = renderUserData({ userData: ud, hostname: "h", sshAuthorizedKeys: [KEY, KEY2] });
    assert.equal(
      out,
      `#cloud-config\nssh_authorized_keys:\n    - ${JSON.stringify(KEY2)}\n    - ${KEY}\nruncmd:\n  - [echo, hi]\n`,
    );
    // Idempotent: all keys present means no change.
    assert.equal(renderUserData({ userData: out, hostname: "h", sshAuthorizedKeys: [KEY, KEY2] }), out);
  });

  it("refuses key merges it cannot do by text", () => {
    const isUnmergeable = (e: unknown) =>
      e instanceof QvmdError &&
      e.code === "USERDATA_KEYS_UNMERGEABLE" &&
      e.opts.property === "sshAuthorizedKeys";
    assert.throws(
      () => renderUserData({ userData: "#!/bin/sh\ntrue\n", hostname: "h", sshAuthorizedKeys: [KEY] }),
      isUnmergeable,
    );
    assert.throws(
      () =>
        renderUserData({
          userData: '#cloud-config\nssh_authorized_keys: ["x"]\n',
          hostname: "h",
          sshAuthorizedKeys: [KEY],
        }),
      isUnmergeable,
    );
  });

  it("reports oversize seed files by property, counting bytes not characters", () => {
    assert.deepEqual(checkSeedSize({ userData: "x".repeat(SEED_MAX_BYTES), metaData: "m" }), []);
    const v = checkSeedSize({ userData: "é".repeat(SEED_MAX_BYTES / 2 + 1) });
    assert.equal(v.length, 1);
    assert.equal(v[0]!.property, "userData");
    assert.equal(v[0]!.code, "SEED_TOO_LARGE");
    assert.match(v[0]!.message, new RegExp(`${SEED_MAX_BYTES + 2} bytes`));
    assert.deepEqual(
      checkSeedSize({ networkConfig: "n".repeat(SEED_MAX_BYTES + 1) }).map((x) => x.property),
      ["networkConfig"],
    );
  });
});
