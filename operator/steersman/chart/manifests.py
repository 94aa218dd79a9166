"""From rendered template files to Helm's manifest and hooks (Helm's `releaseutil` and the
assembly in `action.renderResources` / `helm template`), byte for byte.

The rendered files map `<chart>/templates/x.yaml -> text`. NOTES are pulled out first, the rest is
split into YAML documents, documents annotated `helm.sh/hook` become hooks, and both lists are
stably sorted by kind in install order.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from steersman.chart.helmlog import info

log = logging.getLogger(__name__)

HOOK_ANNOTATION = "helm.sh/hook"
HOOK_WEIGHT_ANNOTATION = "helm.sh/hook-weight"
HOOK_DELETE_ANNOTATION = "helm.sh/hook-delete-policy"
HOOK_OUTPUT_LOG_ANNOTATION = "helm.sh/hook-output-log-policy"
NOTES_SUFFIX = "NOTES.txt"

HOOK_EVENTS = {
    "pre-install": "pre-install",
    "post-install": "post-install",
    "pre-delete": "pre-delete",
    "post-delete": "post-delete",
    "pre-upgrade": "pre-upgrade",
    "post-upgrade": "post-upgrade",
    "pre-rollback": "pre-rollback",
    "post-rollback": "post-rollback",
    "test": "test",
    "test-success": "test",  # Helm 2 spelling, still accepted
}

_INSTALL_ORDER_V3 = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
]
# Helm 4 appends the admission webhooks, so they are created after what they guard.
INSTALL_ORDER: tuple[str, ...] = (
    *_INSTALL_ORDER_V3,
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
INSTALL_ORDER_V3: tuple[str, ...] = tuple(_INSTALL_ORDER_V3)
# Uninstall is not simply the reverse: Services go before the workloads behind them.
UNINSTALL_ORDER: tuple[str, ...] = (
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
)

# Go's \s is [\t\n\f\r ]; Python's would also take \v and Unicode spaces.
_SEPARATOR = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")
# strings.TrimSpace: unicode.IsSpace, which unlike str.isspace() excludes \x1c-\x1f.
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def go_trim_space(text: str) -> str:
    return text.strip(_GO_SPACE)


class ManifestError(ValueError):
    """A rendered document is not valid YAML (`YAML parse error on <file>: ...`)."""


@dataclass(frozen=True)
class Head:
    """The part of a document Helm reads: apiVersion, kind, name and annotations."""

    api_version: str = ""
    kind: str = ""
    name: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    path: str  # <chart>/templates/x.yaml
    content: str
    head: Head


@dataclass
class Hook:
    """A hook as Helm stores it on the release (field names follow release.Hook)."""

    name: str
    kind: str
    path: str
    manifest: str
    events: list[str]
    weight: int = 0
    delete_policies: list[str] = field(default_factory=list)
    output_log_policies: list[str] = field(default_factory=list)


def split_manifests(text: str) -> list[str]:
    """Documents of one file, in order: Helm's `SplitManifests`."""
    docs = _SEPARATOR.split(go_trim_space(text))
    return [go_trim_space(d) for d in docs if d != ""]


