#!/usr/bin/env bash
# aws.sh checks deploy/aws: it builds tflint into the tool cache, then runs the Terraform tests:
# fmt, validate, tflint, `terraform test` with a mock provider, and a real apply against moto
# followed by an end-to-end run of docpipe (api, worker, SQS events) on what it created.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

gotool tflint github.com/terraform-linters/tflint v0.64.0
go test -count=1 -timeout 25m -run '^TestTerraform' ./deploy/aws
