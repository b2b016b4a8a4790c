#!/usr/bin/env bash
# azure.sh installs bicep-parse, the offline Bicep parser that `go test ./deploy/azure` runs:
# the tree-sitter Bicep grammar from npm (deploy/azure/test/package-lock.json) and the script that
# prints parse trees as JSON. It lives in the tool cache under a key made of the grammar version
# and a hash of the lock file and script, so a change to either installs afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

src=deploy/azure/test
# The launcher finds parse.mjs beside itself, so a cache that is copied or moved keeps working.
# shellcheck disable=SC2016
launcher='#!/bin/sh
exec node "$(dirname "$(readlink -f "$0")")/parse.mjs" "$@"
'
key=$( (cat "$src/package.json" "$src/package-lock.json" "$src/parse.mjs"; printf %s "$launcher") | sha256sum | cut -c1-12)
dir="$TOOLS_CACHE/tools/bicep-parse-1.1.0-$key"
if [[ ! -x "$dir/bicep-parse" ]]; then
  echo "tools: installing bicep-parse (tree-sitter-bicep 1.1.0, $key)"
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  cp "$src/package.json" "$src/package-lock.json" "$src/parse.mjs" "$dir.tmp/"
  (cd "$dir.tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  printf %s "$launcher" >"$dir.tmp/bicep-parse"
  chmod +x "$dir.tmp/bicep-parse"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
mkdir -p "$TOOLS_CACHE/bin"
ln -sfn "$dir/bicep-parse" "$TOOLS_CACHE/bin/bicep-parse"
