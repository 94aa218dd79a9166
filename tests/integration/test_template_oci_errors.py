"""`steersman template` of an oci:// chart that cannot be pulled, next to helm v4.1.4: a closed
port, a name that does not resolve, a registry whose certificate is not trusted or that speaks
plain HTTP to an HTTPS client, and a registry answering with error statuses (with and without
the distribution spec's error body) or a tag list that is not JSON, and a chart layer that fails
or does not hash to its digest. With --version helm fetches
the manifest (oras-go's FetchReference); without, it lists the tags first. Each case: the same
exit code, stdout and stderr."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hack.testenv.parts import free_port
from hack.testkit.chart_servers import Canned, FailingRegistry, make_tls_material
from hack.testkit.conformance import Run, template_both
from steersman.chart.sources.oci import (
    CHART_LAYER_MEDIA_TYPE,
    CONFIG_MEDIA_TYPE,
    MANIFEST_MEDIA_TYPE,
)

pytestmark = [pytest.mark.integration, pytest.mark.interop]

_ERROR = {"errors": [{"code": "UNKNOWN", "message": "storage is on fire", "detail": "disk 3"}]}
_TWO_ERRORS = {
    "errors": [
        {"code": "NAME_UNKNOWN", "message": "repository name not known to registry"},
        {"code": "DENIED", "message": ""},
    ]
}
_NAME_UNKNOWN = {
    "errors": [
        {
            "code": "NAME_UNKNOWN",
            "message": "repository name not known to registry",
            "detail": {"name": "charts/gone"},
        }
    ]
}
# A chart manifest whose config is served and whose one layer is not (each its own digest)
_CONFIG = b'{"name": "x", "version": "1.0.0", "apiVersion": "v2"}'
_CONFIG_DIGEST = "sha256:" + hashlib.sha256(_CONFIG).hexdigest()
_LAYER_500, _LAYER_404, _LAYER_WRONG = ("sha256:" + c * 64 for c in "123")


def _manifest(layer: str) -> Canned:
    doc = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": _CONFIG_DIGEST, "size": len(_CONFIG)},
        "layers": [{"mediaType": CHART_LAYER_MEDIA_TYPE, "digest": layer, "size": 20}],
    }
    return Canned(200, doc, content_type=MANIFEST_MEDIA_TYPE)


BLOBS = {
    _CONFIG_DIGEST: Canned(200, _CONFIG),
    _LAYER_500: Canned(500, _ERROR),
    _LAYER_WRONG: Canned(200, b"x" * 20),  # the size promised, another digest
}
TAGS = {
    "charts/e500": Canned(500, _ERROR),
    "charts/plain500": Canned(500, b"oops"),
    "charts/two": Canned(503, _TWO_ERRORS),
    "charts/teapot": Canned(418),
    "charts/notjson": Canned(200, b"not json"),
    "charts/cut": Canned(200, b'{"tags": ['),
    "charts/gone": Canned(404, _NAME_UNKNOWN),
    "charts/empty": Canned(200, {"name": "charts/empty", "tags": []}),
    "charts/versions": Canned(
        200, {"name": "charts/versions", "tags": ["0.1.0", "latest", "0.3.0-rc.1"]}
    ),
}
MANIFESTS = {
    "charts/e500": Canned(500, _ERROR),
    "charts/plain500": Canned(503, b"<html>busy</html>"),
    "charts/two": Canned(503, _TWO_ERRORS),
    "charts/teapot": Canned(418),
    "charts/layer500": _manifest(_LAYER_500),
    "charts/layer404": _manifest(_LAYER_404),
    "charts/layerwrong": _manifest(_LAYER_WRONG),
}

CASES = [
    # (id, reference, arguments); {plain} is the plain-HTTP registry's host:port, {tls} the one
    # whose certificate nobody trusts, {closed} a port nothing listens on
    ("closed port, tags", "oci://127.0.0.1:{closed}/charts/x", []),
    ("closed port, manifest", "oci://127.0.0.1:{closed}/charts/x", ["--version", "1.0.0"]),
    ("closed port, plain http", "oci://127.0.0.1:{closed}/charts/x", ["--plain-http"]),
    ("no such host, tags", "oci://nonexistent.invalid/charts/x", []),
    ("no such host, manifest", "oci://nonexistent.invalid/charts/x", ["--version", "1.0.0"]),
    ("untrusted, tags", "oci://{tls}/charts/x", []),
    ("untrusted, manifest", "oci://{tls}/charts/x", ["--version", "1.0.0"]),
    (
        "untrusted, skip verify",
        "oci://{tls}/charts/x",
        ["--version", "1.0.0", "--insecure-skip-tls-verify"],
    ),
    ("http to https, tags", "oci://{plain}/charts/x", []),
    ("http to https, manifest", "oci://{plain}/charts/x", ["--version", "1.0.0"]),
    ("404 manifest", "oci://{plain}/charts/x", ["--version", "1.0.0", "--plain-http"]),
    ("404 tags", "oci://{plain}/charts/x", ["--plain-http"]),
    # a TLS flag makes helm's TLS client, which ignores --plain-http; a lone cert file is unused
    (
        "tls flag, plain http",
        "oci://{plain}/charts/x",
        ["--plain-http", "--insecure-skip-tls-verify"],
    ),
    ("lone cert file", "oci://{plain}/charts/x", ["--plain-http", "--cert-file", "/nonexistent"]),
    ("404 tags with body", "oci://{plain}/charts/gone", ["--plain-http"]),
    ("500 tags with body", "oci://{plain}/charts/e500", ["--plain-http"]),
    ("500 manifest with body", "oci://{plain}/charts/e500", ["--version", "1.0.0", "--plain-http"]),
    ("500 tags, text body", "oci://{plain}/charts/plain500", ["--plain-http"]),
    ("503 manifest, html", "oci://{plain}/charts/plain500", ["--version", "2", "--plain-http"]),
    ("two errors", "oci://{plain}/charts/two", ["--plain-http"]),
    ("two errors, manifest", "oci://{plain}/charts/two", ["--version", "1.0.0", "--plain-http"]),
    ("418 no body", "oci://{plain}/charts/teapot", ["--plain-http"]),
    ("tags not json", "oci://{plain}/charts/notjson", ["--plain-http"]),
    ("tags cut off", "oci://{plain}/charts/cut", ["--plain-http"]),
    ("no tags", "oci://{plain}/charts/empty", ["--plain-http"]),
    ("no tag matches", "oci://{plain}/charts/versions", ["--version", ">=0.2", "--plain-http"]),
    ("bad constraint", "oci://{plain}/charts/versions", ["--version", "abc", "--plain-http"]),
    (
        "devel, no tag matches",
        "oci://{plain}/charts/versions",
        ["--version", ">=0.4", "--devel", "--plain-http"],
    ),
    ("500 layer", "oci://{plain}/charts/layer500", ["--version", "1.0.0", "--plain-http"]),
    ("404 layer", "oci://{plain}/charts/layer404", ["--version", "1.0.0", "--plain-http"]),
    ("layer digest", "oci://{plain}/charts/layerwrong", ["--version", "1.0.0", "--plain-http"]),
]


@pytest.fixture(scope="module")
async def registries(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[FailingRegistry, FailingRegistry]]:
    """(plain HTTP, HTTPS with a certificate of a CA that helm and we are not given)."""
    tls = make_tls_material()
    untrusted = tls.server_context(tmp_path_factory.mktemp("untrusted"))
    plain = FailingRegistry(TAGS, MANIFESTS, BLOBS)
    guarded = FailingRegistry(TAGS, MANIFESTS, BLOBS, ssl_context=untrusted)
    for server in (plain, guarded):
        await server.start()
    yield plain, guarded
    for server in (plain, guarded):
        await server.stop()


@pytest.fixture(scope="module")
async def outcomes(
    registries: tuple[FailingRegistry, FailingRegistry],
    helm_v4: Path,
    helm_home_env: dict[str, str],
) -> dict[str, tuple[Run, Run]]:
    """Every case's (helm's run, ours), the cases run a few at a time: most of their time is
    helm retrying a 5xx with backoff, seconds the cases can share."""
    plain, guarded = registries
    env = dict(helm_home_env, KUBECONFIG=os.devnull)
    slots = asyncio.Semaphore(8)

    async def one(ref: str, args: list[str]) -> tuple[Run, Run]:
        target = ref.format(plain=plain.address, tls=guarded.address, closed=free_port())
        async with slots:
            return await template_both(helm_v4, ["rel", target, *args], env)

    runs = await asyncio.gather(*(one(ref, args) for _, ref, args in CASES))
    return {case: run for (case, _, _), run in zip(CASES, runs, strict=True)}


@pytest.mark.parametrize("case", [i for i, _, _ in CASES])
def test_failed_pulls_are_helms(case: str, outcomes: dict[str, tuple[Run, Run]]) -> None:
    helm_run, ours = outcomes[case]
    assert helm_run[0] == 1 and helm_run[2].startswith("Error: "), helm_run
    assert ours == helm_run
