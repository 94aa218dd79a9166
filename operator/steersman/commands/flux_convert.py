"""Flux objects -> Steersman HelmReleases, without I/O: the mapping behind `steersman convert`.

Flux splits a release over a HelmRelease and a source (HelmRepository, OCIRepository, or a
HelmChart on a HelmRepository); ours names the chart in `spec.chart`. So each Flux HelmRelease
is joined with the sources of the same input, its fields are carried over as the rules in
`flux_fields` say, and every field that does not come along is reported with the reason. The
result is validated with our API models: what is printed is what the apiserver accepts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steersman.api import API_VERSION, KIND
from steersman.commands.flux_fields import CHART, HR, OCI, REPO
from steersman.commands.flux_objects import (
    NotConvertible,
    ObjectKey,
    as_map,
    copy_mapped,
    get_path,
    object_key,
    report_dropped,
)
from steersman.commands.flux_sources import resolve_chart

HELM_GROUP = "helm.toolkit.fluxcd.io"
SOURCE_GROUP = "source.toolkit.fluxcd.io"
# Versions of Flux's APIs whose fields flux_fields describes (v2beta1 and v1beta1 had a few
# more, which show up as unknown fields rather than being guessed at).
KNOWN_VERSIONS = {
    HELM_GROUP: {"v2", "v2beta1", "v2beta2"},
    SOURCE_GROUP: {"v1", "v1beta1", "v1beta2"},
}
SOURCE_KINDS = {REPO, OCI, CHART}
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


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
            sources[object_key(obj)] = obj
    for api_version in sorted(unknown_versions):
        result.notes.append(
            f"{api_version}: an API version convert does not know; its fields are read as v2/v1"
        )
    seen = Counter(object_key(obj) for obj in releases)
    done: set[ObjectKey] = set()
    for obj in releases:
        key = object_key(obj)
        if key in done:
            continue  # a duplicate is reported once, with its first copy
        done.add(key)
        release = Release(key[1], key[2])
        try:
            if seen[key] > 1:
                raise NotConvertible(
                    f"appears {seen[key]} times in the input (kustomize patches? convert the "
                    "output of `kubectl kustomize` instead)"
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


# --- the HelmRelease ---------------------------------------------------------------------------


def _convert_release(
    obj: Mapping[str, Any], sources: Mapping[ObjectKey, Mapping[str, Any]], notes: list[str]
) -> dict[str, Any]:
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        raise NotConvertible("has no spec")
    _, namespace, name = object_key(obj)
    if not name:
        raise NotConvertible("has no metadata.name")
    report_dropped(HR, obj, "", notes)
    out: dict[str, Any] = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {}, "spec": {}}
    copy_mapped(HR, obj, out)
    meta = as_map(obj.get("metadata"))
    labels = {k: v for k, v in as_map(meta.get("labels")).items() if not _set_by_flux(k)}
    if labels:
        out["metadata"]["labels"] = labels
    annotations = dict(as_map(meta.get("annotations")))
    annotations.pop(LAST_APPLIED, None)
    if annotations:
        out["metadata"]["annotations"] = annotations
    out_spec = out["spec"]
    chart = resolve_chart(spec, namespace, sources, notes)
    out_spec["chart"] = {**chart, **out_spec.get("chart", {})}
    single_file = get_path(spec, ("chart", "spec", "valuesFile"))  # v2beta1
    if single_file:
        out_spec["chart"]["valuesFiles"] = [*out_spec["chart"].get("valuesFiles", []), single_file]
    _adapt_actions(spec, out_spec, notes)
    _adapt_drift(spec, out_spec, notes)
    _validate(out)
    return _in_api_order(out)


def _set_by_flux(label: str) -> bool:
    """kustomize.toolkit.fluxcd.io/name and the like: they describe the Flux object's origin."""
    prefix, _, _ = label.rpartition("/")
    return prefix.endswith(".toolkit.fluxcd.io")


def _adapt_actions(spec: Mapping[str, Any], out: dict[str, Any], notes: list[str]) -> None:
    install, upgrade = as_map(spec.get("install")), as_map(spec.get("upgrade"))
    if install.get("skipCRDs") and not install.get("crds"):
        out.setdefault("install", {})["crds"] = "Skip"
    # Flux skips CRDs on upgrade unless told otherwise; ours creates new ones by default.
    out.setdefault("upgrade", {})["crds"] = upgrade.get("crds") or "Skip"
    for action, block in (("install", install), ("upgrade", upgrade)):
        retries = get_path(block, ("remediation", "retries"))
        if isinstance(retries, int) and not isinstance(retries, bool):
            out.setdefault(action, {}).setdefault("remediation", {})["retries"] = max(retries, -1)
        strategy = get_path(block, ("strategy", "name"))
        if strategy not in (None, "RemediateOnFailure"):
            undo = "uninstalling" if action == "install" else "rolling back"
            notes.append(
                f"spec.{action}.strategy.name: not carried: {strategy} (retry without {undo}) "
                f"has no equivalent; Steersman remediates before each retry, as "
                "RemediateOnFailure does"
            )


def _adapt_drift(spec: Mapping[str, Any], out: dict[str, Any], notes: list[str]) -> None:
    rules = get_path(spec, ("driftDetection", "ignore"))
    copied = get_path(out, ("driftDetection", "ignore"))
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
