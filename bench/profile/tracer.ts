// Preloaded into a qvmd process (`node --require tsx/cjs --require bench/profile/tracer.ts
// agent/dist/main.js ...`): wraps every exported function and every class method of the agent's
// compiled modules in a timing span, and every `run()` (one exec round trip) in a span naming its
// argv, so a profile says where an API call's time goes without changing agent code. Calls between
// functions of one module are not seen, but the execs and file I/O inside them are (the fs/promises
// functions are wrapped too). Spans are written to $QVMD_TRACE as JSON when the process exits.
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

export interface Span {
  id: number;
  parent: number;
  name: string;
  start: number;
  end: number;
  /** The resource id a call is about (its first argument, or that argument's `id`). */
  arg?: string;
}

const DIST = path.resolve(__dirname, "..", "..", "agent", "dist") + path.sep;
// The DNS data path and the wire codecs run per packet: wrapping them would profile the tracer.
const SKIP = /[/\\](dns|api)[/\\]|[/\\](errors|constants|main|server)\.js$/;
const out = process.env.QVMD_TRACE;
const spans: Span[] = [];
const als = new AsyncLocalStorage<number>();
let next = 1;
const now = () => performance.now();

// Background work that starts from whatever call armed its timer (the firewall guard's checks and
// repairs, armed by a create's own nft change): a root of its own, not a child of that call.
const BACKGROUND = new Set(["GuardCore.drain"]);

function traced<T>(name: string, self: unknown, fn: (...a: unknown[]) => T, args: unknown[]): T {
  const parent = BACKGROUND.has(name) ? 0 : (als.getStore() ?? 0);
  const s: Span = { id: next++, parent, name, start: now(), end: 0 };
  const a: unknown = args[0];
  if (typeof a === "string" && a.length <= 16) s.arg = a;
  else if (a && typeof a === "object" && typeof (a as { id?: unknown }).id === "string")
    s.arg = (a as { id: string }).id;
  spans.push(s);
  const done = () => {
    s.end = now();
  };
  let r: T;
  try {
    r = als.run(s.id, () => fn.apply(self, args));
  } catch (e) {
    done();
    throw e;
  }
  if (r instanceof Promise) r.then(done, done);
  else done();
  return r;
}

function wrap(name: string, fn: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]) {
    let label = name;
    // One exec round trip: named by its program and first arguments, our object names and paths
    // elided so that the same step of different networks adds up.
    if (name === "exec.run")
      label = `exec ${[args[0], ...((args[1] as string[]) ?? []).slice(0, 3)].join(" ")}`
        .replace(/qv[mt]-?[a-z0-9]+/g, "<ours>")
        .replace(/\/\S+/g, "<path>");
    // A lock (util/lock.ts): "lock <name>" spans the wait and the hold, its child "held <name>" the
    // hold alone, so the wait is the gap between the two starts.
    if (name === "Mutex.run" || name === "KeyedMutex.run") {
      const lock = (this as { name?: string }).name ?? "unnamed";
      label = `lock ${lock}`;
      const i = name === "Mutex.run" ? 0 : 1;
      const inner = args[i] as (...a: unknown[]) => unknown;
      args = [...args];
      args[i] = () => traced(`held ${lock}`, undefined, inner, []);
    }
    // A plan's step (instance/plan.ts): named by what it does, so that each step is its own row.
    const op = args.slice(0, 2).map((a) => (a as { op?: unknown } | undefined)?.op);
    if (name.endsWith(".execute")) label = [name, ...op.filter((o) => typeof o === "string")].join(" ");
    return traced(label, this, fn, args);
  };
}

const isClass = (f: unknown) =>
  typeof f === "function" && /^class[\s{]/.test(Function.prototype.toString.call(f));

function instrument(file: string, exp: Record<string, unknown>): void {
  const mod = path
    .relative(DIST, file)
    .replace(/\.js$/, "")
    .replace(/^util\//, "");
  for (const key of Object.keys(exp)) {
    const d = Object.getOwnPropertyDescriptor(exp, key);
    if (!d || !d.writable || typeof d.value !== "function") continue;
    const f = d.value as (...a: unknown[]) => unknown;
    if (isClass(f)) {
      const proto = (f as { prototype: Record<string, unknown> }).prototype;
      for (const m of Object.getOwnPropertyNames(proto)) {
        const md = Object.getOwnPropertyDescriptor(proto, m);
        if (m === "constructor" || !md || typeof md.value !== "function") continue;
        proto[m] = wrap(`${key}.${m}`, md.value as (...a: unknown[]) => unknown);
      }
    } else exp[key] = wrap(`${mod}.${key}`, f);
  }
}

// fs/promises: the file I/O of each step (state writes, /proc scans) shows up under it.
const fsKeys = [
  "readFile",
  "writeFile",
  "readdir",
  "open",
  "rename",
  "mkdir",
  "rm",
  "stat",
  "copyFile",
  "access",
];
// The module object itself (an `import * as` namespace is read-only); the agent's modules read it.
const fsp = fs.promises as unknown as Record<string, (...a: unknown[]) => unknown>;
for (const k of fsKeys) fsp[k] = wrap(`fs.${k}`, fsp[k]!);

const M = Module as unknown as { _load: (req: string, parent: unknown, isMain: boolean) => unknown };
const load = M._load;
const done = new WeakSet<object>();
M._load = function (req: string, parent: unknown, isMain: boolean) {
  const exp = load.call(this, req, parent, isMain);
  let file: string;
  try {
    file = (Module as unknown as { _resolveFilename: (r: string, p: unknown) => string })._resolveFilename(
      req,
      parent,
    );
  } catch {
    return exp;
  }
  if (file.startsWith(DIST) && !SKIP.test(file) && exp && typeof exp === "object" && !done.has(exp)) {
    done.add(exp);
    instrument(file, exp as Record<string, unknown>);
  }
  return exp;
};

if (out)
  process.on("exit", () => {
    fs.writeFileSync(out, JSON.stringify(spans));
  });
