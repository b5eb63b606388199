// Port forwards of an instance, pure: one nft table of its own (ip qvmp_<id>), replaced whole, with
// DNAT in prerouting (other hosts) and output (the host itself) to the guest's address; and whether a
// host process already holds a forward's port (the listeners come from ss, through host.ts).
import { names } from "../constants";
import { QvmdError } from "../errors";
import type { ResolvedForward } from "./spec";

export interface Listener {
  address: string;
  process: string;
}

export function renderPortTable(id: string, forwards: ResolvedForward[], guestIp: string): string {
  const t = `ip ${names.portTable(id)}`;
  const rules = forwards.map((f) => {
    // Only traffic for the host itself, never transit traffic nor what the host sends elsewhere:
    // with an address too, it must still be one of the host's own (finding 3).
    const dst =
      f.hostAddress !== "" ? `ip daddr ${f.hostAddress} fib daddr type local` : "fib daddr type local";
    return `    ${dst} ${f.protocol} dport ${f.hostPort} dnat to ${guestIp}:${f.guestPort}`;
  });
  return [
    `table ${t}`,
    `delete table ${t}`,
    `table ${t} {`,
    `  chain prerouting {`,
    `    type nat hook prerouting priority dstnat; policy accept;`,
    ...rules,
    `  }`,
    `  chain output {`,
    `    type nat hook output priority -100; policy accept;`,
    ...rules,
    `  }`,
    `}`,
    "",
  ].join("\n");
}

/** Parses `ss -Hlnp` lines into the processes listening on a port. */
export function parseListeners(ssOutput: string, port: number): Listener[] {
  const out: Listener[] = [];
  for (const line of ssOutput.split("\n")) {
    const f = line.trim().split(/\s+/);
    const local = f[3];
    if (!local) continue;
    const i = local.lastIndexOf(":");
    if (Number(local.slice(i + 1)) !== port) continue;
    const proc = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    out.push({
      address: local.slice(0, i).replace(/^\[|\]$/g, ""),
      process: proc ? `${proc[1]} (pid ${proc[2]})` : "an unknown process",
    });
  }
  return out;
}

/** A host process already listening where a forward would take the port: name it. */
export function listenerClash(f: ResolvedForward, listeners: readonly Listener[]): QvmdError | undefined {
  for (const l of listeners) {
    const any = ["0.0.0.0", "*", "::"].includes(l.address);
    if (f.hostAddress === "" || any || l.address === f.hostAddress)
      return new QvmdError(
        "invalid",
        "PORT_IN_USE",
        `${f.protocol} port ${f.hostPort} is already listened on by ${l.process} at ${l.address}`,
        {
          hint: "choose another hostPort, or stop that process",
        },
      );
  }
  return undefined;
}
