// A user's projects outside the checkout, from dist/ only: the qvmd .deb installed with dpkg (qvmd
// started as its unit would, systemd not running here), the plugin installed from its tarball into
// a fresh PULUMI_HOME, a new TypeScript project that npm-installs the SDK tarball, and the YAML
// quick start with a plain `pulumi up`, all as a throwaway user who is only in group qvmd. Then a
// kill -9 of qvmd that the next `up` rides over, and a purge that leaves nothing of ours.
import * as assert from "node:assert/strict";
import { promises as dns } from "node:dns";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { probeSocket } from "../../api/src/socket";
import { run } from "../../agent/src/util/exec";
import { guestDir } from "../helpers/guest";
import { ROOT } from "../helpers/workspace";
import { asUser, packageStatus, type Result, Service, UNIT, type User } from "../helpers/install";
import {
  DEB,
  exists,
  makeRoomForPackage,
  PACKAGE_PATHS,
  PLUGIN,
  SANDBOX_USERS,
  SDK,
  SOCKET,
  VERSION,
} from "../helpers/package";
import { useLeakCheck } from "../helpers/leaks";

useLeakCheck();

/** npm's cache for the user's project, kept between runs (CI on the same machine stays fast). */
const NPM_CACHE = path.join(os.homedir(), ".cache", "pulumi-qemu", "npm-install-test");

const ok = (r: Result, what: string) => assert.equal(r.code, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);

