"""`steersman diff NAME`: what the next upgrade would change, like the helm-diff plugin.

The desired release is computed as the controller does (values with valuesFrom, the chart
through the same fetcher, the engine's dry-run upgrade, or install when nothing is deployed),
then compared per object with the stored release manifest and with the live objects (the live
object against the apiserver's server-side dry-run apply of the desired one, so defaults and
fields owned by others don't show as changes). Secret values are never printed: a changed key
reads `++++++++`/`--------`, an unchanged one `REDACTED`.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from steersman.api import parse_duration
from steersman.commands.common import (
    CHANGES,
    OK,
    OpsError,
    connect,
    helmrelease_model,
    read_helmrelease,
)
from steersman.commands.history import open_backend, record_codec, where_records_live
from steersman.commands.release_cluster import release_cluster
from steersman.controller.charts import ChartFetchError, Charts
from steersman.controller.values import ValuesError, compose_values
from steersman.engine import (
    CrdPolicy,
    Engine,
    EngineError,
    InstallOptions,
    NoDeployedReleases,
    ObjectKey,
    RenderError,
    Target,
    UpgradeOptions,
    build_targets,
    current_and_last,
    install,
    parse_documents,
    resolve_all,
    upgrade,
)
from steersman.kube import KubeClient, KubeError
from steersman.storage import Release, StorageBackend

HIDDEN_OLD, HIDDEN_NEW, HIDDEN_SAME = "--------", "++++++++", "REDACTED"
# Fields the apiserver sets on every write; they change on any apply and say nothing.
VOLATILE_METADATA = ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp")

RED, GREEN, YELLOW, RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"


@dataclass
class ObjectDiff:
    key: ObjectKey
    api_version: str
    lines: list[str]  # unified diff lines, without trailing newlines

    def title(self, change: str) -> str:
        k = self.key
        return f"{k.namespace or '(cluster)'}, {k.name}, {k.kind} ({self.api_version}) {change}:"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "steersman" / "charts"


def _mask_secrets(old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
    """Replace Secret values in place, marking which keys change."""
    secrets = [o for o in (old, new) if o is not None and o.get("kind") == "Secret"]
    if not secrets:
        return
    for field in ("data", "stringData"):
        before = dict((old or {}).get(field) or {}) if old is not None else {}
        after = dict((new or {}).get(field) or {}) if new is not None else {}
        if old is not None and isinstance(old.get(field), dict):
            old[field] = {
                k: HIDDEN_SAME if k in after and after[k] == v else HIDDEN_OLD
                for k, v in before.items()
            }
        if new is not None and isinstance(new.get(field), dict):
            new[field] = {
                k: HIDDEN_SAME if k in before and before[k] == v else HIDDEN_NEW
                for k, v in after.items()
            }


def _text(obj: dict[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False).splitlines()


def compare(
    old: dict[Any, tuple[str, dict[str, Any]]],
    new: dict[Any, tuple[str, dict[str, Any]]],
    labels: tuple[str, str],
    context: int,
    show_secrets: bool,
) -> list[tuple[str, ObjectDiff]]:
    """(change, diff) for every object that differs: added, removed or changed."""
    out: list[tuple[str, ObjectDiff]] = []
    for key in [*old, *(k for k in new if k not in old)]:
        before = old.get(key)
        after = new.get(key)
        a = dict(before[1]) if before else None
        b = dict(after[1]) if after else None
        if not show_secrets:
            a = _copy(a)
            b = _copy(b)
            _mask_secrets(a, b)
        lines = list(difflib.unified_diff(_text(a), _text(b), *labels, n=context, lineterm=""))
        if not lines:
            continue
        change = (
            "has been added" if a is None else "has been removed" if b is None else "has changed"
        )
        api_version = (after or before or ("", {}))[0]
        out.append((change, ObjectDiff(key, api_version, lines)))
    return out


def _copy(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    import copy

    return copy.deepcopy(obj) if obj is not None else None


def _by_key(targets: list[Target]) -> dict[Any, tuple[str, dict[str, Any]]]:
    return {t.key: (t.api_version, t.obj) for t in targets}


def _normalise_live(obj: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in VOLATILE_METADATA}
    annotations = dict(meta.get("annotations") or {})
    annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    return {k: v for k, v in obj.items() if k != "status"} | {"metadata": meta}


async def live_state(
    kube: KubeClient, desired: list[Target], previous: list[Target]
) -> tuple[dict[Any, tuple[str, dict[str, Any]]], dict[Any, tuple[str, dict[str, Any]]]]:
    """(live objects, what they would become): the dry-run apply of each desired object, and
    nothing for objects of the deployed revision the upgrade would prune."""
    live: dict[Any, tuple[str, dict[str, Any]]] = {}
    after: dict[Any, tuple[str, dict[str, Any]]] = {}
    wanted = {t.key for t in desired}
    for t in desired:
        current = await kube.get_or_none(t.api_version, t.kind, t.name, t.namespace)
        if current is not None:
            live[t.key] = (t.api_version, _normalise_live(current))
        applied = await kube.apply(t.obj, namespace=t.namespace, dry_run=True)
        after[t.key] = (t.api_version, _normalise_live(applied))
    for t in previous:
        if t.key in wanted:
            continue
        current = await kube.get_or_none(t.api_version, t.kind, t.name, t.namespace)
        if current is not None:
            live[t.key] = (t.api_version, _normalise_live(current))
    return live, after


def _print(section: str, diffs: list[tuple[str, ObjectDiff]], colour: bool) -> None:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if colour else text

    if not diffs:
        print(f"{section}: no changes")
        return
    print(f"{section}:")
    for change, d in diffs:
        print(paint(YELLOW, d.title(change)))
        for line in d.lines:
            if line.startswith(("---", "+++")):
                print(line)
            elif line.startswith("-"):
                print(paint(RED, line))
            elif line.startswith("+"):
                print(paint(GREEN, line))
            else:
                print(line)
    print()


async def desired_release(
    hr: Any,
    kube: KubeClient,
    target: KubeClient,
    backend: StorageBackend,
    storage_ns: str,
    charts: Charts,
) -> tuple[Release, Release | None]:
    """(the release the next upgrade or install would produce, the revision it starts from),
    computed with the controller's values/chart code and the engine's dry run. Values and the
    chart come from `kube` (the HelmRelease's cluster); the dry run runs on `target`, the
    release's cluster (a remote one for spec.kubeConfig)."""
    spec = hr.spec
    try:
        values = await compose_values(kube, hr.namespace, spec.values_from, spec.values)
        chart, _ = await charts.get(spec.chart, kube, hr.namespace)
    except (ValuesError, ChartFetchError) as err:
        raise OpsError(str(err)) from None
    engine = Engine(target, backend, post_render=spec.post_render())
    name = spec.effective_release_name(hr.name)
    release_ns = spec.target_namespace or hr.namespace
    timeout = parse_duration(spec.timeout)
    try:
        try:
            current, _ = await current_and_last(engine.storage(storage_ns), name)
        except NoDeployedReleases:
            current = None
        if current is None:
            opts = InstallOptions(
                namespace=release_ns,
                storage_namespace=storage_ns,
                timeout=timeout,
                name=name,
                dry_run=True,
                crds=CrdPolicy(spec.install.crds.value),
            )
            return await install(engine, chart, values, opts), None
        up = UpgradeOptions(
            namespace=release_ns,
            storage_namespace=storage_ns,
            timeout=timeout,
            name=name,
            dry_run=True,
            reset_values=True,  # declarative, as the controller upgrades
            crds=CrdPolicy(spec.upgrade.crds.value),
        )
        return await upgrade(engine, chart, values, up), current
    except (EngineError, RenderError) as err:
        raise OpsError(f"dry-run of the next upgrade failed: {err}") from None
    except KubeError as err:
        raise OpsError(f"dry-run of the next upgrade failed: {err}") from None


async def _sections(
    args: argparse.Namespace, kube: KubeClient, rel: Release, current: Release | None
) -> list[tuple[str, list[tuple[str, ObjectDiff]]]]:
    """The diffs asked for (`--against`), each under its title; `kube` is the release's cluster."""
    sections: list[tuple[str, list[tuple[str, ObjectDiff]]]] = []
    if args.against in ("both", "stored"):
        old = current.manifest if current is not None else ""
        stored_revision = f"revision {current.version}" if current is not None else "nothing"
        before = _by_key(await resolve_all(kube, parse_documents(old), rel.namespace))
        after = _by_key(await resolve_all(kube, parse_documents(rel.manifest), rel.namespace))
        labels = (f"stored ({stored_revision})", f"desired (revision {rel.version})")
        sections.append(
            (
                f"Against the stored release ({stored_revision})",
                compare(before, after, labels, args.context_lines, args.show_secrets),
            )
        )
    if args.against in ("both", "live"):
        desired = await build_targets(kube, rel.manifest, rel.name, rel.namespace)
        previous = (
            await resolve_all(kube, parse_documents(current.manifest), rel.namespace)
            if current is not None
            else []
        )
        live, after = await live_state(kube, desired, previous)
        sections.append(
            (
                "Against the live objects",
                compare(live, after, ("live", "desired"), args.context_lines, args.show_secrets),
            )
        )
    return sections


async def run(args: argparse.Namespace) -> int:
    conn = await connect(args)
    backend: StorageBackend | None = None
    charts = Charts(_cache_dir())
    try:
        hr = helmrelease_model(await read_helmrelease(conn.kube, conn.namespace, args.name))
        kind, storage_ns = where_records_live(hr, args.helm_storage_driver)
        codec = await record_codec(args, conn.kube, seal=False)
        async with release_cluster(conn.kube, hr, args) as target:
            backend = open_backend(kind, target.api, args.sql_connection_string_file, codec)
            rel, current = await desired_release(hr, conn.kube, target, backend, storage_ns, charts)
            sections = await _sections(args, target.with_field_manager("helm"), rel, current)
    finally:
        await charts.close()
        if backend is not None:
            await backend.close()
        await conn.kube.close()
    colour = args.color if args.color is not None else sys.stdout.isatty()
    for title, diffs in sections:
        _print(title, diffs, colour)
    changed = any(diffs for _, diffs in sections)
    return CHANGES if changed and args.detailed_exitcode else OK
