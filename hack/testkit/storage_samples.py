"""Release records for storage tests, shaped like what helm itself writes for the tiny chart."""

from __future__ import annotations

from pathlib import Path

from steersman.chartmodel import Metadata
from steersman.storage import GoTime, Hook, HookExecution, Info, Release, StoredChart, StoredFile

TINY_CHART = Path(__file__).resolve().parents[2] / "tests" / "charts" / "tiny"


def tiny_chart() -> StoredChart:
    return StoredChart(
        metadata=Metadata(
            name="tiny", version="0.1.0", description="test chart", api_version="v2",
            app_version="1.0", type="application",
        ),
        templates=[
            StoredFile("templates/configmap.yaml",
                 (TINY_CHART / "templates" / "configmap.yaml").read_bytes()),
        ],
        values={"greeting": "hello"},
        files=[StoredFile(".helmignore", b"*.tgz\n")],
    )  # fmt: skip


def manifest(name: str, greeting: str) -> str:
    return (
        "---\n# Source: tiny/templates/configmap.yaml\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        f'  name: {name}-tiny\ndata:\n  greeting: "{greeting}"\n'
    )


def make_release(
    name: str,
    version: int,
    status: str,
    namespace: str,
    *,
    greeting: str = "hello",
    labels: dict[str, str] | None = None,
    description: str = "",
    with_hook: bool = True,
) -> Release:
    when = GoTime.parse(f"2025-03-04T10:{version % 60:02d}:30.123456789+01:00")
    hooks = []
    if with_hook:
        hooks.append(
            Hook(
                name=f"{name}-test", kind="Pod", path="tiny/templates/tests/test.yaml",
                manifest="apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n",
                events=["test"], delete_policies=["before-hook-creation"],
                last_run=HookExecution(when, when, "Succeeded"),
            )
        )  # fmt: skip
    return Release(
        name=name,
        namespace=namespace,
        version=version,
        info=Info(
            status=status,
            description=description or f"{status} by steersman",
            first_deployed=GoTime.parse("2025-03-04T10:00:00Z"),
            last_deployed=when,
            notes="Visit http://tiny.example\n",
        ),
        chart=tiny_chart(),
        config={"greeting": greeting},
        manifest=manifest(name, greeting),
        hooks=hooks,
        labels=dict(labels or {}),
    )
