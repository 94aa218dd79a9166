"""Texts the actions put into conditions and events: what a release is, who the apiserver
refused, why a record does not fit. Errors in them are shown through `errors.describe`."""

from __future__ import annotations

from steersman.api import HelmRelease
from steersman.kube import Forbidden
from steersman.storage import RecordTooLarge, Release


def release_text(rel: Release) -> str:
    meta = rel.chart.metadata if rel.chart and rel.chart.metadata else None
    chart = f"{meta.name}@{meta.version}" if meta else "?"
    return f"{rel.namespace}/{rel.name}.v{rel.version} with chart {chart}"


def denied(hr: HelmRelease, default_account: str | None, err: BaseException) -> str | None:
    """Who the apiserver refused and what, when `err` comes from a 403; else None."""
    refused = forbidden(err)
    if refused is None:
        return None
    account = hr.spec.service_account_name or default_account
    who = (
        f"service account {hr.namespace}/{account}"
        if account
        else "the operator's own identity (the HelmRelease names no service account)"
    )
    return (
        f"{who} is not allowed to do what the release needs: {refused.message}; grant it "
        "those rights (a Role and RoleBinding) and it is tried again"
    )


def forbidden(err: BaseException) -> Forbidden | None:
    """The apiserver's 403 behind `err` (an action's error wraps its cause), if any."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, Forbidden):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def too_large_message(err: RecordTooLarge) -> str:
    """Stable across retries (the exact byte count moves with timestamps): MiB, one decimal."""
    return (
        f"release {err.release} revision {err.version} does not fit a Kubernetes {err.kind}: "
        f"its record is {err.size / 2**20:.1f} MiB encoded, over the "
        f"{err.limit / 2**20:g} MiB object limit. Nothing was written and the existing "
        "revisions are intact. Make the chart or values smaller, or keep this release in SQL "
        "storage (spec.storage.driver: sql, or --helm-storage-driver=sql)"
    )
