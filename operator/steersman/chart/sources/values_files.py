"""`spec.chart.valuesFiles`: values files inside the chart replace its default values, as Flux's
source-controller builds a HelmChart with `valuesFiles`.

The files are merged in the order given, each over the previous ones (Helm's MergeMaps: nested
maps merge, anything else is replaced); `values.yaml` in the list stands for the chart's own
values.yaml, which is otherwise not included. The merge becomes the chart's default values, so
the HelmRelease's values still go on top. As Flux marks such a chart with build metadata (it uses
the HelmChart's generation), the chart version gets `+` and a digest of the files' names and
contents: the release's chart version changes whenever the resulting defaults may have, so a
changed list is an upgrade rather than silently ignored.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Sequence

from ..dependencies import copy_chart
from ..loader import load_values, merge_maps
from ..model import Chart, ChartError

VALUES_FILE = "values.yaml"


def apply_values_files(
    chart: Chart, paths: Sequence[str], *, ignore_missing: bool = False
) -> Chart:
    """A copy of `chart` whose default values are the merge of `paths` (chart-relative).
    Raises ChartError naming a missing or invalid file (a missing one is skipped with
    `ignore_missing`, Flux's `ignoreMissingValuesFiles`)."""
    if not paths:
        return chart
    out = copy_chart(chart)  # values deep-copied: the merge may share its nested maps
    files = {f.name: f.data for f in out.files}
    merged: dict[str, object] = {}
    digest = hashlib.sha256()
    for path in paths:
        name = posixpath.normpath(path.strip())
        if name == VALUES_FILE:
            data: bytes | None = _raw_values(chart)
            values: dict[str, object] = out.values or {}
        else:
            data = files.get(name)
            if data is None:
                if ignore_missing:
                    continue
                raise ChartError(f"no values file found at path '{path}'", file=path)
            try:
                values = load_values(data, helm_major=3)  # one document, as sigs.k8s.io/yaml
            except ChartError as exc:
                raise ChartError(f"unmarshaling values from '{path}' failed: {exc}") from None
        merged = merge_maps(merged, values)
        digest.update(name.encode() + b"\0" + (data or b"") + b"\0")
    out.values = merged
    base = out.metadata.version.split("+", 1)[0]
    out.metadata.version = f"{base}+{digest.hexdigest()[:12]}"
    return out


def _raw_values(chart: Chart) -> bytes | None:
    for f in chart.raw:
        if f.name == VALUES_FILE:
            return f.data
    return None
