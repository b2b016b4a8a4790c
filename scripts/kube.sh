#!/usr/bin/env bash
# kube.sh checks and tests the Helm chart in deploy/helm/docpipe.
#
#   scripts/kube.sh tools    build or install every tool below into the tool cache
#   scripts/kube.sh lint     helm lint --strict, helm template, kubeconform -strict, kube-score
#   scripts/kube.sh chart    the chart's Go tests (deploy/helm: render and assert)
#   scripts/kube.sh cluster  the cluster test (test/k8s): etcd, kube-apiserver, controller-manager,
#                            scheduler and kwok fake nodes on 127.0.0.1, helm install/upgrade/uninstall
#   scripts/kube.sh all      all of the above, each timed
#
# The Kubernetes binaries come from tools/kube (a module of their own) and are cached by version
# in $TOOLS_CACHE/tools/<name>-<version>, so only the first run on a machine pays for them
# (about 20 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh
source scripts/stage.sh

KUBE_VERSION=v1.37.2
ETCD_VERSION=v3.7.0
HELM_VERSION=v3.22.0
KWOK_VERSION=v0.8.0
KUBECONFORM_VERSION=v0.8.0
KUBE_SCORE_VERSION=v1.20.0

CHART=deploy/helm/docpipe

# cached NAME VERSION reports whether NAME VERSION is in the cache, and links it into bin if so.
cached() {
  local dir="$TOOLS_CACHE/tools/$1-$2"
  [[ -x "$dir/$1" ]] || return 1
  mkdir -p "$TOOLS_CACHE/bin"
  ln -sfn "$dir/$1" "$TOOLS_CACHE/bin/$1"
}

# cache_put NAME VERSION FILE moves a freshly built FILE into the cache as NAME VERSION.
cache_put() {
  local dir="$TOOLS_CACHE/tools/$1-$2"
  rm -rf "$dir.tmp" "$dir"
  mkdir -p "$dir.tmp"
  mv "$3" "$dir.tmp/$1"
  mv "$dir.tmp" "$dir"
  cached "$1" "$2"
}

