"""`HelmRelease.spec`: what to install (chart + values), where, and how Helm actions behave.

Field names and defaults follow Flux's `helm.toolkit.fluxcd.io/v2` where the feature exists
there, except that the chart is referenced directly (`chart.repository`) instead of through a
separate source object.
"""

from __future__ import annotations

import hashlib
import re
from enum import StrEnum
from typing import Annotated, Any

import yaml
from pydantic import Field, model_validator

from steersman.api.base import ApiModel, NamespaceName, ObjectName, Pattern
from steersman.api.digest import digest
from steersman.api.duration import PositiveDuration
from steersman.postrender import Image, Kustomize, Patch, PostRender, PostRenderError, Selector
from steersman.postrender.selector import Matcher

# https:// (or plain http://) for a classic chart repository (index.yaml), oci:// for a registry.
REPOSITORY_PATTERN = r"^(https?|oci)://[^\s/]+(/[^\s]*)?$"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"
# An exact semver version (what a digest may come with: a tag that must point at it).
_EXACT_VERSION = re.compile(r"v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")
# Helm's own limit on release names (they end up in Secret names and labels).
RELEASE_NAME_MAX = 53
# A `--set`-style path: dotted keys, with `[n]` list indexes.
TARGET_PATH_PATTERN = r"^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$"
VALUES_KEY_PATTERN = r"^[\-._a-zA-Z0-9]+$"

RepositoryURL = Annotated[
    str,
    Field(min_length=1, max_length=2048),
    Pattern(REPOSITORY_PATTERN, "an http(s):// chart repository or an oci:// registry URL"),
]


class StorageDriver(StrEnum):
    """Where Helm release records are kept (Helm's HELM_DRIVER)."""

    SECRET = "secret"
    CONFIGMAP = "configmap"
    MEMORY = "memory"
    SQL = "sql"


class CRDPolicy(StrEnum):
    """What to do with the chart's crds/ directory."""

    SKIP = "Skip"
    CREATE = "Create"
    CREATE_REPLACE = "CreateReplace"


class RemediationStrategy(StrEnum):
    """How a failed upgrade is remediated."""

    ROLLBACK = "rollback"
    UNINSTALL = "uninstall"


class DeletionPropagation(StrEnum):
    """Deletion propagation policy for objects removed on uninstall."""

    BACKGROUND = "background"
    FOREGROUND = "foreground"
    ORPHAN = "orphan"


class DriftDetectionMode(StrEnum):
    """disabled: no check; warn: report drift only; enabled: report and correct it."""

    DISABLED = "disabled"
    WARN = "warn"
    ENABLED = "enabled"


class ServerSideApplyMode(StrEnum):
    """Flux's upgrade/rollback `serverSideApply`: auto reuses the last release's apply method."""

    ENABLED = "enabled"
    DISABLED = "disabled"
    AUTO = "auto"


class ValuesSourceKind(StrEnum):
    CONFIGMAP = "ConfigMap"
    SECRET = "Secret"


class LocalObjectReference(ApiModel):
    """A Secret in the HelmRelease's namespace."""

    name: ObjectName


class SecretKeyReference(ApiModel):
    """A Secret in the HelmRelease's namespace, and optionally one of its data keys."""

    name: ObjectName
    key: (
        Annotated[
            str,
            Field(min_length=1, max_length=253),
            Pattern(VALUES_KEY_PATTERN, "a Secret data key"),
        ]
        | None
    ) = Field(
        default=None,
        description="Data key holding the kubeconfig; by default 'value', else 'value.yaml'.",
    )


class KubeConfigReference(ApiModel):
    """Flux's `spec.kubeConfig`: the release lives in the cluster of this kubeconfig."""

    secret_ref: SecretKeyReference = Field(
        description="Secret (in the HelmRelease's namespace) holding the remote cluster's "
        "kubeconfig."
    )


