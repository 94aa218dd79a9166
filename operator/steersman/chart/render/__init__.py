"""Rendering: the template context (.Values, .Chart, .Files, .Capabilities), Helm's own template
functions, and the manifest assembly (splitting, sorting, hooks) of `helm install/template`."""

from . import capabilities_data
from .context import (
    BuildInfo,
    Capabilities,
    KubeParseError,
    VersionSet,
    default_capabilities,
    parse_kube_version,
)
from .engine import ReleaseOptions, RenderedRelease, RenderError, crd_objects, render_release
from .helmfuncs import Lookup
from .manifests import (
    UNINSTALL_ORDER,
    Hook,
    ShowOnlyError,
    sort_by_kind,
    split_manifests,
    template_output,
)

__all__ = [
    "UNINSTALL_ORDER",
    "BuildInfo",
    "Capabilities",
    "Hook",
    "KubeParseError",
    "Lookup",
    "ReleaseOptions",
    "RenderError",
    "RenderedRelease",
    "ShowOnlyError",
    "VersionSet",
    "capabilities_data",
    "crd_objects",
    "default_capabilities",
    "parse_kube_version",
    "render_release",
    "sort_by_kind",
    "split_manifests",
    "template_output",
]
