// SSH into a test guest as root with a throwaway key (no host-key bookkeeping).
import { run } from "../../agent/src/util/exec";

export function ssh(key: string, ip: string, command: string, connectTimeoutSeconds = 10) {
  const opts = [
    "StrictHostKeyChecking=no",
    "UserKnownHostsFile=/dev/null",
    `ConnectTimeout=${connectTimeoutSeconds}`,
    "BatchMode=yes",
  ];
  return run("ssh", ["-i", key, ...opts.flatMap((o) => ["-o", o]), `root@${ip}`, command], {
    reject: false,
    timeoutMs: 60000,
  });
}