class ChartSpec(ApiModel):
    """The chart to install, pulled straight from its repository.

    Plain HTTP: an `http://` repository URL is spoken to over plain HTTP (as Helm and Flux do);
    for `oci://` registries `insecure: true` says so (Helm's `--plain-http`, Flux's
    `HelmRepository.spec.insecure`). TLS certificates are always verified; a private CA goes in
    the secretRef's `ca.crt`.
    """

    repository: RepositoryURL = Field(
        description="Chart repository: https://host/path or http://host/path (index.yaml), or "
        "oci://registry/path."
    )
    name: str = Field(min_length=1, max_length=2048, description="Chart name in the repository.")
    version: str = Field(
        default="*",
        min_length=1,
        description="Semver range; the highest matching stable version is used. '*' = latest.",
    )
    digest: (
        Annotated[str, Pattern(DIGEST_PATTERN, "a manifest digest sha256:<64 hex digits>")] | None
    ) = Field(
        default=None,
        description="oci:// only: pin the chart to this manifest digest (Flux's OCIRepository "
        "ref.digest); version must then be '*' or the exact tag of that manifest.",
    )
    secret_ref: LocalObjectReference | None = Field(
        default=None,
        description="Secret with repository credentials: username/password, or ca.crt, "
        "tls.crt and tls.key; for oci://, a kubernetes.io/dockerconfigjson Secret too.",
    )
    insecure: bool = Field(
        default=False,
        description="oci:// only: speak plain HTTP to the registry (like helm --plain-http); "
        "for HTTP repositories the URL's scheme decides.",
    )
    values_files: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        default_factory=list,
        max_length=64,
        description="Values files inside the chart, merged in order, that replace the chart's "
        "default values (list values.yaml to keep it); spec.values go on top (Flux's "
        "chart.spec.valuesFiles).",
    )
    ignore_missing_values_files: bool = Field(
        default=False, description="Skip valuesFiles the chart does not have instead of failing."
    )

    @model_validator(mode="after")
    def _oci_only_options(self) -> ChartSpec:
        # A CRD on Kubernetes 1.20 cannot express these rules (no CEL); the controller checks.
        oci = self.repository.startswith("oci://")
        if self.insecure and not oci:
            raise ValueError(
                "insecure (plain HTTP) is only for oci:// repositories; "
                "for a plain HTTP chart repository write its http:// URL"
            )
        if self.digest is not None:
            if not oci:
                raise ValueError("digest is only supported for oci:// repositories")
            if self.version != "*" and not _EXACT_VERSION.fullmatch(self.version):
                raise ValueError("with a digest, version must be '*' or an exact version (a tag)")
        for path in self.values_files:
            if path.startswith("/") or ".." in path.split("/"):
                raise ValueError(f"valuesFiles: {path!r} is not a path inside the chart")
        return self


class CrossNamespaceReference(ApiModel):
    """Another HelmRelease, by default in the same namespace."""

    name: ObjectName
    namespace: NamespaceName | None = None


class ValuesReference(ApiModel):
    """Values read from a ConfigMap or Secret in the HelmRelease's namespace."""

    kind: ValuesSourceKind
    name: ObjectName
    values_key: Annotated[
        str,
        Field(min_length=1, max_length=253),
        Pattern(VALUES_KEY_PATTERN, "a ConfigMap or Secret data key"),
    ] = Field(default="values.yaml", description="Data key holding the values.")
    target_path: (
        Annotated[
            str,
            Field(min_length=1, max_length=250),
            Pattern(TARGET_PATH_PATTERN, "a --set style path such as a.b[0].c"),
        ]
        | None
    ) = Field(
        default=None,
        description="Set the whole key's content at this --set style path instead of merging "
        "it as a YAML document at the root.",
    )
    optional: bool = Field(default=False, description="Ignore a missing object or key.")


class InstallRemediation(ApiModel):
    retries: int = Field(
        default=0,
        ge=-1,
        description="Failed installs to retry (each after an uninstall); -1 = without limit.",
    )


class UpgradeRemediation(ApiModel):
    retries: int = Field(default=0, ge=-1, description="Failed upgrades to retry; -1 = no limit.")
    strategy: RemediationStrategy = Field(
        default=RemediationStrategy.ROLLBACK, description="Remediation after a failed upgrade."
    )


def _action_timeout() -> Any:
    return Field(default=None, description="Timeout of this action; defaults to spec.timeout.")


_TAKE_OWNERSHIP = (
    "Fail on existing objects without this release's Helm ownership metadata instead of "
    "adopting them (adopting is the default, as in Flux)."
)
_WAIT_FOR_JOBS = "Don't wait for the release's Jobs to complete (when waiting)."
_SCHEMA = "Don't validate the values against the chart's values.schema.json."
_OPENAPI = (
    "Skip checking the rendered objects against the cluster's OpenAPI schema (unknown fields) "
    "before they are applied."
)
_SSA_AUTO = (
    "enabled: server-side apply; disabled: client-side apply (three-way merge, as helm v3); "
    "auto: the apply method of the release's last revision. Default: the controller's "
    "--default-server-side-apply."
)


