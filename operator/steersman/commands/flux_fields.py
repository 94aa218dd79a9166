"""Every Flux field `steersman convert` knows, as data: where it goes in our HelmRelease and
what happens to it. The `MAPPED` rules are copied generically and the present `NOT_CARRIED` ones
reported with their reason (`flux_objects`); `ADAPTED` ones are handled in code (`flux_convert`,
`flux_sources`); a field no rule names is reported as unknown. docs/migrating-from-flux.md
carries `markdown_table()` verbatim (`python -m hack.gen_flux_field_map` rewrites it; a unit
test fails when it is stale).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    MAPPED = "mapped"
    """Copied as is to `ours`."""
    ADAPTED = "adapted"
    """Carried over with a change the note explains (resolved, renamed, a default made explicit)."""
    NOT_CARRIED = "not carried"
    """Dropped; `convert` says so on stderr with the note as the reason."""


@dataclass(frozen=True)
class FieldRule:
    kind: str
    """The Flux kind holding the field."""
    flux: str
    """Dotted path; `[]` stands for every item of a list. A rule covers everything below it."""
    ours: str
    """Where it goes in our HelmRelease ("" when nowhere)."""
    status: Status
    note: str = ""

    @property
    def segments(self) -> tuple[str, ...]:
        return path_segments(self.flux)


def path_segments(path: str) -> tuple[str, ...]:
    """`spec.valuesFrom[].kind` -> ("spec", "valuesFrom", "[]", "kind")."""
    return tuple(part for part in path.replace("[]", ".[]").split(".") if part)


HR, REPO, OCI, CHART = "HelmRelease", "HelmRepository", "OCIRepository", "HelmChart"
M, A, N = Status.MAPPED, Status.ADAPTED, Status.NOT_CARRIED

_NO_SWITCH = "Steersman has no such switch"
_SECRET_NOTE = "the Secret must be in the HelmRelease's namespace (a note says when it is not)"
_SOURCE_POLLING = (
    "not needed: no source object; the chart is resolved on every reconcile (spec.interval)"
)

FIELDS: tuple[FieldRule, ...] = (
    # HelmRelease: identity
    FieldRule(HR, "metadata.name", "metadata.name", M),
    FieldRule(HR, "metadata.namespace", "metadata.namespace", M),
    FieldRule(
        HR,
        "metadata.labels",
        "metadata.labels",
        A,
        "copied, except those Flux's controllers set (`*.toolkit.fluxcd.io/...`, on exported "
        "objects)",
    ),
    FieldRule(
        HR,
        "metadata.annotations",
        "metadata.annotations",
        A,
        "copied, except kubectl's last-applied-configuration (it describes the Flux object)",
    ),
    # HelmRelease: the chart
    FieldRule(HR, "spec.chart.spec.chart", "spec.chart.name", M),
    FieldRule(HR, "spec.chart.spec.version", "spec.chart.version", M),
    FieldRule(
        HR,
        "spec.chart.spec.sourceRef",
        "spec.chart.repository",
        A,
        "resolved against the HelmRepository in the same input (URL, secretRef, insecure)",
    ),
    FieldRule(HR, "spec.chart.spec.valuesFiles", "spec.chart.valuesFiles", M),
    FieldRule(
        HR,
        "spec.chart.spec.valuesFile",
        "spec.chart.valuesFiles",
        A,
        "the single file of v2beta1, appended after valuesFiles",
    ),
    FieldRule(
        HR, "spec.chart.spec.ignoreMissingValuesFiles", "spec.chart.ignoreMissingValuesFiles", M
    ),
    FieldRule(
        HR,
        "spec.chart.spec.reconcileStrategy",
        "",
        A,
        "ChartVersion is what Steersman does; Revision is not carried",
    ),
    FieldRule(HR, "spec.chart.spec.interval", "", A, _SOURCE_POLLING),
    FieldRule(HR, "spec.chart.spec.verify", "", N, "Steersman does not verify chart signatures"),
    FieldRule(HR, "spec.chart.metadata", "", N, "no HelmChart object is created"),
    FieldRule(
        HR,
        "spec.chartRef",
        "spec.chart",
        A,
        "resolved against the OCIRepository or HelmChart in the same input",
    ),
    # HelmRelease: the release
    FieldRule(HR, "spec.interval", "spec.interval", M),
    FieldRule(HR, "spec.timeout", "spec.timeout", M),
    FieldRule(HR, "spec.suspend", "spec.suspend", M),
    FieldRule(HR, "spec.releaseName", "spec.releaseName", M),
    FieldRule(HR, "spec.targetNamespace", "spec.targetNamespace", M),
    FieldRule(HR, "spec.storageNamespace", "spec.storageNamespace", M),
    FieldRule(HR, "spec.maxHistory", "spec.maxHistory", M),
    FieldRule(HR, "spec.serviceAccountName", "spec.serviceAccountName", M),
    FieldRule(HR, "spec.dependsOn[].name", "spec.dependsOn[].name", M),
    FieldRule(HR, "spec.dependsOn[].namespace", "spec.dependsOn[].namespace", M),
    FieldRule(HR, "spec.dependsOn[].readyExpr", "", N, "dependencies wait for Ready only"),
    FieldRule(HR, "spec.values", "spec.values", M),
    FieldRule(HR, "spec.valuesFrom[].kind", "spec.valuesFrom[].kind", M),
    FieldRule(HR, "spec.valuesFrom[].name", "spec.valuesFrom[].name", M),
    FieldRule(HR, "spec.valuesFrom[].valuesKey", "spec.valuesFrom[].valuesKey", M),
    FieldRule(HR, "spec.valuesFrom[].targetPath", "spec.valuesFrom[].targetPath", M),
    FieldRule(HR, "spec.valuesFrom[].optional", "spec.valuesFrom[].optional", M),
    FieldRule(HR, "spec.kubeConfig.secretRef", "spec.kubeConfig.secretRef", M),
    FieldRule(
        HR,
        "spec.kubeConfig.configMapRef",
        "",
        N,
        "cloud-provider kubeconfigs (workload identity) are not supported: use a kubeconfig "
        "Secret (secretRef)",
    ),
    FieldRule(HR, "spec.persistentClient", "", N, _NO_SWITCH),
    FieldRule(HR, "spec.postRenderers", "spec.postRenderers", M),
    FieldRule(HR, "spec.commonMetadata", "spec.commonMetadata", M),
    # install
    FieldRule(HR, "spec.install.createNamespace", "spec.install.createNamespace", M),
    FieldRule(HR, "spec.install.crds", "spec.install.crds", M),
    FieldRule(HR, "spec.install.skipCRDs", "spec.install.crds", A, "true becomes crds: Skip"),
    FieldRule(HR, "spec.install.disableWait", "spec.install.disableWait", M),
    FieldRule(HR, "spec.install.disableHooks", "spec.install.disableHooks", M),
    FieldRule(
        HR,
        "spec.install.remediation.retries",
        "spec.install.remediation.retries",
        A,
        "any negative number becomes -1 (without limit)",
    ),
    FieldRule(
        HR,
        "spec.install.strategy.name",
        "",
        A,
        "RemediateOnFailure is what Steersman does; RetryOnFailure (retry without "
        "uninstalling) is not carried",
    ),
    FieldRule(
        HR, "spec.install.strategy.retryInterval", "", N, "retries follow the operator's backoff"
    ),
    FieldRule(HR, "spec.install.timeout", "spec.install.timeout", M),
    FieldRule(
        HR,
        "spec.install.remediation.ignoreTestFailures",
        "",
        N,
        "spec.test.ignoreFailures applies to every action",
    ),
    FieldRule(HR, "spec.install.remediation.remediateLastFailure", "", N, _NO_SWITCH),
    FieldRule(HR, "spec.install.disableWaitForJobs", "spec.install.disableWaitForJobs", M),
    FieldRule(
        HR, "spec.install.disableOpenAPIValidation", "spec.install.disableOpenAPIValidation", M
    ),
    FieldRule(
        HR, "spec.install.disableSchemaValidation", "spec.install.disableSchemaValidation", M
    ),
    FieldRule(HR, "spec.install.disableTakeOwnership", "spec.install.disableTakeOwnership", M),
    FieldRule(HR, "spec.install.serverSideApply", "spec.install.serverSideApply", M),
    FieldRule(HR, "spec.install.replace", "spec.install.replace", M),
    # upgrade
    FieldRule(
        HR,
        "spec.upgrade.crds",
        "spec.upgrade.crds",
        A,
        "Flux's default is Skip, ours Create: written out as Skip when absent",
    ),
    FieldRule(HR, "spec.upgrade.cleanupOnFail", "spec.upgrade.cleanupOnFail", M),
    FieldRule(HR, "spec.upgrade.disableWait", "spec.upgrade.disableWait", M),
    FieldRule(HR, "spec.upgrade.disableHooks", "spec.upgrade.disableHooks", M),
    FieldRule(
        HR,
        "spec.upgrade.remediation.retries",
        "spec.upgrade.remediation.retries",
        A,
        "any negative number becomes -1 (without limit)",
    ),
    FieldRule(HR, "spec.upgrade.remediation.strategy", "spec.upgrade.remediation.strategy", M),
    FieldRule(
        HR,
        "spec.upgrade.strategy.name",
        "",
        A,
        "RemediateOnFailure is what Steersman does; RetryOnFailure (retry without rolling "
        "back) is not carried",
    ),
    FieldRule(
        HR, "spec.upgrade.strategy.retryInterval", "", N, "retries follow the operator's backoff"
    ),
    FieldRule(HR, "spec.upgrade.timeout", "spec.upgrade.timeout", M),
    FieldRule(
        HR,
        "spec.upgrade.remediation.ignoreTestFailures",
        "",
        N,
        "spec.test.ignoreFailures applies to every action",
    ),
    FieldRule(HR, "spec.upgrade.remediation.remediateLastFailure", "", N, _NO_SWITCH),
    FieldRule(HR, "spec.upgrade.disableWaitForJobs", "spec.upgrade.disableWaitForJobs", M),
    FieldRule(
        HR, "spec.upgrade.disableOpenAPIValidation", "spec.upgrade.disableOpenAPIValidation", M
    ),
    FieldRule(
        HR, "spec.upgrade.disableSchemaValidation", "spec.upgrade.disableSchemaValidation", M
    ),
    FieldRule(HR, "spec.upgrade.disableTakeOwnership", "spec.upgrade.disableTakeOwnership", M),
    FieldRule(HR, "spec.upgrade.serverSideApply", "spec.upgrade.serverSideApply", M),
    FieldRule(HR, "spec.upgrade.force", "spec.upgrade.force", M),
    FieldRule(HR, "spec.upgrade.preserveValues", "spec.upgrade.preserveValues", M),
    # test, rollback, uninstall
    FieldRule(HR, "spec.test.enable", "spec.test.enable", M),
    FieldRule(HR, "spec.test.ignoreFailures", "spec.test.ignoreFailures", M),
    FieldRule(HR, "spec.test.timeout", "spec.test.timeout", M),
    FieldRule(HR, "spec.test.filters", "spec.test.filters", M),
    FieldRule(HR, "spec.rollback.cleanupOnFail", "spec.rollback.cleanupOnFail", M),
    FieldRule(HR, "spec.rollback.disableWait", "spec.rollback.disableWait", M),
    FieldRule(HR, "spec.rollback.disableHooks", "spec.rollback.disableHooks", M),
    FieldRule(HR, "spec.rollback.force", "spec.rollback.force", M),
    FieldRule(HR, "spec.rollback.timeout", "spec.rollback.timeout", M),
    FieldRule(HR, "spec.rollback.disableWaitForJobs", "spec.rollback.disableWaitForJobs", M),
    FieldRule(
        HR,
        "spec.rollback.recreate",
        "spec.rollback.recreate",
        A,
        "copied; Steersman deletes the workloads' Pods as helm v3 did (Flux under Helm 4 "
        "ignores it)",
    ),
    FieldRule(HR, "spec.rollback.serverSideApply", "spec.rollback.serverSideApply", M),
    FieldRule(HR, "spec.uninstall.keepHistory", "spec.uninstall.keepHistory", M),
    FieldRule(HR, "spec.uninstall.disableHooks", "spec.uninstall.disableHooks", M),
    FieldRule(HR, "spec.uninstall.deletionPropagation", "spec.uninstall.deletionPropagation", M),
    FieldRule(HR, "spec.uninstall.timeout", "spec.uninstall.timeout", M),
    FieldRule(HR, "spec.uninstall.disableWait", "spec.uninstall.disableWait", M),
    # drift detection
    FieldRule(HR, "spec.driftDetection.mode", "spec.driftDetection.mode", M),
    FieldRule(HR, "spec.driftDetection.ignore[].paths", "spec.driftDetection.ignore[].paths", M),
    FieldRule(
        HR,
        "spec.driftDetection.ignore[].target",
        "spec.driftDetection.ignore[].target",
        A,
        "group, version, kind, name, namespace are copied; a rule with a labelSelector or "
        "annotationSelector is dropped whole (without it the rule would match more objects)",
    ),
    # HelmRepository
    FieldRule(REPO, "spec.url", "spec.chart.repository", M),
    FieldRule(REPO, "spec.type", "", A, "oci is said by the oci:// URL"),
    FieldRule(REPO, "spec.secretRef", "spec.chart.secretRef", A, _SECRET_NOTE),
    FieldRule(
        REPO,
        "spec.certSecretRef",
        "spec.chart.secretRef",
        A,
        "used as secretRef when there is none (one Secret holds credentials and TLS keys); "
        "otherwise not carried",
    ),
    FieldRule(
        REPO,
        "spec.insecure",
        "spec.chart.insecure",
        A,
        "oci:// only; for http(s):// the URL's scheme decides",
    ),
    FieldRule(REPO, "spec.provider", "", A, "generic only; aws, azure and gcp are not carried"),
    FieldRule(REPO, "spec.passCredentials", "", N, _NO_SWITCH),
    FieldRule(REPO, "spec.interval", "", A, _SOURCE_POLLING),
    FieldRule(REPO, "spec.timeout", "", N, "the operator's HTTP timeouts apply"),
    FieldRule(REPO, "spec.suspend", "", N, "no source object to suspend"),
    FieldRule(REPO, "spec.accessFrom", "", N, "no source object to share"),
    # OCIRepository
    FieldRule(
        OCI,
        "spec.url",
        "spec.chart.repository",
        A,
        "split into repository (all but the last path segment) and chart name (the last)",
    ),
    FieldRule(OCI, "spec.ref.semver", "spec.chart.version", M),
    FieldRule(
        OCI,
        "spec.ref.tag",
        "spec.chart.version",
        A,
        "must be a chart version; without ref, version '*' (the highest) replaces Flux's "
        "tag latest",
    ),
    FieldRule(OCI, "spec.ref.digest", "spec.chart.digest", M),
    FieldRule(OCI, "spec.ref.semverFilter", "", N, _NO_SWITCH),
    FieldRule(
        OCI,
        "spec.layerSelector",
        "",
        A,
        "the Helm chart layer is what Steersman pulls; another media type is not carried",
    ),
    FieldRule(OCI, "spec.secretRef", "spec.chart.secretRef", A, _SECRET_NOTE),
    FieldRule(
        OCI,
        "spec.certSecretRef",
        "spec.chart.secretRef",
        A,
        "used as secretRef when there is none; otherwise not carried",
    ),
    FieldRule(OCI, "spec.insecure", "spec.chart.insecure", M),
    FieldRule(OCI, "spec.provider", "", A, "generic only; aws, azure and gcp are not carried"),
    FieldRule(OCI, "spec.verify", "", N, "Steersman does not verify chart signatures"),
    FieldRule(OCI, "spec.serviceAccountName", "", N, "registry credentials come from secretRef"),
    FieldRule(OCI, "spec.proxySecretRef", "", N, "the operator's HTTPS_PROXY applies"),
    FieldRule(OCI, "spec.ignore", "", N, "the chart is used whole"),
    FieldRule(OCI, "spec.interval", "", A, _SOURCE_POLLING),
    FieldRule(OCI, "spec.timeout", "", N, "the operator's HTTP timeouts apply"),
    FieldRule(OCI, "spec.suspend", "", N, "no source object to suspend"),
    # HelmChart
    FieldRule(CHART, "spec.chart", "spec.chart.name", M),
    FieldRule(CHART, "spec.version", "spec.chart.version", M),
    FieldRule(
        CHART,
        "spec.sourceRef",
        "spec.chart.repository",
        A,
        "resolved against the HelmRepository in the same input",
    ),
    FieldRule(CHART, "spec.valuesFiles", "spec.chart.valuesFiles", M),
    FieldRule(CHART, "spec.valuesFile", "spec.chart.valuesFiles", A, "appended after valuesFiles"),
    FieldRule(CHART, "spec.ignoreMissingValuesFiles", "spec.chart.ignoreMissingValuesFiles", M),
    FieldRule(
        CHART,
        "spec.reconcileStrategy",
        "",
        A,
        "ChartVersion is what Steersman does; Revision is not carried",
    ),
    FieldRule(CHART, "spec.verify", "", N, "Steersman does not verify chart signatures"),
    FieldRule(CHART, "spec.interval", "", A, _SOURCE_POLLING),
    FieldRule(CHART, "spec.suspend", "", N, "no source object to suspend"),
)


def rule_for(kind: str, segments: tuple[str, ...]) -> FieldRule | None:
    """The rule covering a field: the one with the longest path that is a prefix of it."""
    best: FieldRule | None = None
    for rule in FIELDS:
        if rule.kind != kind:
            continue
        n = len(rule.segments)
        if segments[:n] == rule.segments and (best is None or n > len(best.segments)):
            best = rule
    return best


def markdown_table() -> str:
    """The field map as docs/migrating-from-flux.md shows it."""
    lines = ["| Flux field | Steersman field | status | note |", "|---|---|---|---|"]
    for rule in FIELDS:
        ours = f"`{rule.ours}`" if rule.ours else "—"
        lines.append(f"| `{rule.kind}` `{rule.flux}` | {ours} | {rule.status} | {rule.note} |")
    return "\n".join(lines) + "\n"
