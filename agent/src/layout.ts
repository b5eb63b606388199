// Who may enter what under qvmd's directories. Root owns everything; QEMU and dnsmasq run as
// sandbox users and get exactly the traversal and reads their processes need, nothing they could
// write to redirect root: the directories they read are root's, the files they write are theirs
// (created by qvmd, which never follows a link there).
//
//   <state>               root:root     0711  enter only; state.json and the rest are 0600
//   <state>/images        root:root     0711
//   <state>/images/blobs  root:qemu     0750  blobs an instance uses are root:qemu 0640
//   <state>/images/downloads root:root  0700
//   <state>/instances     root:root     0711
//   <state>/instances/<id> root:qemu    0750  disk, vars, serial log: qemu's 0600; seed root:qemu 0640
//   <state>/templates     root:root     0711
//   <state>/templates/<id> root:qemu    0750  while building: disk, memory, serial log qemu's 0600;
//                                              frozen: disk, state, seed root:qemu 0440, memory
//                                              root:qemu 0660 (QEMU 7.2 opens a memory file
//                                              read-write even for a private mapping)
//   <state>/networks      root:root     0711
//   <state>/networks/<id> root:dhcp     0750  dnsmasq.conf, dhcp-hosts root:dhcp 0640
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { StatePaths } from "./constants";
import type { Sandbox } from "./util/sandbox";

export interface Sandboxes {
  qemu: Sandbox;
  dhcp: Sandbox;
}

export interface DirSpec {
  path: string;
  uid: number;
  gid: number;
  mode: number;
}

const ENTER_ONLY = 0o711;

/** Pure: the directories qvmd keeps, as they must be. */
export function layoutDirs(stateDir: string, p: StatePaths, s: Sandboxes): DirSpec[] {
  return [
    { path: stateDir, uid: 0, gid: 0, mode: ENTER_ONLY },
    { path: path.dirname(p.blobsDir), uid: 0, gid: 0, mode: ENTER_ONLY },
    { path: p.blobsDir, uid: 0, gid: s.qemu.gid, mode: 0o750 },
    { path: p.downloadsDir, uid: 0, gid: 0, mode: 0o700 },
    { path: path.dirname(p.instanceDir("x")), uid: 0, gid: 0, mode: ENTER_ONLY },
    { path: path.dirname(p.templateDir("x")), uid: 0, gid: 0, mode: ENTER_ONLY },
    { path: path.dirname(p.networkDir("x")), uid: 0, gid: 0, mode: ENTER_ONLY },
  ];
}

/** A directory a VM's QEMU works in (an instance's, a template's). */
export const vmDirSpec = (dir: string, s: Sandboxes): DirSpec => ({
  path: dir,
  uid: 0,
  gid: s.qemu.gid,
  mode: 0o750,
});

export const networkDirSpec = (p: StatePaths, id: string, s: Sandboxes): DirSpec => ({
  path: p.networkDir(id),
  uid: 0,
  gid: s.dhcp.gid,
  mode: 0o750,
});

/**
 * Creates the directory or brings an existing one to its owner and mode. A link or a non-directory
 * in its place is refused: its parent is root's, so only root could have put it there.
 */
export async function ensureDir(d: DirSpec): Promise<void> {
  await fs.mkdir(d.path, { recursive: true, mode: d.mode });
  const st = await fs.lstat(d.path);
  if (!st.isDirectory()) throw new Error(`${d.path} must be a directory, not a link or a file`);
  if (st.uid !== d.uid || st.gid !== d.gid) await fs.lchown(d.path, d.uid, d.gid);
  if ((st.mode & 0o7777) !== d.mode) await fs.chmod(d.path, d.mode);
}

/** Pure: whether `s` may enter a directory with this owner and mode. */
export function enterableBy(st: { uid: number; gid: number; mode: number }, s: Sandbox): boolean {
  if (st.uid === s.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === s.gid || s.groups.includes(st.gid)) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * The state directory must be reachable by the sandbox users through every directory above it
 * (a state directory under a 0700 home cannot hold what QEMU opens). Returns the first blocker.
 */
export async function unreachableAncestor(dir: string, s: Sandbox): Promise<string | undefined> {
  for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
    const st = await fs.stat(d);
    if (!enterableBy(st, s))
      return `${d} (mode ${(st.mode & 0o7777).toString(8)}, owner ${st.uid}:${st.gid})`;
    if (d === path.dirname(d)) return undefined;
  }
}

/** Brings every directory of the layout to its owner and mode; refuses a state directory the sandboxes cannot reach. */
export async function ensureLayout(stateDir: string, p: StatePaths, s: Sandboxes): Promise<void> {
  for (const sb of [s.qemu, s.dhcp]) {
    const blocker = await unreachableAncestor(stateDir, sb);
    if (blocker)
      throw new Error(
        `the state directory ${stateDir} is out of reach of ${sb.user}: ${blocker} does not let it in ` +
          `(QEMU and dnsmasq run as their own users; give the directories above it o+x or move it)`,
      );
  }
  for (const d of layoutDirs(stateDir, p, s)) await ensureDir(d);
}
