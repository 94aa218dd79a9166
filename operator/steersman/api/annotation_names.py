"""Annotations a user sets on a HelmRelease to ask the operator for something, once.

Each takes an opaque token as its value (a timestamp is customary, e.g.
`kubectl annotate hr/app helm.steersman.dev/reset="$(date +%s)" --overwrite`). The operator acts
when the token differs from the one recorded in the matching `status.lastHandled*At` field, then
records it, so each new token is handled exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from steersman.api.names import GROUP

RECONCILE: Final = f"{GROUP}/reconcile"
"""Reconcile now instead of waiting for `spec.interval` (like Flux's reconcile.fluxcd.io/
requestedAt). Handled token: `status.lastHandledReconcileAt`."""

FORCE: Final = f"{GROUP}/force"
"""Run a one-off install or upgrade even if the release is in sync or retries are exhausted
(the way out of `Stalled`). Handled token: `status.lastHandledForceAt`."""

RESET: Final = f"{GROUP}/reset"
"""Reset the failure counters, so remediation retries start again from zero after the cause
was fixed outside the spec. Handled token: `status.lastHandledResetAt`."""

FLUX_ALIASES: Final = {
    RECONCILE: "reconcile.fluxcd.io/requestedAt",
    FORCE: "reconcile.fluxcd.io/forceAt",
    RESET: "reconcile.fluxcd.io/resetAt",
}
"""Flux's names for the same requests, accepted as well so `flux`-style tooling and habits
work. Unlike Flux, `forceAt` and `resetAt` act on their own (Flux also wants `requestedAt` set
to the same token)."""

WATCH: Final = f"{GROUP}/watch"
"""Set to `Enabled` as a label on a ConfigMap or Secret named in `valuesFrom`: a change to it
reconciles the HelmReleases using it within seconds (not at the next interval)."""

FLUX_WATCH: Final = "reconcile.fluxcd.io/watch"
"""Flux's spelling of WATCH, accepted as well."""

DRIFT_DETECTION: Final = f"{GROUP}/driftDetection"
"""Set to `disabled` as a label or annotation on an object rendered by a chart to exclude that
object from drift detection."""


def request_token(annotations: Mapping[str, str] | None, annotation: str) -> str | None:
    """The token of the request `annotation` (ours or its Flux alias), None if neither is set.

    With both set, the token is both values joined by a comma: a function of the annotations
    alone, so once recorded as handled it stays handled, and changing either one is a new
    request (taking one of the two instead would flip between them forever).
    """
    annotations = annotations or {}
    alias = FLUX_ALIASES.get(annotation)
    values = [v for v in (annotations.get(annotation), alias and annotations.get(alias)) if v]
    return ",".join(values) or None


def unhandled_token(
    annotations: Mapping[str, str] | None, annotation: str, handled: str | None
) -> str | None:
    """The token of `annotation` (or its Flux alias) if set and not yet handled, else None."""
    token = request_token(annotations, annotation)
    if not token or token == handled:
        return None
    return token
