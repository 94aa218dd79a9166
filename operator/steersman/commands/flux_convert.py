"""Flux objects -> Steersman HelmReleases, without I/O: the mapping behind `steersman convert`.

Flux splits a release over a HelmRelease and a source (HelmRepository, OCIRepository, or a
HelmChart on a HelmRepository); ours names the chart in `spec.chart`. So each Flux HelmRelease
is joined with the sources of the same input, its fields are carried over as the rules in
`flux_fields` say, and every field that does not come along is reported with the reason. The
result is validated with our API models: what is printed is what the apiserver accepts.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steersman.api import API_VERSION, KIND
from steersman.commands.flux_fields import CHART, FIELDS, HR, OCI, REPO, Status, rule_for

HELM_GROUP = "helm.toolkit.fluxcd.io"
SOURCE_GROUP = "source.toolkit.fluxcd.io"
# Versions of Flux's APIs whose fields flux_fields describes (v2beta1 and v1beta1 had a few
# more, which show up as unknown fields rather than being guessed at).
KNOWN_VERSIONS = {
    HELM_GROUP: {"v2", "v2beta1", "v2beta2"},
    SOURCE_GROUP: {"v1", "v1beta1", "v1beta2"},
}
SOURCE_KINDS = {REPO, OCI, CHART}
HELM_CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
UNKNOWN_FIELD = "a field convert does not know (a typo, or a newer Flux API)"
_EXACT_VERSION = re.compile(r"v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")

ObjectKey = tuple[str, str | None, str]  # kind, namespace (None when the input has none), name


class NotConvertible(Exception):
    """This HelmRelease cannot be expressed as ours; the message says why, in one line."""


@dataclass
class Release:
    """One Flux HelmRelease of the input and what became of it."""

    namespace: str | None
    name: str
    body: dict[str, Any] | None = None
    """Our HelmRelease; None when it could not be converted (`error` says why)."""
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    """One line per field not carried over (or carried over with a change worth knowing)."""

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


@dataclass
class Conversion:
    releases: list[Release] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    """Objects that are not Flux Helm objects, by kind (Namespaces, Kustomizations, ...)."""
    notes: list[str] = field(default_factory=list)
    """Input-wide remarks (an API version this converter does not know, ...)."""


def group_version(obj: Mapping[str, Any]) -> tuple[str, str]:
    api_version = str(obj.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    return group, version


def convert(documents: Sequence[Mapping[str, Any]]) -> Conversion:
    """Convert every Flux HelmRelease among `documents` (Kubernetes objects, in input order)."""
    result = Conversion()
    sources: dict[ObjectKey, Mapping[str, Any]] = {}
    releases: list[Mapping[str, Any]] = []
    unknown_versions: set[str] = set()
    for obj in documents:
        group, version = group_version(obj)
        kind = str(obj.get("kind") or "")
        is_release = group == HELM_GROUP and kind == HR
        is_source = group == SOURCE_GROUP and kind in SOURCE_KINDS
        if not (is_release or is_source):
            result.ignored[kind or "(no kind)"] += 1
            continue
        if version not in KNOWN_VERSIONS[group]:
            unknown_versions.add(f"{group}/{version}")
        if is_release:
            releases.append(obj)
        else:
            sources[_key(obj)] = obj
    for api_version in sorted(unknown_versions):
        result.notes.append(
            f"{api_version}: an API version convert does not know; its fields are read as v2/v1"
        )
    seen = Counter(_key(obj) for obj in releases)
    done: set[ObjectKey] = set()
    for obj in releases:
        if _key(obj) in done:
            continue  # a duplicate is reported once, with its first copy
        done.add(_key(obj))
        _, namespace, name = _key(obj)
        release = Release(namespace, name)
        try:
            if seen[_key(obj)] > 1:
                raise NotConvertible(
                    f"appears {seen[_key(obj)]} times in the input (kustomize patches? convert "
                    "the output of `kubectl kustomize` instead)"
                )
            release.body = _convert_release(obj, sources, release.notes)
        except NotConvertible as err:
            release.error = str(err)
        result.releases.append(release)
    converted = {(r.namespace, r.name) for r in result.releases if r.body is not None}
    for release in result.releases:
        _note_outside_dependencies(release, converted)
    return result


def _note_outside_dependencies(release: Release, converted: set[tuple[str | None, str]]) -> None:
    """A dependency must be a Steersman HelmRelease too: say so when it is not converted here."""
    for dep in (release.body or {}).get("spec", {}).get("dependsOn", []):
        namespace = dep.get("namespace") or release.namespace
        if (namespace, dep.get("name")) not in converted:
            where = f"{namespace}/{dep.get('name')}" if namespace else str(dep.get("name"))
            release.notes.append(
                f"spec.dependsOn: {where} is not converted with it: Steersman waits for a "
                "Steersman HelmRelease of that name, so convert and apply that one too"
            )


def _map(value: Any) -> Mapping[str, Any]:
    """`value` when it is a map, else an empty one (hand-written input can hold anything)."""
    return value if isinstance(value, Mapping) else {}


def _key(obj: Mapping[str, Any]) -> ObjectKey:
    meta = _map(obj.get("metadata"))
    namespace = meta.get("namespace")
    return str(obj.get("kind")), str(namespace) if namespace else None, str(meta.get("name") or "")


# --- walking fields ----------------------------------------------------------------------------


def _leaf_paths(obj: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Paths of the set values under `obj` (list items as `[]`); empty maps and nulls are unset."""
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if value is not None:
                yield from _leaf_paths(value, (*prefix, str(key)))
    elif isinstance(obj, list):
        for item in obj:
            yield from _leaf_paths(item, (*prefix, "[]"))
    else:
        yield prefix