class InstallSpec(ApiModel):
    timeout: PositiveDuration | None = _action_timeout()
    create_namespace: bool = Field(
        default=False, description="Create targetNamespace if it is missing."
    )
    crds: CRDPolicy = CRDPolicy.CREATE
    skip_crds: bool = Field(
        default=False, alias="skipCRDs", description="Deprecated (Flux): the same as crds: Skip."
    )
    replace: bool = Field(
        default=False,
        description="Reuse the release name when its newest record is an uninstalled release "
        "kept with its history (helm install --replace).",
    )
    disable_take_ownership: bool = Field(default=False, description=_TAKE_OWNERSHIP)
    disable_wait: bool = Field(default=False, description="Don't wait for resources to be ready.")
    disable_wait_for_jobs: bool = Field(default=False, description=_WAIT_FOR_JOBS)
    disable_hooks: bool = False
    disable_schema_validation: bool = Field(default=False, description=_SCHEMA)
    disable_open_api_validation: bool = Field(
        default=False, alias="disableOpenAPIValidation", description=_OPENAPI
    )
    server_side_apply: bool | None = Field(
        default=None,
        description="false: create objects client-side (as helm v3); default: the controller's "
        "--default-server-side-apply (auto means enabled for an install).",
    )
    remediation: InstallRemediation = Field(
        default_factory=InstallRemediation, json_schema_extra={"default": {}}
    )


class UpgradeSpec(ApiModel):
    timeout: PositiveDuration | None = _action_timeout()
    crds: CRDPolicy = Field(
        default=CRDPolicy.CREATE,
        description="Create adds new CRDs but never updates existing ones; CreateReplace does.",
    )
    cleanup_on_fail: bool = Field(
        default=False, description="Delete resources created by a failed upgrade."
    )
    force: bool = Field(
        default=False,
        description="Replace objects (PUT) instead of patching them; an object the apiserver "
        "refuses to change that way (an immutable field) is deleted and created again.",
    )
    preserve_values: bool = Field(
        default=False,
        description="Start from the last release's values and merge the spec's values over "
        "them (helm --reuse-values; not declarative).",
    )
    disable_take_ownership: bool = Field(default=False, description=_TAKE_OWNERSHIP)
    disable_wait: bool = False
    disable_wait_for_jobs: bool = Field(default=False, description=_WAIT_FOR_JOBS)
    disable_hooks: bool = False
    disable_schema_validation: bool = Field(default=False, description=_SCHEMA)
    disable_open_api_validation: bool = Field(
        default=False, alias="disableOpenAPIValidation", description=_OPENAPI
    )
    server_side_apply: ServerSideApplyMode | None = Field(default=None, description=_SSA_AUTO)
    remediation: UpgradeRemediation = Field(
        default_factory=UpgradeRemediation, json_schema_extra={"default": {}}
    )


class RollbackSpec(ApiModel):
    timeout: PositiveDuration | None = _action_timeout()
    disable_wait: bool = False
    disable_wait_for_jobs: bool = Field(default=False, description=_WAIT_FOR_JOBS)
    disable_hooks: bool = False
    cleanup_on_fail: bool = False
    force: bool = Field(
        default=False,
        description="Replace objects (PUT) instead of patching them; delete and create again "
        "what cannot be replaced.",
    )
    recreate: bool = Field(
        default=False,
        description="Delete the Pods of the rolled-back Deployments, StatefulSets, DaemonSets "
        "and ReplicaSets so they restart (helm v3 rollback --recreate-pods).",
    )
    server_side_apply: ServerSideApplyMode | None = Field(default=None, description=_SSA_AUTO)


class UninstallSpec(ApiModel):
    timeout: PositiveDuration | None = _action_timeout()
    keep_history: bool = Field(default=False, description="Keep the release records.")
    disable_hooks: bool = False
    disable_wait: bool = Field(
        default=False, description="Don't wait until the deleted objects are gone."
    )
    deletion_propagation: DeletionPropagation = DeletionPropagation.BACKGROUND


class TestFilter(ApiModel):
    """One `helm test --filter`: a test hook by name, run only it or (exclude) skip it."""

    __test__ = False  # not a pytest class

    name: str = Field(min_length=1, max_length=253, description="The test hook's name.")
    exclude: bool = Field(default=False, description="Skip this test instead of selecting it.")


