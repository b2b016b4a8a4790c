#!/usr/bin/env bash
# image.sh checks and tests the container image.
#
#   scripts/image.sh lint    BuildKit's Dockerfile lint rules (tools/dockerlint); any finding fails
#   scripts/image.sh trivy   trivy config on the Dockerfile and deploy/; HIGH or CRITICAL fails
#   scripts/image.sh test    build the Dockerfile with podman and test the image (needs root)
#   scripts/image.sh bases   only make the stand-in base images (needs root)
#
# The test builds the production Dockerfile and runs the image with a read-only root filesystem,
# a tmpfs /tmp and a data volume; the Go test test/e2e/container_test.go checks its metadata and
# that scans uploaded through the API are OCR'd inside the container.
#
# No registry is reachable here, so the images the Dockerfile starts FROM are made offline: a
# Debian rootfs from debootstrap (cached in $TOOLS_CACHE by suite, variant and package list)
# tagged as debian:bookworm-slim, and the same rootfs plus this machine's Go toolchain tagged as
# the golang builder image. These are CI stand-ins; the Dockerfile itself is the production one.
# RUN steps reach the Debian mirror through the host network and read Go modules from the host's
# module cache (GOPROXY=file://...), which the "go mod download" stage has filled.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
source scripts/stage.sh

SUITE=bookworm
VARIANT=minbase
MIRROR=http://deb.debian.org/debian
BASE_PACKAGES=ca-certificates
ROOTFS_RECIPE=2 # bump when rootfs() changes what it makes
GO_TAG=1.26 # the Dockerfile's GO_VERSION
DEBIAN_IMAGE=docker.io/library/debian:$SUITE-slim
GOLANG_IMAGE=docker.io/library/golang:$GO_TAG-$SUITE
BUILDKIT_VERSION=v0.34.2 # as in tools/dockerlint/go.mod
TRIVY_VERSION=v0.74.0

die() {
  echo "image: $*" >&2
  exit 1
}

