#!/usr/bin/env bash
# selftest.sh tests the test machinery itself, so that a green run cannot come from a broken
# harness: a stage fails when a command inside a shell function fails, gofmt's stage fails on a
# file it cannot parse, .ci/run exports CI=true, no script reads a command's output through a
# process substitution that bash does not wait for, nothing reads files from outside the
# repository, and scripts/fuzz.sh finds every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stage.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() {
  echo "selftest: FAIL: $*" >&2
  failed=1
}

# A function whose second command fails must fail its stage and stop there.
breaks() {
  echo first >"$tmp/ran"
  false
  echo second >>"$tmp/ran"
}
works() { true; }

set +e
(stage "selftest: failing function" breaks) >/dev/null
rc=$?
set -e
[[ $rc != 0 ]] || fail "a stage whose function runs a failing command exited 0"
[[ $(cat "$tmp/ran") == first ]] || fail "a stage went on after a failing command: $(tr '\n' ' ' <"$tmp/ran")"

set +e
(stage "selftest: passing function" works) >/dev/null
rc=$?
set -e
[[ $rc == 0 ]] || fail "a stage whose function succeeds exited $rc"

# gofmt's stage must fail on a file gofmt cannot parse, and on one it would change.
mkdir -p "$tmp/unparsable" "$tmp/unformatted"
printf 'package x\n\nfunc {\n' >"$tmp/unparsable/x.go"
printf 'package x\nfunc  f() {}\n' >"$tmp/unformatted/x.go"
for dir in unparsable unformatted; do
  set +e
  (stage "selftest: gofmt $dir" gofmt_check "$tmp/$dir") >/dev/null 2>&1
  rc=$?
  set -e
  [[ $rc != 0 ]] || fail "the gofmt stage passed an $dir file"
done

# .ci/run must export CI=true to what it runs, even when the caller did not set it.
mkdir -p "$tmp/ci/.ci" "$tmp/bin"
cp .ci/run "$tmp/ci/.ci/run"
# shellcheck disable=SC2016 # expanded by the stand-in make, not here
printf '#!/bin/sh\necho "CI=$CI $*"\n' >"$tmp/bin/make"
chmod +x "$tmp/bin/make"
got=$(env -u CI PATH="$tmp/bin:$PATH" bash "$tmp/ci/.ci/run")
[[ $got == "CI=true test" ]] || fail ".ci/run ran make with '$got', want 'CI=true test'"

# bash does not wait for `>(...)`: a grep of what it wrote can miss lines.
if grep -nE '^[^#]*>[[:space:]]*>\(' scripts/*.sh .ci/run; then
  fail "a script sends output through a process substitution (above); write to a file instead"
fi

# A clone alone must build and test: nothing may read the workplace's shared folder beside it.
if git grep -nE '(\.\./)+shared/|/work/shared' -- ':!scripts/selftest.sh'; then
  fail "a file reads outside the repository (above); vendor what it needs as test data"
fi

# fuzz.sh must run every fuzz target the repository has, tool modules included.
want=$(git grep -h '^func Fuzz' -- '*_test.go' | wc -l)
got=$(scripts/fuzz.sh --list | wc -l)
[[ $want -gt 0 && $got == "$want" ]] || fail "fuzz.sh lists $got targets, the tree has $want"
scripts/fuzz.sh --list | grep -qx 'tools/dockerlint FuzzLint' || fail "fuzz.sh misses tools/dockerlint FuzzLint"

if ((failed)); then
  exit 1
fi
echo "selftest: the test machinery fails when it should"
