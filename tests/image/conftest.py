"""Fixtures for the image tests: the image built offline (cached), pushed to the bench's local
registry, and ready to run with podman or, the fallback, a chroot into its unpacked rootfs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hack.image import Chroot, Podman, Runtime, build_image, push_image
from hack.operatorkit import push_chart
from tests.e2e.conftest import crd, e2e_kube

__all__ = ["chart_repo", "crd", "e2e_kube"]


@pytest.fixture(scope="session")
def image_ref() -> str:
    """`oci:<layout>:<tag>` of the image; built once per inputs (cache under ~/.cache/steersman)."""
    return build_image()


@pytest.fixture(scope="session")
def registry_image(image_ref: str, oci_registry: str) -> str:
    """The image in the bench's registry (host:port/steersman:<tag>), copied there by skopeo."""
    tag = image_ref.rsplit(":", 1)[1]
    return push_image(image_ref, f"{oci_registry}/steersman:{tag}")


@pytest.fixture(scope="session")
def chart_repo(helm_v4: Path, helm_env: dict[str, str], oci_registry: str) -> str:
    """oci://<registry>/charts holding the e2e sample chart, as the e2e tests use it."""
    return push_chart(helm_v4, helm_env, oci_registry, ["0.1.0"])


@pytest.fixture(scope="session")
def podman(registry_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Podman]:
    runtime = Podman(registry_image, tmp_path_factory.mktemp("podman"))
    runtime.pull()
    yield runtime
    # vfs keeps a full copy of the image (~250 MB); pytest would keep it for three sessions.
    shutil.rmtree(runtime.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def chroot(registry_image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chroot]:
    runtime = Chroot(registry_image, tmp_path_factory.mktemp("chroot"))
    runtime.unpack()
    yield runtime
    shutil.rmtree(runtime.workdir, ignore_errors=True)


@pytest.fixture(params=["podman", "chroot"])
def runtime(request: pytest.FixtureRequest) -> Runtime:
    """Each test runs the image both ways: podman (vfs, runc) and the chroot fallback."""
    found: Runtime = request.getfixturevalue(request.param)
    return found
