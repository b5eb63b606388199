#!/usr/bin/env node
// qvmctl: qvmd for people. Lists what qvmd manages and deletes an object by id, through the same
// API the provider uses (so every rule qvmd enforces holds here too), for recovery and for looking
// around without writing code.
import { parseArgs } from "node:util";
import { AgentError, connect, type QvmdClient } from "@pulumi-qemu/api";
import { DEFAULT_SOCKET } from "../constants";
import { type Inventory, KINDS, type Kind, kindOf, renderInventory } from "./format";

const USAGE = `usage: qvmctl [--socket PATH] [--json] COMMAND
  status               qvmd's version, pid, state directory and any problem it worked around
  list [KIND]          what qvmd manages: networks, instances (state, pid, addresses), images,
                       dns-forwarders, bridges
  get KIND ID          one object, in full (JSON)
  delete KIND ID       delete it (as \`pulumi destroy\` would; e.g. an instance no stack knows)
KIND: network | instance | image | dns-forwarder | bridge (plural or singular)
The socket is --socket, else $QVMD_SOCKET, else ${DEFAULT_SOCKET}.`;

class Usage extends Error {}

async function list(c: QvmdClient, kinds: readonly Kind[]): Promise<Partial<Inventory>> {
  const fetch: { [K in Kind]: () => Promise<Inventory[K]> } = {
    networks: async () => (await c.listNetworks()).networks,
    instances: async () => (await c.listInstances()).instances,
    images: async () => (await c.listImages()).images,
    "dns-forwarders": async () => (await c.listDnsForwarders()).dns_forwarders,
    bridges: async () => (await c.listBridges()).bridges,
  };
  const got = await Promise.all(kinds.map(async (k) => [k, await fetch[k]()] as const));
  return Object.fromEntries(got);
}

async function get(c: QvmdClient, kind: Kind, id: string): Promise<unknown> {
  switch (kind) {
    case "networks":
      return c.getNetwork(id);
    case "instances":
      return c.getInstance(id);
    case "images":
      return c.getImage(id);
    case "dns-forwarders":
      return c.getDnsForwarder(id);
    case "bridges":
      return c.getBridge(id);
  }
}

async function remove(c: QvmdClient, kind: Kind, id: string): Promise<boolean> {
  switch (kind) {
    case "networks":
      return (await c.deleteNetwork(id)).existed;
    case "instances":
      return (await c.deleteInstance(id)).existed;
    case "images":
      return (await c.deleteImage(id)).existed;
    case "dns-forwarders":
      return (await c.deleteDnsForwarder(id)).existed;
    case "bridges":
      return (await c.deleteBridge(id)).existed;
  }
}

function kindArg(word: string | undefined): Kind {
  const k = kindOf(word);
  if (!k) throw new Usage(word ? `unknown kind ${JSON.stringify(word)}` : "a KIND is required");
  return k;
}

function idArg(word: string | undefined): string {
  if (!word) throw new Usage("an ID is required");
  return word;
}

export async function main(argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      socket: { type: "string", default: process.env.QVMD_SOCKET ?? DEFAULT_SOCKET },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    allowPositionals: true,
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    out(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const print = (v: unknown, human: () => string) => out(values.json ? JSON.stringify(v, null, 2) : human());
  const c = connect(values.socket!, 30000);
  try {
    switch (command) {
      case "status": {
        const h = await c.health(5000);
        print(h, () =>
          [
            `qvmd ${h.version}, pid ${h.pid}, state in ${h.state_dir}`,
            ...(h.problems.length > 0
              ? ["problems:", ...h.problems.map((p) => `  - ${p}`)]
              : ["no problems"]),
          ].join("\n"),
        );
        return h.problems.length > 0 ? 3 : 0;
      }
      case "list": {
        const kinds = rest[0] === undefined ? KINDS : [kindArg(rest[0])];
        const inv = await list(c, kinds);
        print(inv, () => renderInventory(inv, kinds));
        return 0;
      }
      case "get": {
        const v = await get(c, kindArg(rest[0]), idArg(rest[1]));
        out(JSON.stringify(v, null, 2));
        return 0;
      }
      case "delete": {
        const kind = kindArg(rest[0]);
        const id = idArg(rest[1]);
        const existed = await remove(c, kind, id);
        const noun = kind.replace(/s$/, "");
        print({ existed }, () => (existed ? `deleted ${noun} ${id}` : `${noun} ${id} did not exist`));
        return 0;
      }
      default:
        throw new Usage(`unknown command ${JSON.stringify(command)}`);
    }
  } finally {
    c.close();
  }
}

/** Runs qvmctl with `argv` (after the program name) and exits with its status. */
export function cli(argv: string[]): void {
  main(argv, (s) => process.stdout.write(`${s}\n`)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof Usage) {
        process.stderr.write(`qvmctl: ${e.message}\n${USAGE}\n`);
        process.exit(2);
      }
      const msg =
        e instanceof AgentError
          ? `${e.code}${e.property ? ` (${e.property})` : ""}: ${e.message}${e.hint ? `. Hint: ${e.hint}` : ""}`
          : e instanceof Error
            ? e.message
            : String(e);
      process.stderr.write(`qvmctl: ${msg}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) cli(process.argv.slice(2));