# kube_binaries builds the control plane from tools/kube with the version stamped in, so that
# kubectl and Helm see the real server version rather than v0.0.0.
kube_binaries() {
  local missing=() b
  for b in kube-apiserver kube-controller-manager kube-scheduler; do
    cached "$b" "$KUBE_VERSION" || missing+=("k8s.io/kubernetes/cmd/$b")
  done
  cached etcd "$ETCD_VERSION" || missing+=(go.etcd.io/etcd/server/v3)
  ((${#missing[@]} > 0)) || return 0

  echo "tools: building ${missing[*]} (cold: about 20 minutes)"
  local minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  local out
  out=$(mktemp -d)
  (cd tools/kube && nice -n 10 go build -trimpath -ldflags "$ldflags" -o "$out/" "${missing[@]}")
  for b in kube-apiserver kube-controller-manager kube-scheduler; do
    [[ ! -x "$out/$b" ]] || cache_put "$b" "$KUBE_VERSION" "$out/$b"
  done
  # go build names a binary after its path without the major version suffix: server.
  [[ ! -x "$out/server" ]] || cache_put etcd "$ETCD_VERSION" "$out/server"
  rm -rf "$out"
}

# kwok installs kwok and copies the Stage configs that make its fake nodes Ready and its pods
# Running, which ship in the module source rather than in the binary.
kwok() {
  gotool kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
  local stages="$TOOLS_CACHE/tools/kwok-$KWOK_VERSION/stages"
  [[ -d "$stages" ]] && return 0
  local src
  src=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  rm -rf "$stages.tmp"
  mkdir -p "$stages.tmp"
  local d
  for d in node/fast node/heartbeat-with-lease pod/fast; do
    find "$src/kustomize/stage/$d" -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml \
      -exec cp {} "$stages.tmp/" \;
  done
  chmod -R u+w "$stages.tmp"
  mv "$stages.tmp" "$stages"
}

# helm is built the way Helm's release binaries are: with its version and the Kubernetes version
# of its client libraries stamped in. Without them `go install` gives a helm whose default
# capabilities and API deprecation checks are those of Kubernetes 1.20.
helm_tool() {
  local src minor
  src=$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  minor=$(sed -n 's/^\tk8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$src/go.mod")
  local key="$HELM_VERSION-k8s1.$minor"
  cached helm "$key" && return 0
  echo "tools: building helm $key"
  local p=helm.sh/helm/v3 out
  local ldflags="-s -w -X $p/internal/version.version=$HELM_VERSION -X $p/internal/version.gitTreeState=clean"
  ldflags+=" -X $p/pkg/chartutil.k8sVersionMajor=1 -X $p/pkg/chartutil.k8sVersionMinor=$minor"
  ldflags+=" -X $p/pkg/lint/rules.k8sVersionMajor=1 -X $p/pkg/lint/rules.k8sVersionMinor=$minor"
  out=$(mktemp -d)
  GOBIN="$out" GOFLAGS=-buildvcs=false go install -trimpath -ldflags "$ldflags" "$p/cmd/helm@$HELM_VERSION"
  cache_put helm "$key" "$out/helm"
  rm -rf "$out"
}

tools() {
  helm_tool
  gotool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
  kube_binaries
  kwok
  gotool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION"
}

# schemas converts the OpenAPI spec inside the k8s.io/kubernetes module into kubeconform's
# stand-alone strict schemas, cached by Kubernetes version and converter source.
schemas() {
  local sum
  sum=$(sha256sum tools/kube/kubeschema/main.go | cut -c1-12)
  SCHEMAS="$TOOLS_CACHE/tools/kube-schemas-$KUBE_VERSION-$sum"
  [[ -d "$SCHEMAS" ]] && return 0
  local src
  src=$(cd tools/kube && go list -m -f '{{.Dir}}' k8s.io/kubernetes)
  rm -rf "$SCHEMAS.tmp"
  (cd tools/kube && go run ./kubeschema -in "$src/api/openapi-spec/swagger.json" -out "$SCHEMAS.tmp")
  mv "$SCHEMAS.tmp" "$SCHEMAS"
}

# render VALUES writes the chart rendered with ci/VALUES-values.yaml to a temp file and prints its name.
render() {
  local out
  out=$(mktemp --suffix=.yaml)
  helm template docpipe "$CHART" --namespace docpipe -f "$CHART/ci/$1-values.yaml" >"$out"
  echo "$out"
}

lint() {
  (cd tools/kube && go test -count=1 ./kubeschema)
  schemas
  local values out rc=0
  for values in minimal full; do
    echo "--- $values values"
    helm lint --strict "$CHART" -f "$CHART/ci/$values-values.yaml" || rc=1
    out=$(render "$values") || { rc=1; continue; }
    # ServiceMonitor and PodMonitor have no schema here: the chart's Go tests decode them
    # strictly into prometheus-operator's own types instead.
    kubeconform -strict -summary -skip ServiceMonitor,PodMonitor \
      -schema-location "$SCHEMAS/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$out" || rc=1
    # Ignored checks, each for a reason (docs/kubernetes.md):
    #  container-image-pull-policy: pinning by digest (image.digest) is what makes pulls safe;
    #    IfNotPresent is the default so that nodes keep working while the registry is away.
    #  pod-networkpolicy: NetworkPolicy is optional (networkPolicy.enabled) because the peers
    #    (PostgreSQL, the ingress controller, Prometheus) differ per cluster; full-values turns it on.
    #  service-type: the web is exposed by a NodePort on purpose (web.service.type); behind an
    #    Ingress set it to ClusterIP.
    #  deployment-has-host-podantiaffinity: topologySpreadConstraints over zones and hostnames do
    #    that job (the cluster test checks the spread); kube-score does not know them.
    kube-score score --output-format ci \
      --enable-optional-test container-seccomp-profile \
      --ignore-test container-image-pull-policy \
      --ignore-test pod-networkpolicy \
      --ignore-test service-type \
      --ignore-test deployment-has-host-podantiaffinity \
      "$out" || rc=1
    rm -f "$out"
  done
  return "$rc"
}

cluster_test() {
  DOCPIPE_KUBE_CLUSTER=1 go test -count=1 -v -timeout 15m -run TestChartOnCluster ./test/k8s/
}

case "${1:-}" in
tools) tools ;;
lint) lint ;;
chart) go test -count=1 ./deploy/helm/ ;;
cluster) cluster_test ;;
all)
  trap stage_summary EXIT
  stage "kube tools" tools
  stage "helm lint" lint
  stage "helm chart tests" go test -count=1 ./deploy/helm/
  stage "kube cluster" cluster_test
  ;;
*)
  echo "usage: $0 tools|lint|chart|cluster|all" >&2
  exit 2
  ;;
esac
