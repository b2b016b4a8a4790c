#!/usr/bin/env bash
# emulators.sh installs the cloud emulators the tests run against into the tool cache, keyed on
# version: fake-gcs-server (Cloud Storage) from Go modules and Azurite (Azure Blob) from npm.
# moto (AWS) and the Pub/Sub emulator (gcloud) come with the machine image.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

gotool fake-gcs-server github.com/fsouza/fake-gcs-server v1.56.1

azurite_version=3.37.0
dir="$TOOLS_CACHE/tools/azurite-$azurite_version"
if [[ ! -x "$dir/node_modules/.bin/azurite-blob" ]]; then
  echo "tools: installing azurite $azurite_version"
  rm -rf "$dir.tmp"
  mkdir -p "$dir.tmp"
  npm install --prefix "$dir.tmp" --no-audit --no-fund --loglevel=error "azurite@$azurite_version"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
fi
ln -sfn "$dir/node_modules/.bin/azurite-blob" "$TOOLS_CACHE/bin/azurite-blob"
