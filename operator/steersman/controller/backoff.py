"""How long a failed reconcile waits before the next attempt.

Failures of the release itself (bad chart, refused objects) back off exponentially up to five
minutes, as Flux does. A dependency that is briefly unreachable (the SQL database, the
kube-apiserver) is different: nothing is wrong with the release, and the backoff accumulated
during a long outage would otherwise delay recovery by minutes after the dependency is back. Those
retries stay a few seconds apart, so a release recovers within seconds of its dependency.
"""

from __future__ import annotations

from steersman.kube import Unavailable
from steersman.storage import StorageUnavailable

MIN_BACKOFF, MAX_BACKOFF = 5.0, 300.0
TRANSIENT_MIN_BACKOFF, TRANSIENT_MAX_BACKOFF = 1.0, 3.0


# StorageUnavailable also covers refusals that retrying soon won't fix (wrong password, RBAC):
# only these, written by the storage layer for unreachable or overloaded backends, are outages.
_OUTAGE_MARKERS = ("unreachable", "too many connections", "HTTP 429", "HTTP 5")


def is_transient(err: BaseException | None) -> bool:
    """An unreachable dependency, not a fault of the release: storage or apiserver outages."""
    if isinstance(err, StorageUnavailable):
        return any(marker in str(err) for marker in _OUTAGE_MARKERS)
    # Unreachable, timed out, throttled (429) or failing (5xx); other refusals are the release's.
    return isinstance(err, Unavailable)


def retry_delay(failures: int, interval: float, cause: BaseException | None = None) -> float:
    """Seconds until the next attempt after `failures` consecutive failures (1 = the first)."""
    step = max(failures, 1) - 1
    if is_transient(cause):
        return min(interval, TRANSIENT_MAX_BACKOFF, TRANSIENT_MIN_BACKOFF * 2.0 ** min(step, 6))
    return min(interval, MAX_BACKOFF, MIN_BACKOFF * 2.0 ** min(step, 6))
