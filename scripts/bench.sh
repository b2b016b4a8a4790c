#!/usr/bin/env bash
# bench.sh runs the benchmarks behind docs/benchmarks.md. Run it on an otherwise idle machine:
# the OCR numbers are CPU-bound and any other load skews them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh
trap stage_summary EXIT
export OMP_THREAD_LIMIT=1

stage "system packages" scripts/deps.sh --bench
stage "OCR against its peers" go test -run='^$' -bench=BenchmarkPeers -benchtime="${PEERS_BENCHTIME:-2x}" -count=1 -timeout=60m ./test/e2e/
stage "OCR throughput" go test -run='^$' -bench=OCRThroughput -benchtime="${OCR_BENCHTIME:-24x}" -count=1 ./internal/ocr/
stage "search latency" go test -run='^$' -bench=BenchmarkSearch -benchtime=2s -count=1 -timeout=60m ./internal/store/sqlite/
stage "upload to searchable" go test -run='^$' -bench=UploadToSearchable -benchtime=20x -count=1 ./test/e2e/
stage "idle RSS" go test -run='^$' -bench=IdleRSS -benchtime=3x -count=1 ./test/e2e/
