# shellcheck shell=bash
# stage.sh is sourced by the test scripts: `stage NAME COMMAND...` runs a command and prints how
# long it took, so a slow CI run shows where its time went.
stage() {
  local name=$1 start end rc
  shift
  start=$(date +%s)
  echo "::: ${name}"
  set +e
  "$@"
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

STAGE_TIMES=()
