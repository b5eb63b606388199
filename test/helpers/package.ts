// What dist/ ships (the .deb, the plugin and SDK tarballs) and what the qvmd package owns on the
// host, for tests that install and purge the real package (test/e2e/install.test.ts): the host is
// made to look like one that never had it, then given back as it was.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { probeSocket } from "../../api/src/socket";
import { run } from "../../agent/src/util/exec";
import { packageStatus, UNIT } from "./install";
import { ROOT } from "./workspace";

export const VERSION = fs.readFileSync(path.join(ROOT, "VERSION"), "utf8").trim();
export const DEB = `qvmd_${VERSION}_amd64.deb`;
export const PLUGIN = `pulumi-resource-qemu-v${VERSION}-linux-amd64.tar.gz`;
export const SDK = `pulumi-qemu-${VERSION}.tgz`;
export const SOCKET = "/run/qvmd/qvmd.sock";
/** Everything the package puts on the host or makes at run time: all must go with the purge. */
export const PACKAGE_PATHS = [
  "/usr/lib/qvmd",
  "/usr/sbin/qvmd",
  "/usr/bin/qvmctl",
  UNIT,
  "/usr/share/doc/qvmd",
  "/var/lib/qvmd",
  "/run/qvmd",
  "/etc/systemd/system/multi-user.target.wants/qvmd.service",
];
/** Paths a qvmd run from a checkout uses too (its default state and run directories). */
const SHARED_PATHS = ["/var/lib/qvmd", "/run/qvmd"];
/** The users QEMU and dnsmasq run as (agent/src/constants.ts SANDBOX_USERS). */
export const SANDBOX_USERS = ["qvmd-qemu", "qvmd-dhcp"];
const asideOf = (p: string) => `${p}.qvx-aside-${process.pid}`;

export const exists = (p: string) =>
  fs.existsSync(p) || fs.lstatSync(p, { throwIfNoEntry: false }) !== undefined;

/**
 * Refuses a host where the package or another qvmd is present; sets a checkout's state and run
 * directories aside and removes the sandbox users 'make setup' made. Returns what gives them back
 * (call it after the purge).
 */
export async function makeRoomForPackage(): Promise<() => Promise<void>> {
  // The test installs and purges the real package: it must not meet a qvmd of someone else's.
  assert.equal(await packageStatus("qvmd"), "not-installed", "the qvmd package is already installed here");
  assert.equal((await run("getent", ["group", "qvmd"], { reject: false })).exitCode, 2, "group qvmd exists");
  assert.notEqual(await probeSocket(SOCKET), "answers", `a qvmd already serves ${SOCKET}`);
  let hadUsers = false;
  const restore = async () => {
    for (const p of SHARED_PATHS) if (!exists(p) && exists(asideOf(p))) fs.renameSync(asideOf(p), p);
    if (hadUsers) await run("bash", [path.join(ROOT, "scripts", "setup-users.sh")]);
  };
  try {
    // A qvmd started from a checkout (as root) keeps its state and log at the package's paths: kept
    // aside while the package owns them, put back after the purge.
    for (const p of SHARED_PATHS) if (exists(p)) fs.renameSync(p, asideOf(p));
    // A fresh machine has no sandbox users: the package creates them and its purge removes them. A
    // checkout's 'make setup' made them here; they are removed for the test and made again after.
    for (const u of SANDBOX_USERS)
      if ((await run("getent", ["passwd", u], { reject: false })).exitCode === 0) {
        hadUsers = true;
        await run("userdel", [u]);
      }
  } catch (e) {
    await restore();
    throw e;
  }
  return restore;
}
