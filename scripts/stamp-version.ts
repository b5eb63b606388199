// Stamps the one version number (the VERSION file) into everything that carries it: the contract
// package's version module (qvmd's Health, the plugin's GetPluginInfo, and schema.json, which
// scripts/schema.ts builds from the declarations after this runs; the SDKs follow the schema), the
// workspace packages and their entries in package-lock.json.
// Run by `make gen`; `make gen-check` fails when a stamp is stale.
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const version = fs.readFileSync(path.join(ROOT, "VERSION"), "utf8").trim();
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version))
  throw new Error(`VERSION must be a semantic version (x.y.z[-pre]), not ${JSON.stringify(version)}`);

fs.writeFileSync(
  path.join(ROOT, "api", "src", "version.ts"),
  `// Generated from VERSION by scripts/stamp-version.ts (make gen): qvmd's and the plugin's version.\n` +
    `export const VERSION = ${JSON.stringify(version)};\n`,
);

interface PackageJson {
  version?: string;
  packages?: Record<string, { version?: string }>;
}
const editJson = (file: string, indent: number, edit: (j: PackageJson) => void) => {
  const f = path.join(ROOT, file);
  const j = JSON.parse(fs.readFileSync(f, "utf8")) as PackageJson;
  edit(j);
  fs.writeFileSync(f, JSON.stringify(j, null, indent) + "\n");
};
for (const ws of ["api", "agent", "provider"])
  editJson(`${ws}/package.json`, 2, (j) => (j.version = version));
editJson("package-lock.json", 2, (j) => {
  for (const ws of ["api", "agent", "provider", "sdk/nodejs"]) {
    const entry = j.packages?.[ws];
    if (!entry) throw new Error(`package-lock.json has no workspace entry ${ws}`);
    entry.version = version;
  }
});
