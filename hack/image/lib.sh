# Shared by the image scripts (sourced, not run).
log() { printf '[image] %s\n' "$*" >&2; }

# Run a command inside a root filesystem, with /dev and /proc mounted in a mount namespace of its
# own (so nothing stays mounted when it exits, even on failure) and none of the host's environment
# (the host's PIP_* settings name paths that do not exist in there).
in_root() {
  local root=$1
  shift
  unshare --mount --propagation private -- sh -ec '
    root=$1; shift
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      HOME=/root LANG=C.UTF-8 "$@"' in_root "$root" "$@"
}

# Debian's pip wheel (python3-pip-whl, never installed on the host), cached in DIR; prints its
# path. The image builds run pip from this wheel inside the image and leave no pip behind.
debian_pip_wheel() {
  local dir=$1 tmp whl
  whl=$(ls "$dir"/pip-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ]; then
    mkdir -p "$dir"
    tmp=$(mktemp -d)
    # A fresh machine may have no package lists yet: update once and try again.
    (cd "$tmp" && apt-get download -qq python3-pip-whl 2>/dev/null) \
      || { apt-get update -qq -o DPkg::Lock::Timeout=600 && (cd "$tmp" && apt-get download -qq python3-pip-whl 2>/dev/null); } \
      || { log "apt-get download python3-pip-whl failed"; rm -rf "$tmp"; return 1; }
    dpkg-deb -x "$tmp"/python3-pip-whl_*.deb "$tmp/x"
    cp "$tmp"/x/usr/share/python-wheels/pip-*.whl "$dir/"
    rm -rf "$tmp"
    whl=$(ls "$dir"/pip-*.whl | head -n1)
  fi
  printf '%s\n' "$whl"
}

# The Debian mirror the host's apt sources name (deb822 or one-line format).
debian_mirror() {
  local mirror
  mirror=$(grep -rhoE '^URIs: *\S+/debian/?$' /etc/apt/sources.list.d/ 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$mirror" ] || mirror=$(grep -rhoE '^deb +\S+/debian/? ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$mirror" ] || { log "no Debian mirror found in the apt sources"; return 1; }
  printf '%s\n' "${mirror%/}"
}

# Files older than the epoch keep their time; newer ones get it, so a rebuild of the same inputs
# writes the same tar entries.
clamp_mtimes() {
  local dir=$1 epoch=$2
  find "$dir" -newermt "@$epoch" -print0 | xargs -0r touch --no-dereference --date="@$epoch"
}
