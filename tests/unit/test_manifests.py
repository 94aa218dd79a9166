"""Helm's split / hook / kind-sort / framing rules as pure functions."""

from __future__ import annotations

import pytest

from steersman.chart.render.manifests import (
    INSTALL_ORDER,
    UNINSTALL_ORDER,
    ManifestError,
    assemble_manifest,
    extract_notes,
    go_path_match,
    sort_by_kind,
    sort_manifests,
    split_manifests,
)
from steersman.golang.gostr import go_trim_space


@pytest.mark.parametrize(
    ("text", "docs"),
    [
        ("a: 1", ["a: 1"]),
        ("---\na: 1\n---\nb: 2\n", ["a: 1", "b: 2"]),
        ("a: 1\n---b: 2", ["a: 1", "b: 2"]),  # a separator glued to text still splits
        ("a: 1\n  ---\nb: 2", ["a: 1\n  ---\nb: 2"]),  # --- must follow the newline directly
        ("a: 1\nx---\nb: 2", ["a: 1\nx---\nb: 2"]),  # --- not after a newline does not split
        # The first separator swallows the blank lines, so the second --- has no \n before it.
        ("\n\n---\n\n---\n", ["---"]),
        ("a: 1\n--- # comment\nb: 2", ["a: 1", "# comment\nb: 2"]),
        ("a: 1\n---\v\nb: 2", ["a: 1", "\nb: 2"]),  # \v is not Go's \s; TrimSpace removes \v
    ],
)
def test_split_manifests(text: str, docs: list[str]) -> None:
    assert split_manifests(text) == [go_trim_space(d) for d in docs]


def test_go_trim_space_keeps_ascii_separators_python_would_strip() -> None:
    assert go_trim_space("\x1cx\x1f") == "\x1cx\x1f"
    assert "\x1cx\x1f".strip() == "x"
    assert go_trim_space("\u3000\xa0x\n") == "x"


def test_sort_by_kind_known_then_unknown_alphabetically_and_stable() -> None:
    kinds = ["Zeta", "Deployment", "", "Alpha", "Namespace", "Deployment", "Zeta"]
    items = list(enumerate(kinds))
    got = sort_by_kind(items, lambda it: it[1], INSTALL_ORDER)
    assert got == [
        (4, "Namespace"),
        (1, "Deployment"),
        (5, "Deployment"),
        (2, ""),
        (3, "Alpha"),
        (0, "Zeta"),
        (6, "Zeta"),
    ]


def test_uninstall_order_puts_services_before_workloads() -> None:
    assert UNINSTALL_ORDER.index("Service") < UNINSTALL_ORDER.index("Deployment")
    assert set(UNINSTALL_ORDER) == set(INSTALL_ORDER)


def test_hooks_parsed_and_unknown_events_dropped() -> None:
    files = {
        "c/templates/a.yaml": (
            "kind: Job\nmetadata:\n  name: j\n  annotations:\n"
            "    helm.sh/hook: ' Pre-Install ,test-success'\n    helm.sh/hook-weight: '-3'\n"
            "    helm.sh/hook-delete-policy: Hook-Failed, before-hook-creation\n"
            "---\nkind: Pod\nmetadata:\n  name: old\n  annotations:\n"
            "    helm.sh/hook: crd-install\n"
            "---\nkind: ConfigMap\nmetadata:\n  name: plain\n  annotations:\n    x: 1\n"
        ),
        "c/templates/_partial.yaml": "kind: Secret\nmetadata: {name: skipped}\n",
    }
    hooks, manifests = sort_manifests(files)
    assert [(h.name, h.events, h.weight, h.delete_policies) for h in hooks] == [
        ("j", ["pre-install", "test"], -3, ["hook-failed", "before-hook-creation"])
    ]
    assert [(m.head.name, dict(m.head.annotations)) for m in manifests] == [("plain", {"x": "1"})]


def test_invalid_yaml_names_the_file() -> None:
    with pytest.raises(ManifestError, match=r"YAML parse error on c/templates/bad.yaml: .*line 2"):
        sort_manifests({"c/templates/bad.yaml": "a: b\n  c: d: e\n"})


def test_notes_only_from_the_root_chart_unless_asked() -> None:
    files = {
        "root/templates/NOTES.txt": "root notes",
        "root/charts/sub/templates/NOTES.txt": "sub notes",
        "root/templates/cm.yaml": "kind: ConfigMap",
    }
    notes, rest = extract_notes(files, "root")
    assert notes == "root notes"
    assert rest == {"root/templates/cm.yaml": "kind: ConfigMap"}
    notes, _ = extract_notes(files, "root", sub_notes=True)
    assert sorted(notes.split("\n")) == ["root notes", "sub notes"]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("templates/*.yaml", "templates/a.yaml", True),
        ("templates/*.yaml", "templates/tests/a.yaml", False),
        ("templates/?.yaml", "templates/a.yaml", True),
        ("templates/[a-c].yaml", "templates/b.yaml", True),
        ("templates/[^a-c].yaml", "templates/b.yaml", False),
        ("templates/[^a-c].yaml", "templates/d.yaml", True),
        ("templates/\\*.yaml", "templates/*.yaml", True),
        ("templates/[", "templates/[", False),
    ],
)
def test_go_path_match(pattern: str, path: str, matches: bool) -> None:
    assert go_path_match(pattern)(path) is matches


def test_hidden_secret_framing_matches_helms_format() -> None:
    _, manifests = sort_manifests(
        {"c/templates/s.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"}
    )
    assert assemble_manifest(manifests, hide_secret=True) == (
        "---\n# Source: c/templates/s.yaml\n# HIDDEN: The Secret output has been suppressed\n"
    )


def test_invalid_utf8_is_a_yaml_error_not_a_crash() -> None:
    # Invalid UTF-8 in a rendered file travels as surrogate escapes (see gotemplate.gostr);
    # libyaml cannot even take such a string, and go-yaml rejects the document, so must we.
    text = b"kind: ConfigMap\nmetadata:\n  name: raw\ndata:\n  b: caf\xe9\n".decode(
        "utf-8", "surrogateescape"
    )
    with pytest.raises(ManifestError, match=r"YAML parse error on c/templates/raw\.yaml"):
        sort_manifests({"c/templates/raw.yaml": text})