def _as_string(value: Any, where: str) -> str:
    """sigs.k8s.io/yaml turns YAML scalars into strings for string-typed targets."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return value if isinstance(value, str) else _go_scalar(value)
    raise ManifestError(
        f"json: cannot unmarshal {type(value).__name__} into {where} of type string"
    )


def _go_scalar(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


# libyaml's loader when PyYAML was built with it: heads are parsed for every document.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(doc: str) -> Any:
    try:
        return yaml.load(doc, Loader=_LOADER)
    except UnicodeEncodeError:
        # Invalid UTF-8 from a chart travels as surrogate escapes, which libyaml cannot take.
        return yaml.load(doc, Loader=yaml.SafeLoader)


def parse_head(doc: str, path: str) -> Head:
    try:
        data = _load(doc)
    except yaml.YAMLError as err:
        raise ManifestError(f"YAML parse error on {path}: {_yaml_error(err)}") from None
    if data is None:
        return Head()
    if not isinstance(data, dict):
        raise ManifestError(
            f"YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: "
            "json: cannot unmarshal into Go value of type util.SimpleHead"
        )
    meta = data.get("metadata")
    name = ""
    annotations: dict[str, str] = {}
    if isinstance(meta, dict):
        name = _as_string(meta.get("name"), "metadata.name")
        raw = meta.get("annotations")
        if isinstance(raw, dict):
            for key, value in raw.items():
                annotations[str(key)] = _as_string(value, "metadata.annotations")
    return Head(
        api_version=_as_string(data.get("apiVersion"), "apiVersion"),
        kind=_as_string(data.get("kind"), "kind"),
        name=name,
        annotations=annotations,
    )


def _yaml_error(err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    if mark is not None:
        return f"error converting YAML to JSON: yaml: line {mark.line + 1}: {problem}"
    return f"error converting YAML to JSON: yaml: {problem}"


def _hook_from(head: Head, doc: str, path: str) -> Hook | None:
    """The hook a document declares; None when one of its events is unknown (Helm drops it)."""
    events: list[str] = []
    for raw in head.annotations[HOOK_ANNOTATION].split(","):
        event = HOOK_EVENTS.get(raw.strip().lower())
        if event is None:
            info(log, "skipping unknown hooks", ("hookTypes", head.annotations[HOOK_ANNOTATION]))
            return None
        events.append(event)
    try:
        weight = int(head.annotations.get(HOOK_WEIGHT_ANNOTATION, "0"), 10)
    except ValueError:
        weight = 0
    return Hook(
        name=head.name,
        kind=head.kind,
        path=path,
        manifest=doc,
        events=events,
        weight=weight,
        delete_policies=_policies(head, HOOK_DELETE_ANNOTATION),
        output_log_policies=_policies(head, HOOK_OUTPUT_LOG_ANNOTATION),
    )


def _policies(head: Head, annotation: str) -> list[str]:
    value = head.annotations.get(annotation)
    if value is None:
        return []
    return [p.strip().lower() for p in value.split(",")]


T = TypeVar("T")


def sort_by_kind(items: Iterable[T], kind_of: Callable[[T], str], order: Sequence[str]) -> list[T]:
    """Stable sort: known kinds in `order`, then unknown kinds alphabetically."""
    rank = {kind: i for i, kind in enumerate(order)}

    def key(item: T) -> tuple[int, str]:
        kind = kind_of(item)
        known = rank.get(kind)
        return (known, "") if known is not None else (len(rank), kind)

    return sorted(items, key=key)


def sort_manifests(
    files: Mapping[str, str], order: Sequence[str] = INSTALL_ORDER
) -> tuple[list[Hook], list[Manifest]]:
    """Split rendered files into hooks and plain manifests, both sorted by kind."""
    hooks: list[Hook] = []
    manifests: list[Manifest] = []
    for path in sorted(files):
        content = files[path]
        if path.rsplit("/", 1)[-1].startswith("_") or go_trim_space(content) == "":
            continue
        for doc in split_manifests(content):
            head = parse_head(doc, path)
            if HOOK_ANNOTATION not in head.annotations:
                manifests.append(Manifest(path, doc, head))
                continue
            hook = _hook_from(head, doc, path)
            if hook is not None:
                hooks.append(hook)
    return (
        sort_by_kind(hooks, lambda h: h.kind, order),
        sort_by_kind(manifests, lambda m: m.head.kind, order),
    )


def extract_notes(
    files: Mapping[str, str], chart_name: str, *, sub_notes: bool = False
) -> tuple[str, dict[str, str]]:
    """(notes, files without any NOTES.txt). Only the root chart's notes unless sub_notes."""
    root_notes = f"{chart_name}/templates/{NOTES_SUFFIX}"
    notes: list[str] = []
    rest: dict[str, str] = {}
    for path, text in files.items():
        if path.endswith(NOTES_SUFFIX):
            if sub_notes or path == root_notes:
                notes.append(text)
        else:
            rest[path] = text
    return "\n".join(notes), rest


def frame(path: str, text: str) -> str:
    return f"---\n# Source: {path}\n{text}\n"


def assemble_manifest(
    manifests: Iterable[Manifest],
    *,
    crds: Iterable[tuple[str, bytes]] = (),
    hide_secret: bool = False,
) -> str:
    """The release's manifest text (and the body of `helm template`): CRDs first, if given,
    then each document under its `# Source:` line."""
    out: list[str] = [frame(name, data.decode()) for name, data in crds]
    for m in manifests:
        if hide_secret and m.head.kind == "Secret" and m.head.api_version == "v1":
            out.append(
                f"---\n# Source: {m.path}\n# HIDDEN: The Secret output has been suppressed\n"
            )
        else:
            out.append(frame(m.path, m.content))
    return "".join(out)


def template_output(
    manifest: str,
    hooks: Iterable[Hook],
    *,
    no_hooks: bool = False,
    skip_tests: bool = False,
    show_only: Sequence[str] = (),
) -> str:
    """Exactly what `helm template` prints for a rendered release."""
    out = [go_trim_space(manifest) + "\n"]
    if not no_hooks:
        for hook in hooks:
            if skip_tests and "test" in hook.events:
                continue
            out.append(frame(hook.path, hook.manifest))
    text = "".join(out)
    if not show_only:
        return text
    return _show_only(text, show_only)


class ShowOnlyError(ValueError):
    pass


_SOURCE = re.compile(r"# Source: [^/]+/(.+)")


def _show_only(text: str, patterns: Sequence[str]) -> str:
    docs = split_manifests(text)
    picked: list[str] = []
    for pattern in patterns:
        matcher = go_path_match(pattern.replace("\\", "/"))
        missing = True
        for doc in docs:
            found = _SOURCE.search(doc)
            if found is None or not matcher(found.group(1)):
                continue
            picked.append(doc)
            missing = False
        if missing:
            raise ShowOnlyError(f"could not find template {pattern} in chart")
    return "".join(f"---\n{doc}\n" for doc in picked)


def go_path_match(pattern: str) -> Callable[[str], bool]:
    """Go's filepath.Match on '/'-separated paths: `*` and `?` never cross a `/`.
    A malformed pattern matches nothing (Go returns ErrBadPattern, which helm ignores)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("^", "]") else i + 1)
            if end < 0:
                return lambda _: False
            body = pattern[i + 1 : end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            klass = re.sub(r"([\\\]\[])", r"\\\1", body)
            out.append(f"[^/{klass}]" if negate else f"[{klass}]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    compiled = re.compile("".join(out) + r"\Z", re.S)
    return lambda path: compiled.match(path) is not None
