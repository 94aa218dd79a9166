"""From rendered template files to Helm's manifest and hooks (Helm's `releaseutil` and the
assembly in `action.renderResources` / `helm template`), byte for byte.

The rendered files map `<chart>/templates/x.yaml -> text`. NOTES are pulled out first, the rest is
split into YAML documents, documents annotated `helm.sh/hook` become hooks, and both lists are
stably sorted by kind in install order.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml

from steersman.chart.helmlog import info
from steersman.errors import SteersmanError
from steersman.golang import goyaml
from steersman.golang.gostr import go_trim_space
from steersman.golang.path import PatternError
from steersman.golang.path import match as path_match
from steersman.golang.yamlresolve import go_like_loader

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
_SEP_SPACE = "\t\n\f\r "
_SEP_SPACE_RUN = re.compile(r"[\t\n\f\r ]*")


class ManifestError(SteersmanError, ValueError):
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
    """Documents of one file, in order: Helm's `SplitManifests`.

    Splits where Helm's separator regex `(?:^|\\s*\\n)---\\s*` matches, in one pass: find each
    `\\n---`, widen it backwards over the whitespace before it (never past the previous match,
    which is where a left-to-right regex search resumes) and forwards over the whitespace after.
    The regex itself retries its whitespace run from every start position of every indentation
    run of a document.
    """
    s = go_trim_space(text)
    docs: list[str] = []
    n = len(s)
    start = 0  # where the current document begins; also where the next search resumes
    if s.startswith("---"):
        docs.append("")
        start = _SEP_SPACE_RUN.match(s, 3).end()  # type: ignore[union-attr]
    while True:
        i = s.find("\n---", start)
        if i < 0:
            break
        j = i
        while j > start and s[j - 1] in _SEP_SPACE:
            j -= 1
        docs.append(s[start:j])
        start = _SEP_SPACE_RUN.match(s, i + 4).end()  # type: ignore[union-attr]
    if start <= n:
        docs.append(s[start:])
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
_LOADER: type[yaml.SafeLoader] = go_like_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_PY_LOADER: type[yaml.SafeLoader] = go_like_loader(yaml.SafeLoader)


def _load(doc: str) -> Any:
    try:
        return yaml.load(doc, Loader=_LOADER)
    except UnicodeEncodeError:
        # Invalid UTF-8 from a chart travels as surrogate escapes, which libyaml cannot take.
        return yaml.load(doc, Loader=_PY_LOADER)


# The operator renders the same charts again and again (requeues, drift checks): heads of
# documents already read are kept by the document's digest (not its text, which may be
# megabytes), up to a bound, then forgotten all at once. Documents that fail are not kept.
_HEADS: dict[bytes, Head] = {}
_HEADS_MAX = 8192


def parse_head(doc: str, path: str) -> Head:
    """apiVersion, kind, name and annotations as sigs.k8s.io/yaml reads them into Helm's
    SimpleHead; ManifestError when the document is not valid YAML or not an object."""
    digest = hashlib.blake2b(doc.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    head = _HEADS.get(digest)
    if head is not None:
        return head
    head = scan_head(doc)
    if head is None:
        head = loaded_head(doc, path)
    if len(_HEADS) >= _HEADS_MAX:
        _HEADS.clear()
    _HEADS[digest] = head
    return head


def loaded_head(doc: str, path: str) -> Head:
    """`parse_head` by loading the whole document (the reference `scan_head` is held to)."""
    if "!" in doc:
        # Possibly tagged: go-yaml's decoder reads unknown tags as plain strings or collections
        # and rejects only a standard tag its value does not fit (`!!int abc`, bad `!!binary`).
        try:
            data = goyaml.reference_unmarshal(doc)
        except goyaml.YAMLError as err:
            raise ManifestError(f"YAML parse error on {path}: {err}") from None
    else:
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


# -- head scanning: what `_load` + the field reads give, from the parser's events alone

_STR_TAG = "tag:yaml.org,2002:str"
# Implicit tags whose constructors, run on one scalar, are all a full load would do with it.
_SIMPLE_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null"))
# Plain scalars starting otherwise resolve to str, bool or null, whose construction cannot fail.
_RESOLVING_FIRST = frozenset("-+.0123456789<=")
_PLAIN_DIGITS = re.compile(r"[-+]?[0-9]+")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_HEAD_KEYS = ("apiVersion", "kind")


class _FullLoad(Exception):
    """The document has something the scan does not model: load it fully instead."""


def _value(ev: Any) -> Any:
    """The Python value a full load gives a scalar event."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, ev.value, ev.implicit)  # type: ignore[no-untyped-call]
    if tag == _STR_TAG:
        return ev.value
    if tag not in _SIMPLE_TAGS:
        raise _FullLoad
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, ev.value))
    except Exception:  # e.g. `0x_`: the full load reports it as it does today
        raise _FullLoad from None


def _check(ev: Any) -> None:
    """A node event the scan only has to prove loadable."""
    if ev.anchor is not None or getattr(ev, "tag", None) is not None:
        raise _FullLoad  # aliases, anchors, merges and tags are the composer's business
    if (
        type(ev) is yaml.ScalarEvent
        and ev.implicit[0]
        and ev.value[:1] in _RESOLVING_FIRST
        and not _PLAIN_DIGITS.fullmatch(ev.value)
    ):
        _value(ev)