def _dotted(segments: Sequence[str]) -> str:
    return ".".join(segments).replace(".[]", "[]")


def _report_dropped(kind: str, obj: Mapping[str, Any], where: str, notes: list[str]) -> None:
    """A line for each present field that a NOT_CARRIED rule covers, or that no rule knows."""
    walked: dict[str, Any] = {"spec": _map(obj.get("spec"))}
    if kind == HR:  # a source's metadata is not carried anywhere, and nothing is lost by that
        meta = _map(obj.get("metadata"))
        walked["metadata"] = {
            k: meta[k] for k in ("name", "namespace", "labels", "annotations") if k in meta
        }
    reported: set[str] = set()
    for path in _leaf_paths(walked):
        rule = rule_for(kind, path)
        if rule is None:
            line = f"{_dotted(path)}: not carried: {UNKNOWN_FIELD}"
        elif rule.status is Status.NOT_CARRIED:
            line = f"{rule.flux}: not carried: {rule.note}"
        else:
            continue
        if line not in reported:
            reported.add(line)
            notes.append(where + line)


def _get(obj: Any, segments: Sequence[str]) -> Any:
    for part in segments:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


def _set(obj: dict[str, Any], segments: Sequence[str], value: Any) -> None:
    for part in segments[:-1]:
        obj = obj.setdefault(part, {})
    obj[segments[-1]] = copy.deepcopy(value)


def _copy_mapped(kind: str, source: Mapping[str, Any], out: dict[str, Any]) -> None:
    """Copy the values of the MAPPED rules of `kind`; lists item by item, known keys only."""
    lists: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for rule in FIELDS:
        if rule.kind != kind or rule.status is not Status.MAPPED:
            continue
        if "[]" not in rule.segments:
            value = _get(source, rule.segments)
            if value is not None:
                _set(out, rule.ours.split("."), value)
            continue
        at = rule.segments.index("[]")
        ours = tuple(rule.ours.replace("[]", ".[]").split("."))
        key = (rule.segments[:at], ours[: ours.index("[]")])
        lists.setdefault(key, []).append(rule.segments[at + 1])
    for (flux_list, our_list), keys in lists.items():
        items = _get(source, flux_list)
        if not isinstance(items, list) or not items:
            continue
        # One entry per item, a non-map one too (it stays empty, and validation says so).
        copied = [
            {k: copy.deepcopy(v) for k in keys if (v := _map(item).get(k)) is not None}
            for item in items
        ]
        _set(out, our_list, copied)


