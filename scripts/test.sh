#!/usr/bin/env bash
# test.sh runs every test docpipe has: static checks, unit and conformance tests, short fuzz runs
# and the end-to-end tests against the real binary. It installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
trap stage_summary EXIT

export OMP_THREAD_LIMIT=1
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

# The unit and conformance tests run under the race detector; the packages that drive other
# processes (the real binary, a cluster, Terraform) gain nothing from it and run without.
race_packages() {
  go list ./cmd/... ./internal/...
}

stage "test machinery" scripts/selftest.sh
stage "system packages" scripts/deps.sh --test
stage "go mod download" go mod download
stage "gofmt" gofmt_check cmd internal test deploy tools
stage "go mod tidy" go mod tidy -diff
stage "shellcheck" shellcheck scripts/*.sh .ci/run
stage "kube tools" scripts/kube.sh tools
stage "helm lint" scripts/kube.sh lint
stage "dockerfile lint" scripts/image.sh lint
stage "trivy config" scripts/image.sh trivy
stage "emulators" scripts/emulators.sh
stage "bicep parser" scripts/azure.sh
stage "go vet" go vet ./...
mapfile -t race < <(race_packages)
mapfile -t rest < <(go list ./... | grep -vxF -f <(printf '%s\n' "${race[@]}"))
stage "go test -race" go test -race -count=1 -timeout 20m "${race[@]}"
stage "go test" go test -count=1 -timeout 20m -skip '^(TestBrowser|TestTerraform|TestAdversarial)' "${rest[@]}"
stage "adversarial" go test -count=1 -timeout 10m -run '^TestAdversarial' -v ./test/e2e
stage "aws (terraform, moto)" scripts/aws.sh
stage "gcp (terraform)" scripts/gcp.sh
stage "browser e2e" go test -count=1 -timeout 10m -run '^TestBrowser' ./test/e2e
stage "kube cluster" scripts/kube.sh cluster
stage "container image" scripts/image.sh test
stage "fuzz (short)" scripts/fuzz.sh "${FUZZTIME:-10s}"
