#!/usr/bin/env bash
# Runs shellcheck on every shell script in the repository, found by extension or by shebang, so
# that a new script is checked without being listed anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
files=()
while IFS= read -r f; do
  case "$f" in
    *.sh) files+=("$f") ;;
    *) [ -f "$f" ] && head -n 1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && files+=("$f") ;;
  esac
done < <(git ls-files)
# -x follows `source` (each script names what it sources: `# shellcheck source=...`).
shellcheck -x --source-path=SCRIPTDIR "${files[@]}"
