// Starts a real qvmd (the compiled agent, as root) on a private socket and state directory.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { connect, type QvmdClient } from "@pulumi-qemu/api";
import { QVMD_NODE_OPTIONS } from "../../agent/src/constants";

/** In qvmd's environment, so inherited by its children: names the test qvmd a process comes from. */
export const AGENT_TAG = "QVX_TEST_STATE_DIR";

/** qvmd runs with the V8 options the systemd unit gives it (QVMD_NODE_OPTIONS), before any of ours. */
export function withQvmdNodeOptions(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, NODE_OPTIONS: [QVMD_NODE_OPTIONS, env.NODE_OPTIONS].filter(Boolean).join(" ") };
}

export const AGENT_MAIN = path.resolve(__dirname, "..", "..", "agent", "dist", "main.js");

export class TestAgent {
  proc?: ChildProcess;
  client?: QvmdClient;
  readonly dir = enterable(fs.mkdtempSync(path.join(os.tmpdir(), "qvx-agent-")));
  readonly socket = path.join(this.dir, "run", "qvmd.sock");
  readonly stateDir = path.join(this.dir, "state");
  readonly runDir = path.join(this.dir, "run");
  readonly logFile = path.join(this.dir, "qvmd.log");

  constructor(
    private readonly env: Record<string, string> = {},
    /**
     * socketGroup: members of this group may use the socket (its directories become traversable).
     * config: qvmd's config file (agent/src/config.ts); without it, none: the defaults, whatever
     * the host's /etc/qvmd/config.json says. nodeArgs: options for node itself (e.g. --trace-gc,
     * which NODE_OPTIONS does not take).
     */
    private readonly opts: {
      socketGroup?: string;
      args?: string[];
      config?: object;
      nodeArgs?: string[];
      /** qvmd's main.js (default AGENT_MAIN): a bench may run another checkout's build. */
      main?: string;
    } = {},
  ) {
    if (opts.socketGroup) fs.chmodSync(this.dir, 0o711);
    if (opts.config) fs.writeFileSync(this.configFile, JSON.stringify(opts.config));
  }

  get configFile(): string {
    return path.join(this.dir, "config.json");
  }

  /** Starts qvmd; `extraEnv` applies to this start only (e.g. a test crash point). */
  async start(extraEnv: Record<string, string> = {}): Promise<QvmdClient> {
    const main = this.opts.main ?? AGENT_MAIN;
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: run 'make build' first`);
    const log = fs.openSync(this.logFile, "a");
    this.proc = spawn(
      process.execPath,
      [
        ...(this.opts.nodeArgs ?? []),
        main,
        "--socket",
        this.socket,
        "--state-dir",
        this.stateDir,
        "--run-dir",
        this.runDir,
        "--config",
        this.configFile,
        ...(this.opts.socketGroup ? ["--socket-group", this.opts.socketGroup] : []),
        ...(this.opts.args ?? []),
      ],
      {
        stdio: ["ignore", log, log],
        env: withQvmdNodeOptions({
          ...process.env,
          ...this.env,
          ...extraEnv,
          // Inherited by qvmd's DNS process: the leak check tells this qvmd's orphans from another test's.
          [AGENT_TAG]: this.stateDir,
        }),
      },
    );
    fs.closeSync(log);
    this.client?.close();
    this.client = connect(this.socket);
    const until = Date.now() + 15000;
    for (;;) {
      try {
        await this.client.health(500);
        return this.client;
      } catch (e) {
        // A process that died (of a signal too: a test's kill may land while it starts) never answers.
        if (Date.now() > until || this.proc.exitCode !== null || this.proc.signalCode !== null)
          throw new Error(`qvmd did not start: ${String(e)}\n${fs.readFileSync(this.logFile, "utf8")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Kills qvmd the hard way (a crash); networks and DHCP servers must survive it. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill(signal);
    await exited;
  }

  /** Resolves with the signal qvmd died of (null for an exit), once it has died. */
  died(): Promise<NodeJS.Signals | null> {
    const p = this.proc;
    if (!p) return Promise.resolve(null);
    if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.signalCode);
    return new Promise((r) => p.once("exit", (_code, signal) => r(signal)));
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Deletes every instance, image and network the agent knows, stops it and removes its files. */
  async stop(): Promise<void> {
    if (this.proc && !this.running) await this.start(); // a test may have left it killed
    try {
      await this.deleteEverything();
    } finally {
      // Whatever failed above, the agent process and its files must not outlive the test file.
      this.client?.close();
      await this.kill("SIGTERM");
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async deleteEverything(): Promise<void> {
    if (this.client) {
      const stateFile = path.join(this.stateDir, "state.json");
      const st = fs.existsSync(stateFile)
        ? (JSON.parse(fs.readFileSync(stateFile, "utf8")) as {
            instances?: object;
            templates?: object;
            images?: object;
            dnsForwarders?: object;
            bridges?: object;
          })
        : {};
      for (const id of Object.keys(st.dnsForwarders ?? {})) await this.client.deleteDnsForwarder(id);
      for (const id of Object.keys(st.instances ?? {})) await this.client.deleteInstance(id);
      for (const id of Object.keys(st.templates ?? {})) await this.client.deleteTemplate(id);
      for (const id of Object.keys(st.images ?? {})) await this.client.deleteImage(id);
      for (const id of Object.keys(st.bridges ?? {})) await this.client.deleteBridge(id);
      const { networks } = await this.client.listNetworks().catch(() => ({ networks: [] }));
      for (const n of networks) await this.client.deleteNetwork(n.spec!.id);
    }
  }
}

/** QEMU and dnsmasq run as their own users: they must be able to enter the state directory's parents. */
function enterable(dir: string): string {
  fs.chmodSync(dir, 0o711);
  return dir;
}
