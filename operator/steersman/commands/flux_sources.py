"""The chart of a Flux HelmRelease, from its sources: `spec.chart.spec.sourceRef` (a
HelmRepository) or `spec.chartRef` (an OCIRepository, or a HelmChart and its HelmRepository),
looked up among the objects of the same input, as our `spec.chart` (repository, name, version,
digest, insecure, secretRef, valuesFiles). Fields of the sources that don't come along are
reported like the HelmRelease's own, prefixed with the source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from steersman.commands.flux_fields import CHART, OCI, REPO
from steersman.commands.flux_objects import (
    NotConvertible,
    ObjectKey,
    as_map,
    copy_mapped,
    get_path,
    object_key,
    report_dropped,
)

HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
_EXACT_VERSION = re.compile(r"v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")


def resolve_chart(
    spec: Mapping[str, Any],
    namespace: str | None,
    sources: Mapping[ObjectKey, Mapping[str, Any]],
    notes: list[str],
) -> dict[str, Any]:
    template = get_path(spec, ("chart", "spec"))
    chart_ref = spec.get("chartRef")
    if isinstance(template, Mapping) and chart_ref:
        raise NotConvertible("sets both spec.chart and spec.chartRef (Flux refuses that too)")
    if isinstance(template, Mapping):
        ref = as_map(template.get("sourceRef"))
        kind = ref.get("kind") or REPO
        if kind != REPO:
            raise NotConvertible(_unsupported_source(kind, "spec.chart.spec.sourceRef"))
        repo = _lookup(sources, REPO, ref, namespace, "spec.chart.spec.sourceRef")
        chart = _from_helm_repository(repo, namespace, notes)
        if template.get("reconcileStrategy") not in (None, "ChartVersion"):
            notes.append(
                "spec.chart.spec.reconcileStrategy: not carried: Steersman upgrades when the "
                "chart version changes (ChartVersion)"
            )
        return chart
    if isinstance(chart_ref, Mapping):
        kind = chart_ref.get("kind")
        if kind == OCI:
            source = _lookup(sources, OCI, chart_ref, namespace, "spec.chartRef")
            return _from_oci_repository(source, namespace, notes)
        if kind == CHART:
            helm_chart = _lookup(sources, CHART, chart_ref, namespace, "spec.chartRef")
            return _from_helm_chart(helm_chart, namespace, sources, notes)
        raise NotConvertible(f"spec.chartRef.kind {kind!r} is neither OCIRepository nor HelmChart")
    raise NotConvertible("has neither spec.chart.spec nor spec.chartRef")


def _unsupported_source(kind: str, where: str) -> str:
    return (
        f"{where} is a {kind}: charts from a {kind} have no Steersman equivalent (publish the "
        "chart to a Helm repository or an OCI registry and point a HelmRepository at it)"
    )


def _lookup(
    sources: Mapping[ObjectKey, Mapping[str, Any]],
    kind: str,
    ref: Mapping[str, Any],
    namespace: str | None,
    where: str,
) -> Mapping[str, Any]:
    name = str(ref.get("name") or "")
    ref_namespace = ref.get("namespace") or namespace
    found = sources.get((kind, ref_namespace, name))
    if found is None:
        place = f"{ref_namespace}/{name}" if ref_namespace else name
        raise NotConvertible(
            f"{where} names {kind} {place}, which is not in the input (pass its file too)"
        )
    return found


def source_prefix(source: Mapping[str, Any]) -> str:
    kind, namespace, name = object_key(source)
    return f"{kind} {namespace}/{name} " if namespace else f"{kind} {name} "


def _from_helm_repository(
    repo: Mapping[str, Any], namespace: str | None, notes: list[str]
) -> dict[str, Any]:
    where = source_prefix(repo)
    report_dropped(REPO, repo, where, notes)
    spec = as_map(repo.get("spec"))
    out: dict[str, Any] = {}
    copy_mapped(REPO, repo, out)
    chart: dict[str, Any] = out.get("spec", {}).get("chart", {})
    url = str(chart.get("repository") or "")
    if not url:
        raise NotConvertible(f"{where.strip()} has no spec.url")
    chart["repository"] = url.rstrip("/")
    if spec.get("type") == "oci" and not url.startswith("oci://"):
        raise NotConvertible(f"{where}spec.url {url!r}: type oci needs an oci:// URL")
    if spec.get("insecure"):
        if url.startswith("oci://"):
            chart["insecure"] = True
        else:
            notes.append(
                f"{where}spec.insecure: not carried: for an http(s):// repository the URL's "
                "scheme decides (write http:// for plain HTTP)"
            )
    _adapt_source_common(repo, namespace, chart, notes)
    return chart


def _from_oci_repository(
    source: Mapping[str, Any], namespace: str | None, notes: list[str]
) -> dict[str, Any]:
    where = source_prefix(source)
    report_dropped(OCI, source, where, notes)
    spec = as_map(source.get("spec"))
    url = str(spec.get("url") or "").rstrip("/")
    repository, _, name = url.rpartition("/")
    if not url.startswith("oci://") or "/" not in url.removeprefix("oci://"):
        raise NotConvertible(f"{where}spec.url {url!r} is not oci://<registry>/<path>/<chart>")
    out: dict[str, Any] = {}
    copy_mapped(OCI, source, out)
    chart: dict[str, Any] = {
        "repository": repository,
        "name": name,
        **out.get("spec", {}).get("chart", {}),
    }
    ref = as_map(spec.get("ref"))
    tag, digest = ref.get("tag"), ref.get("digest")
    if digest and ref.get("semver"):
        notes.append(f"{where}spec.ref.semver: not carried: the digest pins the chart (as in Flux)")
        chart.pop("version", None)
    if tag and not ref.get("semver"):
        if not _EXACT_VERSION.fullmatch(str(tag)):
            raise NotConvertible(
                f"{where}spec.ref.tag {tag!r} is not a chart version: Steersman picks OCI charts "
                "by version (set ref.semver, a version tag, or ref.digest)"
            )
        chart["version"] = str(tag)
    if not ref:
        notes.append(
            f"{where}spec.ref: absent: Flux takes tag latest, Steersman the highest version ('*')"
        )
    media_type = as_map(spec.get("layerSelector")).get("mediaType")
    if media_type and media_type != HELM_CHART_LAYER:
        raise NotConvertible(
            f"{where}spec.layerSelector.mediaType {media_type!r} is not a Helm chart layer"
        )
    _adapt_source_common(source, namespace, chart, notes)
    return chart


def _from_helm_chart(
    helm_chart: Mapping[str, Any],
    namespace: str | None,
    sources: Mapping[ObjectKey, Mapping[str, Any]],
    notes: list[str],
) -> dict[str, Any]:
    where = source_prefix(helm_chart)
    report_dropped(CHART, helm_chart, where, notes)
    spec = as_map(helm_chart.get("spec"))
    ref = as_map(spec.get("sourceRef"))
    kind = ref.get("kind") or REPO
    if kind != REPO:
        raise NotConvertible(_unsupported_source(kind, f"{where}spec.sourceRef"))
    chart_namespace = object_key(helm_chart)[1]  # a HelmChart's source is in its own namespace
    repo = _lookup(
        sources, REPO, {"name": ref.get("name")}, chart_namespace, f"{where}spec.sourceRef"
    )
    chart = _from_helm_repository(repo, namespace, notes)
    out: dict[str, Any] = {}
    copy_mapped(CHART, helm_chart, out)
    chart.update(out.get("spec", {}).get("chart", {}))
    if spec.get("valuesFile"):
        chart["valuesFiles"] = [*(spec.get("valuesFiles") or []), spec["valuesFile"]]
    if spec.get("reconcileStrategy") not in (None, "ChartVersion"):
        notes.append(
            f"{where}spec.reconcileStrategy: not carried: Steersman upgrades when the chart "
            "version changes (ChartVersion)"
        )
    return chart


def _adapt_source_common(
    source: Mapping[str, Any], namespace: str | None, chart: dict[str, Any], notes: list[str]
) -> None:
    """secretRef / certSecretRef (one Secret in the HelmRelease's namespace) and provider."""
    where = source_prefix(source)
    spec = as_map(source.get("spec"))
    secret = as_map(spec.get("secretRef")).get("name")
    cert = as_map(spec.get("certSecretRef")).get("name")
    if cert and secret and cert != secret:
        notes.append(
            f"{where}spec.certSecretRef: not carried: Steersman reads one Secret; add the "
            f"ca.crt, tls.crt and tls.key of Secret {cert} to Secret {secret}"
        )
    chosen = secret or cert
    if chosen:
        chart["secretRef"] = {"name": chosen}
        source_namespace = object_key(source)[1]
        if source_namespace != namespace:
            notes.append(
                f"{where}spec.secretRef: Secret {chosen} is read from the HelmRelease's "
                f"namespace ({namespace or 'its own'}), not {source_namespace or 'its own'}: "
                "copy it there"
            )
    provider = spec.get("provider")
    if provider not in (None, "generic"):
        notes.append(
            f"{where}spec.provider: not carried: {provider!r} cloud login is not supported; "
            "put registry credentials in a secretRef"
        )
