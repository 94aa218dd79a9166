#!/usr/bin/env bash
# Regenerates hack/image/requirements.lock: the operator's runtime dependencies (pyproject.toml's
# [project] dependencies, no dev extras) pinned with every PyPI file's sha256. Both image builds
# (Dockerfile and hack/image/build.sh) install exactly this with --require-hashes.
# Run it after changing a dependency range in pyproject.toml; commit the result.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PIP_TOOLS="pip-tools==7.6.2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet "$PIP_TOOLS"
cd "$ROOT"
CUSTOM_COMPILE_COMMAND="bash hack/image/lock.sh" "$tmp/venv/bin/pip-compile" --quiet --generate-hashes --strip-extras --no-emit-index-url \
  --no-emit-find-links --no-emit-trusted-host --resolver=backtracking \
  --output-file hack/image/requirements.lock pyproject.toml
echo "wrote hack/image/requirements.lock"
