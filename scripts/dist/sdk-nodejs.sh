#!/usr/bin/env bash
# The Node.js SDK as an npm tarball, pulumi-qemu-<version>.tgz (npm pack), from the compiled SDK in
# sdk/nodejs/bin. Its package.json names the plugin and its version ("pulumi"), and where the plugin
# comes from ("pulumiQemu": the release's file names and the install command). With
# PLUGIN_DOWNLOAD_URL set (an http(s) URL where releases are published; Pulumi expands ${VERSION},
# ${OS}, ${ARCH}), it also becomes "pulumi.server", so the engine can fetch the plugin by itself.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin="$ROOT/sdk/nodejs/bin"
[ -f "$bin/index.js" ] || { echo "dist: $bin is not built (make build)" >&2; exit 1; }
pkg="$work/package"
mkdir -p "$pkg"
( cd "$bin" && find . -type f \( -name '*.js' -o -name '*.d.ts' \) -print0 | cpio -0pdm --quiet "$pkg" )
plugin="pulumi-resource-qemu-v$VERSION-$OS-$ARCH.tar.gz"
# shellcheck disable=SC2016 # JavaScript, not shell: its ${...} are template literals
PLUGIN="$plugin" DEB="qvmd_${VERSION}_${ARCH}.deb" node -e '
const fs = require("fs");
const [src, dst, version] = process.argv.slice(1);
const p = JSON.parse(fs.readFileSync(src, "utf8"));
if (p.version !== version || p.pulumi?.version !== version)
  throw new Error(`sdk/nodejs/package.json says ${p.version}, VERSION says ${version}: run make gen`);
// Published from bin/ itself: the entry points are at the root of the package.
p.main = "index.js";
p.types = "index.d.ts";
delete p.scripts;
delete p.devDependencies;
p.pulumiQemu = {
  plugin: process.env.PLUGIN,
  installPlugin: `pulumi plugin install resource qemu ${version} --file ${process.env.PLUGIN}`,
  agent: process.env.DEB,
  installAgent: `sudo apt install ./${process.env.DEB}`,
};
if (process.env.PLUGIN_DOWNLOAD_URL) p.pulumi.server = process.env.PLUGIN_DOWNLOAD_URL;
fs.writeFileSync(dst, JSON.stringify(p, null, 4) + "\n");
' "$ROOT/sdk/nodejs/package.json" "$pkg/package.json" "$VERSION"
cat > "$pkg/README.md" <<MD
# pulumi-qemu $VERSION

$(cat "$ROOT/sdk/nodejs/README.md")

This package is the program side. It needs the plugin and the agent of the same release:

\`\`\`sh
pulumi plugin install resource qemu $VERSION --file $plugin
sudo apt install ./qvmd_${VERSION}_${ARCH}.deb      # the agent, a systemd service
sudo usermod -aG qvmd \$USER                      # then log in again
\`\`\`
MD
( cd "$work" && npm pack ./package --pack-destination "$DIST" --loglevel=error >/dev/null )
[ -f "$DIST/pulumi-qemu-$VERSION.tgz" ] || { echo "dist: npm pack did not write pulumi-qemu-$VERSION.tgz" >&2; exit 1; }
