# shellcheck shell=bash
# tools.sh is sourced by the test scripts. Tools built from Go modules live in a cache outside the
# clone ($DOCPIPE_CACHE, default ~/.cache/docpipe), keyed on version, so only the first run on a
# machine pays for building them. internal/testenv looks in $TOOLS_CACHE/bin too.
TOOLS_CACHE="${DOCPIPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/docpipe}"
export PATH="$TOOLS_CACHE/bin:$PATH"

# gotool NAME PACKAGE VERSION [VAR=VALUE...] installs PACKAGE@VERSION as $TOOLS_CACHE/bin/NAME
# unless that version is already there; the variables are set for `go install`.
gotool() {
  local name=$1 pkg=$2 version=$3
  shift 3
  local dir="$TOOLS_CACHE/tools/$name-$version"
  if [[ ! -x "$dir/$name" ]]; then
    echo "tools: building $name $version"
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    # Each step checks its own status: a caller's `gotool ... || die` turns errexit off in here.
    env "$@" GOBIN="$dir.tmp" GOFLAGS=-buildvcs=false go install "$pkg@$version" || return 1
    if [[ ! -x "$dir.tmp/$name" ]]; then
      mv "$dir.tmp/$(basename "$pkg")" "$dir.tmp/$name" || return 1
    fi
    rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
  fi
  mkdir -p "$TOOLS_CACHE/bin" && ln -sfn "$dir/$name" "$TOOLS_CACHE/bin/$name"
}
