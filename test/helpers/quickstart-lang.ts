// The quick start in another language (Python, Go) against a real qvmd and the real Pulumi CLI, run
// through the example's own Automation API driver (inline program: no language host here). The same
// checks for every language: `up` returns both VMs' names and addresses, a second preview changes
// nothing, destroy leaves nothing. The TypeScript quick start keeps the deep coverage (SSH, DNS,
// updates, drift, crashes).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { run } from "../../agent/src/util/exec";
import { guestDir } from "./guest";
import { pulumiEnv, ROOT } from "./workspace";
import { TestAgent } from "./agent";

export type Action = "up" | "preview" | "destroy";

/** How one language runs one action of its example: argv and working directory. */
export type Invocation = (action: Action, stack: string, config: string[], resultFile: string) => string[];

export interface Language {
  /** examples/<example> */
  example: string;
  /** Builds what the language needs in `dir` around the copied example in `project`. */
  prepare(dir: string, project: string): Promise<Invocation>;
}

interface Vm {
  id: string;
  fqdn: string;
  ipAddresses: string[];
  state: string;
}
interface Outputs {
  network: { name: string; cidr: string; gateway: string };
  dns: { address: string; zone: string };
  web: Vm;
  db: Vm;
}
interface DriverResult {
  result?: string;
  changes?: Record<string, number>;
  outputs?: Outputs;
}

/** Copies examples/<name> outside the checkout, the provider path in its Pulumi.yaml made absolute. */
export function copyExample(name: string, dest: string): string {
  const src = path.join(ROOT, "examples", name);
  // Stack config files a developer's own runs left beside Pulumi.yaml are not part of the example.
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (f) => !/Pulumi\.[^/]+\.yaml$/.test(f) || f.endsWith("/Pulumi.yaml"),
  });
  const yaml = path.join(dest, "Pulumi.yaml");
  const text = fs.readFileSync(yaml, "utf8");
  assert.match(text, /path: \.\.\/\.\.\/provider$/m);
  fs.writeFileSync(
    yaml,
    text.replace(/path: \.\.\/\.\.\/provider$/m, `path: ${path.join(ROOT, "provider")}`),
  );
  return dest;
}

/** Runs argv in cwd with env; on failure the error quotes the tail of its output. */
export async function runIn(argv: string[], cwd: string, env: Record<string, string>, timeoutMs = 600000) {
  const { execa } = await import("execa");
  const [file, ...args] = argv;
  const r = await execa(file!, args, {
    cwd,
    env: { ...process.env, ...env },
    reject: false,
    timeout: timeoutMs,
    all: true,
  });
  if (r.exitCode !== 0)
    throw new Error(
      `\`${argv.join(" ")}\` failed (exit ${r.exitCode}):\n${String(r.all ?? "")
        .split("\n")
        .slice(-40)
        .join("\n")}`,
    );
  return r;
}

export function describeQuickstart(title: string, lang: Language, subnet: string): void {
  describe(title, function () {
    this.timeout(900000);
    const agent = new TestAgent();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qvx-qslang-"));
    const project = path.join(dir, "project");
    let env: Record<string, string>;
    let invoke: Invocation;
    let created = 0;
    let out: Outputs;
    const stack = "e2e";
    const config = [`cidr=${subnet}.0/24`];

    const act = async (action: Action): Promise<DriverResult> => {
      const file = path.join(dir, `${action}.json`);
      fs.rmSync(file, { force: true });
      await runIn(invoke(action, stack, config, file), project, env);
      return JSON.parse(fs.readFileSync(file, "utf8")) as DriverResult;
    };

    before(async () => {
      const guest = await guestDir("x86_64");
      copyExample(lang.example, project);
      invoke = await lang.prepare(dir, project);
      await agent.start();
      env = pulumiEnv(dir, { QVMD_SOCKET: agent.socket, QEMU_GUEST_DIR: guest });
    });

    after(async () => {
      if (created > 0 && agent.running)
        await act("destroy").catch((e: unknown) => console.error("destroy in after():", e));
      await agent.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("up creates the network, both images, both VMs and the DNS forwarder; names and addresses are outputs", async () => {
      const up = await act("up");
      assert.equal(up.result, "succeeded");
      created = up.changes?.create ?? 0;
      // the stack, the network, 2 images, 2 instances, the DNS forwarder (the default provider is not counted)
      assert.equal(created, 7, JSON.stringify(up.changes));
      out = up.outputs!;
      assert.equal(out.network.cidr, `${subnet}.0/24`);
      assert.equal(out.network.gateway, `${subnet}.1`);
      assert.match(out.web.ipAddresses[0] ?? "", new RegExp(`^${subnet.replace(/\./g, "\\.")}\\.\\d+$`));
      assert.equal(out.db.ipAddresses[0], `${subnet}.20`, "db's static address, found by ARP");
      assert.equal(out.web.fqdn, "web.dev.internal");
      assert.equal(out.db.fqdn, "db.dev.internal");
      assert.deepEqual(out.dns, { address: `${subnet}.1`, zone: "dev.internal" });
      for (const vm of [out.web, out.db]) {
        assert.equal(vm.state, "running");
        const { pid } = await agent.client!.getInstance(vm.id);
        assert.ok(pid > 0 && fs.existsSync(`/proc/${pid}`), `QEMU of ${vm.fqdn} runs (pid ${pid})`);
      }
      // The addresses are real: both guests answer from the host, through the network's gateway.
      for (const ip of [out.web.ipAddresses[0]!, out.db.ipAddresses[0]!])
        await run("busybox", ["ping", "-c", "1", "-W", "5", ip], { timeoutMs: 15000 });
    });

    it("a second preview shows no changes", async () => {
      const preview = await act("preview");
      assert.deepEqual(Object.keys(preview.changes ?? {}), ["same"], JSON.stringify(preview.changes));
      assert.equal(preview.changes!.same, created);
    });

    it("destroy deletes everything it created and qvmd keeps nothing", async () => {
      const destroy = await act("destroy");
      assert.equal(destroy.result, "succeeded");
      assert.deepEqual(destroy.changes, { delete: created });
      created = 0;
      assert.deepEqual((await agent.client!.listNetworks()).networks, []);
      const blobs = path.join(agent.stateDir, "images", "blobs");
      assert.deepEqual(fs.existsSync(blobs) ? fs.readdirSync(blobs) : [], []);
      const state = JSON.parse(fs.readFileSync(path.join(agent.stateDir, "state.json"), "utf8")) as Record<
        string,
        object | undefined
      >;
      for (const kind of ["instances", "images", "dnsForwarders"])
        assert.deepEqual(Object.keys(state[kind] ?? {}), [], `no ${kind} left in qvmd's state`);
    });
  });
}
