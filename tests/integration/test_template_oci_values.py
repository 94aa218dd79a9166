"""`-f oci://...` and `--set-file k=oci://...` next to helm v4.1.4: helm's OCI getter pulls the
chart archive (HTTPS, the default registry config, no --plain-http or TLS flags) and the values
parser then refuses its gzip bytes; references it refuses unread have oras-go's texts. The
registry's certificate is trusted through SSL_CERT_FILE, which Go and OpenSSL both read. Each
case: the same exit code, stdout and stderr; chart references are compared alongside."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hack.testenv.parts import OciRegistry, RegistryTls, free_port
from hack.testkit.chart_servers import helm, helm_package, make_tls_material, write_tiny_chart
from hack.testkit.conformance import template_both

pytestmark = [pytest.mark.integration, pytest.mark.interop]

A64 = "a" * 64
CASES = [
    # (id, arguments); {reg} is the HTTPS registry holding charts/sub 0.2.0, {closed} a dead port
    ("pulled, then not values", ["-f", "oci://{reg}/charts/sub:0.2.0"]),
    ("set-file pulled", ["--set-file", "k=oci://{reg}/charts/sub:0.2.0"]),  # renders, as bytes
    ("missing tag", ["-f", "oci://{reg}/charts/sub:9.9.9"]),
    ("no tag", ["-f", "oci://{reg}/charts/sub"]),
    ("tag as written", ["-f", "oci://127.0.0.1:{closed}/charts/x:latest"]),
    ("plus in tag", ["-f", "oci://127.0.0.1:{closed}/charts/x:1.0+b+c"]),
    ("tag and digest", ["-f", f"oci://127.0.0.1:{{closed}}/x:1@sha256:{A64}"]),
    ("bad repository", ["-f", "oci://127.0.0.1:{closed}/X:1"]),
    ("bad tag", ["-f", "oci://127.0.0.1:{closed}/x:-a"]),
    ("short digest", ["-f", "oci://127.0.0.1:{closed}/x@sha256:abc"]),
    ("unknown algorithm", ["-f", "oci://127.0.0.1:{closed}/x@md5:abc"]),
    ("no repository", ["-f", "oci://x"]),
    # the chart path's own checks (ValidateReference), in its order
    ("chart: bad repository", ["oci://127.0.0.1:{closed}/X:1"]),
    ("chart: bad digest with tag", ["oci://127.0.0.1:{closed}/x:1@sha256:abc"]),
    ("chart: version mismatch", ["oci://127.0.0.1:{closed}/x:1.0+b", "--version", "1.0.0"]),
    ("chart: devel mismatch", ["oci://127.0.0.1:{closed}/x:1", "--devel"]),
    ("chart: tag not semver", ["oci://127.0.0.1:{closed}/x:1.0.0+b"]),
    ("chart: empty digest", ["oci://127.0.0.1:{closed}/x@", "--version", "1.0.0"]),
    (
        "chart: digest, tag unresolved",
        ["oci://127.0.0.1:{closed}/x@sha256:" + A64, "--version", "1"],
    ),
]


@pytest.fixture(scope="module")
async def registry(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, Path]]:
    """(host:port of an HTTPS registry with charts/sub 0.2.0, the CA file that trusts it)."""
    root = tmp_path_factory.mktemp("oci-values")
    tls = make_tls_material()
    for name, pem in (("ca.crt", tls.ca_pem), ("srv.crt", tls.server_cert_pem)):
        (root / name).write_bytes(pem)
    (root / "srv.key").write_bytes(tls.server_key_pem)
    storage = root / "storage"
    open_one = OciRegistry(root / "open", storage=storage)
    guarded = OciRegistry(
        root / "https", storage=storage, tls=RegistryTls(root / "srv.crt", root / "srv.key")
    )
    src = write_tiny_chart(root / "src", "sub")
    archive = helm_package(helm_v4, helm_home_env, src, "0.2.0", root / "archives")
    for server in (open_one, guarded):
        await asyncio.to_thread(server.start)
    try:
        await asyncio.to_thread(
            helm, helm_v4, helm_home_env, "push", str(archive),
            f"oci://{open_one.address}/charts", "--plain-http",
        )  # fmt: skip
        yield guarded.address, root / "ca.crt"
    finally:
        for server in (open_one, guarded):
            await asyncio.to_thread(server.stop)


def _chart(where: Path) -> Path:
    chart = where / "vals"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: vals\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text("k: {{ .Values.k | quote }}\n")
    return chart


@pytest.mark.parametrize(("args",), [(a,) for _, a in CASES], ids=[i for i, _ in CASES])
async def test_oci_values_sources_are_helms(
    args: list[str],
    registry: tuple[str, Path],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    address, ca = registry
    argv = [a.format(reg=address, closed=free_port()) for a in args]
    if not argv[0].startswith("oci://"):
        argv.append(str(_chart(tmp_path)))
    env = dict(helm_home_env, KUBECONFIG=os.devnull, SSL_CERT_FILE=str(ca))
    helm_run, ours = await template_both(helm_v4, ["rel", *argv], env)
    if argv[0] == "--set-file":  # the archive is a string value like any other
        assert helm_run[0] == 0 and '"\\x1f\\x8b' in helm_run[1], helm_run
    else:
        assert helm_run[0] == 1 and helm_run[2].startswith("Error: "), helm_run
        assert helm_run[2].count("\n") == 1, helm_run
    assert ours == helm_run
