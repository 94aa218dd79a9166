"""Names of the HelmRelease API: group, version, kind and the CRD's names block."""

from __future__ import annotations

from typing import Final

GROUP: Final = "helm.steersman.dev"
VERSION: Final = "v1alpha1"
API_VERSION: Final = "helm.steersman.dev/v1alpha1"  # spelled out: a Literal type in resource.py
KIND: Final = "HelmRelease"
LIST_KIND: Final = "HelmReleaseList"
PLURAL: Final = "helmreleases"
SINGULAR: Final = "helmrelease"
# "hr" as Flux spells it; "shr" stays unambiguous when Flux's CRD (also "hr") is installed too.
SHORT_NAMES: Final = ("hr", "shr")
CATEGORIES: Final = ("all", "steersman")
CRD_NAME: Final = f"{PLURAL}.{GROUP}"

# Labels on every release record we write: which HelmRelease owns the release. A record that
# names another HelmRelease is never taken over.
OWNER_NAME_LABEL: Final = f"{GROUP}/name"
OWNER_NAMESPACE_LABEL: Final = f"{GROUP}/namespace"
