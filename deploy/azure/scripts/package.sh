#!/usr/bin/env bash
# package.sh IMAGE DIR assembles the function package in DIR: the docpipe binary copied out of the
# docpipe image IMAGE, host.json and the functions (ocr/ and sweep/ function.json). The pipeline publishes DIR to Azure Artifacts;
# function.sh builds the function image from it.
set -euo pipefail
image=${1:?usage: package.sh IMAGE DIR}
dir=${2:?usage: package.sh IMAGE DIR}
here=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$dir/ocr" "$dir/sweep"
id=$(docker create "$image")
trap 'docker rm -f "$id" >/dev/null' EXIT
docker cp "$id:/usr/local/bin/docpipe" "$dir/docpipe"
cp "$here/function/host.json" "$dir/host.json"
cp "$here/function/ocr/function.json" "$dir/ocr/function.json"
cp "$here/function/sweep/function.json" "$dir/sweep/function.json"
cp "$here/function/Dockerfile" "$dir/Dockerfile"
"$dir/docpipe" version
