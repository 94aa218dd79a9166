#!/usr/bin/env bash
# Builds the operator's container image without any container registry: Debian's packages
# (debootstrap), python3 from Debian, the pinned dependencies of hack/image/requirements.lock and
# the project's wheel, assembled into an OCI image layout with umoci. Same image as the
# Dockerfile's: user 65532, entrypoint `steersman`, command `run`.
#
#   build.sh [build]     build (or reuse) the image; prints its reference, oci:<layout>:<tag>
#   build.sh push DEST   build, then copy it to docker://DEST (plain HTTP, e.g. a loopback registry)
#   build.sh tools       install the tools only (debootstrap, umoci, skopeo, podman, runc)
#
# Two layers, cached under $STEERSMAN_CACHE/image (default ~/.cache/steersman/image):
#   base  Debian + locked wheels + user; keyed by packages.txt, requirements.lock, rootfs.sh,
#         lib.sh and the Debian suite. Rebuilt only when one of those changes (a few minutes).
#   app   the steersman wheel; keyed by the base and the wheel's sources (seconds).
# STEERSMAN_IMAGE_REBUILD=1 rebuilds the base anyway (e.g. for Debian security updates).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=hack/image/lib.sh
. "$HERE/lib.sh"

CACHE="${STEERSMAN_CACHE:-$HOME/.cache/steersman}/image"
PYTHON="${PYTHON:-python3}"
SUITE="${STEERSMAN_IMAGE_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}"
VERSION=$(sed -nE 's/^__version__ = "([^"]+)"/\1/p' "$ROOT/operator/steersman/_version.py" | head -n1)
# debian-archive-keyring: debootstrap checks the mirror's signatures with it (only recommended).
TOOLS=(debootstrap debian-archive-keyring umoci skopeo podman runc)

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

install_tools() {
  local missing=() pkg
  for pkg in "${TOOLS[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq -o DPkg::Lock::Timeout=600
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
}

digest() { sha256sum | cut -c1-16; }

# The wheel's inputs: what setuptools packs (operator/, pyproject.toml, README.md).
source_digest() {
  (cd "$ROOT" && find operator pyproject.toml README.md -type f \
    ! -path '*/__pycache__/*' ! -path '*.egg-info/*' -print0 | LC_ALL=C sort -z \
    | xargs -0 sha256sum) | digest
}

layout_has() { [ -f "$1/index.json" ] && umoci ls --layout "$1" 2>/dev/null | grep -qx "$2"; }

rfc3339() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

build_base() {
  local key=$1 dir="$CACHE/base-$1"
  if [ -f "$dir/done" ] && [ -z "${STEERSMAN_IMAGE_REBUILD:-}" ]; then return 0; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  local started=$SECONDS mirror
  mirror=$(debian_mirror)
  SOURCE_DATE_EPOCH=$BASE_EPOCH PYTHON="$PYTHON" \
    bash "$HERE/rootfs.sh" "$dir/rootfs" "$SUITE" "$mirror" "$CACHE/wheels"
  clamp_mtimes "$dir/rootfs" "$BASE_EPOCH"
  touch "$dir/done"
  log "base $key built in $((SECONDS - started))s"
  # Older bases are dead weight (a few hundred MB each).
  find "$CACHE" -maxdepth 1 -name 'base-*' ! -name "base-$key" -exec rm -rf {} +
}

pack_base() {
  local key=$1 oci=$2
  layout_has "$oci" "base-$key" && return 0
  [ -f "$oci/index.json" ] || umoci init --layout "$oci"
  umoci new --image "$oci:base-$key"
  umoci insert --image "$oci:base-$key" --history.created "$(rfc3339 "$BASE_EPOCH")" \
    --history.created_by "hack/image/rootfs.sh: Debian $SUITE + requirements.lock" \
    "$CACHE/base-$key/rootfs" /
}

