#!/usr/bin/env bash
# emulators.sh installs the cloud emulators the tests run against into the tool cache, keyed on
# version: fake-gcs-server (Cloud Storage) and cosmium (Cosmos DB) from Go modules and Azurite
# (Azure Blob) from npm.
# moto (AWS) and the Pub/Sub emulator (gcloud) come with the machine image.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

gotool fake-gcs-server github.com/fsouza/fake-gcs-server v1.56.1

# cosmium is built from a scratch module that requires it: the module proxy refuses its version
# list, which `go install pkg@version` asks for.
cosmium_version=v0.1.20
dir="$TOOLS_CACHE/tools/cosmium-$cosmium_version"
if [[ ! -x "$dir/cosmium" ]]; then
  echo "tools: building cosmium $cosmium_version"
  mod=$(mktemp -d)
  rm -rf "$dir.tmp"
  (
    cd "$mod" &&
      go mod init cosmiumtool 2>/dev/null &&
      go get "github.com/pikami/cosmium/cmd/server@$cosmium_version" &&
      GOFLAGS=-buildvcs=false nice -n 10 go build -trimpath -o "$dir.tmp/cosmium" github.com/pikami/cosmium/cmd/server
  ) || { rm -rf "$mod"; echo "tools: building cosmium failed" >&2; exit 1; }
  rm -rf "$mod" "$dir"
  mv "$dir.tmp" "$dir"
fi
mkdir -p "$TOOLS_CACHE/bin"
ln -sfn "$dir/cosmium" "$TOOLS_CACHE/bin/cosmium"

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
