"""Helm's chart pipeline: load a chart, merge its values, render it, fetch it from a source.

The front door for every other layer:

    chart = load("path/to/chart")                      # or load_archive(tgz_bytes)
    values = merge_user_values(ValueOptions(...))      # -f / --set, in Helm's order
    rendered = render_release(chart, values, ReleaseOptions(...), capabilities)

Sub-packages say their job: `values/` (coalescing, --set, values.schema.json), `render/` (the
template context, Helm's functions, manifests and hooks), `sources/` (HTTP repositories, OCI;
imported on first use, as it brings the HTTP client). The template language and Sprig beneath
are libraries of their own (`steersman.gotemplate`, `steersman.sprig`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _moved, helmlog
from .dependencies import copy_chart, process_dependencies
from .helmlog import HELM_SLOG, SlogCollector, slog_value
from .loader import (
    dir_files,
    go_os_error,
    load,
    load_archive,
    load_dir,
    load_file_bytes,
    merge_maps,
)
from .model import (
    Chart,
    ChartAPIVersionUnsupported,
    ChartError,
    ChartFile,
    dependency_json,
    metadata_json,
)
from .render import (
    UNINSTALL_ORDER,
    BuildInfo,
    Capabilities,
    Hook,
    KubeParseError,
    Lookup,
    ReleaseOptions,
    RenderedRelease,
    RenderError,
    ShowOnlyError,
    VersionSet,
    crd_objects,
    default_capabilities,
    parse_kube_version,
    render_release,
    sort_by_kind,
    split_manifests,
    template_output,
)
from .values import (
    StrvalsError,
    ValueOptions,
    ValuesError,
    ValueSourceError,
    merge_user_values,
    parse_into,
    read_local_file,
)

if TYPE_CHECKING:
    from . import sources

_moved.install()


def __getattr__(name: str) -> Any:
    # `chart.sources` on first use: most commands never fetch (it imports aiohttp).
    if name == "sources":
        import importlib

        return importlib.import_module(".sources", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "HELM_SLOG",
    "UNINSTALL_ORDER",
    "BuildInfo",
    "Capabilities",
    "Chart",
    "ChartAPIVersionUnsupported",
    "ChartError",
    "ChartFile",
    "Hook",
    "KubeParseError",
    "Lookup",
    "ReleaseOptions",
    "RenderError",
    "RenderedRelease",
    "ShowOnlyError",
    "SlogCollector",
    "StrvalsError",
    "ValueOptions",
    "ValueSourceError",
    "ValuesError",
    "VersionSet",
    "copy_chart",
    "crd_objects",
    "default_capabilities",
    "dependency_json",
    "dir_files",
    "go_os_error",
    "helmlog",
    "load",
    "load_archive",
    "load_dir",
    "load_file_bytes",
    "merge_maps",
    "merge_user_values",
    "metadata_json",
    "parse_into",
    "parse_kube_version",
    "process_dependencies",
    "read_local_file",
    "render_release",
    "slog_value",
    "sort_by_kind",
    "sources",
    "split_manifests",
    "template_output",
]
