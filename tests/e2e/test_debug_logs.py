"""Nothing secret reaches the operator's log at --log-level=debug (issue 11 point 3).

The operator runs at debug level on SQL storage whose DSN password is a marker; one HelmRelease
takes values from a Secret holding a marker (they also end up in the rendered ConfigMap and the
release record, both of which the operator reads back), one has a repository secretRef whose
password is a marker, one carries a marker in its inline values. No marker may appear in the
operator's stdout/stderr, neither in clear nor base64-encoded as the apiserver sends Secrets.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import asyncpg
import pytest

from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import annotate, create, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def marker_dsn(postgres_dsn: str) -> AsyncIterator[tuple[str, str]]:
    """(DSN, its password marker): a role and database of their own on the bench PostgreSQL."""
    marker = "Dsn" + secrets.token_hex(10)
    role = f"dbg_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(postgres_dsn)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{marker}'")
        await admin.execute(f"CREATE DATABASE {role} OWNER {role}")
    finally:
        await admin.close()
    where = urlsplit(postgres_dsn)
    yield f"postgresql://{role}:{marker}@{where.hostname}:{where.port}/{role}", marker
    admin = await asyncpg.connect(postgres_dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {role} WITH (FORCE)")
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
    finally:
        await admin.close()


def _forms(secret: str) -> list[str]:
    return [secret, base64.b64encode(secret.encode()).decode()]


async def test_no_secret_in_debug_logs(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    marker_dsn: tuple[str, str],
    start_operator: StartOperator,
) -> None:
    dsn, dsn_marker = marker_dsn
    values_marker = "Val" + secrets.token_hex(10)
    values_doc = f"greeting: {values_marker}\n"
    repo_marker = "Repo" + secrets.token_hex(10)
    inline_marker = "Inl" + secrets.token_hex(10)
    for name, data in (
        ("values", {"values.yaml": values_doc}),
        ("repo-auth", {"username": "reader", "password": repo_marker}),
    ):
        body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}}
        await e2e_kube.create({**body, "stringData": data}, namespace=namespace)

    env = {"HELM_DRIVER_SQL_CONNECTION_STRING": dsn}
    op = start_operator(namespace, "--log-level", "debug", "--helm-storage-driver", "sql", env=env)
    await op.wait_ready()
    values_from = [{"kind": "Secret", "name": "values"}]
    await create(e2e_kube, namespace, "from-secret", spec(chart_repo, valuesFrom=values_from))
    repo = spec(chart_repo)
    repo["chart"]["secretRef"] = {"name": "repo-auth"}
    await create(e2e_kube, namespace, "with-auth", repo)
    inline = spec(chart_repo, values={"token": inline_marker})
    await create(e2e_kube, namespace, "inline", inline)
    for name in ("from-secret", "with-auth", "inline"):
        await wait_condition(e2e_kube, namespace, name)
    cm = await e2e_kube.get("v1", "ConfigMap", "from-secret-config", namespace)
    assert values_marker in str(cm["data"])  # the values really went through the operator

    # Upgrade the one with Secret values, so the record is read, diffed and written again.
    changed = {"stringData": {"values.yaml": values_doc + "x: 1\n"}}
    await e2e_kube.merge_patch("v1", "Secret", "values", namespace, changed)
    await annotate(e2e_kube, namespace, "from-secret", "helm.steersman.dev/reconcile")
    await wait_condition(e2e_kube, namespace, "from-secret", reason="UpgradeSucceeded")

    log = op.log()
    assert '"level": "debug"' in log  # debug lines were written: the level was on
    for marker in (dsn_marker, values_marker, repo_marker, inline_marker):
        for form in _forms(marker):
            assert form not in log, f"{marker} leaked into the debug log"
    assert base64.b64encode(values_doc.encode()).decode() not in log
