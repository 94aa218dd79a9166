#!/usr/bin/env bash
# Builds the image's base root filesystem: Debian minbase + python3 (hack/image/packages.txt), the
# pinned dependencies of hack/image/requirements.lock (wheels from PyPI, hash-checked), the
# non-root user 65532, and no package caches, docs or device nodes.
# Usage: rootfs.sh ROOTFS SUITE MIRROR WHEEL_CACHE. Called by build.sh, which caches the result.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=hack/image/lib.sh
. "$HERE/lib.sh"
rootfs=$1 suite=$2 mirror=$3 wheels=$4
lock="$HERE/requirements.lock"
packages=$(grep -vE '^\s*(#|$)' "$HERE/packages.txt" | paste -sd, -)

log "debootstrap $suite (minbase + $packages)"
debootstrap --variant=minbase --include="$packages" --components=main "$suite" "$rootfs" "$mirror" \
  >"$rootfs.debootstrap.log" 2>&1 || { tail -n 30 "$rootfs.debootstrap.log" >&2; exit 1; }

# The same user as the Dockerfile's: numeric 65532 so runAsNonRoot can verify it.
# SOURCE_DATE_EPOCH: shadow writes it as the password's last change, not today's date.
epoch="SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}"
in_root "$rootfs" env "$epoch" groupadd --gid 65532 steersman
in_root "$rootfs" env "$epoch" useradd --uid 65532 --gid 65532 --no-create-home --home-dir /tmp \
  --shell /usr/sbin/nologin steersman 2>/dev/null  # (it warns that 65532 > UID_MAX, as intended)

# pip itself comes from Debian (python3-pip-whl), run from its wheel and never installed.
work="$rootfs/tmp/build"
mkdir -p "$work/wheels"
pip_whl=$(debian_pip_wheel "$wheels/debian-pip")
cp "$pip_whl" "$work/"
pip_whl=$(basename "$pip_whl")
# Wheels for exactly the platforms this interpreter accepts (asked of the image's own pip).
mapfile -t platforms < <(in_root "$rootfs" python3 "/tmp/build/$pip_whl/pip" debug --verbose 2>/dev/null \
  | grep -oE 'cp[0-9]+-cp[0-9]+-manylinux[a-z0-9_]+' | sed -E 's/^cp[0-9]+-cp[0-9]+-//' | awk '!seen[$0]++')
[ ${#platforms[@]} -gt 0 ] || { log "could not read the image's wheel tags"; exit 1; }
python_version=$(in_root "$rootfs" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
log "downloading the locked wheels for python $python_version (${platforms[0]})"
mkdir -p "$wheels"
"${PYTHON:-python3}" -m pip download --quiet --disable-pip-version-check --require-hashes --no-deps \
  --only-binary=:all: --implementation cp --python-version "$python_version" \
  "${platforms[@]/#/--platform=}" -r "$lock" -d "$wheels"
cp "$lock" "$work/requirements.lock"
cp "$wheels"/*.whl "$work/wheels/"
log "installing the locked wheels into the image"
# SOURCE_DATE_EPOCH makes pip's byte-compiling write hash-checked .pyc files (no timestamps).
in_root "$rootfs" env "$epoch" PIP_CONFIG_FILE=/dev/null \
  python3 "/tmp/build/$pip_whl/pip" install --quiet --disable-pip-version-check --no-cache-dir \
  --root-user-action=ignore --break-system-packages --no-index --no-deps --require-hashes \
  --find-links /tmp/build/wheels -r /tmp/build/requirements.lock
rm -rf "$work"

# What a runtime provides, or nobody needs in a container image.
rm -rf "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/* "$rootfs"/run/* "$rootfs"/tmp/* \
  "$rootfs"/var/tmp/* "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/lib/dpkg/*-old "$rootfs"/var/cache/ldconfig/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
  "$rootfs"/root/.cache
find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
find "$rootfs/var/log" -type f -delete
: >"$rootfs/etc/machine-id"
: >"$rootfs/etc/resolv.conf"
: >"$rootfs/etc/hostname"
chmod 1777 "$rootfs/tmp"
log "base root filesystem: $(du -sh "$rootfs" | cut -f1)"