class ReleaseTestSpec(ApiModel):
    enable: bool = Field(default=False, description="Run `helm test` after install/upgrade.")
    timeout: PositiveDuration | None = _action_timeout()
    ignore_failures: bool = Field(
        default=False, description="A failed test does not mark the release failed."
    )
    filters: list[TestFilter] = Field(
        default_factory=list,
        max_length=256,
        description="Which tests run: with any non-exclude filter only those; excluded ones never.",
    )


class DriftTarget(ApiModel):
    """Objects an ignore rule applies to; omitted fields match anything."""

    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None


JSONPointer = Annotated[
    str, Pattern(r"^(/([^/~]|~[01])*)+$", "an RFC 6901 JSON pointer such as /spec/replicas")
]


class DriftIgnoreRule(ApiModel):
    paths: list[JSONPointer] = Field(
        min_length=1, description="RFC 6901 JSON pointers, e.g. /spec/replicas."
    )
    target: DriftTarget | None = None


class DriftDetectionSpec(ApiModel):
    mode: DriftDetectionMode = DriftDetectionMode.DISABLED
    ignore: list[DriftIgnoreRule] = Field(default_factory=list)


class StorageSpec(ApiModel):
    driver: StorageDriver | None = Field(
        default=None,
        description="Per-release storage driver; the operator must allow it. "
        "Defaults to the operator's.",
    )
    encrypt_records: bool | None = Field(
        default=None,
        description="Encrypt (true) or not (false) this release's record bodies, overriding "
        "--encrypt-release-records; the operator must allow it. The helm CLI cannot read "
        "encrypted records.",
    )


class PatchSelector(ApiModel):
    """Which rendered objects a patch applies to (kustomize's target): group, version, kind,
    name and namespace are regexes matched against the whole value; labelSelector and
    annotationSelector are Kubernetes selectors."""

    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    label_selector: str | None = None
    annotation_selector: str | None = None

    @model_validator(mode="after")
    def _parsable(self) -> PatchSelector:
        try:
            Matcher(self.to_selector())
        except PostRenderError as err:
            raise ValueError(str(err)) from None
        return self

    def to_selector(self) -> Selector:
        return Selector(
            group=self.group or "",
            version=self.version or "",
            kind=self.kind or "",
            name=self.name or "",
            namespace=self.namespace or "",
            label_selector=self.label_selector or "",
            annotation_selector=self.annotation_selector or "",
        )


class KustomizePatch(ApiModel):
    patch: str = Field(
        min_length=1,
        description="A strategic-merge patch (a YAML object) or a JSON 6902 patch (a list of "
        "operations; needs a target).",
    )
    target: PatchSelector | None = Field(
        default=None,
        description="Objects to patch; without it a strategic-merge patch applies to the "
        "object its apiVersion, kind, name and namespace name.",
    )

    @model_validator(mode="after")
    def _parsable(self) -> KustomizePatch:
        try:
            docs = [d for d in yaml.safe_load_all(self.patch) if d is not None]
        except yaml.YAMLError:
            raise ValueError("patch is not valid YAML") from None
        if len(docs) == 1 and isinstance(docs[0], list):
            if self.target is None:
                raise ValueError("a JSON 6902 patch (a list of operations) needs a target")
        elif not docs or not all(isinstance(d, dict) for d in docs):
            raise ValueError("patch must be a YAML object or a list of JSON 6902 operations")
        return self


class KustomizeImage(ApiModel):
    name: str = Field(min_length=1, description="The image to change, as the chart writes it.")
    new_name: str | None = Field(default=None, description="Image name to use instead.")
    new_tag: str | None = Field(default=None, description="Tag to use instead.")
    digest: str | None = Field(default=None, description="Digest to use (replaces the tag).")


class KustomizePostRenderer(ApiModel):
    patches: list[KustomizePatch] = Field(default_factory=list)
    images: list[KustomizeImage] = Field(default_factory=list)


class PostRenderer(ApiModel):
    kustomize: KustomizePostRenderer | None = None


class CommonMetadata(ApiModel):
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)


def _block(factory: type[ApiModel]) -> Any:
    """An optional block that the apiserver fills with its defaults when omitted."""
    return Field(default_factory=factory, json_schema_extra={"default": {}})


