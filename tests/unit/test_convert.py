"""`steersman convert`: the Flux -> Steersman mapping (flux_convert), its field table (flux_fields)
against docs/migrating-from-flux.md, and the command's input handling and exit codes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from steersman.api import HelmRelease
from steersman.cli import main
from steersman.commands.flux_convert import Conversion, convert
from steersman.commands.flux_fields import FIELDS, HR, Status, markdown_table, path_segments

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).parent / "flux_samples"
GUIDE = ROOT / "docs" / "migrating-from-flux.md"

REPO: dict[str, Any] = {
    "apiVersion": "source.toolkit.fluxcd.io/v1",
    "kind": "HelmRepository",
    "metadata": {"name": "charts", "namespace": "apps"},
    "spec": {"interval": "10m", "url": "https://charts.example.org/stable"},
}


def release(spec: dict[str, Any], version: str = "v2", **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"helm.toolkit.fluxcd.io/{version}",
        "kind": "HelmRelease",
        "metadata": {"name": "web", "namespace": "apps", **meta},
        "spec": spec,
    }


def chart_template(**extra: Any) -> dict[str, Any]:
    return {
        "spec": {"chart": "web", "sourceRef": {"kind": "HelmRepository", "name": "charts"}, **extra}
    }


def only(result: Conversion) -> tuple[dict[str, Any], list[str]]:
    (one,) = result.releases
    assert one.error is None, one.error
    assert one.body is not None
    HelmRelease.from_k8s(one.body)  # valid for our API
    return one.body, one.notes


# Every MAPPED HelmRelease field, set to a value our API accepts.
EVERY_MAPPED_FIELD: dict[str, Any] = {
    "interval": "15m",
    "timeout": "3m",
    "suspend": True,
    "releaseName": "web-prod",
    "targetNamespace": "web",
    "storageNamespace": "apps",
    "maxHistory": 7,
    "serviceAccountName": "deployer",
    "dependsOn": [{"name": "db", "namespace": "data"}],
    "values": {"replicas": 2, "when": "2024-01-01"},
    "valuesFrom": [
        {
            "kind": "Secret",
            "name": "web-values",
            "valuesKey": "prod.yaml",
            "targetPath": "a.b",
            "optional": True,
        }
    ],
    "chart": chart_template(
        version="1.2.x", valuesFiles=["values.yaml"], ignoreMissingValuesFiles=True
    ),
    "install": {
        "createNamespace": True,
        "crds": "Skip",
        "disableWait": True,
        "disableHooks": True,
        "timeout": "1m",
        "disableWaitForJobs": True,
        "disableSchemaValidation": True,
        "disableOpenAPIValidation": True,
        "disableTakeOwnership": True,
        "serverSideApply": False,
        "replace": True,
    },
    "upgrade": {
        "cleanupOnFail": True,
        "disableWait": True,
        "disableHooks": True,
        "remediation": {"strategy": "uninstall"},
        "timeout": "2m",
        "disableWaitForJobs": True,
        "disableSchemaValidation": True,
        "disableOpenAPIValidation": True,
        "disableTakeOwnership": True,
        "serverSideApply": "disabled",
        "force": True,
        "preserveValues": True,
    },
    "test": {
        "enable": True,
        "ignoreFailures": True,
        "timeout": "3m",
        "filters": [{"name": "smoke", "exclude": True}],
    },
    "rollback": {
        "cleanupOnFail": True,
        "disableWait": True,
        "disableHooks": True,
        "force": True,
        "timeout": "4m",
        "disableWaitForJobs": True,
        "serverSideApply": "auto",
    },
    "uninstall": {
        "keepHistory": True,
        "disableHooks": True,
        "deletionPropagation": "foreground",
        "timeout": "5m",
        "disableWait": True,
    },
    "driftDetection": {"mode": "warn", "ignore": [{"paths": ["/spec/replicas"]}]},
    "postRenderers": [{"kustomize": {"images": [{"name": "nginx", "newTag": "2"}]}}],
    "commonMetadata": {"labels": {"team": "web"}, "annotations": {"owner": "x"}},
    "kubeConfig": {"secretRef": {"name": "remote", "key": "value.yaml"}},
}


def lookup(obj: Any, segments: tuple[str, ...]) -> Any:
    for part in segments:
        obj = obj[0] if part == "[]" else obj[part]
    return obj


def test_every_mapped_helmrelease_field_reaches_its_field() -> None:
    flux = release(EVERY_MAPPED_FIELD, labels={"team": "web"}, annotations={"note": "x"})
    body, notes = only(convert([REPO, flux]))
    assert notes == [  # the only remark: db itself is not in the input
        "spec.dependsOn: data/db is not converted with it: Steersman waits for a Steersman "
        "HelmRelease of that name, so convert and apply that one too"
    ]
    for rule in FIELDS:
        if rule.kind == HR and rule.status is Status.MAPPED:
            flux_value = lookup(flux, rule.segments)
            assert lookup(body, path_segments(rule.ours)) == flux_value, rule.flux
    assert body["spec"]["chart"]["repository"] == "https://charts.example.org/stable"


def test_a_dependency_outside_the_input_is_noted() -> None:
    db = release({"chart": chart_template()})
    db["metadata"]["name"] = "db"
    web = release({"chart": chart_template(), "dependsOn": [{"name": "db"}, {"name": "cache"}]})
    result = convert([REPO, db, web])
    assert [r.notes for r in result.releases] == [
        [],
        [
            "spec.dependsOn: apps/cache is not converted with it: Steersman waits for a "
            "Steersman HelmRelease of that name, so convert and apply that one too"
        ],
    ]


def test_the_guide_carries_the_field_table_verbatim() -> None:
    assert markdown_table() in GUIDE.read_text(), (
        "docs/migrating-from-flux.md is out of date: run `python -m hack.gen_flux_field_map`"
    )


def test_each_field_not_carried_is_one_line_with_its_reason() -> None:
    spec = {
        "interval": "5m",
        "chart": chart_template(verify={"provider": "cosign"}),
        # timeout, disableTakeOwnership and force are carried over: no note
        "install": {
            "timeout": "10m",
            "disableTakeOwnership": True,
            "remediation": {"remediateLastFailure": True},
        },
        "upgrade": {"force": True, "strategy": {"name": "RetryOnFailure"}},
        "kubeConfig": {"configMapRef": {"name": "remote"}},
        "frobnicate": 1,
    }
    _, notes = only(convert([REPO, release(spec)]))
    assert notes == [
        "spec.chart.spec.verify: not carried: Steersman does not verify chart signatures",
        "spec.install.remediation.remediateLastFailure: not carried: Steersman has no such switch",
        "spec.kubeConfig.configMapRef: not carried: cloud-provider kubeconfigs (workload "
        "identity) are not supported: use a kubeconfig Secret (secretRef)",
        "spec.frobnicate: not carried: a field convert does not know (a typo, or a newer Flux API)",
        "spec.upgrade.strategy.name: not carried: RetryOnFailure (retry without rolling back) has "
        "no equivalent; Steersman remediates before each retry, as RemediateOnFailure does",
    ]


def test_post_renderers_and_common_metadata_are_carried() -> None:
    renderers = [
        {
            "kustomize": {
                "patches": [{"patch": "kind: ConfigMap\n", "target": {"kind": "ConfigMap"}}],
                "images": [{"name": "nginx", "newTag": "2"}],
            }
        }
    ]
    metadata = {"labels": {"team": "web"}}
    spec = {"chart": chart_template(), "postRenderers": renderers, "commonMetadata": metadata}
    converted, notes = only(convert([REPO, release(spec)]))
    assert converted["spec"]["postRenderers"] == renderers
    assert converted["spec"]["commonMetadata"] == metadata
    assert notes == []


def test_labels_and_annotations_flux_wrote_are_left_behind() -> None:
    exported = release(
        {"chart": chart_template()},
        labels={"team": "web", "kustomize.toolkit.fluxcd.io/name": "apps"},
        annotations={
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
            "owner": "web-team",
        },
    )
    exported["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    body, notes = only(convert([REPO, exported]))
    assert body["metadata"] == {
        "name": "web",
        "namespace": "apps",
        "labels": {"team": "web"},
        "annotations": {"owner": "web-team"},
    }
    assert "status" not in body and notes == []


def test_flux_defaults_that_differ_from_ours_are_written_out() -> None:
    body, _ = only(convert([REPO, release({"interval": "5m", "chart": chart_template()})]))
    assert body["spec"]["upgrade"] == {"crds": "Skip"}  # Flux skips CRDs on upgrade
    spec = {
        "interval": "5m",
        "chart": chart_template(),
        "install": {"skipCRDs": True, "remediation": {"retries": -3}},
        "upgrade": {"crds": "CreateReplace", "remediation": {"retries": 2}},
    }
    body, _ = only(convert([REPO, release(spec)]))
    assert body["spec"]["install"] == {"crds": "Skip", "remediation": {"retries": -1}}
    assert body["spec"]["upgrade"] == {"crds": "CreateReplace", "remediation": {"retries": 2}}


def test_oci_repository_gives_repository_name_version_digest_and_credentials() -> None:
    digest = "sha256:" + "ab" * 32
    source = {
        "apiVersion": "source.toolkit.fluxcd.io/v1beta2",
        "kind": "OCIRepository",
        "metadata": {"name": "proxy", "namespace": "net"},
        "spec": {
            "interval": "1h",
            "url": "oci://registry.example.org/charts/edge-proxy",
            "ref": {"tag": "1.4.2", "digest": digest},
            "insecure": True,
            "secretRef": {"name": "regcred"},
            "provider": "aws",
        },
    }
    flux = release({"interval": "5m", "chartRef": {"kind": "OCIRepository", "name": "proxy"}})
    flux["metadata"]["namespace"] = "net"
    body, notes = only(convert([source, flux]))
    assert body["spec"]["chart"] == {
        "repository": "oci://registry.example.org/charts",
        "name": "edge-proxy",
        "version": "1.4.2",
        "digest": digest,
        "insecure": True,
        "secretRef": {"name": "regcred"},
    }
    assert any("spec.provider: not carried: 'aws'" in n for n in notes)


def test_oci_tag_that_is_no_version_is_not_converted() -> None:
    source = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": {"name": "proxy", "namespace": "apps"},
        "spec": {"url": "oci://registry.example.org/charts/edge-proxy", "ref": {"tag": "latest"}},
    }
    result = convert([source, release({"chartRef": {"kind": "OCIRepository", "name": "proxy"}})])
    assert result.releases[0].body is None
    assert "spec.ref.tag 'latest' is not a chart version" in str(result.releases[0].error)


def test_helm_chart_ref_is_followed_to_its_helm_repository() -> None:
    helm_chart = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmChart",
        "metadata": {"name": "web-chart", "namespace": "apps"},
        "spec": {
            "chart": "web",
            "version": "3.x",
            "sourceRef": {"kind": "HelmRepository", "name": "charts"},
            "valuesFiles": ["values.yaml", "values-prod.yaml"],
        },
    }
    private = {**REPO, "spec": {**REPO["spec"], "secretRef": {"name": "basic-auth"}}}
    flux = release({"interval": "5m", "chartRef": {"kind": "HelmChart", "name": "web-chart"}})
    body, _ = only(convert([private, helm_chart, flux]))
    assert body["spec"]["chart"] == {
        "repository": "https://charts.example.org/stable",
        "name": "web",
        "version": "3.x",
        "secretRef": {"name": "basic-auth"},
        "valuesFiles": ["values.yaml", "values-prod.yaml"],
    }


def test_a_secret_in_the_repositorys_namespace_is_flagged() -> None:
    shared = {
        **REPO,
        "metadata": {"name": "charts", "namespace": "flux-system"},
        "spec": {**REPO["spec"], "secretRef": {"name": "basic-auth"}},
    }
    ref = {"kind": "HelmRepository", "name": "charts", "namespace": "flux-system"}
    flux = release({"interval": "5m", "chart": {"spec": {"chart": "web", "sourceRef": ref}}})
    body, notes = only(convert([shared, flux]))
    assert body["spec"]["chart"]["secretRef"] == {"name": "basic-auth"}
    assert any("read from the HelmRelease's namespace (apps), not flux-system" in n for n in notes)


def test_drift_rules_with_selectors_are_dropped_whole() -> None:
    ignore = [
        {"paths": ["/spec/replicas"], "target": {"kind": "Deployment", "name": "web"}},
        {"paths": ["/data"], "target": {"kind": "ConfigMap", "labelSelector": "app=web"}},
    ]
    spec = {"chart": chart_template(), "driftDetection": {"mode": "enabled", "ignore": ignore}}
    body, notes = only(convert([REPO, release(spec)]))
    assert body["spec"]["driftDetection"] == {
        "mode": "enabled",
        "ignore": [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment", "name": "web"}}],
    }
    assert any(n.startswith("spec.driftDetection.ignore[1]: not carried") for n in notes)


@pytest.mark.parametrize(
    ("sources", "spec", "reason"),
    [
        (
            [],
            {"chart": chart_template()},
            "names HelmRepository apps/charts, which is not in the input",
        ),
        (
            [],
            {
                "chart": {
                    "spec": {"chart": "web", "sourceRef": {"kind": "GitRepository", "name": "g"}}
                }
            },
            "is a GitRepository: charts from a GitRepository have no Steersman equivalent",
        ),
        ([REPO], {"interval": "5m"}, "has neither spec.chart.spec nor spec.chartRef"),
        (
            [REPO],
            {"chart": chart_template(), "interval": "0s"},
            "not a valid HelmRelease: spec.interval",
        ),
    ],
)
def test_a_release_that_cannot_be_expressed_says_why(
    sources: list[dict[str, Any]], spec: dict[str, Any], reason: str
) -> None:
    (one,) = convert([*sources, release(spec)]).releases
    assert one.body is None
    assert reason in str(one.error)


def test_cli_reads_folders_and_prints_valid_helmreleases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["convert", str(SAMPLES / "base"), str(SAMPLES / "ingress"), str(SAMPLES / "legacy")]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    objects = list(yaml.safe_load_all(out))
    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objects] == [
        ("shop", "storefront"),
        ("ingress", "edge-proxy"),
        ("team-a", "toolbox"),
    ]
    for obj in objects:
        HelmRelease.from_k8s(obj)
    assert "HelmRelease shop/storefront: spec.install.strategy.name: not carried" in err
    assert err.splitlines()[-1] == "converted 3 HelmReleases; 2 notes"


def test_cli_reads_stdin_and_unpacks_lists(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [REPO, release({"chart": chart_template()})],
    }
    monkeypatch.setattr("sys.stdin", io.StringIO(yaml.safe_dump(listed)))
    assert main(["convert", "-q"]) == 0
    out, err = capsys.readouterr()
    assert yaml.safe_load(out)["spec"]["chart"]["name"] == "web"
    assert err == ""


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("kind: HelmRelease\nspec: [a\n", "Error: <stdin>: not valid YAML at line 3:"),
        (
            "apiVersion: v1\nkind: ConfigMap\n",
            "Error: no Flux HelmRelease in the input (found ConfigMap)",
        ),
    ],
)
def test_cli_input_errors_are_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, text: str, error: str
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["convert", "-"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith(error), err


def test_cli_missing_path_is_an_input_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "/nonexistent/flux"]) == 1
    assert capsys.readouterr().err == "Error: /nonexistent/flux: no such file or folder\n"


def test_cli_prints_what_converts_and_exits_1_for_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The whole samples tree holds the base and its overlay patch: storefront twice.
    assert main(["convert", str(SAMPLES)]) == 1
    out, err = capsys.readouterr()
    assert [o["metadata"]["name"] for o in yaml.safe_load_all(out)] == ["edge-proxy", "toolbox"]
    assert "HelmRelease shop/storefront: not converted: appears 2 times in the input" in err
    assert err.splitlines()[-1] == "Error: 1 of 3 HelmReleases not converted (reasons above)"


def test_help_lists_convert(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "convert" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ([1, 2], "has no spec"),
        ({"chart": "web"}, "has neither spec.chart.spec nor spec.chartRef"),
        (
            {"chart": chart_template(), "valuesFrom": [7]},
            "not a valid HelmRelease: spec.valuesFrom.0",
        ),
        (
            {"chart": chart_template(), "driftDetection": {"ignore": ["x", {"paths": 3}]}},
            "not a valid HelmRelease: spec.driftDetection.ignore.0.paths",
        ),
        ({"chart": chart_template(), "values": ["a"]}, "not a valid HelmRelease: spec.values"),
    ],
)
def test_malformed_input_is_refused_with_a_reason_never_a_crash(spec: Any, reason: str) -> None:
    (one,) = convert([REPO, release(spec)]).releases
    assert one.body is None
    assert reason in str(one.error), one.error


def test_a_helmrelease_without_a_name_is_refused() -> None:
    nameless = release({"chart": chart_template()})
    nameless["metadata"] = "web"
    (one,) = convert([REPO, nameless]).releases
    assert one.error == "has no metadata.name"