# --- the HelmRelease ---------------------------------------------------------------------------


def _convert_release(
    obj: Mapping[str, Any], sources: Mapping[ObjectKey, Mapping[str, Any]], notes: list[str]
) -> dict[str, Any]:
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        raise NotConvertible("has no spec")
    _, namespace, name = _key(obj)
    if not name:
        raise NotConvertible("has no metadata.name")
    _report_dropped(HR, obj, "", notes)
    out: dict[str, Any] = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {}, "spec": {}}
    _copy_mapped(HR, obj, out)
    annotations = dict(_map(_map(obj.get("metadata")).get("annotations")))
    annotations.pop(LAST_APPLIED, None)
    if annotations:
        out["metadata"]["annotations"] = annotations
    out_spec = out["spec"]
    chart = _resolve_chart(spec, namespace, sources, notes)
    out_spec["chart"] = {**chart, **out_spec.get("chart", {})}
    single_file = _get(spec, ("chart", "spec", "valuesFile"))  # v2beta1
    if single_file:
        out_spec["chart"]["valuesFiles"] = [*out_spec["chart"].get("valuesFiles", []), single_file]
    _adapt_actions(spec, out_spec, notes)
    _adapt_drift(spec, out_spec, notes)
    _validate(out)
    return _in_api_order(out)


def _resolve_chart(
    spec: Mapping[str, Any],
    namespace: str | None,
    sources: Mapping[ObjectKey, Mapping[str, Any]],
    notes: list[str],
) -> dict[str, Any]:
    template = _get(spec, ("chart", "spec"))
    chart_ref = spec.get("chartRef")
    if isinstance(template, Mapping) and chart_ref:
        raise NotConvertible("sets both spec.chart and spec.chartRef (Flux refuses that too)")
    if isinstance(template, Mapping):
        ref = _map(template.get("sourceRef"))
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


def _source_prefix(source: Mapping[str, Any]) -> str:
    kind, namespace, name = _key(source)
    return f"{kind} {namespace}/{name} " if namespace else f"{kind} {name} "


def _from_helm_repository(
    repo: Mapping[str, Any], namespace: str | None, notes: list[str]
) -> dict[str, Any]:
    where = _source_prefix(repo)
    _report_dropped(REPO, repo, where, notes)
    spec = _map(repo.get("spec"))
    out: dict[str, Any] = {}
    _copy_mapped(REPO, repo, out)
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
    where = _source_prefix(source)
    _report_dropped(OCI, source, where, notes)
    spec = _map(source.get("spec"))
    url = str(spec.get("url") or "").rstrip("/")
    repository, _, name = url.rpartition("/")
    if not url.startswith("oci://") or "/" not in url.removeprefix("oci://"):
        raise NotConvertible(f"{where}spec.url {url!r} is not oci://<registry>/<path>/<chart>")
    out: dict[str, Any] = {}
    _copy_mapped(OCI, source, out)
    chart: dict[str, Any] = {
        "repository": repository,
        "name": name,
        **out.get("spec", {}).get("chart", {}),
    }
    ref = _map(spec.get("ref"))
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
    media_type = _map(spec.get("layerSelector")).get("mediaType")
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
    where = _source_prefix(helm_chart)
    _report_dropped(CHART, helm_chart, where, notes)
    spec = _map(helm_chart.get("spec"))
    ref = _map(spec.get("sourceRef"))
    kind = ref.get("kind") or REPO
    if kind != REPO:
        raise NotConvertible(_unsupported_source(kind, f"{where}spec.sourceRef"))
    chart_namespace = _key(helm_chart)[1]  # a HelmChart's source is in its own namespace
    repo = _lookup(
        sources, REPO, {"name": ref.get("name")}, chart_namespace, f"{where}spec.sourceRef"
    )
    chart = _from_helm_repository(repo, namespace, notes)
    out: dict[str, Any] = {}
    _copy_mapped(CHART, helm_chart, out)
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
    where = _source_prefix(source)
    spec = _map(source.get("spec"))
    secret = _map(spec.get("secretRef")).get("name")
    cert = _map(spec.get("certSecretRef")).get("name")
    if cert and secret and cert != secret:
        notes.append(
            f"{where}spec.certSecretRef: not carried: Steersman reads one Secret; add the "
            f"ca.crt, tls.crt and tls.key of Secret {cert} to Secret {secret}"
        )
    chosen = secret or cert
    if chosen:
        chart["secretRef"] = {"name": chosen}
        source_namespace = _key(source)[1]
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


