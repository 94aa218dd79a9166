"""Where strategic merge finds each list's merge strategy and key.

The apiserver publishes them in /openapi/v2 (`x-kubernetes-patch-strategy`,
`x-kubernetes-patch-merge-key` on the fields of its definitions); `from_openapi_v2` keeps only
the fields on a path to such a list. `BUILTIN` holds the same facts for the workload types, for
when no cluster is reachable (`steersman template`) or its OpenAPI cannot be read. A kind neither
knows (a custom resource) has no merge keys: its lists are replaced whole, as kustomize does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_STRATEGY = "x-kubernetes-patch-strategy"
_MERGE_KEY = "x-kubernetes-patch-merge-key"
_GVK = "x-kubernetes-group-version-kind"
_REF_PREFIX = "#/definitions/"


@dataclass(frozen=True)
class FieldInfo:
    ref: str | None = None  # the definition of the value (of each item, for a list)
    strategy: str = ""  # "merge", "retainKeys,merge", ... (lists: only "merge" matters)
    key: str = ""  # the merge key of a list of objects; "" for a list of scalars


@dataclass(frozen=True)
class MergeSchema:
    types: Mapping[str, Mapping[str, FieldInfo]]
    roots: Mapping[tuple[str, str, str], str]  # (group, version, kind) -> definition

    def root(self, api_version: str, kind: str) -> str | None:
        group, _, version = api_version.rpartition("/")
        return self.roots.get((group, version, kind))

    def field(self, type_name: str | None, name: str) -> FieldInfo | None:
        if type_name is None:
            return None
        return (self.types.get(type_name) or {}).get(name)


def _ref(prop: Mapping[str, Any]) -> str | None:
    target = prop.get("$ref")
    if not isinstance(target, str):
        items = prop.get("items")
        target = items.get("$ref") if isinstance(items, Mapping) else None
    if isinstance(target, str) and target.startswith(_REF_PREFIX):
        return target[len(_REF_PREFIX) :]
    return None


def from_openapi_v2(doc: Mapping[str, Any]) -> MergeSchema:
    """The merge facts of an apiserver's /openapi/v2 document."""
    definitions = doc.get("definitions") or {}
    fields: dict[str, dict[str, FieldInfo]] = {}
    for name, definition in definitions.items():
        props = definition.get("properties") or {}
        fields[name] = {
            key: FieldInfo(
                _ref(prop), str(prop.get(_STRATEGY) or ""), str(prop.get(_MERGE_KEY) or "")
            )
            for key, prop in props.items()
            if isinstance(prop, Mapping)
        }
    # Keep a field only if it has a strategy or leads to a definition that (transitively) does.
    useful: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, props in fields.items():
            if name in useful:
                continue
            if any(f.strategy or (f.ref in useful) for f in props.values()):
                useful.add(name)
                changed = True
    types = {
        name: {k: f for k, f in props.items() if f.strategy or f.ref in useful}
        for name, props in fields.items()
        if name in useful
    }
    roots: dict[tuple[str, str, str], str] = {}
    for name, definition in definitions.items():
        if name not in useful:
            continue
        for gvk in definition.get(_GVK) or []:
            roots[
                (str(gvk.get("group", "")), str(gvk.get("version", "")), str(gvk.get("kind", "")))
            ] = name
    return MergeSchema(types, roots)


def _merge(key: str = "", ref: str | None = None) -> FieldInfo:
    return FieldInfo(ref, "merge", key)


def _to(ref: str) -> FieldInfo:
    return FieldInfo(ref)


_META = "ObjectMeta"
_BUILTIN_TYPES: dict[str, dict[str, FieldInfo]] = {
    _META: {"finalizers": _merge(), "ownerReferences": _merge("uid")},
    "PodSpec": {
        "containers": _merge("name", "Container"),
        "initContainers": _merge("name", "Container"),
        "ephemeralContainers": _merge("name", "EphemeralContainer"),
        "volumes": FieldInfo(None, "merge,retainKeys", "name"),
        "imagePullSecrets": _merge("name"),
        "hostAliases": _merge("ip"),
        "topologySpreadConstraints": _merge("topologyKey"),
    },
    "Container": {
        "ports": _merge("containerPort"),
        "env": _merge("name"),
        "volumeMounts": _merge("mountPath"),
        "volumeDevices": _merge("devicePath"),
    },
    # Ports may not be set on an ephemeral container: the API gives them no strategy.
    "EphemeralContainer": {
        "env": _merge("name"),
        "volumeMounts": _merge("mountPath"),
        "volumeDevices": _merge("devicePath"),
    },
    # A pod template (and a Pod): metadata and spec.
    "PodTemplateSpec": {"metadata": _to(_META), "spec": _to("PodSpec")},
    # Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController: spec.template.
    "Workload": {"metadata": _to(_META), "spec": _to("WorkloadSpec")},
    "WorkloadSpec": {"template": _to("PodTemplateSpec")},
    "CronJob": {"metadata": _to(_META), "spec": _to("CronJobSpec")},
    "CronJobSpec": {"jobTemplate": _to("Workload")},
    "PodTemplate": {"metadata": _to(_META), "template": _to("PodTemplateSpec")},
    "Service": {"metadata": _to(_META), "spec": _to("ServiceSpec")},
    "ServiceSpec": {"ports": _merge("port")},
    "Plain": {"metadata": _to(_META)},
}
_WORKLOADS = {
    ("apps", "v1"): ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"),
    ("batch", "v1"): ("Job",),
    ("", "v1"): ("ReplicationController",),
}
_BUILTIN_ROOTS: dict[tuple[str, str, str], str] = {
    (group, version, kind): "Workload"
    for (group, version), kinds in _WORKLOADS.items()
    for kind in kinds
}
_BUILTIN_ROOTS.update(
    {
        ("batch", "v1beta1", "CronJob"): "CronJob",
        ("batch", "v1", "CronJob"): "CronJob",
        ("", "v1", "Pod"): "PodTemplateSpec",
        ("", "v1", "PodTemplate"): "PodTemplate",
        ("", "v1", "Service"): "Service",
        ("", "v1", "ConfigMap"): "Plain",
        ("", "v1", "Secret"): "Plain",
        ("", "v1", "ServiceAccount"): "Plain",
    }
)

BUILTIN = MergeSchema(_BUILTIN_TYPES, _BUILTIN_ROOTS)
