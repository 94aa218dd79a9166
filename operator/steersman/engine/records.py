"""Building release records the way helm does: the stored chart, the hooks, the timestamps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from steersman import storage
from steersman.chart import Chart, Hook, copy_chart, process_dependencies
from steersman.storage import GoTime, StoredChart

# Helm v4 records how it applied: new installs use server-side apply, like we always do.
APPLY_METHOD_SSA = "ssa"
APPLY_METHOD_CSA = "csa"  # what helm v4 records for --server-side=false


def now() -> GoTime:
    return GoTime.now()


def stored_chart(chart: Chart, values: dict[str, Any] | None = None) -> StoredChart:
    """The root chart as helm v4 stores it: after dependency processing with the release's
    values (aliases, enabled flags, imported and coalesced subchart values), without its
    subcharts. `chart` itself is left as it is."""
    chart = copy_chart(chart)
    process_dependencies(chart, values or {})
    return StoredChart.from_chart(chart)


def stored_hooks(hooks: Iterable[Hook]) -> list[storage.Hook]:
    return [
        storage.Hook(
            name=h.name,
            kind=h.kind,
            path=h.path,
            manifest=h.manifest,
            events=list(h.events),
            weight=h.weight,
            delete_policies=list(h.delete_policies),
            output_log_policies=list(h.output_log_policies),
        )
        for h in hooks
    ]


def new_release(
    *,
    name: str,
    namespace: str,
    version: int,
    chart: StoredChart | None,
    config: dict[str, Any],
    manifest: str,
    hooks: list[storage.Hook],
    notes: str,
    status: str,
    description: str,
    first_deployed: GoTime | None = None,
    labels: dict[str, str] | None = None,
    server_side: bool = True,
) -> storage.Release:
    ts = now()
    return storage.Release(
        name=name,
        namespace=namespace,
        version=version,
        info=storage.Info(
            status=status,
            description=description,
            first_deployed=first_deployed or ts,
            last_deployed=ts,
            notes=notes,
        ),
        chart=chart,
        config=config,
        manifest=manifest,
        hooks=hooks,
        apply_method=APPLY_METHOD_SSA if server_side else APPLY_METHOD_CSA,
        labels=dict(labels or {}),
    )