def _adapt_actions(spec: Mapping[str, Any], out: dict[str, Any], notes: list[str]) -> None:
    install, upgrade = _map(spec.get("install")), _map(spec.get("upgrade"))
    if install.get("skipCRDs") and not install.get("crds"):
        out.setdefault("install", {})["crds"] = "Skip"
    # Flux skips CRDs on upgrade unless told otherwise; ours creates new ones by default.
    out.setdefault("upgrade", {})["crds"] = upgrade.get("crds") or "Skip"
    for action, block in (("install", install), ("upgrade", upgrade)):
        retries = _get(block, ("remediation", "retries"))
        if isinstance(retries, int) and not isinstance(retries, bool):
            out.setdefault(action, {}).setdefault("remediation", {})["retries"] = max(retries, -1)
        strategy = _get(block, ("strategy", "name"))
        if strategy not in (None, "RemediateOnFailure"):
            undo = "uninstalling" if action == "install" else "rolling back"
            notes.append(
                f"spec.{action}.strategy.name: not carried: {strategy} (retry without {undo}) "
                f"has no equivalent; Steersman remediates before each retry, as "
                "RemediateOnFailure does"
            )


def _adapt_drift(spec: Mapping[str, Any], out: dict[str, Any], notes: list[str]) -> None:
    rules = _get(spec, ("driftDetection", "ignore"))
    copied = _get(out, ("driftDetection", "ignore"))
    if not isinstance(rules, list) or not isinstance(copied, list):
        return
    kept = []
    for index, (rule, ours) in enumerate(zip(rules, copied, strict=True)):
        target = rule.get("target") if isinstance(rule, Mapping) else None
        if isinstance(target, Mapping):
            if target.get("labelSelector") or target.get("annotationSelector"):
                notes.append(
                    f"spec.driftDetection.ignore[{index}]: not carried: its target selects by "
                    "label or annotation, which Steersman's ignore rules cannot"
                )
                continue
            keys = ("group", "version", "kind", "name", "namespace")
            ours["target"] = {k: target[k] for k in keys if target.get(k) is not None}
        kept.append(ours)
    if kept:
        out["driftDetection"]["ignore"] = kept
    else:
        del out["driftDetection"]["ignore"]


def _validate(out: dict[str, Any]) -> None:
    from pydantic import ValidationError

    from steersman.api import HelmRelease

    try:
        HelmRelease.from_k8s(out)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise NotConvertible(
            f"the result is not a valid HelmRelease: {where}: {first['msg']}"
        ) from None


_SPEC_ORDER = ("chart", "interval", "timeout", "suspend", "releaseName", "targetNamespace")
_CHART_ORDER = ("repository", "name", "version", "digest", "insecure", "secretRef")


def _in_api_order(out: dict[str, Any]) -> dict[str, Any]:
    """Keys in a reader's order (chart first, as in the API), the rest as they came."""

    def ordered(block: dict[str, Any], first: Sequence[str]) -> dict[str, Any]:
        head = {k: block[k] for k in first if k in block}
        return {**head, **{k: v for k, v in block.items() if k not in head}}

    spec = ordered(out["spec"], _SPEC_ORDER)
    spec["chart"] = ordered(spec["chart"], _CHART_ORDER)
    meta = ordered(out["metadata"], ("name", "namespace", "labels", "annotations"))
    return {"apiVersion": out["apiVersion"], "kind": out["kind"], "metadata": meta, "spec": spec}
