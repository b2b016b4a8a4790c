#!/usr/bin/env bash
# gcp.sh checks deploy/gcp: it builds tflint into the tool cache (the same version-keyed entry
# scripts/aws.sh uses), then runs the stack's Terraform tests: fmt, tflint, and validate plus
# `terraform test`, which need the google provider in a filesystem mirror ($DOCPIPE_TF_MIRROR)
# and skip without it (docs/gcp.md). The HCL and cloudbuild.yaml checks run in the go test stage.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

gotool tflint github.com/terraform-linters/tflint v0.64.0
go test -count=1 -timeout 10m -run '^TestTerraform' ./deploy/gcp
