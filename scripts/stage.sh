# shellcheck shell=bash
# stage.sh is sourced by the test scripts: `stage NAME COMMAND...` runs a command and prints how
# long it took, so a slow CI run shows where its time went.
#
# The command runs in a subshell with errexit on, so that a failing command inside a shell
# function fails the stage instead of being ignored: `set +e` around a function call would turn
# errexit off inside it too. Two consequences: a stage cannot set variables for later stages (pass
# state through files), and `stage` must be called as a plain command, never as the condition of
# `if`, `&&` or `||`, where bash turns errexit off for everything it runs.
stage() {
  local name=$1 start end rc
  shift
  start=$(date +%s)
  echo "::: ${name}"
  set +e
  (
    set -e
    "$@"
  )
  rc=$?
  set -e
  end=$(date +%s)
  printf '::: %s: %ds (exit %d)\n' "$name" "$((end - start))" "$rc"
  STAGE_TIMES+=("$(printf '%-28s %5ds  exit %d' "$name" "$((end - start))" "$rc")")
  return "$rc"
}

stage_summary() {
  echo "::: stage times"
  printf '  %s\n' "${STAGE_TIMES[@]}"
}

# gofmt_check DIR... fails if gofmt would change, or cannot parse, a Go file below the DIRs.
gofmt_check() {
  local out
  out=$(gofmt -l "$@")
  [[ -z "$out" ]] || {
    echo "not gofmt-ed:"
    echo "$out"
    return 1
  }
}

STAGE_TIMES=()
