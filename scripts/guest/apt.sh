# shellcheck shell=bash
# Which Debian packages, for which architecture: apt-cache queries the guest build resolves its
# package set with (sourced by build.sh; uses its log and die).
candidate() { # PKG:ARCH -> version or empty
  apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}
# Depends + Pre-Depends of PKG:ARCH=VER: first alternative of each, names only, one per line
depends_of() {
  apt-cache show "$1" 2>/dev/null | awk '
    /^$/ { exit }
    /^(Pre-)?Depends:/ { sub(/^[^:]*: */, ""); n = split($0, d, ","); for (i = 1; i <= n; i++) {
      x = d[i]; sub(/\|.*/, "", x); sub(/\(.*/, "", x); gsub(/[ \t]/, "", x); sub(/:any$/, "", x); print x } }'
}

ensure_arch() { # DEBARCH: make apt know about packages of a foreign architecture
  local darch=$1 native
  native=$(dpkg --print-architecture)
  [ "$darch" = "$native" ] && return 0
  if ! dpkg --print-foreign-architectures | grep -qx "$darch"; then
    [ "$(id -u)" = 0 ] || die "apt does not know architecture $darch; run as root: dpkg --add-architecture $darch && apt-get update"
    log "adding dpkg architecture $darch and updating apt lists"
    dpkg --add-architecture "$darch"
    apt-get update -qq >&2 || die "apt-get update failed"
  fi
}
