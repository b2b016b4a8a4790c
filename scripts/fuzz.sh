#!/usr/bin/env bash
# fuzz.sh runs every Go fuzz target in the module for a short time each (default 10s).
#
# Go 1.26's fuzz coordinator can report "context deadline exceeded" at the -fuzztime boundary
# when a loaded machine starves its workers (golang/go#75804, fixed in Go 1.27). Such a run has
# found nothing: a real finding always writes its input to testdata/fuzz. That one signature is
# retried once; every other failure, and a second deadline failure, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-10s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fuzz() {
  go test -run='^$' -fuzz="^$2\$" -fuzztime="$fuzztime" "./$1" 2>&1 | tee "$log"
  return "${PIPESTATUS[0]}"
}

deadline_only() {
  grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:' "$log"
}

n=0
while read -r dir; do
  while read -r target; do
    echo "fuzz: $dir $target ($fuzztime)"
    if ! fuzz "$dir" "$target"; then
      deadline_only || exit 1
      echo "fuzz: $target hit the fuzztime deadline race with no finding; running it again"
      fuzz "$dir" "$target" || exit 1
    fi
    n=$((n + 1))
  done < <(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go | sed 's/^func //' | sort -u)
done < <(grep -rl --include='*_test.go' '^func Fuzz' cmd internal deploy | xargs -n1 dirname | sort -u)
if ((n == 0)); then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
echo "fuzz: $n targets passed"