# dockerlint builds tools/dockerlint into the tool cache, keyed on the BuildKit version and a hash
# of the tool's source, tests it, and runs it on the Dockerfile.
dockerlint() {
  local sum dir
  sum=$(cat tools/dockerlint/go.mod tools/dockerlint/go.sum tools/dockerlint/*.go | sha256sum | cut -c1-12)
  dir="$TOOLS_CACHE/tools/dockerlint-$BUILDKIT_VERSION-$sum"
  if [[ ! -x "$dir/dockerlint" ]]; then
    echo "tools: building dockerlint (BuildKit $BUILDKIT_VERSION)"
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    (cd tools/dockerlint && nice -n 10 go build -trimpath -o "$dir.tmp/dockerlint" .) ||
      die "building dockerlint failed"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
  fi
  mkdir -p "$TOOLS_CACHE/bin"
  ln -sfn "$dir/dockerlint" "$TOOLS_CACHE/bin/dockerlint"
  (cd tools/dockerlint && go test -count=1 .) || die "dockerlint's own tests failed"
  "$TOOLS_CACHE/bin/dockerlint" Dockerfile
}

# trivy_config scans the Dockerfile and deploy/ (Terraform, Kubernetes YAML, ARM) with the checks
# built into the binary; no database or check bundle is downloaded. Each Helm chart is rendered
# with each of its ci/*-values.yaml files (a chart that needs values renders nothing without
# them), and a chart trivy skips fails the stage instead of passing unscanned. Accepted findings
# are listed in .trivyignore, each with its reason.
trivy_config() {
  gotool trivy github.com/aquasecurity/trivy/cmd/trivy "$TRIVY_VERSION" GOEXPERIMENT=jsonv2 ||
    die "building trivy $TRIVY_VERSION failed"
  local rc=0 log chart values
  log=$(mktemp)
  # trivy's stderr goes to a file first and is shown afterwards: the skip check below must see
  # every line, which a `2> >(tee ...)` process substitution does not promise (bash does not
  # wait for it).
  scan() {
    local err
    err=$(mktemp)
    timeout 10m trivy config --quiet --skip-check-update --skip-version-check \
      --cache-dir "$TOOLS_CACHE/trivy" --ignorefile .trivyignore \
      --severity HIGH,CRITICAL --exit-code 1 "$@" 2>"$err" || rc=1
    cat "$err" >&2
    cat "$err" >>"$log"
    rm -f "$err"
  }
  scan Dockerfile
  scan --skip-dirs deploy/helm deploy
  for chart in deploy/helm/*/; do
    [[ -f "$chart/Chart.yaml" ]] || continue
    for values in "$chart"ci/*-values.yaml; do
      [[ -f "$values" ]] || continue
      echo "trivy: $chart with $values"
      scan --helm-values "$values" "$chart"
    done
  done
  if grep -q 'Skipping chart' "$log"; then
    echo "image: trivy could not render a chart, so it was not scanned (see above)" >&2
    rc=1
  fi
  rm -f "$log"
  return "$rc"
}

# podman_setup checks for the container tools and writes the podman configuration that works on
# these machines (stock podman fails here on ulimits and hybrid cgroups).
podman_setup() {
  local tool
  for tool in podman buildah debootstrap; do
    command -v "$tool" >/dev/null || die "$tool not found; install it with scripts/deps.sh --test"
  done
  [[ $(id -u) == 0 ]] || die "needs root (rootful podman and debootstrap)"
  export CONTAINERS_CONF="$TOOLS_CACHE/podman/containers.conf"
  mkdir -p "$(dirname "$CONTAINERS_CONF")"
  cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
}

# rootfs prints the path of the cached Debian rootfs tarball, making it with debootstrap if needed.
# Like Docker's official slim images it excludes documentation from packages and keeps no apt
# caches, so that what the Dockerfile installs is sized as it would be on the real base.
rootfs() {
  local key tar dir
  key=$(printf '%s\n' "$SUITE" "$VARIANT" "$BASE_PACKAGES" "$MIRROR" "$ROOTFS_RECIPE" | sha256sum | cut -c1-12)
  tar="$TOOLS_CACHE/rootfs/debian-$SUITE-$VARIANT-$key.tar"
  if [[ ! -s "$tar" ]]; then
    echo "image: debootstrap $SUITE ($VARIANT, $BASE_PACKAGES)" >&2
    dir=$(mktemp -d)
    timeout 15m debootstrap --variant="$VARIANT" --include="$BASE_PACKAGES" "$SUITE" "$dir" "$MIRROR" >&2 ||
      { rm -rf "$dir"; die "debootstrap $SUITE failed"; }
    cat >"$dir/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
EOF
    cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::Languages "none";' >"$dir/etc/apt/apt.conf.d/docker-no-languages"
    find "$dir/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
    rm -rf "$dir"/usr/share/{man,info,locale,lintian}/* "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
    mkdir -p "$(dirname "$tar")"
    tar --numeric-owner -C "$dir" -cf "$tar.tmp" .
    rm -rf "$dir"
    mv "$tar.tmp" "$tar"
  fi
  echo "$tar"
}

# label IMAGE KEY prints the value of label KEY on a local image, or nothing.
label() {
  podman image inspect --format "{{index .Labels \"$2\"}}" "$1" 2>/dev/null || true
}

debian_base() {
  local tar key
  tar=$(rootfs)
  key=$(basename "$tar" .tar)
  [[ $(label "$DEBIAN_IMAGE" docpipe.ci.rootfs) == "$key" ]] && return 0
  timeout 5m podman import --quiet \
    --change "LABEL docpipe.ci.rootfs=$key" --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$tar" "$DEBIAN_IMAGE" >/dev/null || die "podman import $tar failed"
  echo "image: $DEBIAN_IMAGE imported from $tar"
}

# golang_base is the Debian base plus this machine's Go toolchain in /usr/local/go, laid out like
# the official golang image (GOPATH=/go, toolchain switching off).
golang_base() {
  local goroot goversion key ctr
  goroot=$(go env GOROOT)
  goversion=$(go env GOVERSION)
  [[ $goversion == go$GO_TAG* ]] || die "Go $goversion on this machine, the Dockerfile wants $GO_TAG"
  key="$goversion $(label "$DEBIAN_IMAGE" docpipe.ci.rootfs)"
  [[ $(label "$GOLANG_IMAGE" docpipe.ci.base) == "$key" ]] && return 0
  ctr=$(buildah from --pull-never "$DEBIAN_IMAGE") || die "buildah from $DEBIAN_IMAGE failed"
  if ! {
    buildah copy --quiet "$ctr" "$goroot" /usr/local/go >/dev/null &&
      buildah config --env GOPATH=/go --env GOTOOLCHAIN=local \
        --env PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --workingdir /go --label "docpipe.ci.base=$key" "$ctr" &&
      buildah commit --quiet "$ctr" "$GOLANG_IMAGE" >/dev/null
  }; then
    buildah rm "$ctr" >/dev/null
    die "making $GOLANG_IMAGE failed"
  fi
  buildah rm "$ctr" >/dev/null
  echo "image: $GOLANG_IMAGE made from $DEBIAN_IMAGE and $goversion"
}

bases() {
  debian_base
  golang_base
}

# Each stage runs in a subshell (scripts/stage.sh), so what build leaves for the later stages and
# for cleanup goes in files under $STATE: the image ID, and the dangling images before the build.
STATE=""

image_id() { cat "$STATE/iid" 2>/dev/null || true; }

dangling() {
  podman images --quiet --no-trunc --filter dangling=true | sort
}

build() {
  local iidfile version revision
  dangling >"$STATE/dangling-before"
  iidfile=$(mktemp)
  version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
  revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  timeout 30m nice -n 10 podman build --pull=never --format docker --network=host --iidfile "$iidfile" \
    --volume "$(go env GOMODCACHE)/cache/download:/goproxy:ro" \
    --build-arg GOPROXY=file:///goproxy --build-arg GOSUMDB=off \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" \
    --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --tag localhost/docpipe:ci . || { rm -f "$iidfile"; die "podman build failed (see above)"; }
  mv "$iidfile" "$STATE/iid"
}

container_test() {
  local id
  id=$(image_id)
  [[ -n "$id" ]] || die "no image was built"
  DOCPIPE_IMAGE="$id" go test -count=1 -timeout 10m -run '^TestContainer' -v ./test/e2e
}

size() {
  local id
  id=$(image_id)
  [[ -n "$id" ]] || die "no image was built"
  podman image inspect --format '{{.Size}}' "$id" |
    awk '{ printf "image: docpipe image size %.1f MB (%d bytes)\n", $1 / 1e6, $1 }'
}

# cleanup removes the image and the builder stage's intermediate images this run made, by ID;
# the base images stay, and so do the Go module and build cache mounts.
cleanup() {
  local id
  stage_summary
  id=$(image_id)
  if [[ -n "$id" ]]; then
    podman rmi --force "$id" >/dev/null 2>&1 || echo "image: could not remove $id" >&2
  fi
  if [[ -f "$STATE/dangling-before" ]]; then
    for id in $(comm -13 "$STATE/dangling-before" <(dangling)); do
      podman rmi "$id" >/dev/null 2>&1 || echo "image: could not remove $id" >&2
    done
  fi
  rm -rf "$STATE"
}

case "${1:-}" in
lint) dockerlint ;;
trivy) trivy_config ;;
bases)
  podman_setup
  trap stage_summary EXIT
  stage "image: base images" bases
  ;;
test)
  podman_setup
  STATE=$(mktemp -d)
  trap cleanup EXIT
  stage "image: base images" bases
  stage "image: podman build" build
  stage "image: size" size
  stage "image: container test" container_test
  ;;
*) die "usage: scripts/image.sh lint|trivy|test|bases" ;;
esac
