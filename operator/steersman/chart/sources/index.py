"""index.yaml of an HTTP Helm repository: parsing and URL resolution, with Helm's rules.

Only what fetching needs is kept (name, version, urls, digest), so a multi-megabyte index of a
big public repository stays small in the in-memory cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit, uses_relative

import yaml

from .errors import SourceUnavailable
from .versions import sort_newest_first

# libyaml's loader when PyYAML was built with it: big public indexes are many megabytes.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class IndexEntry:
    name: str
    version: str
    urls: tuple[str, ...]
    digest: str  # as written in the index (hex, maybe `sha256:`-prefixed), or ""


@dataclass(frozen=True)
class RepoIndex:
    """Chart name -> its entries, newest version first (Helm's `SortEntries`)."""

    entries: Mapping[str, tuple[IndexEntry, ...]]

    def versions(self, name: str) -> list[str]:
        return [e.version for e in self.entries.get(name, ())]


def _scalar_text(value: object) -> str:
    # sigs.k8s.io/yaml turns a YAML number into a string for string fields (`version: 1.0`).
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_index(data: bytes, source: str) -> RepoIndex:
    """Parse index.yaml (or index.json, which is YAML too). `source` names it in errors."""
    if not data.strip():
        raise SourceUnavailable(f"{source}: index.yaml is empty")
    try:
        doc = yaml.load(data, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise SourceUnavailable(f"{source}: index.yaml is not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise SourceUnavailable(f"{source}: index.yaml is not a mapping")
    if not any(str(k).casefold() == "apiversion" and v for k, v in doc.items()):  # Go's match
        raise SourceUnavailable(f"{source}: index.yaml: no API version specified")
    raw_entries = doc.get("entries") or {}
    if not isinstance(raw_entries, dict):
        raise SourceUnavailable(f"{source}: index.yaml: entries is not a mapping")
    entries: dict[str, tuple[IndexEntry, ...]] = {}
    for key, items in raw_entries.items():
        if not isinstance(items, list):
            continue
        by_version: dict[str, list[IndexEntry]] = {}
        for item in items:
            entry = _entry(str(key), item)
            if entry is not None:
                by_version.setdefault(entry.version, []).append(entry)
        ordered = sort_newest_first(by_version)
        entries[str(key)] = tuple(e for v in ordered for e in by_version[v])
    return RepoIndex(entries)


def _entry(key: str, item: Any) -> IndexEntry | None:
    # Helm skips null entries and entries that fail validation (no name, bad version).
    if not isinstance(item, dict):
        return None
    name = _scalar_text(item.get("name"))
    version = _scalar_text(item.get("version"))
    if not name or not version:
        return None
    urls = item.get("urls") or []
    if not isinstance(urls, list):
        urls = []
    return IndexEntry(
        name=name,
        version=version,
        urls=tuple(_scalar_text(u) for u in urls if u is not None),
        digest=_scalar_text(item.get("digest")),
    )


def resolve_reference_url(base: str, ref: str) -> str:
    """Helm's `ResolveReferenceURL`: absolute refs as they are; relative ones against the repo
    URL treated as a directory, keeping the repo URL's query string (signed/token URLs)."""
    parts = urlsplit(ref)
    if parts.scheme:
        return ref
    b = urlsplit(base)
    directory = b._replace(path=b.path.rstrip("/") + "/", query="", fragment="")
    if b.scheme and b.scheme not in uses_relative:
        # urljoin resolves only the schemes it knows; Go's ResolveReference any (a getter
        # plugin's s3://, tst://): join as http, then put the scheme back
        joined = urlsplit(urljoin(urlunsplit(directory._replace(scheme="http")), ref))
        return urlunsplit(joined._replace(scheme=b.scheme, query=b.query))
    joined = urlsplit(urljoin(urlunsplit(directory), ref))
    return urlunsplit(joined._replace(query=b.query))
