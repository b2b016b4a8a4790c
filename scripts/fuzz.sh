#!/usr/bin/env bash
# fuzz.sh runs every Go fuzz target in the repository for a short time each (default 10s): those
# of the main module and those of the tool modules under tools/, each run from its own directory
# so that `go test` picks the module it belongs to.
#
#   scripts/fuzz.sh [FUZZTIME]   run every target
#   scripts/fuzz.sh --list       print "DIR TARGET" for every target, one a line
#
# Targets are found in every *_test.go file git tracks (or, outside a checkout, every one below
# the root), so a target in a new directory cannot be left out.
#
# Go 1.26's fuzz coordinator can report "context deadline exceeded" at the -fuzztime boundary
# when a loaded machine starves its workers (golang/go#75804, fixed in Go 1.27). Such a run has
# found nothing: a real finding always writes its input to testdata/fuzz. That one signature is
# retried once; every other failure, and a second deadline failure, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

# test_files lists the repository's Go test files, NUL-separated.
test_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -- '*_test.go'
  else
    find . -name '*_test.go' -not -path '*/node_modules/*' -printf '%P\0'
  fi
}

# targets prints "DIR TARGET" for every fuzz target.
targets() {
  test_files | xargs -0 grep -Ho '^func Fuzz[A-Za-z0-9_]*' |
    sed -E 's|^(.*)/[^/]+_test\.go:func (Fuzz.*)$|\1 \2|' | sort -u
}

if [[ "${1:-}" == "--list" ]]; then
  targets
  exit 0
fi

fuzztime=${1:-10s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fuzz() {
  (cd "$1" && go test -run='^$' -fuzz="^$2\$" -fuzztime="$fuzztime" .) 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

deadline_only() {
  grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:' "$log"
}

n=0
while read -r dir target; do
  echo "fuzz: $dir $target ($fuzztime)"
  if ! fuzz "$dir" "$target"; then
    deadline_only || exit 1
    echo "fuzz: $target hit the fuzztime deadline race with no finding; running it again"
    fuzz "$dir" "$target" || exit 1
  fi
  n=$((n + 1))
done < <(targets)
if ((n == 0)); then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
echo "fuzz: $n targets passed"