describe("a user's projects outside the repo, from dist/ artifacts, as a user in group qvmd", function () {
  this.timeout(900000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-install-"));
  const d = (...p: string[]) => path.join(tmp, ...p);
  const user: User = { name: `qvx${process.pid.toString(36)}u`, uid: -1, gid: -1, home: d("home") };
  let service: Service | undefined;
  let installed = false;
  let restoreHost: (() => Promise<void>) | undefined;
  const ts: Record<string, string> = { cidr: "10.245.0.0/24" };
  let tsOut: { dns: string; network: string; gateway: string; ip: string; state: string; pid: number };

  const env = () => ({
    PATH: `${d("bin")}:/usr/local/bin:/usr/bin:/bin`,
    PULUMI_HOME: d("home", ".pulumi"),
    PULUMI_BACKEND_URL: `file://${d("backend")}`,
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  });
  const pulumi = (cwd: string, ...args: string[]) => asUser(user, ["pulumi", ...args], { cwd, env: env() });
  const tsRun = (...args: string[]) =>
    asUser(user, ["node", "bin/run.js", ...args], { cwd: d("ts"), env: env() });

  before(async () => {
    for (const f of [DEB, PLUGIN, SDK])
      assert.ok(fs.existsSync(path.join(ROOT, "dist", f)), `dist/${f} is missing: run 'make dist'`);
    restoreHost = await makeRoomForPackage();

    fs.chmodSync(tmp, 0o755);
    for (const sub of ["bin", "dist", "home/tmp", "ts", "yaml", "backend", "guest"])
      fs.mkdirSync(d(sub), { recursive: true });
    // What the user downloaded: our artifacts, their own Pulumi CLI (with its YAML host) and an image.
    for (const f of [DEB, PLUGIN, SDK]) fs.copyFileSync(path.join(ROOT, "dist", f), d("dist", f));
    for (const f of ["pulumi", "pulumi-language-yaml"])
      fs.copyFileSync(path.join(ROOT, ".tools", "pulumi", f), d("bin", f));
    for (const f of ["pulumi", "pulumi-language-yaml"]) fs.chmodSync(d("bin", f), 0o755);
    fs.copyFileSync(path.join(await guestDir("x86_64"), "disk.qcow2"), d("guest", "disk.qcow2"));
    for (const f of ["index.ts", "run.ts", "tsconfig.json"])
      fs.copyFileSync(path.join(ROOT, "test", "e2e", "user-project", f), d("ts", f));
    fs.copyFileSync(path.join(ROOT, "examples", "yaml-quickstart", "Pulumi.yaml"), d("yaml", "Pulumi.yaml"));
    if (fs.existsSync(NPM_CACHE)) fs.cpSync(NPM_CACHE, d("home", ".npm"), { recursive: true });
  });

  after(async () => {
    // Normally the last test did all of this; after a failure, clean up whatever is left.
    if (user.uid >= 0 && installed) {
      await tsRun("destroy").catch(() => undefined);
      await pulumi(d("yaml"), "destroy", "--yes", "--stack", "dev").catch(() => undefined);
    }
    await service?.stop();
    await run("userdel", [user.name], { reject: false });
    if (installed) await run("dpkg", ["--purge", "qvmd"], { reject: false });
    await restoreHost?.();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("dpkg installs qvmd: dependencies declared, agent, unit, group, state directory", async () => {
    const depends = (await run("dpkg-deb", ["-f", d("dist", DEB), "Depends"])).stdout;
    for (const p of ["qemu-system-x86", "qemu-utils", "dnsmasq-base", "nftables", "iproute2", "python3"])
      assert.match(depends, new RegExp(`(^|[ ,|])${p}([ ,(]|$)`), `Depends lacks ${p}: ${depends}`);
    // qvmd writes the NoCloud seed itself (agent/src/qemu/iso9660.ts): no ISO tool to install.
    for (const p of ["genisoimage", "xorriso", "mkisofs"])
      assert.doesNotMatch(
        depends,
        new RegExp(`(^|[ ,|])${p}([ ,(]|$)`),
        `Depends still has ${p}: ${depends}`,
      );
    installed = true;
    await run("dpkg", ["-i", d("dist", DEB)]);
    assert.equal(await packageStatus("qvmd"), `install ok installed ${VERSION}`);
    assert.equal((await run("/usr/sbin/qvmd", ["--version"])).stdout, `qvmd ${VERSION}`);
    assert.equal(
      fs.statSync("/var/lib/qvmd").mode & 0o777,
      0o711,
      "enter-only for QEMU's and dnsmasq's users",
    );
    for (const u of SANDBOX_USERS) {
      const pw = (await run("getent", ["passwd", u])).stdout.split(":");
      assert.ok(Number(pw[2]) > 0 && pw[6] === "/usr/sbin/nologin", `${u} is an unprivileged system user`);
    }
    const gid = Number((await run("getent", ["group", "qvmd"])).stdout.split(":")[2]);
    assert.ok(gid > 0);

    // The user: primary group qvmd, no other group, no home of their own outside our folder.
    await run("useradd", [
      "--no-create-home",
      "--no-user-group",
      "--gid",
      "qvmd",
      "--home-dir",
      user.home,
      user.name,
    ]);
    user.uid = Number((await run("id", ["-u", user.name])).stdout);
    user.gid = gid;
    assert.equal((await run("id", ["-Gn", user.name])).stdout, "qvmd");
    for (const sub of ["home", "ts", "yaml", "backend", "guest", "dist"])
      await run("chown", ["-R", `${user.name}:qvmd`, d(sub)]);

    // systemd is not running here: start qvmd the way its unit does, and restart it the same way.
    service = new Service(fs.readFileSync(UNIT, "utf8"), d("qvmd.log"));
    assert.equal(fs.realpathSync(service.executable), "/usr/lib/qvmd/qvmd");
    service.start();
    for (let i = 0; i < 150 && (await probeSocket(SOCKET)) !== "answers"; i++)
      await new Promise((r) => setTimeout(r, 100));
    const st = fs.statSync(SOCKET);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [0, gid, 0o660]);
  });

  it("only members of group qvmd may use the socket", async () => {
    const probe = [
      "node",
      "-e",
      `require("net").connect(${JSON.stringify(SOCKET)}).on("connect",()=>process.exit(0)).on("error",e=>{console.log(e.code);process.exit(1)})`,
    ];
    ok(await asUser(user, probe, { cwd: user.home }), "connecting as a member of qvmd");
    const outsider = await asUser(user, probe, { cwd: user.home, gid: 65534 });
    assert.equal(outsider.stdout.trim(), "EACCES");
  });

  it("pulumi plugin install from the tarball; pulumi plugin ls lists qemu with the version", async () => {
    ok(
      await pulumi(d("dist"), "plugin", "install", "resource", "qemu", VERSION, "--file", d("dist", PLUGIN)),
      "plugin install",
    );
    const ls = await pulumi(d("dist"), "plugin", "ls");
    ok(ls, "plugin ls");
    assert.match(ls.stdout, new RegExp(`^qemu\\s+resource\\s+${VERSION.replace(/\./g, "\\.")}\\s`, "m"));
    console.log(ls.stdout);
  });

  it("a new TypeScript project npm-installs the SDK tarball and brings up a network and a VM", async () => {
    const pkg = {
      name: "qvx-user-app",
      private: true,
      dependencies: { "pulumi-qemu": `file:../dist/${SDK}`, "@pulumi/pulumi": "3.248.0" },
      devDependencies: { typescript: "~5.9.3", "@types/node": "^20.19.0" },
    };
    fs.writeFileSync(d("ts", "package.json"), JSON.stringify(pkg, null, 2));
    await run("chown", ["-R", `${user.name}:qvmd`, d("ts")]);
    const npm = ["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
    ok(await asUser(user, npm, { cwd: d("ts"), timeoutMs: 600000 }), "npm install");
    fs.rmSync(NPM_CACHE, { recursive: true, force: true });
    fs.cpSync(d("home", ".npm"), NPM_CACHE, { recursive: true });
    const sdk = JSON.parse(fs.readFileSync(d("ts", "node_modules", "pulumi-qemu", "package.json"), "utf8"));
    assert.deepEqual([sdk.version, sdk.pulumi.version, sdk.pulumiQemu.plugin], [VERSION, VERSION, PLUGIN]);
    ok(await asUser(user, ["node_modules/.bin/tsc", "-p", "."], { cwd: d("ts") }), "tsc");

    ts.imageSource = `file://${d("guest", "disk.qcow2")}`;
    const up = await tsRun("up", ...Object.entries(ts).map(([k, v]) => `${k}=${v}`));
    ok(up, "up");
    tsOut = JSON.parse(up.stdout.trim().split("\n").at(-1)!);
    assert.match(tsOut.ip, /^10\.245\.0\.\d+$/);
    assert.equal(tsOut.state, "running");
    // The guest serves its name over HTTP: the VM is up and reachable from the host.
    const page = await fetch(`http://${tsOut.ip}/`, { signal: AbortSignal.timeout(15000) });
    assert.match(await page.text(), /^qvm-guest vm\b/);
    // The packaged qvmd runs DNS forwarders in a process it forks from its own executable.
    assert.equal(tsOut.dns, tsOut.gateway);
    const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
    resolver.setServers([tsOut.dns]);
    assert.deepEqual(await resolver.resolve4("vm.app.internal"), [tsOut.ip]);
  });

  it("kill -9 of qvmd: the next up waits for the service to come back, without a manual step", async () => {
    // The restart happens once the provider is seen waiting (as after a slow restart), so the
    // provider surely meets the dead socket; if it never waits, the restart comes anyway at 25 s.
    const svc = service!;
    svc.manualRestart = true;
    await svc.kill9();
    assert.ok(fs.lstatSync(SOCKET).isSocket(), "kill -9 leaves the socket file");
    assert.equal(await probeSocket(SOCKET), "refused");
    const backstop = setTimeout(() => svc.restart(), 25000);
    let seen = false;
    const up = await asUser(user, ["node", "bin/run.js", "refresh-up"], {
      cwd: d("ts"),
      env: env(),
      onStderr: (text) => {
        if (seen || !/waiting for qvmd at \/run\/qvmd\/qvmd\.sock/.test(text)) return;
        seen = true;
        setTimeout(() => svc.restart(), 1000);
      },
    });
    clearTimeout(backstop);
    svc.manualRestart = false;
    ok(up, "up after kill -9");
    assert.match(up.stderr, /waiting for qvmd at \/run\/qvmd\/qvmd\.sock/);
    assert.equal(svc.restarts, 1);
    assert.match(fs.readFileSync(d("qvmd.log"), "utf8"), /replacing the stale socket/);
    const after = JSON.parse(up.stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(after, tsOut, "restarting qvmd never stops a VM");
  });

  it("qvmctl, for a member of group qvmd, lists the VM with its state and address", async () => {
    const r = await asUser(user, ["qvmctl", "list", "instances"], { cwd: user.home });
    ok(r, "qvmctl list");
    assert.match(r.stdout, /^INSTANCES\n/);
    const ip = tsOut.ip.replace(/\./g, "\\.");
    assert.match(r.stdout, new RegExp(`^\\S+\\s+running\\s+\\d+\\s+${ip}\\s`, "m"), r.stdout);
    assert.match((await asUser(user, ["qvmctl", "status"], { cwd: user.home })).stdout, /^qvmd \S+, pid \d+/);
  });

  it("a user outside group qvmd is told how to join it", async () => {
    const up = await asUser(user, ["node", "bin/run.js", "refresh-up"], {
      cwd: d("ts"),
      env: env(),
      gid: 65534,
    });
    assert.notEqual(up.code, 0);
    assert.match(up.stderr, /you may not use qvmd's socket.*sudo usermod -aG qvmd \$USER/);
  });

  it("the YAML quick start runs with a plain `pulumi up` in its folder", async () => {
    const y = d("yaml");
    ok(await pulumi(y, "stack", "init", "dev"), "stack init");
    ok(await pulumi(y, "config", "set", "imageSource", `file://${d("guest", "disk.qcow2")}`), "config");
    ok(await pulumi(y, "config", "set", "cidr", "10.246.0.0/24"), "config");
    ok(await pulumi(y, "config", "set", "memoryMb", "256"), "config");
    ok(await pulumi(y, "up", "--yes"), "pulumi up");
    const out = JSON.parse((await pulumi(y, "stack", "output", "--json")).stdout);
    assert.match(out.ip, /^10\.246\.0\.\d+$/);
    assert.equal(out.state, "running");
    ok(await pulumi(y, "destroy", "--yes"), "pulumi destroy");
  });

  it("destroy, stop qvmd, purge: the package, its group, the user and every installed path are gone", async () => {
    ok(await tsRun("destroy"), "destroy");
    await service!.stop();
    await run("userdel", [user.name]);
    await run("dpkg", ["--purge", "qvmd"]);
    installed = false;
    assert.equal(await packageStatus("qvmd"), "not-installed");
    assert.equal((await run("getent", ["group", "qvmd"], { reject: false })).exitCode, 2);
    assert.equal((await run("getent", ["passwd", user.name], { reject: false })).exitCode, 2);
    for (const u of SANDBOX_USERS)
      assert.equal(
        (await run("getent", ["passwd", u], { reject: false })).exitCode,
        2,
        `${u}, created by the package, is removed by its purge`,
      );
    assert.deepEqual(PACKAGE_PATHS.filter(exists), []);
  });
});
