#!/usr/bin/env bash
# gcp.sh checks deploy/gcp: it builds tflint and the hashicorp/google provider into the tool
# cache, then runs the stack's Terraform tests: fmt, tflint, init, validate and `terraform test`
# (plan and apply runs against mock providers). The HCL and cloudbuild.yaml checks run in the go
# test stage.
#
#   scripts/gcp.sh           build the tools, then run the tests
#   scripts/gcp.sh provider  only build the provider into the mirror and print the mirror's path
#
# The Go module proxy serves one build of the google provider: a pseudo-version of its main
# branch just after the 8.0.0 release (its own ProviderVersion says "dev8"). It is put in a
# Terraform filesystem mirror as 8.0.0, the release it follows, which deploy/gcp's "~> 8.0"
# constraint accepts (docs/gcp.md). Building it takes 3-6 minutes and about 2 GB of memory.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

GOOGLE_MODULE=github.com/hashicorp/terraform-provider-google
GOOGLE_PSEUDO=v1.20.1-0.20260828184646-f3721fb45fa3
GOOGLE_AS=8.0.0

# google_provider builds the provider into $TOOLS_CACHE/tools/terraform-mirror-google-..., laid
# out as a filesystem mirror, and prints that directory.
google_provider() {
  local mirror="$TOOLS_CACHE/tools/terraform-mirror-google-$GOOGLE_AS-${GOOGLE_PSEUDO##*-}"
  local platform="registry.terraform.io/hashicorp/google/$GOOGLE_AS/linux_amd64"
  local bin="$platform/terraform-provider-google_v$GOOGLE_AS"
  if [[ ! -x "$mirror/$bin" ]]; then
    echo "tools: building terraform-provider-google $GOOGLE_PSEUDO as $GOOGLE_AS" >&2
    local mod
    mod=$(mktemp -d)
    rm -rf "$mirror.tmp"
    mkdir -p "$mirror.tmp/$platform"
    (
      cd "$mod" &&
        go mod init googleprovider >/dev/null 2>&1 &&
        go get "$GOOGLE_MODULE@$GOOGLE_PSEUDO" >&2 &&
        GOFLAGS=-buildvcs=false nice -n 10 go build -trimpath -ldflags='-s -w' \
          -o "$mirror.tmp/$bin" "$GOOGLE_MODULE"
    ) || { rm -rf "$mod" "$mirror.tmp"; echo "tools: building terraform-provider-google failed" >&2; exit 1; }
    rm -rf "$mod" "$mirror"
    mv "$mirror.tmp" "$mirror"
  fi
  echo "$mirror"
}

case "${1:-}" in
provider)
  google_provider
  ;;
"")
  gotool tflint github.com/terraform-linters/tflint v0.64.0
  DOCPIPE_GCP_MIRROR=$(google_provider)
  export DOCPIPE_GCP_MIRROR
  go test -count=1 -timeout 15m -run '^TestTerraform' ./deploy/gcp
  ;;
*)
  echo "usage: $0 [provider]" >&2
  exit 2
  ;;
esac
