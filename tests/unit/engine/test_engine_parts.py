"""Pure parts of the release engine: names, ownership, manifests, hook order, stored charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from steersman.chart.loader import load
from steersman.engine.csa import upgraded_managed_fields
from steersman.engine.errors import InvalidReleaseName, ManifestInvalid
from steersman.engine.hooks import hooks_for
from steersman.engine.objects import Target, difference, parse_documents
from steersman.engine.ownership import (
    is_kept,
    ownership_problem,
    validate_release_name,
    with_ownership,
)
from steersman.engine.records import new_release, stored_chart
from steersman.engine.uninstall import UninstallResult
from steersman.golang import goyaml
from steersman.storage import GoTime, Hook, Info, Release

_LAST_APPLIED_KEY = "f:kubectl.kubernetes.io/last-applied-configuration"
CHARTS = Path(__file__).resolve().parents[2] / "charts" / "engine"


@pytest.mark.parametrize("name", ["a", "web", "a-b.c-d", "1abc", "x" * 53, "a.b.c"])
def test_valid_release_names(name: str) -> None:
    validate_release_name(name)


@pytest.mark.parametrize("name", ["x" * 54, "Web", "-a", "a-", "a_b", "a..b", "a\n", ".a"])
def test_invalid_release_names(name: str) -> None:
    with pytest.raises(InvalidReleaseName) as err:
        validate_release_name(name)
    assert str(err.value).startswith(f'release name "{name}": invalid release name, must match')
    assert str(err.value).endswith("and the length must not be longer than 53")


def test_empty_release_name() -> None:
    with pytest.raises(InvalidReleaseName, match=r'^release name "": no name provided$'):
        validate_release_name("")


def test_ownership_metadata_is_added_and_checked() -> None:
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "x",
            "labels": {"app": "x", "app.kubernetes.io/managed-by": "Tiller"},
            "annotations": {"note": "kept"},
        },
    }
    owned = with_ownership(obj, "web", "prod")
    assert owned["metadata"]["labels"] == {"app": "x", "app.kubernetes.io/managed-by": "Helm"}
    assert owned["metadata"]["annotations"] == {
        "note": "kept",
        "meta.helm.sh/release-name": "web",
        "meta.helm.sh/release-namespace": "prod",
    }
    assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Tiller"  # a copy
    assert ownership_problem(owned, "web", "prod") is None
    assert ownership_problem(owned, "api", "prod") == (
        "invalid ownership metadata; annotation validation error: key "
        '"meta.helm.sh/release-name" must equal "api": current value is "web"'
    )
    assert ownership_problem(obj, "web", "prod") == (
        "invalid ownership metadata; label validation error: key "
        '"app.kubernetes.io/managed-by" must equal "Helm": current value is "Tiller"; '
        'annotation validation error: missing key "meta.helm.sh/release-name": must be set '
        'to "web"; annotation validation error: missing key "meta.helm.sh/release-namespace": '
        'must be set to "prod"'
    )


def test_keep_policy() -> None:
    assert is_kept({"helm.sh/resource-policy": "keep"})
    assert not is_kept({"helm.sh/resource-policy": "Keep"})
    assert not is_kept({})


def test_hooks_run_by_weight_then_name_keeping_kind_order_otherwise() -> None:
    def hook(name: str, kind: str, weight: int, *events: str) -> Hook:
        return Hook(name=name, kind=kind, weight=weight, events=list(events))

    rel = Release(
        name="r",
        namespace="n",
        version=1,
        info=Info(),
        hooks=[  # stored in kind order, as the renderer sorts them
            hook("z-sa", "ServiceAccount", 0, "pre-install"),
            hook("same", "Secret", 0, "pre-install"),
            hook("same", "ConfigMap", 0, "pre-install"),
            hook("b-job", "Job", -1, "pre-install", "pre-upgrade"),
            hook("a-job", "Job", 3, "pre-install"),
            hook("t", "Pod", -9, "test"),
        ],
    )
    assert [(h.name, h.kind) for h in hooks_for(rel, "pre-install")] == [
        ("b-job", "Job"),
        ("same", "Secret"),
        ("same", "ConfigMap"),
        ("z-sa", "ServiceAccount"),
        ("a-job", "Job"),
    ]
    assert [h.name for h in hooks_for(rel, "pre-upgrade")] == ["b-job"]
    assert hooks_for(rel, "post-delete") == []


def test_parse_documents() -> None:
    text = (
        "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        "  name: a\ndata:\n  when: 2024-01-01\n  flag: 'on'\n"
        "---\n# Source: c/templates/empty.yaml\n# nothing here\n"
        "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n"
        "  metadata:\n    name: s\n"
    )
    docs = parse_documents(text)
    assert [d["kind"] for d in docs] == ["ConfigMap", "Secret"]
    assert docs[0]["data"] == {"when": "2024-01-01", "flag": "on"}  # timestamps stay text
    with pytest.raises(ManifestInvalid):
        parse_documents("---\nkind: [unclosed\n")
    with pytest.raises(ManifestInvalid):
        parse_documents("---\n- a list\n")


YAML_CORNERS = (
    "a: 2024-01-01\nb: 2024-01-01T10:00:00Z\nc: =\nd: on\ne: 0o17\nf: 017\ng: 0x1F\n"
    "h: 1_000\ni: .inf\nj: -.Inf\nk: ~\nl: !!binary aGk=\nm: 1e3\nn: 6.8523015e+5\n"
    "o: '123'\np: |-\n  block\n  text\nq: &x {r: [1, 2]}\ns: *x\nt: \"\\u00e9\\t\"\n"
    "v: y\nw: NO\nx: 0b101\ny: +12\nz: 1:20\n"
)


def test_manifests_are_read_as_go_yaml_reads_them() -> None:
    # One decoder (goyaml) for tagged and untagged documents. Its fast path (no tags, anchors,
    # non-string keys) is held to the event-by-event reference, in the JSON mode kube's
    # builder uses (integers kept).
    plain = YAML_CORNERS.replace("i: .inf\nj: -.Inf\n", "")  # JSON has no infinities
    plain = plain.replace("l: !!binary aGk=\n", "").replace("q: &x {r: [1, 2]}\ns: *x\n", "")
    plain = plain.replace("\nn:", "\nnn:").replace("\ny:", "\nyy:")  # keys `n`, `y` are bools
    assert goyaml._fast_unmarshal(plain.encode(), goyaml._plain_json_scalar) is not goyaml._NOT_SURE
    (doc,) = parse_documents(plain)
    assert doc == goyaml.reference_unmarshal(plain, floats=False)
    assert (doc["a"], doc["c"], doc["d"], doc["v"], doc["f"], doc["z"], doc["h"]) == (
        "2024-01-01",
        "=",
        True,
        True,
        15,
        "1:20",
        1000,
    )
    assert all(type(doc[k]) is int for k in ("e", "f", "g", "h", "x", "yy"))
    (tagged,) = parse_documents(plain + "l: !!binary aGk=\nq: &x {r: [1, 2]}\ns: *x\n")
    assert tagged == {**doc, "l": "hi", "q": {"r": [1, 2]}, "s": {"r": [1, 2]}}


def test_invalid_manifest_errors_are_go_yamls() -> None:
    with pytest.raises(ManifestInvalid) as err:
        parse_documents("kind: [unclosed\n")
    assert str(err.value) == (
        "error parsing manifest: error converting YAML to JSON: "
        "yaml: line 1: did not find expected ',' or ']'"
    )
    with pytest.raises(ManifestInvalid) as err:
        parse_documents("kind: A\nspec: {x: .inf}\n")
    assert str(err.value).endswith("error converting YAML to JSON: json: unsupported value: +Inf")


CM_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        # kube's builder reads manifests with sigs.k8s.io/yaml (go-yaml v2 into interface{}),
        # which keeps a timestamp, explicit tag or not, as the text written: never a time.
        ("!!timestamp 2001-12-14", "2001-12-14"),
        ("!!timestamp 2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ('!!timestamp "2001-12-14 21:59:43.1"', "2001-12-14 21:59:43.1"),
        ("2001-12-14T21:59:43Z", "2001-12-14T21:59:43Z"),
    ],
)
def test_timestamps_reach_the_apiserver_as_written(value: str, sent: str) -> None:
    (doc,) = parse_documents(CM_HEAD + f"data:\n  t: {value}\n")
    assert doc["data"] == {"t": sent}
    assert json.loads(json.dumps(doc)) == doc


def test_a_timestamp_tag_on_a_non_timestamp_is_one_clear_error() -> None:
    with pytest.raises(ManifestInvalid) as err:
        parse_documents(CM_HEAD + "data:\n  t: !!timestamp nope\n")
    assert str(err.value) == (
        "error parsing manifest: error converting YAML to JSON: "
        "yaml: cannot decode !!str `nope` as a !!timestamp"
    )


def test_tagged_documents_keep_whole_numbers_whole() -> None:
    # The JSON kube sends has 3, not 3.0 (YAMLToJSON keeps integers), tagged document or not.
    (tagged,) = parse_documents(CM_HEAD + "spec:\n  i: 3\n  f: 1.5\n  x: !foo 3\n")
    (plain,) = parse_documents(CM_HEAD + "spec:\n  i: 3\n  f: 1.5\n  x: '3'\n")
    assert tagged == plain
    assert type(tagged["spec"]["i"]) is int


def test_difference_matches_across_api_versions() -> None:
    def target(api: str, kind: str, name: str, ns: str | None = "n") -> Target:
        return Target({}, api, kind, name, ns)

    old = [
        target("apps/v1beta2", "Deployment", "web"),
        target("v1", "ConfigMap", "gone"),
        target("rbac.authorization.k8s.io/v1", "ClusterRole", "cr", None),
    ]
    new = [target("apps/v1", "Deployment", "web"), target("v1", "ConfigMap", "other")]
    assert [t.name for t in difference(old, new)] == ["gone", "cr"]


def test_stored_chart_is_the_root_chart_as_helm_writes_it() -> None:
    chart = stored_chart(load(CHARTS / "app-v1"))
    data = chart.to_json()
    assert data["metadata"] == {
        "name": "app",
        "version": "0.1.0",
        "description": "Engine tests, revision one.",
        "apiVersion": "v2",
        "appVersion": "1.0",
    }
    assert [t["name"] for t in data["templates"]] == [
        "templates/NOTES.txt",
        "templates/configmap.yaml",
        "templates/kept.yaml",
        "templates/workload.yaml",
    ]
    assert data["values"] == {"greeting": "hello"}
    assert data["files"] is None and data["lock"] is None and data["schema"] is None
    assert data["schemamodtime"] == "0001-01-01T00:00:00Z"  # v4 always writes it
    assert "modtime" in data


def test_new_release_records_server_side_apply_and_keeps_first_deployed() -> None:
    first = GoTime.parse("2025-03-04T10:15:30.5Z")
    rel = new_release(
        name="r", namespace="n", version=2, chart=None, config={}, manifest="", hooks=[],
        notes="", status="pending-upgrade", description="Preparing upgrade",
        first_deployed=first,
    )  # fmt: skip
    assert rel.apply_method == "ssa"
    assert rel.info.first_deployed == first
    assert rel.info.last_deployed is not None and first < rel.info.last_deployed
    assert rel.to_json()["info"]["status"] == "pending-upgrade"


def test_uninstall_info_lists_kept_objects() -> None:
    rel = Release(name="r", namespace="n", version=1, info=Info())
    assert UninstallResult(rel).info == ""
    kept = [Target({}, "v1", "ConfigMap", "a", "n"), Target({}, "v1", "Secret", "b", "n")]
    assert UninstallResult(rel, kept).info == (
        "These resources were kept due to the resource policy:\n[ConfigMap] a\n[Secret] b\n"
    )


def test_client_side_fields_fold_into_the_apply_entry() -> None:
    csa = {
        "manager": "helm",
        "operation": "Update",
        "apiVersion": "v1",
        "fieldsType": "FieldsV1",
        "fieldsV1": {
            "f:data": {".": {}, "f:a": {}},
            "f:metadata": {"f:annotations": {_LAST_APPLIED_KEY: {}, "f:x": {}}},
        },
    }
    status = {**csa, "subresource": "status", "fieldsV1": {"f:status": {}}}
    other = {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": {"f:data": {"f:b": {}}}}
    # no Apply entry yet: the newest CSA entry becomes it
    out = upgraded_managed_fields([csa, status, other], "helm", "helm")
    assert out == [
        {
            **csa,
            "operation": "Apply",
            "fieldsV1": {
                "f:data": {".": {}, "f:a": {}},
                "f:metadata": {"f:annotations": {"f:x": {}}},
            },
        },
        status,  # subresource entries are left alone
        other,
    ]
    apply = {"manager": "steersman", "operation": "Apply", "fieldsV1": {"f:data": {"f:c": {}}}}
    out = upgraded_managed_fields([apply, csa], "helm", "steersman")
    assert out is not None and len(out) == 1
    assert out[0]["fieldsV1"]["f:data"] == {"f:c": {}, ".": {}, "f:a": {}}
    assert upgraded_managed_fields([apply, other], "helm", "steersman") is None


def test_parse_documents_reads_tags_as_sigs_yaml_does() -> None:
    # go-yaml ignores unknown tags and collections' tags; !!binary becomes the decoded text;
    # the key `y` is YAML 1.1's true, which sigs.k8s.io/yaml writes as the key "true".
    (doc,) = parse_documents(
        "kind: ConfigMap\nmetadata: !m\n  name: a\ndata: !foo\n  x: !custom value\n"
        "  y: !<tag:x> 3\n  z: !!binary aGk=\n  l: !s [1, !q 2]\n  w: !!str {q: r}\n"
        "  s: !!set {? k}\n  o: !!omap [k: 1]\n  m: !!map v\n  r: &r !t {a: 1}\n  p: *r\n"
    )
    assert doc == {
        "kind": "ConfigMap",
        "metadata": {"name": "a"},
        "data": {
            "x": "value",
            "true": "3",
            "z": "hi",
            "l": [1, "2"],
            "w": {"q": "r"},
            "s": {"k": None},
            "o": [{"k": 1}],
            "m": "v",
            "r": {"a": 1},
            "p": {"a": 1},
        },
    }


@pytest.mark.parametrize(
    ("meta", "problem"),
    [
        # helm install's texts (kube's builder decoding into ObjectMeta), checked by hand
        # against helm v4.1.4 on the bench.
        (
            "  labels:\n    app: y\n",
            "bool into Go struct field ObjectMeta.metadata.labels of type string",
        ),
        (
            "  annotations:\n    x: on\n",
            "bool into Go struct field ObjectMeta.metadata.annotations of type string",
        ),
        (
            "  labels:\n    v: 1.5\n",
            "number into Go struct field ObjectMeta.metadata.labels of type string",
        ),
        (
            "  labels: [a]\n",
            "array into Go struct field ObjectMeta.metadata.labels of type map[string]string",
        ),
        (
            "  namespace: n\n",
            "bool into Go struct field ObjectMeta.metadata.namespace of type string",
        ),
    ],
)
def test_metadata_helm_cannot_decode_is_refused_in_its_words(meta: str, problem: str) -> None:
    with pytest.raises(ManifestInvalid) as err:
        parse_documents(CM_HEAD + meta)
    assert str(err.value).startswith(
        "unable to build kubernetes objects from release manifest: unable to decode "
        f'"": json: cannot unmarshal {problem} (an unquoted y, n'
    )


def test_metadata_strings_and_empty_fields_pass() -> None:
    (doc,) = parse_documents(CM_HEAD + '  labels:\n    a: "y"\n    b:\n  annotations: {}\n')
    assert doc["metadata"]["labels"] == {"a": "y", "b": None}
    items = "apiVersion: v1\nkind: List\nitems:\n- kind: A\n  metadata:\n    name: 3\n"
    with pytest.raises(
        ManifestInvalid, match=r"number into Go struct field ObjectMeta\.metadata\.name"
    ):
        parse_documents(items)
