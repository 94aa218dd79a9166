#!/usr/bin/env bash
# Builds the Dockerfile with podman where its base (python:3.11.7-slim-bookworm) cannot be pulled:
# a stand-in for that base is made from the offline build's Debian base (its locked packages and
# user removed, Debian's pip installed, no EXTERNALLY-MANAGED marker, as in the python image), then
# `podman build` runs the Dockerfile unchanged and the result is run once (--help, uid/gid).
# It checks the Dockerfile's steps, not the python image itself. Not part of `make test`: it takes
# a few minutes and its build stage downloads the locked wheels from PyPI.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=hack/image/lib.sh
. "$HERE/lib.sh"

bash "$HERE/build.sh" build >/dev/null
CACHE="${STEERSMAN_CACHE:-$HOME/.cache/steersman}/image"
base=$(ls -td "$CACHE"/base-*/done | head -n1); base="${base%/done}/rootfs"  # the newest complete base
pip_whl=$(debian_pip_wheel "$CACHE/wheels/debian-pip")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
podman=(podman "--root=$work/storage" "--runroot=$work/run" "--tmpdir=$work/tmp"
  --storage-driver=vfs --runtime=runc --cgroup-manager=cgroupfs --events-backend=file)
limits=(--ulimit nofile=16384:16384 --ulimit nproc=4096:4096)  # see docs/image.md

log "stand-in for python:3.11.7-slim-bookworm"
mkdir -p "$work/standin"
cp -a "$base" "$work/standin/rootfs"
cp "$pip_whl" "$work/standin/rootfs/"
whl=$(basename "$pip_whl")
cat >"$work/standin/Containerfile" <<EOF
FROM scratch
COPY rootfs/ /
RUN userdel steersman && rm -rf /usr/local/lib/python3.11/dist-packages/* /usr/local/bin/* \\
 && python3 /$whl/pip install --quiet --no-cache-dir --break-system-packages --no-index /$whl \\
 && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED /$whl && ln -s /usr/bin/python3 /usr/local/bin/python
EOF
"${podman[@]}" build --quiet --isolation=chroot --network=host \
  -t docker.io/library/python:3.11.7-slim-bookworm "$work/standin" >/dev/null

log "podman build -f Dockerfile"
# The machine's trust store goes in too: its HTTPS may be re-signed by a local CA.
"${podman[@]}" build --quiet --isolation=chroot --network=host --pull=never \
  -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
  -f "$ROOT/Dockerfile" -t localhost/steersman-dockerfile "$ROOT" >/dev/null

"${podman[@]}" run --rm --read-only "${limits[@]}" localhost/steersman-dockerfile --help | head -n1
ids=$("${podman[@]}" run --rm "${limits[@]}" --entrypoint id localhost/steersman-dockerfile -u)
[ "$ids" = 65532 ] || { log "the Dockerfile's image runs as uid $ids, not 65532"; exit 1; }
"${podman[@]}" image inspect localhost/steersman-dockerfile \
  --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}}'
log "the Dockerfile builds and its image runs as 65532"