def _skip(events: Iterator[Any], first: Any) -> None:
    """Consume the node that starts with `first`, checking every event of it (`_check`,
    inlined: this loop sees nearly every event of a document)."""
    cls = type(first)
    if cls is yaml.ScalarEvent:
        _check(first)
        return
    if cls is not yaml.MappingStartEvent and cls is not yaml.SequenceStartEvent:
        raise _FullLoad
    _check(first)
    scalar, map_start, seq_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    resolving, digits = _RESOLVING_FIRST, _PLAIN_DIGITS.fullmatch
    # One entry per open collection: None for a sequence, else "the next node is a key".
    stack: list[bool | None] = [True if cls is map_start else None]
    for ev in events:
        cls = type(ev)
        if cls is map_end or cls is seq_end:
            stack.pop()
            if not stack:
                return
            continue
        top = stack[-1]
        if top is not None:
            stack[-1] = not top
        if cls is scalar:
            if ev.anchor is not None or ev.tag is not None:
                raise _FullLoad
            value = ev.value
            if ev.implicit[0] and value[:1] in resolving and not digits(value):
                _value(ev)
        elif cls is map_start or cls is seq_start:
            if top or ev.anchor is not None or ev.tag is not None:
                raise _FullLoad  # a collection as a mapping key is unhashable
            stack.append(True if cls is map_start else None)
        else:
            raise _FullLoad
    raise _FullLoad


def _scalar_pairs(events: Iterator[Any]) -> Iterator[tuple[Any, Any]]:
    """(key, value event) of a mapping whose MappingStartEvent was consumed."""
    for ev in events:
        if type(ev) is yaml.MappingEndEvent:
            return
        if type(ev) is not yaml.ScalarEvent:
            raise _FullLoad
        _check(ev)
        yield _value(ev), next(events)
    raise _FullLoad


def _scalar(ev: Any) -> Any:
    if type(ev) is not yaml.ScalarEvent:
        raise _FullLoad
    _check(ev)
    return _value(ev)


def _scan(events: Iterator[Any]) -> Head:
    if type(next(events)) is not yaml.StreamStartEvent:
        raise _FullLoad
    ev = next(events)
    if type(ev) is yaml.StreamEndEvent:
        return Head()  # nothing but comments
    if type(ev) is not yaml.DocumentStartEvent:
        raise _FullLoad
    root = next(events)
    if type(root) is not yaml.MappingStartEvent:
        raise _FullLoad
    _check(root)
    fields: dict[str, Any] = {}
    name: Any = None
    annotations: dict[str, str] | None = None
    for key, ev in _scalar_pairs(events):
        if key in _HEAD_KEYS or key == "metadata":
            if key in fields:
                raise _FullLoad  # the last one wins: leave it to the full load
            fields[key] = True
        if key in _HEAD_KEYS:
            fields[key] = _scalar(ev)
        elif key == "metadata":
            if type(ev) is not yaml.MappingStartEvent:
                raise _FullLoad
            _check(ev)
            seen: set[str] = set()
            for mkey, mev in _scalar_pairs(events):
                if mkey == "name" or mkey == "annotations":
                    if mkey in seen:
                        raise _FullLoad
                    seen.add(mkey)
                if mkey == "name":
                    name = _scalar(mev)
                elif mkey == "annotations":
                    if type(mev) is not yaml.MappingStartEvent:
                        raise _FullLoad
                    _check(mev)
                    # Keys as the loaded dict has them (1 and true are one key), then strings.
                    raw = {akey: _scalar(aev) for akey, aev in _scalar_pairs(events)}
                    annotations = {
                        str(k): _as_string(v, "metadata.annotations") for k, v in raw.items()
                    }
                else:
                    _skip(events, mev)
        else:
            _skip(events, ev)
    if type(next(events)) is not yaml.DocumentEndEvent:
        raise _FullLoad
    if type(next(events)) is not yaml.StreamEndEvent:
        raise _FullLoad  # more than one document: the full load reports it
    return Head(
        api_version=_as_string(fields.get("apiVersion"), "apiVersion"),
        kind=_as_string(fields.get("kind"), "kind"),
        name=_as_string(name, "metadata.name") if "metadata" in fields else "",
        annotations=annotations or {},
    )


def scan_head(doc: str) -> Head | None:
    """The document's head read from parser events, without building the document: what
    `parse_head` returns, or None when the document needs the full load (any parse error,
    anchors, aliases, tags, complex keys, repeated head fields, or a head field that is not a
    scalar)."""
    try:
        loader = _LOADER(doc)
    except UnicodeEncodeError:
        return None
    try:
        # get_event directly: yaml.parse's generator costs two calls per event.
        return _scan(iter(loader.get_event, None))
    except (_FullLoad, yaml.YAMLError, StopIteration, UnicodeEncodeError, ManifestError):
        return None
    finally:
        loader.dispose()


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


class ShowOnlyError(SteersmanError, ValueError):
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
    """filepath.Match as --show-only uses it: a malformed pattern matches nothing (Go returns
    ErrBadPattern, which helm ignores)."""

    def matches(name: str) -> bool:
        try:
            return path_match(pattern, name)
        except PatternError:
            return False

    return matches
