"""The one-pass document splitter and the event-based head scan against their references: Helm's
separator regex, and a full YAML load of the document."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from steersman.chart.render.manifests import (
    Head,
    ManifestError,
    loaded_head,
    parse_head,
    scan_head,
    split_manifests,
)
from steersman.golang.gostr import go_trim_space

# SplitManifests' regex, `(?:^|\s*\n)---\s*` with Go's \s.
_SEPARATOR = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")


def _regex_split(text: str) -> list[str]:
    return [go_trim_space(d) for d in _SEPARATOR.split(go_trim_space(text)) if d != ""]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---",
        "---\n---\n",
        "a: 1\n---\nb: 2",
        "a: 1\n  \n \t---   \nb: 2\n---",
        "---a: 1",
        "a: 1\n----\nb",
        "a\n---\n---\nb",
        "a  \n\n---\r\n\fb\n \n---",
        "\v---\na",
        "a:\n    x\n        y\n---\n",
        # `---` in a block scalar: indented it stays, at column 0 Helm splits there too
        "a: |\n  x\n  ---\n  y\n---\nb: 1",
        "a: |\n  x\n---\n  y\n",
        "a: 1\r\n---\r\nb: 2\r\n",
        "\ufeff---\na: 1\n---\nb",
        "# only\n# comments\n---\n# more\n",
        "a: '---'\n--- # comment after the separator\nb: 1",
    ],
)
def test_split_matches_the_regex(text: str) -> None:
    assert split_manifests(text) == _regex_split(text)


def test_split_matches_the_regex_on_random_texts() -> None:
    rnd = random.Random(15)
    pieces = ["-", "---", "\n", " ", "\t", "\r", "\f", "\v", "a", "b: c", "\n---\n", "\x85", "#"]
    for _ in range(20000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 14)))
        assert split_manifests(text) == _regex_split(text), repr(text)


SCANNED = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: b}\ndata:\n  k: v\n",
    "kind: 1.5\nmetadata: {name: 0x1F, annotations: {1: 2, null: ~, yes: no, true: x}}",
    'kind: "Secret"\nmetadata:\n  name: |\n    multi\n  annotations:\n    "helm.sh/hook": '
    "pre-install,post-install\n    helm.sh/hook-weight: '-5'\n",
    "kind: Job\nspec:\n  template:\n    spec:\n      containers:\n"
    "      - {name: a, args: [1, -2, 3.5, .inf, 1:20]}\n",
    "# only a comment",
    "",
    "metadata:\n  annotations: {}\n",
    "kind: null\nmetadata: {}\n",
    "kind: ._",
    # comments before and among the head fields
    "# leading\n# comments\napiVersion: v1 # trailing\n# between\nkind: Pod\nmetadata:\n"
    "  # inside\n  name: p\n",
    # flow-style metadata and quoted keys
    'kind: Job\nmetadata: {name: "j", annotations: {"helm.sh/hook": post-install}}\n',
    "'kind': Pod\n\"metadata\":\n  'name': q\n  \"annotations\":\n    'helm.sh/hook': test\n",
    # separators that are not separators: inside block scalars, indented
    "kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: |\n    ---\n    x\n  b: >\n    ---\n",
    # CRLF line ends, a byte order mark, tabs after values
    "apiVersion: v1\r\nkind: Secret\r\nmetadata:\r\n  name: s\r\n  annotations:\r\n"
    '    "helm.sh/hook": pre-install\r\n',
    "\ufeffkind: Service\nmetadata:\n  name: svc\t\n",
    # only comments, and comments around an empty document
    "# a\n# b\n",
    "#\n  # indented comment\n\n",
    # head fields after a big spec, and a spec with flow collections
    "spec:\n  x: [1, {a: b}]\n  y: {c: [d]}\nkind: Late\nmetadata:\n  name: late\n",
]

FULL_LOAD = [
    "a: &x 1\nb: *x",
    "kind: !!str 1",
    "kind: [a]",
    "metadata:\n  name: a\n  name: b",
    "kind: A\nkind: B",
    "<<: {kind: X}",
    "kind: 2001-12-14",
    "kind: =",
    "? [a]\n: b",
    "a: b\n...\nc: d",
    "- a",
    "~",
    "metadata: null",
    "metadata:\n  annotations: null",
    "kind: x\n  bad: [",
    "kind: x\nbad: \x00",
    # anchors and aliases anywhere, even outside the head
    "kind: Pod\nmetadata:\n  name: p\nspec: &s {a: 1}\nother: *s\n",
    "kind: &k Pod\nmetadata:\n  name: *k\n",
    "kind: Pod\nmetadata:\n  name: p\n  annotations: &a\n    x: y\n",
    # tags outside the head
    "kind: Pod\nspec: !!map {a: b}\n",
]


@pytest.mark.parametrize("doc", SCANNED)
def test_scan_reads_what_a_full_load_reads(doc: str) -> None:
    head = scan_head(doc)
    assert head is not None
    assert head == loaded_head(doc, "p")


@pytest.mark.parametrize("doc", FULL_LOAD)
def test_unusual_documents_take_the_full_load(doc: str) -> None:
    assert scan_head(doc) is None
    try:
        expected: Head | str = loaded_head(doc, "p")
    except (ManifestError, ValueError) as err:
        expected = str(err)
    try:
        got: Head | str = parse_head(doc, "p")
    except (ManifestError, ValueError) as err:
        got = str(err)
    assert got == expected


def test_scan_agrees_with_the_full_load_on_the_test_corpus() -> None:
    root = Path(__file__).parents[2]
    docs = []
    for path in sorted(root.glob("**/*.yaml")):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        docs.extend(split_manifests(text))
    scanned = 0
    for doc in docs:
        head = scan_head(doc)
        if head is None:
            continue
        scanned += 1
        assert head == loaded_head(doc, "p"), doc[:200]
    assert scanned > len(docs) // 2  # the rest are mostly template sources, not YAML


def test_heads_are_kept_by_digest_and_failures_are_not(monkeypatch: pytest.MonkeyPatch) -> None:
    from steersman.chart.render import manifests

    monkeypatch.setattr(manifests, "_HEADS", {})
    monkeypatch.setattr(manifests, "_HEADS_MAX", 3)
    doc = "kind: Pod\nmetadata:\n  name: p\n  annotations:\n    helm.sh/hook: test\n"
    first = parse_head(doc, "a")
    assert parse_head(doc, "b") is first
    assert first == loaded_head(doc, "a")
    for bad in ("a: [", "- a"):
        for path in ("x", "y"):  # each failure is read again and names its own file
            with pytest.raises(ManifestError, match=f"YAML parse error on {path}: "):
                parse_head(bad, path)
    for i in range(5):  # past the bound the kept heads are forgotten, not grown
        assert parse_head(f"kind: K{i}\n", "c") == Head(kind=f"K{i}")
        assert len(manifests._HEADS) <= 3


@pytest.mark.parametrize(
    ("doc", "head"),
    [
        ("kind: K\ndata:\n  x: !custom v\n  m: !foo {a: b}\n  s: !<tag:x> [1]\n", Head(kind="K")),
        ("!root\nkind: !foo K\nmetadata: !m\n  name: !n a\n", Head(kind="K", name="a")),
        ("!foo kind: K\nmetadata:\n  name: !!int 3\n", Head(kind="K", name="3")),
        ("kind: !!str K\nmetadata:\n  name: !!binary aGk=\n", Head(kind="K", name="hi")),
        (
            "kind: K\nmetadata:\n  annotations:\n    helm.sh/hook: !foo test\n",
            Head(kind="K", annotations={"helm.sh/hook": "test"}),
        ),
        ("kind: K\ndata: !!str\n  x: !!map y\n  l: !!seq {a: b}\n", Head(kind="K")),
    ],
)
def test_tags_read_as_go_yaml_reads_them(doc: str, head: Head) -> None:
    # Tagged documents are never scanned; the full load ignores tags it does not know.
    assert scan_head(doc) is None
    assert parse_head(doc, "p") == head


@pytest.mark.parametrize(
    ("doc", "error"),
    [
        ("kind: K\nx: !!int abc\n", "yaml: cannot decode !!str `abc` as a !!int"),
        ("kind: K\nx: !!timestamp no\n", "yaml: cannot decode !!bool `no` as a !!timestamp"),
        ("kind: K\nx: !!binary '%'\n", "yaml: !!binary value contains invalid base64 data"),
    ],
)
def test_a_standard_tag_that_does_not_fit_is_helms_error(doc: str, error: str) -> None:
    with pytest.raises(ManifestError) as err:
        parse_head(doc, "c/templates/a.yaml")
    assert str(err.value) == (
        f"YAML parse error on c/templates/a.yaml: error converting YAML to JSON: {error}"
    )
