"""The seam between the actions and the chart renderer.

Actions call a `Renderer`; the default one is `steersman.chart.render_release`, run in a worker
thread so a large chart does not stall the event loop (its `lookup` calls come back to the loop).
Callers with another source of rendered manifests pass their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol

from steersman.chart import (
    Capabilities,
    Chart,
    ChartError,
    Hook,
    Lookup,
    ReleaseOptions,
    ValuesError,
    render_release,
)
from steersman.chart import RenderError as ChartRenderError
from steersman.engine.errors import EngineError


@dataclass(frozen=True)
class RenderRequest:
    name: str
    namespace: str
    revision: int
    is_install: bool
    is_upgrade: bool
    capabilities: Capabilities | None = None  # None: helm template's defaults
    lookup: Lookup | None = None  # None: lookup gives empty maps, as in helm template
    skip_schema_validation: bool = False  # don't check values.schema.json


@dataclass
class Rendered:
    manifest: str
    hooks: list[Hook] = field(default_factory=list)
    notes: str = ""


class Renderer(Protocol):
    def __call__(
        self, chart: Chart, values: dict[str, Any], request: RenderRequest
    ) -> Awaitable[Rendered]: ...


class RenderError(EngineError):
    """The chart could not be rendered (stored as `failed to render resource: ...` by helm;
    nothing is written to storage)."""


async def default_renderer(
    chart: Chart, values: dict[str, Any], request: RenderRequest
) -> Rendered:
    options = ReleaseOptions(
        name=request.name,
        namespace=request.namespace,
        revision=request.revision,
        is_install=request.is_install,
        is_upgrade=request.is_upgrade,
    )
    try:
        out = await asyncio.to_thread(
            render_release,
            chart,
            values,
            options,
            capabilities=request.capabilities,
            lookup=request.lookup,
            skip_schema_validation=request.skip_schema_validation,
        )
    except (ChartRenderError, ChartError, ValuesError) as err:
        raise RenderError(str(err)) from err
    return Rendered(manifest=out.manifest, hooks=list(out.hooks), notes=out.notes)
