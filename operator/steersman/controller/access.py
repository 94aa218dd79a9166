"""Tenant isolation: what a HelmRelease may reach outside its own namespace, and as whom.

A HelmRelease acts as its service account (`spec.serviceAccountName`, else
`--default-service-account`), impersonated: the apiserver checks that account's RBAC for every
object of the release. Two things are not done as that account and are checked here instead:

- release records are written with the operator's own identity (helm's storage, like Flux's), so
  a `storageNamespace` other than the HelmRelease's own must be allowed for the account: a
  SelfSubjectAccessReview, sent as the account, for the verbs the storage needs on the records'
  resource (Secrets for the secret, sql and memory drivers, ConfigMaps for configmap);
- `dependsOn` reads other HelmReleases: in another namespace the account must be allowed to
  `get` HelmReleases there.

Without any service account the operator acts with its own rights, as Flux does. Those rights
span every namespace, so such a HelmRelease stays in its own namespace (target, storage and
every namespaced object of the chart) unless the admin starts the operator with
`--allow-cross-namespace-releases`; `--default-service-account` is the multi-tenant lockdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from steersman.api import (
    GROUP,
    OWNER_NAME_LABEL,
    OWNER_NAMESPACE_LABEL,
    PLURAL,
    HelmRelease,
    Reason,
)
from steersman.controller.settings import Settings
from steersman.kube import Forbidden, KubeClient, KubeError, NotFound
from steersman.storage import DriverKind, Release

STORAGE_VERBS = ("get", "list", "create", "update", "delete")
ALLOW_FLAG = "--allow-cross-namespace-releases"


@dataclass(frozen=True)
class Refusal:
    """Why a HelmRelease may not go on; `stall` when only a spec or admin change helps."""

    reason: str
    message: str
    stall: bool = True


def service_account(hr: HelmRelease, settings: Settings) -> str | None:
    return hr.spec.service_account_name or settings.default_service_account


def account_text(namespace: str, account: str) -> str:
    return f"service account {namespace}/{account}"


async def check_account(kube: KubeClient, hr: HelmRelease, account: str) -> Refusal | None:
    """The impersonated account must exist: impersonating a missing one only yields
    'forbidden' for everything, which hides the real cause."""
    try:
        found = await kube.get_or_none("v1", "ServiceAccount", account, hr.namespace)
    except Forbidden:
        return None  # the operator may not read service accounts: the apiserver will tell
    if found is not None:
        return None
    return Refusal(
        Reason.SERVICE_ACCOUNT_NOT_FOUND,
        f"{account_text(hr.namespace, account)} not found: create it in namespace "
        f"{hr.namespace} (with the rights the chart needs), or set spec.serviceAccountName to "
        "an account that exists",
        stall=False,
    )


async def allowed(
    kube: KubeClient, verb: str, resource: str, namespace: str, group: str = ""
) -> bool:
    """Whether the identity `kube` sends as may `verb` `resource` in `namespace`."""
    review = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {
            "resourceAttributes": {
                "namespace": namespace,
                "verb": verb,
                "group": group,
                "resource": resource,
            }
        },
    }
    result = await kube.request(
        "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=review
    )
    return bool((result.get("status") or {}).get("allowed"))


def records_resource(kind: DriverKind) -> str:
    return "configmaps" if kind is DriverKind.CONFIGMAP else "secrets"


async def check_reach(
    kube: KubeClient,
    hr: HelmRelease,
    settings: Settings,
    account: str | None,
    *,
    release_ns: str,
    storage_ns: str,
    storage_kind: DriverKind,
    dependency_namespaces: Sequence[str],
) -> Refusal | None:
    """Every namespace other than its own that the HelmRelease uses must be authorised."""
    own = hr.namespace
    if account is None:
        if settings.allow_cross_namespace_releases:
            return None
        for field, ns in (("targetNamespace", release_ns), ("storageNamespace", storage_ns)):
            if ns != own:
                return Refusal(
                    Reason.ACCESS_DENIED,
                    f"spec.{field} '{ns}' is outside the HelmRelease's namespace '{own}', and "
                    "without a service account the operator would act there with its own "
                    f"rights: set spec.serviceAccountName to an account allowed in '{ns}' "
                    f"(or the admin can allow this with {ALLOW_FLAG})",
                )
        return None
    sa = kube.impersonate(own, account)
    who = account_text(own, account)
    try:
        if storage_ns != own:
            resource = records_resource(storage_kind)
            for verb in STORAGE_VERBS:
                if not await allowed(sa, verb, resource, storage_ns):
                    return Refusal(
                        Reason.ACCESS_DENIED,
                        f"{who} may not {verb} {resource} in namespace '{storage_ns}' "
                        f"(spec.storageNamespace): the release records would be written there; "
                        f"grant it {', '.join(STORAGE_VERBS)} on {resource} in '{storage_ns}' "
                        "or remove spec.storageNamespace",
                    )
        for ns in dict.fromkeys(dependency_namespaces):
            if ns != own and not await allowed(sa, "get", PLURAL, ns, GROUP):
                return Refusal(
                    Reason.ACCESS_DENIED,
                    f"{who} may not get helmreleases in namespace '{ns}' (spec.dependsOn): "
                    f"grant it get on helmreleases.{GROUP} there or remove the dependency",
                )
    except KubeError as err:
        return Refusal(
            Reason.ACCESS_DENIED,
            f"could not check the rights of {who}: {err}",
            stall=False,
        )
    return None


async def namespace_missing(kube: KubeClient, namespace: str) -> bool:
    """True only when the apiserver says the namespace does not exist."""
    try:
        await kube.get("v1", "Namespace", namespace)
    except NotFound:
        return True
    except KubeError:
        return False  # not ours to read: let the action report what it finds
    return False


def objects_namespaces(
    hr: HelmRelease, settings: Settings, release_ns: str
) -> frozenset[str] | None:
    """The namespaces the chart's objects may be in when the operator acts with its own rights
    (no service account); None when the apiserver's RBAC for the account decides."""
    if service_account(hr, settings) is not None or settings.allow_cross_namespace_releases:
        return None
    return frozenset({hr.namespace, release_ns})