# Install the steersman wheel with the image's own python and pip into a staging dir, then add
# that dir as the image's second layer.
build_app() {
  local base_key=$1 oci=$2 tag=$3 epoch=$4
  local rootfs="$CACHE/base-$base_key/rootfs" work
  work="$rootfs/tmp/steersman-app"  # a fixed path: pip records it in direct_url.json
  rm -rf "$work"  # left by a failed build (builds never overlap: see flock)
  mkdir -p "$work/src" "$work/dist"
  trap "rm -rf '$work'" EXIT
  # A clean copy of the sources: setuptools would pack stale files from an old build/ dir.
  (cd "$ROOT" && tar -cf - --exclude=__pycache__ --exclude='*.egg-info' operator pyproject.toml README.md) \
    | tar -xf - -C "$work/src"
  "$PYTHON" -m pip wheel --quiet --disable-pip-version-check --no-deps -w "$work/dist" "$work/src"
  local pip_whl
  pip_whl=$(debian_pip_wheel "$CACHE/wheels/debian-pip")
  cp "$pip_whl" "$work/"
  in_root "$rootfs" env SOURCE_DATE_EPOCH="$epoch" PIP_CONFIG_FILE=/dev/null \
    python3 "/tmp/steersman-app/$(basename "$pip_whl")/pip" install --quiet --disable-pip-version-check \
    --no-cache-dir --root-user-action=ignore --no-warn-script-location --break-system-packages \
    --no-index --no-deps --root "/tmp/steersman-app/stage" \
    "/tmp/steersman-app/dist/steersman-$VERSION-py3-none-any.whl"
  clamp_mtimes "$work/stage" "$epoch"
  local created
  created=$(rfc3339 "$epoch")
  umoci insert --image "$oci:base-$base_key" --tag "$tag" --history.created "$created" \
    --history.created_by "hack/image/build.sh: steersman $VERSION wheel" "$work/stage" /
  umoci config --image "$oci:$tag" --created "$created" --history.created "$created" \
    --history.created_by "hack/image/build.sh: config" \
    --config.user 65532:65532 --config.workingdir /tmp \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env PYTHONDONTWRITEBYTECODE=1 --config.env PYTHONUNBUFFERED=1 --config.env HOME=/tmp \
    --config.env MALLOC_ARENA_MAX=2 \
    --config.exposedports 8080/tcp --config.exposedports 9440/tcp \
    --config.entrypoint steersman --config.cmd run \
    --config.label org.opencontainers.image.title=steersman \
    --config.label "org.opencontainers.image.version=$VERSION"
}

build() {
  install_tools
  mkdir -p "$CACHE"
  # One build at a time per cache (several checkouts may share it).
  exec 9>"$CACHE/.lock"
  flock -w 1800 9 || { log "another image build holds $CACHE/.lock"; exit 1; }
  local base_key app_key oci="$CACHE/oci"
  base_key=$({ echo "$SUITE"; cat "$HERE/packages.txt" "$HERE/requirements.lock" \
    "$HERE/rootfs.sh" "$HERE/lib.sh"; } | digest)
  # Fixed times make rebuilds of the same inputs write the same files and image config.
  BASE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct -- hack/image 2>/dev/null || true)
  BASE_EPOCH=${BASE_EPOCH:-0}
  local app_epoch
  app_epoch=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || true)
  app_epoch=${app_epoch:-$BASE_EPOCH}
  app_key=$({ echo "$base_key"; source_digest; cat "$HERE/build.sh"; } | digest)
  local tag="$VERSION-$app_key"
  if [ -n "${STEERSMAN_IMAGE_REBUILD:-}" ]; then
    [ -f "$oci/index.json" ] && umoci rm --image "$oci:base-$base_key" 2>/dev/null || true
    [ -f "$oci/index.json" ] && umoci rm --image "$oci:$tag" 2>/dev/null || true
  fi
  if ! layout_has "$oci" "$tag"; then
    local started=$SECONDS
    build_base "$base_key"
    pack_base "$base_key" "$oci"
    build_app "$base_key" "$oci" "$tag" "$app_epoch"
    # Keep this build and its base; the rest of the layout is garbage.
    local t
    for t in $(umoci ls --layout "$oci"); do
      [ "$t" = "$tag" ] || [ "$t" = "base-$base_key" ] || umoci rm --image "$oci:$t"
    done
    umoci gc --layout "$oci"
    log "image $tag built in $((SECONDS - started))s"
  fi
  printf 'oci:%s:%s\n' "$oci" "$tag"
}

push() {
  local dest=$1 ref
  ref=$(build)
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false "$ref" "docker://$dest"
  log "pushed $ref to $dest"
  printf '%s\n' "$dest"
}

case "${1:-build}" in
  build) build ;;
  push) [ $# -eq 2 ] || { echo "usage: $0 push HOST:PORT/NAME:TAG" >&2; exit 2; }; push "$2" ;;
  tools) install_tools ;;
  *) echo "usage: $0 [build|push DEST|tools]" >&2; exit 2 ;;
esac
