"""render_release: the API the release engine uses (options, lookup, CRDs, notes, errors), plus
the render-context pieces (kube versions, Files.Glob) and toToml. Byte-level parity with helm is
checked by tests/conformance; the expected strings here were printed by helm v4.1.4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from steersman.chart.loader import load
from steersman.chart.model import ChartError
from steersman.chart.render.context import (
    KubeParseError,
    compile_glob,
    default_capabilities,
    parse_kube_version,
)
from steersman.chart.render.engine import ReleaseOptions, RenderError, render_release
from steersman.chart.values.coalesce import ValuesError
from steersman.golang.tomlout import from_toml, to_toml
from steersman.golang.types import GoInt64

CHARTS = Path(__file__).resolve().parents[2] / "conformance" / "charts"
OPTS = ReleaseOptions(name="rel", namespace="ns")


def write_chart(root: Path, templates: dict[str, str], values: str = "", extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Chart.yaml").write_text(f"apiVersion: v2\nname: t\nversion: 0.1.0\n{extra}")
    (root / "values.yaml").write_text(values)
    for name, text in templates.items():
        path = root / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_release_options_reach_templates(tmp_path: Path) -> None:
    chart = load(
        write_chart(
            tmp_path / "c",
            {
                "cm.yaml": "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
                "data:\n  r: {{ .Release | toJson | quote }}\n"
            },
        )
    )
    opts = ReleaseOptions("app", "prod", revision=4, is_install=False, is_upgrade=True)
    rel = render_release(chart, {}, opts)
    assert rel.manifest == (
        "---\n# Source: t/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n"
        '  r: "{\\"IsInstall\\":false,\\"IsUpgrade\\":true,\\"Name\\":\\"app\\",'
        '\\"Namespace\\":\\"prod\\",\\"Revision\\":4,\\"Service\\":\\"Helm\\"}"\n'
    )


def test_values_hooks_notes_and_chart_left_unchanged() -> None:
    chart = load(CHARTS / "conditions")
    before = [sub.name for sub in chart.dependencies]
    rel = render_release(chart, {"redis": {"enabled": True}}, OPTS)
    assert rel.values["redis"]["enabled"] is True
    assert "# Source: conditions/charts/redis/templates/cm.yaml" in rel.manifest
    # a condition that is not a bool or does not resolve leaves the dependency enabled
    assert "# Source: conditions/charts/db/" in rel.manifest
    assert "# Source: conditions/charts/web/" in rel.manifest
    tags_off = render_release(chart, {"tags": {"backend": False}}, OPTS)
    assert "# Source: conditions/charts/cache/" not in tags_off.manifest
    assert [sub.name for sub in chart.dependencies] == before  # rendering works on a copy

    hooks = render_release(load(CHARTS / "hooks"), {}, OPTS).hooks
    assert [h.name for h in hooks if "test" in h.events] == [
        "rel-test",
        "hook-test",
        "hook-test-success",
    ]
    multi = next(h for h in hooks if h.name == "multi-event")
    assert (multi.events, multi.weight, multi.output_log_policies) == (
        ["pre-install", "post-upgrade"],
        0,
        ["hook-failed"],
    )
    assert all(h.name != "helm2-crd-install-dropped" for h in hooks)


def test_notes_root_only_unless_sub_notes() -> None:
    chart = load(CHARTS / "notes")
    assert render_release(chart, {}, OPTS).notes == "Thank you for installing notes.\n"
    with_sub = render_release(chart, {}, OPTS, sub_notes=True).notes
    assert sorted(filter(None, with_sub.splitlines())) == [
        "Sub notes ",
        "Thank you for installing notes.",
        "nested notes are dropped notes",  # templates/extra/NOTES.txt counts as a sub note
    ]


def test_include_crds_puts_raw_crds_first() -> None:
    rel = render_release(load(CHARTS / "crds"), {}, OPTS, include_crds=True)
    sources = [line for line in rel.manifest.splitlines() if line.startswith("# Source:")]
    assert sources[:3] == [
        "# Source: crds/crds/gadgets.json",
        "# Source: crds/crds/widgets.yaml",
        "# Source: crds/charts/operator/crds/ops.yml",
    ]
    assert "# Source: crds/crds/README.txt" not in rel.manifest
    plain = render_release(load(CHARTS / "crds"), {}, OPTS)
    assert "CustomResourceDefinition" not in plain.manifest


def test_lookup_callback_answers_templates(tmp_path: Path) -> None:
    chart = load(
        write_chart(
            tmp_path / "c",
            {
                "cm.yaml": '{{ $s := lookup "v1" "Secret" .Release.Namespace "db" }}'
                "kind: ConfigMap\ndata:\n  pw: {{ with $s.data }}{{ .pw }}{{ end }}\n"
            },
        )
    )
    calls: list[tuple[str, str, str, str]] = []

    def lookup(api: str, kind: str, ns: str, name: str) -> dict[str, Any]:
        calls.append((api, kind, ns, name))
        return {"data": {"pw": "c2VjcmV0"}}

    rel = render_release(chart, {}, OPTS, lookup=lookup)
    assert calls == [("v1", "Secret", "ns", "db")]
    assert "pw: c2VjcmV0" in rel.manifest
    # helm template semantics without a callback: an empty map
    assert render_release(chart, {}, OPTS).manifest.endswith("data:\n  pw:\n")

    def broken(*_: str) -> dict[str, Any]:
        raise ConnectionError("apiserver unreachable")

    with pytest.raises(RenderError, match="error calling lookup: apiserver unreachable"):
        render_release(chart, {}, OPTS, lookup=broken)


def test_errors_carry_helms_texts(tmp_path: Path) -> None:
    chart = load(CHARTS / "errors")
    with pytest.raises(RenderError) as err:
        render_release(chart, {"mode": "required"}, OPTS)
    assert str(err.value) == (
        "execution error at (errors/templates/cm.yaml:7:8): A valid .Values.foo entry required!"
    )
    with pytest.raises(RenderError) as err:
        render_release(chart, {"mode": "tplError"}, OPTS, helm_major=3)
    assert str(err.value).startswith("template: errors/templates/cm.yaml:25:8: executing")
    with pytest.raises(ValuesError, match="- at '/replicaCount': got string, want integer"):
        render_release(load(CHARTS / "schema"), {"replicaCount": "x"}, OPTS)
    constrained = load(CHARTS / "kube-constraint")
    caps = default_capabilities(kube_version="1.29.0")
    with pytest.raises(RenderError, match=r"incompatible with Kubernetes v1\.29\.0"):
        render_release(constrained, {}, OPTS, capabilities=caps)
    with pytest.raises(ChartError):
        load(tmp_path / "missing")


def test_kube_version_parsing_per_helm_major() -> None:
    v4 = parse_kube_version("1.29")
    assert (v4.version, v4.version_string(), v4.major, v4.minor) == ("v1.29", "v1.29", "1", "29")
    gke = parse_kube_version("v1.30.2-gke.1")
    assert (gke.version, gke.version_string()) == ("v1.30.2-gke.1", "v1.30.2")
    v3 = parse_kube_version("1.29", helm_major=3)
    assert (v3.version, v3.version_string()) == ("v1.29.0", "v1.29.0")
    with pytest.raises(KubeParseError, match='illegal version string "1"'):
        parse_kube_version("1")
    with pytest.raises(KubeParseError, match='could not parse "abc" as version'):
        parse_kube_version("abc")


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("files/*", "files/a.txt", True),
        ("files/*", "files/sub/a.txt", False),
        ("files/**", "files/sub/a.txt", True),
        ("**.{txt,json}", "config/data.json", True),
        ("tok?n", "token", True),
        ("tok?n", "tok/n", False),
        ("[a-k]*", "app.properties", True),
        ("[!a-k]*", "app.properties", False),
        ("[", "anything/at/all", True),  # invalid pattern: Helm falls back to **
    ],
)
def test_files_glob(pattern: str, path: str, matches: bool) -> None:
    assert (compile_glob(pattern).match(path) is not None) is matches


def test_to_toml_matches_burntsushi() -> None:
    value = {
        "a": 1.0,
        "big": 1e21,
        "million": 1e6,
        "s": 'q "x" \\ \t\u007f',
        "key with space": GoInt64(5),
        "list": [1.0, "x", True],
        "mixed": [{"a": 1.0}, 2.0],
        "nil": None,
        "empty": {},
        "nested": {"x": 1.0, "deeper": {"z": [1.0]}, "after": 3.0},
        "tables": [{"name": "a"}, {"name": "b", "sub": {"k": "v"}}],
    }
    assert to_toml(value) == (
        "a = 1.0\n"
        "big = 1e+21\n"
        '"key with space" = 5\n'
        'list = [1.0, "x", true]\n'
        "million = 1e+06\n"
        "mixed = [{a = 1.0}, 2.0]\n"
        's = "q \\"x\\" \\\\ \\t\\u007f"\n'
        "\n[empty]\n"
        "\n[nested]\n"
        "  after = 3.0\n"
        "  x = 1.0\n"
        "  [nested.deeper]\n"
        "    z = [1.0]\n"
        "\n[[tables]]\n"
        '  name = "a"\n'
        "\n[[tables]]\n"
        '  name = "b"\n'
        "  [tables.sub]\n"
        '    k = "v"\n'
    )
    assert to_toml([1, 2]) == "[1, 2]"
    assert to_toml({"e": [None, 1]}) == "toml: cannot encode array with nil element"
    assert from_toml("a = 1\n[d]\ne = true") == {"a": 1, "d": {"e": True}}
    assert "Error" in from_toml("a = ")


def test_concurrent_renders_share_caches_safely() -> None:
    """The engine renders in worker threads; the shared parse cache and function map must not
    mix renders up."""
    from concurrent.futures import ThreadPoolExecutor

    names = ["basic", "subcharts", "bitnami-style", "include-chains", "tpl", "hooks"]
    charts = {n: load(CHARTS / n) for n in names}
    expected = {n: render_release(c, {}, OPTS).manifest for n, c in charts.items()}
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(lambda n: (n, render_release(charts[n], {}, OPTS).manifest), names * 4))
    assert all(manifest == expected[n] for n, manifest in got)


def test_lookup_results_carry_unstructured_number_types(tmp_path: Path) -> None:
    chart = load(
        write_chart(
            tmp_path / "c",
            {
                "cm.yaml": '{{ $d := lookup "apps/v1" "Deployment" "ns" "web" }}'
                "kind: ConfigMap\ndata:\n"
                "  types: {{ typeOf $d.spec.replicas }} {{ typeOf $d.spec.ratio }}\n"
                "  items: {{ typeOf (index $d.items 0) }}\n"
            },
        )
    )

    def lookup(*_: str) -> dict[str, Any]:
        return {"spec": {"replicas": 3, "ratio": 0.5, "paused": False}, "items": [7]}

    rel = render_release(chart, {}, OPTS, lookup=lookup)
    assert rel.manifest.endswith("  types: int64 float64\n  items: int64\n")


def test_template_mutations_do_not_leak_into_returned_values() -> None:
    rel = render_release(load(CHARTS / "mutations"), {}, OPTS)
    assert "setByA" in rel.manifest  # the templates did mutate what they saw
    assert rel.values == {"counter": {}, "list": [1.0]}