# -- who owns a release ---------------------------------------------------------------------


def owner_labels(hr: HelmRelease) -> dict[str, str]:
    """The labels that mark the records we write as this HelmRelease's."""
    return {OWNER_NAME_LABEL: hr.name, OWNER_NAMESPACE_LABEL: hr.namespace}


def foreign_owner(history: Sequence[Release], hr: HelmRelease) -> str | None:
    """`namespace/name` of another HelmRelease named as owner by a record, else None. Records
    without owner labels (helm's own, or ours from before the labels) may be adopted."""
    for rel in reversed(history):
        name, ns = rel.labels.get(OWNER_NAME_LABEL), rel.labels.get(OWNER_NAMESPACE_LABEL)
        if name is None and ns is None:
            continue
        if (ns, name) != (hr.namespace, hr.name):
            return f"{ns}/{name}"
    return None


def owned_elsewhere(owner: str, where: str) -> Refusal:
    return Refusal(
        Reason.OWNED_BY_OTHER,
        f"release {where} belongs to HelmRelease {owner} (its records carry the label "
        f"{OWNER_NAME_LABEL}); a HelmRelease never takes over another one's release: choose "
        f"another spec.releaseName or spec.targetNamespace, or delete HelmRelease {owner} first",
    )


def kept_elsewhere(release_ns: str, name: str, storage_ns: str) -> Refusal:
    return Refusal(
        Reason.OWNED_BY_OTHER,
        f"release {release_ns}/{name} already has records in namespace '{release_ns}' "
        f"(written by helm or another HelmRelease), but this HelmRelease keeps its records in "
        f"'{storage_ns}': taking it over would give the release two histories. Set "
        f"spec.storageNamespace to '{release_ns}' to adopt it, or choose another "
        "spec.releaseName",
    )
