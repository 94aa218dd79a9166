"""The offline-built image (hack/image/build.sh): what the Dockerfile declares, its entrypoint
runs as user 65532 on Debian's python, and the operator from it installs a HelmRelease on the
bench (chart from the local OCI registry), run by podman and by the chroot fallback."""

from __future__ import annotations

from pathlib import Path

import pytest

import steersman
from hack.image import (
    ImageOperator,
    Runtime,
    dockerfile_intent,
    image_config,
    run_once,
)
from steersman.kube import KubeClient
from tests.e2e.support import create, record_states, records, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_config_is_the_dockerfiles(registry_image: str) -> None:
    built = image_config(f"docker://{registry_image}")
    declared = dockerfile_intent()
    assert built.user == declared.user == "65532:65532"
    assert built.entrypoint == declared.entrypoint == ("steersman",)
    assert built.cmd == declared.cmd == ("run",)
    assert built.exposed_ports == declared.exposed_ports == {"8080/tcp", "9440/tcp"}
    assert built.working_dir == "/tmp"
    for key, value in declared.env.items():
        assert built.env[key] == value


def test_entrypoint_help(runtime: Runtime) -> None:
    res = run_once(runtime, ["--help"])
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("usage: steersman")
    assert "run       run the operator" in res.stdout


def test_runs_as_65532_on_debians_python(runtime: Runtime) -> None:
    probe = (
        "import os, sys, steersman; "
        "print(os.getuid(), os.getgid(), sys.executable, steersman.__version__, steersman.__file__)"
    )
    res = run_once(runtime, ["-c", probe], entrypoint=["python3"])
    assert res.returncode == 0, res.stderr
    uid, gid, executable, version, location = res.stdout.split()
    assert (uid, gid) == ("65532", "65532")
    assert executable == "/usr/bin/python3"
    assert version == steersman.__version__
    assert location.startswith("/usr/local/lib/python3.11/dist-packages/steersman/")


async def test_operator_from_image_makes_a_helmrelease_ready(
    runtime: Runtime,
    kubeconfig: Path,
    crd: None,
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    tmp_path: Path,
) -> None:
    op = ImageOperator(
        runtime,
        kubeconfig,
        ["--namespace", namespace, "--log-format", "json"],
        log_path=tmp_path / "operator.log",
    )
    op.start()
    try:
        await op.wait_ready(within=60)
        await create(e2e_kube, namespace, "web", spec(chart_repo, values={"greeting": "hi"}))
        hr = await wait_condition(e2e_kube, namespace, "web", within=90)
        assert hr["status"]["history"][0]["status"] == "deployed"
        cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
        assert cm["data"] == {"greeting": "hi", "chartVersion": "0.1.0"}
        assert record_states(await records(e2e_kube, namespace, "web")) == [(1, "deployed")]
    finally:
        code = op.stop()
        print(f"--- operator log ({runtime.name}) ---\n{op.log()[-6000:]}")
    assert code == 0, "the operator in the image did not shut down cleanly on SIGTERM"
