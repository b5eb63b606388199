// examples/ci-fleet as a user runs it: the example copied outside the checkout into a project that
// npm-installs the SDK tarball `make dist` built, the plugin installed from its tarball into a fresh
// PULUMI_HOME, the Pulumi CLI run as an unprivileged user who may only use qvmd's socket. One
// InstanceTemplate, CLONES clones restored from it: when `up` returns every clone answers SSH, has
// its own MAC and address, finds the others by name through the network's DNS forwarder and shows
// the template's provisioning; destroy leaves nothing of the template or the clones.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../agent/src/util/exec";
import { buildGuest } from "../helpers/guest";
import { ROOT } from "../helpers/workspace";
import { TestAgent } from "../helpers/agent";
import { useLeakCheck } from "../helpers/leaks";
import { ssh as sshAs } from "../helpers/ssh";
import { UnprivilegedUser } from "../helpers/users";

useLeakCheck();

const CLONES = 3;
const VERSION = fs.readFileSync(path.join(ROOT, "VERSION"), "utf8").trim();
const PLUGIN = `pulumi-resource-qemu-v${VERSION}-linux-amd64.tar.gz`;
const SDK = `pulumi-qemu-${VERSION}.tgz`;
/** npm's cache for users' projects, shared with test/e2e/install.test.ts (CI on one machine stays fast). */
const NPM_CACHE = path.join(os.homedir(), ".cache", "pulumi-qemu", "npm-install-test");

interface Clone {
  name: string;
  ip: string[];
  mac: string[];
  imageId: string;
}
interface Out {
  template: { id: string; stateBytes: number; bootMs: number; saveMs: number };
  image: string;
  clones: Clone[];
}

