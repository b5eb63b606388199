# Flattens the small YAML subset the qvm test guest understands into `path=value` lines, e.g.
#
#   ssh_authorized_keys:            ssh_authorized_keys.0=ssh-ed25519 AAAA... me@host
#     - ssh-ed25519 AAAA... me@host
#   ethernets:                      ethernets.eth0.addresses.0=10.0.2.15/24
#     eth0:                         ethernets.eth0.gateway4=10.0.2.2
#       addresses: [10.0.2.15/24]
#       gateway4: 10.0.2.2
#
# Supported: block maps (`key: value`, `key:` + indented children), block lists (`- value`, and
# `- key: value` starting a map item; a list may sit at the same indentation as its key), flow
# lists of scalars on one line (`[a, b]`), single or double quoted scalars, full-line comments,
# `---`. Keys are [A-Za-z0-9_.-]+. Not supported: block scalars (| >), anchors, flow maps, nested
# flow lists, multi-line strings. Unsupported lines are ignored. Runs under busybox awk.

function unquote(v) {
  sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
  if (v ~ /^".*"$/ || v ~ /^'.*'$/) v = substr(v, 2, length(v) - 2)
  return v
}

function emit(path, v,    n, i, parts) {
  v = unquote(v)
  if (v ~ /^\[.*\]$/) {
    v = substr(v, 2, length(v) - 2)
    if (v ~ /^[ \t]*$/) return
    n = split(v, parts, ",")
    for (i = 1; i <= n; i++) print path "." (i - 1) "=" unquote(parts[i])
    return
  }
  print path "=" v
}

function top() { return depth > 0 ? pth[depth] : "" }
function join(p, k) { return p == "" ? k : p "." k }

# Stack of open containers. Key container (item[d]==0): opened by a value-less `key:` at column
# col[d]. Item container (item[d]==1): opened by `- key: ...`; col[d] is the column of its keys.

function keyline(c, text,    k, v, p) {
  while (depth > 0) {
    if (item[depth]) { if (col[depth] > c) depth--; else break }
    else { if (col[depth] >= c) depth--; else break }
  }
  k = text; sub(/:.*$/, "", k)
  v = text; sub(/^[^:]*:/, "", v)
  p = join(top(), k)
  if (v ~ /^[ \t]*$/) { depth++; col[depth] = c; pth[depth] = p; item[depth] = 0 }
  else emit(p, v)
}

BEGIN { depth = 0 }
{
  line = $0
  sub(/\r$/, "", line)
  if (line ~ /^[ \t]*#/ || line ~ /^[ \t]*$/ || line ~ /^---/ || line ~ /^\.\.\./) next
  match(line, /^ */); c = RLENGTH
  text = substr(line, c + 1)
  if (text ~ /^-( |$)/) {
    while (depth > 0) {
      if (item[depth]) { if (col[depth] > c) depth--; else break }
      else { if (col[depth] > c) depth--; else break }
    }
    parent = top()
    p = join(parent, cnt[parent]++)
    rest = substr(text, 2); match(rest, /^ */); ic = c + 1 + RLENGTH; rest = substr(rest, RLENGTH + 1)
    if (rest ~ /^[A-Za-z0-9_.-]+:( |$)/) {
      depth++; col[depth] = ic; pth[depth] = p; item[depth] = 1
      keyline(ic, rest)
    } else if (rest != "") emit(p, rest)
    next
  }
  if (text ~ /^[A-Za-z0-9_.-]+:( |$)/) keyline(c, text)
}
