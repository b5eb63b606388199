// Where files read at run time are when running as a single executable built by `make dist`
// (scripts/dist): beside the executable, since a bundle no longer lives at the depth of its sources.
import * as path from "node:path";
import { isSea } from "node:sea";

/** True inside a single executable built by scripts/dist (the plugin, or qvmd from the package). */
export const BUNDLED = isSea();

export const besideExecutable = (name: string): string => path.join(path.dirname(process.execPath), name);