describe("examples/ci-fleet from dist/ as an unprivileged user: a template and its clones", function () {
  this.timeout(900000);
  let user: UnprivilegedUser;
  let agent: TestAgent;
  let d: (...p: string[]) => string;
  let env: Record<string, string>;
  let up = false;
  let out: Out;
  const key = () => d("id_ed25519");

  const as = async (argv: string[], what: string, cwd = d("project")) => {
    const r = await user.exec(argv, { cwd, env, timeoutMs: 600000 });
    assert.equal(
      r.code,
      0,
      `${what} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr.split("\n").slice(-60).join("\n")}`,
    );
    return r;
  };
  const ssh = (ip: string, command: string) => sshAs(key(), ip, command, 5);

  before(async () => {
    for (const f of [PLUGIN, SDK])
      assert.ok(fs.existsSync(path.join(ROOT, "dist", f)), `dist/${f} is missing: run 'make dist'`);
    user = await UnprivilegedUser.create();
    agent = new TestAgent({}, { socketGroup: String(await user.socketGid()) });
    d = (...p: string[]) => path.join(user.home, ...p);
    for (const sub of ["bin", "dist", "project", "guest", "backend", ".pulumi"]) fs.mkdirSync(d(sub));
    // What the user downloaded: our artifacts, the Pulumi CLI and a guest image.
    for (const f of [PLUGIN, SDK]) fs.copyFileSync(path.join(ROOT, "dist", f), d("dist", f));
    fs.copyFileSync(path.join(ROOT, ".tools", "pulumi", "pulumi"), d("bin", "pulumi"));
    const guest = await buildGuest("x86_64");
    for (const f of [guest.disk, guest.vmlinuz, guest.initrd])
      fs.copyFileSync(f, d("guest", path.basename(f)));
    // The example as published, with the user-project driver (an inline program: no language host).
    fs.copyFileSync(path.join(ROOT, "examples", "ci-fleet", "index.ts"), d("project", "index.ts"));
    for (const f of ["run.ts", "tsconfig.json"])
      fs.copyFileSync(path.join(ROOT, "test", "e2e", "user-project", f), d("project", f));
    const pkg = {
      name: "qvx-user-app",
      private: true,
      dependencies: { "pulumi-qemu": `file:../dist/${SDK}`, "@pulumi/pulumi": "3.248.0" },
      devDependencies: { typescript: "~5.9.3", "@types/node": "^20.19.0" },
    };
    fs.writeFileSync(d("project", "package.json"), JSON.stringify(pkg, null, 2));
    if (fs.existsSync(NPM_CACHE)) fs.cpSync(NPM_CACHE, d(".npm"), { recursive: true });
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key()]);
    await run("chown", ["-R", `${user.uid}:${user.gid}`, user.home]);
    env = {
      PATH: `${d("bin")}:/usr/local/bin:/usr/bin:/bin`,
      PULUMI_HOME: d(".pulumi"),
      PULUMI_BACKEND_URL: `file://${d("backend")}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      QVMD_SOCKET: agent.socket,
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    };
    await as(
      ["pulumi", "plugin", "install", "resource", "qemu", VERSION, "--file", d("dist", PLUGIN)],
      "plugin install",
    );
    await as(
      ["npm", "install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
      "npm install",
    );
    fs.rmSync(NPM_CACHE, { recursive: true, force: true });
    fs.cpSync(d(".npm"), NPM_CACHE, { recursive: true });
    await as(["node_modules/.bin/tsc", "-p", "."], "tsc");
    await agent.start();
  });

  after(async () => {
    if (up)
      await user.exec(["node", "bin/run.js", "destroy"], { cwd: d("project"), env }).catch(() => undefined);
    await agent?.stop();
    await user?.remove();
  });

  it(`pulumi up: ${CLONES} clones with distinct MACs and addresses, each answering SSH when it returns`, async () => {
    up = true;
    const config = {
      guestDir: d("guest"),
      cidr: "10.237.0.0/24",
      clones: String(CLONES),
      sshPublicKey: fs.readFileSync(`${key()}.pub`, "utf8").trim(),
    };
    const r = await as(
      ["node", "bin/run.js", "up", ...Object.entries(config).map(([k, v]) => `${k}=${v}`)],
      "up",
    );
    out = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Out;
    assert.equal(out.clones.length, CLONES);
    assert.ok(out.template.stateBytes > 0 && out.template.saveMs > 0, JSON.stringify(out.template));
    const ips = out.clones.map((c) => c.ip[0]!);
    const macs = out.clones.map((c) => c.mac[0]!);
    assert.equal(new Set(ips).size, CLONES, ips.join(" "));
    assert.equal(new Set(macs).size, CLONES, macs.join(" "));
    for (const ip of ips) assert.match(ip, /^10\.237\.0\.\d+$/);
    // Straight after `up`, no retries: ready means SSH answers, on every clone. Each guest has
    // the NIC of its own MAC, and the file the template's user-data wrote.
    for (const c of out.clones) {
      const s = await ssh(c.ip[0]!, "cat /var/www/provisioned.txt; cat /sys/class/net/eth*/address");
      assert.equal(s.exitCode, 0, `${c.name} at ${c.ip[0]}: ${s.stderr}`);
      assert.deepEqual(s.stdout.trim().split("\n"), ["provisioned", c.mac[0]], `${c.name}: ${s.stdout}`);
    }
    // A clone is of its template's image.
    for (const c of out.clones) assert.equal(c.imageId, out.image, `${c.name}'s imageId`);
  });

  it("every clone resolves every other by name through the network's DNS forwarder", async () => {
    for (const a of out.clones) {
      const others = out.clones.filter((b) => b !== a);
      const r = await ssh(a.ip[0]!, others.map((b) => `nslookup ${b.name}.ci.internal`).join(" && "));
      assert.equal(r.exitCode, 0, `${a.name}: ${r.stdout}${r.stderr}`);
      for (const b of others)
        assert.match(
          r.stdout,
          new RegExp(`Address:? ${b.ip[0]!.replace(/\./g, "\\.")}\\b`),
          `${a.name}: ${r.stdout}`,
        );
    }
  });

  it("pulumi destroy leaves nothing of the template, the clones or the network", async () => {
    await as(["node", "bin/run.js", "destroy"], "destroy");
    up = false;
    const st = JSON.parse(fs.readFileSync(path.join(agent.stateDir, "state.json"), "utf8")) as Record<
      string,
      object | undefined
    >;
    for (const kind of ["instances", "templates", "images", "networks", "dnsForwarders"])
      assert.deepEqual(Object.keys(st[kind] ?? {}), [], `no ${kind} left in qvmd's state`);
    const left = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
    assert.deepEqual(left(path.join(agent.stateDir, "templates")), []);
    assert.deepEqual(left(path.join(agent.stateDir, "instances")), []);
    assert.deepEqual(left(path.join(agent.stateDir, "images", "blobs")), []);
  });
});
