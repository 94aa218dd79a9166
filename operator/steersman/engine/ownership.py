"""Helm's ownership metadata: the label and annotations `helm` uses to recognise the objects
of a release, and the check that refuses to take over somebody else's object
(`pkg/action/validate.go`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from steersman.engine.errors import InvalidReleaseName

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY_HELM = "Helm"
RELEASE_NAME_ANNOTATION = "meta.helm.sh/release-name"
RELEASE_NAMESPACE_ANNOTATION = "meta.helm.sh/release-namespace"
RESOURCE_POLICY_ANNOTATION = "helm.sh/resource-policy"
KEEP_POLICY = "keep"

_VALID_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_VALID_NAME_RE = re.compile(_VALID_NAME)
MAX_RELEASE_NAME_LEN = 53


def validate_release_name(name: str) -> None:
    """Helm's ValidateReleaseName, with install's `release name "x": ` prefix."""
    if name == "":
        raise InvalidReleaseName('release name "": no name provided')
    # Go's regexp `$` matches only at the very end, Python's also before a final newline.
    if len(name) > MAX_RELEASE_NAME_LEN or not _VALID_NAME_RE.fullmatch(name):
        raise InvalidReleaseName(
            f'release name "{name}": invalid release name, must match regex {_VALID_NAME} '
            "and the length must not be longer than 53"
        )


def with_ownership(obj: Mapping[str, Any], release: str, namespace: str) -> dict[str, Any]:
    """A copy of `obj` carrying the managed-by label and release annotations."""
    meta = dict(obj.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), MANAGED_BY_LABEL: MANAGED_BY_HELM}
    meta["annotations"] = {
        **(meta.get("annotations") or {}),
        RELEASE_NAME_ANNOTATION: release,
        RELEASE_NAMESPACE_ANNOTATION: namespace,
    }
    return {**obj, "metadata": meta}


def _require(values: Mapping[str, str], key: str, want: str) -> str | None:
    if key not in values:
        return f'missing key "{key}": must be set to "{want}"'
    if values[key] != want:
        return f'key "{key}" must equal "{want}": current value is "{values[key]}"'
    return None


def ownership_problem(live: Mapping[str, Any], release: str, namespace: str) -> str | None:
    """None if `live` belongs to this release, else Helm's `invalid ownership metadata; ...`."""
    meta = live.get("metadata") or {}
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    errs: list[str] = []
    if (e := _require(labels, MANAGED_BY_LABEL, MANAGED_BY_HELM)) is not None:
        errs.append(f"label validation error: {e}")
    if (e := _require(annotations, RELEASE_NAME_ANNOTATION, release)) is not None:
        errs.append(f"annotation validation error: {e}")
    if (e := _require(annotations, RELEASE_NAMESPACE_ANNOTATION, namespace)) is not None:
        errs.append(f"annotation validation error: {e}")
    if not errs:
        return None
    return "invalid ownership metadata; " + "; ".join(errs)


def is_kept(annotations: Mapping[str, Any]) -> bool:
    return annotations.get(RESOURCE_POLICY_ANNOTATION) == KEEP_POLICY
