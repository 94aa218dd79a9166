"""Building release records the way helm does: the stored chart, the hooks, the timestamps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from steersman.chart import (
    Chart,
    ChartFile,
    Hook,
    copy_chart,
    dependency_json,
    metadata_json,
    process_dependencies,
)
from steersman.golang.gotime import GoTime
from steersman.storage import record

# Helm v4 records how it applied: new installs use server-side apply, like we always do.
APPLY_METHOD_SSA = "ssa"
APPLY_METHOD_CSA = "csa"  # what helm v4 records for --server-side=false


def now() -> GoTime:
    return GoTime.now()


def _time(value: datetime | None) -> GoTime | None:
    return GoTime.from_datetime(value) if value is not None else None


def _file(f: ChartFile) -> record.File:
    return record.File(f.name, f.data, _time(f.mod_time))


def stored_chart(chart: Chart, values: dict[str, Any] | None = None) -> record.Chart:
    """The root chart as helm v4 stores it: after dependency processing with the release's
    values (aliases, enabled flags, imported and coalesced subchart values), without its
    subcharts. `chart` itself is left as it is."""
    chart = copy_chart(chart)
    process_dependencies(chart, values or {})
    lock = None
    if chart.lock is not None:
        lock = record.Lock.from_json(
            {
                "generated": chart.lock.generated or None,
                "digest": chart.lock.digest,
                "dependencies": [
                    dependency_json(d) for d in chart.lock.dependencies if d is not None
                ],
            }
        )
    return record.Chart(
        metadata=record.Metadata.from_json(metadata_json(chart.metadata)),
        lock=lock,
        # Go writes a nil slice as null: helm's loader leaves them nil when there are none.
        templates=[_file(f) for f in chart.templates] or None,
        values=chart.values if chart.values is not None else None,
        schema=chart.schema,
        files=[_file(f) for f in chart.files] or None,
        schemamodtime=_time(chart.schema_mod_time) or GoTime.zero(),
        modtime=_time(chart.mod_time),
    )


def stored_hooks(hooks: Iterable[Hook]) -> list[record.Hook]:
    return [
        record.Hook(
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
    chart: record.Chart | None,
    config: dict[str, Any],
    manifest: str,
    hooks: list[record.Hook],
    notes: str,
    status: str,
    description: str,
    first_deployed: GoTime | None = None,
    labels: dict[str, str] | None = None,
    server_side: bool = True,
) -> record.Release:
    ts = now()
    return record.Release(
        name=name,
        namespace=namespace,
        version=version,
        info=record.Info(
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
