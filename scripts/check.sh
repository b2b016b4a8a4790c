#!/usr/bin/env bash
# check.sh is the quick loop for contributors (make check): gofmt, go vet, and go test -race
# -short of the packages that need nothing beyond an embedded SQLite, a local directory and the
# system packages scripts/deps.sh installs (Tesseract, Poppler). Tests that would start a server
# or an emulator skip under -short; the packages that are about nothing else (PostgreSQL, Cosmos
# DB, the cloud stacks, the end-to-end tests) are left out. `make test` runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
trap stage_summary EXIT

export OMP_THREAD_LIMIT=1

packages() {
  go list ./... | grep -vE '/(test/(e2e|k8s)|deploy/(aws|gcp|azure)|internal/store/(postgres|cosmos))(/|$)'
}

mapfile -t pkgs < <(packages)
stage "gofmt" gofmt_check cmd internal test deploy tools
stage "go vet" go vet ./...
stage "go test -race -short" go test -race -short -count=1 -timeout 10m "${pkgs[@]}"