class HelmReleaseSpec(ApiModel):
    """Desired state of a HelmRelease."""

    chart: ChartSpec
    interval: PositiveDuration = Field(
        default="10m", description="How often the release is reconciled (and drift checked)."
    )
    timeout: PositiveDuration = Field(
        default="5m", description="Timeout of each Helm action (hooks and waits)."
    )
    suspend: bool = Field(default=False, description="Stop reconciling; delete won't uninstall.")
    release_name: (
        Annotated[
            str,
            Field(min_length=1, max_length=RELEASE_NAME_MAX),
            Pattern(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "a valid Helm release name"),
        ]
        | None
    ) = Field(default=None, description="Defaults to [<targetNamespace>-]<name>.")
    target_namespace: NamespaceName | None = Field(
        default=None, description="Namespace to install into; defaults to the object's."
    )
    storage_namespace: NamespaceName | None = Field(
        default=None, description="Namespace of the release records; defaults to the object's."
    )
    storage: StorageSpec | None = None
    max_history: int = Field(
        default=5, ge=0, description="Release revisions kept; 0 = without limit."
    )
    service_account_name: ObjectName | None = Field(
        default=None, description="ServiceAccount (in this namespace) that Helm acts as."
    )
    kube_config: KubeConfigReference | None = Field(
        default=None,
        description="Reconcile the release in the remote cluster of this kubeconfig (objects "
        "and release records there); the HelmRelease, its status and events stay here.",
    )
    depends_on: list[CrossNamespaceReference] = Field(
        default_factory=list, description="HelmReleases that must be Ready first."
    )
    values: dict[str, Any] | None = Field(default=None, description="Inline Helm values.")
    values_from: list[ValuesReference] = Field(
        default_factory=list, description="Values from ConfigMaps/Secrets, merged in order."
    )
    install: InstallSpec = _block(InstallSpec)
    upgrade: UpgradeSpec = _block(UpgradeSpec)
    rollback: RollbackSpec = _block(RollbackSpec)
    uninstall: UninstallSpec = _block(UninstallSpec)
    test: ReleaseTestSpec = _block(ReleaseTestSpec)
    drift_detection: DriftDetectionSpec = _block(DriftDetectionSpec)
    post_renderers: list[PostRenderer] = Field(
        default_factory=list,
        description="Changes to the rendered manifest before it is applied and stored, in order "
        "(Flux's postRenderers): kustomize patches and images.",
    )
    common_metadata: CommonMetadata | None = Field(
        default=None, description="Labels and annotations set on every rendered object."
    )

    @property
    def storage_driver(self) -> StorageDriver | None:
        """The per-release driver (`storage.driver`), None for the operator's default."""
        return self.storage.driver if self.storage is not None else None

    @property
    def encrypt_records(self) -> bool | None:
        """The per-release record encryption choice, None for the operator's default."""
        return self.storage.encrypt_records if self.storage is not None else None

    def effective_release_name(self, object_name: str) -> str:
        """`releaseName`, else `[<targetNamespace>-]<object name>`, shortened like Flux does when
        longer than Helm's 53 characters: 40 characters, '-', 12 hex digits of its SHA-256.
        A '.' that would end up before the '-' is dropped: Helm refuses `.-` in a name."""
        if self.release_name:
            return self.release_name
        name = f"{self.target_namespace}-{object_name}" if self.target_namespace else object_name
        if len(name) <= RELEASE_NAME_MAX:
            return name
        digest = hashlib.sha256(name.encode()).hexdigest()[:12]
        return f"{name[:40].rstrip('.')}-{digest}"

    def post_render(self) -> PostRender:
        """The post-render steps, with a digest of the fields they came from."""
        steps = tuple(
            Kustomize(
                patches=tuple(
                    Patch(p.patch, p.target.to_selector() if p.target else None)
                    for p in r.kustomize.patches
                ),
                images=tuple(
                    Image(i.name, i.new_name or "", i.new_tag or "", i.digest or "")
                    for i in r.kustomize.images
                ),
            )
            for r in self.post_renderers
            if r.kustomize is not None
        )
        meta = self.common_metadata or CommonMetadata()
        source = [
            [r.to_k8s() for r in self.post_renderers],
            self.common_metadata.to_k8s() if self.common_metadata else None,
        ]
        return PostRender(
            steps,
            dict(meta.labels),
            dict(meta.annotations),
            digest(source) if steps or meta.labels or meta.annotations else "",
        )
