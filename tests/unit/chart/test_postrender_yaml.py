"""The kyaml round trip around a post-renderer (chart/render/postrender/) as pure
functions. Expected bytes were measured with helm v4.1.4 (`helm template --post-renderer`
with a plugin recording its stdin); tests/interop/test_template_postrender.py compares with
the real helm."""

from __future__ import annotations

import pytest

from steersman.chart.render.postrender import (
    PostRenderYAMLError,
    annotate_and_merge,
    split_and_deannotate,
)

H = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
A = "  annotations:\n    postrenderer.helm.sh/postrender-filename: 'c/templates/t0.yaml'\n"
NAME = "c/templates/t0.yaml"

MEASURED = {
    "feet": (
        H + "    # deep\ndata:\n  x: y # c\n  # end\n",
        H + "  # deep\n\n" + A + "data:\n  x: y # c\n  # end\n",
    ),
    "heads": (
        "# doc\n\n" + H + "  # about\n  labels:\n  - a # la\n  # between\n  - b\n\n# top\n\n"
        "data: {}\n",
        "# doc\n\n"
        + H
        + "  # about\n  labels:\n  - a # la\n  # between\n  - b\n"
        + A
        + "# top\ndata: {}\n",
    ),
    "scalars": (
        H + "data:\n  a: >\n    folded text\n    here\n  b: >+\n    keep\n\n  c: |2\n      lead\n"
        "  d: !!str foo\n  e: &x v\n  f: *x\n  g: 'one\n\n    '\n",
        H + A + "data:\n  a: >\n    folded text here\n\n  b: >+\n    keep\n\n\n  c: |2\n"
        "      lead\n  d: !!str foo\n  e: &x v\n  f: *x\n  g: 'one\n\n'\n",
    ),
    "list": (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n"
        "    name: l1 # c\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: l2}}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l1 # c\n" + A + "---\n"
        "{apiVersion: v1, kind: ConfigMap, metadata: {name: l2, annotations: "
        "{postrenderer.helm.sh/postrender-filename: 'c/templates/t0.yaml'}}}\n",
    ),
    "empty-metadata-and-merge-key": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\nspec:\n  <<: {a: 1}\n",
        "apiVersion: v1\nkind: ConfigMap\nspec:\n  !!merge <<: {a: 1}\nmetadata:\n" + A,
    ),
    "flow-comments": (
        H + "data: {x: 1, # c\n  y: [2 # d\n  ], z: [ # dropped\n    3,\n    # h\n    4], w: # k\n"
        "    5}\n",
        H + A + "data: {x: 1, # c\n  y: [2, # d\n  ], z: [3,\n    # h\n    4], w: 5, # k\n}\n",
    ),
    "anchor-and-tag-comments": (
        H + "data: &d # c\n  a: 1\nspec: !!seq # s\n- - x\nz: &z # k\n  b:\n    c: 1\n",
        H + A + "data: &d\n  a: 1 # c\nspec: !!seq\n- - x # s\nz: &z\n  b: # k\n    c: 1\n",
    ),
    # yaml.v3 keeps a comment after `key:` (or after an anchor or tag, for the first key) on
    # the key; the writer hands it to the next block mapping value that takes it: a scalar
    # without a comment of its own or a block collection (not a flow collection or alias)
    "key-comment-handed-on": (
        H + "data:\n  k: # c\n    [1]\n  j: 1\nz: 1\nl: # d\n  {}\nm:\n- 1\n"
        "y: &y 1\nspec: &b # e\n  x: *y\nn: 2\n",
        H + A + "data:\n  k: [1]\n  j: 1 # c\nz: 1\nl: {}\nm: # d\n- 1\n"
        "y: &y 1\nspec: &b\n  x: *y\nn: 2 # e\n",
    ),
    "key-comment-lost": (
        H + "spec:\n  base: &b # c\n    x: 1 # own\n  other: *b\n",
        H + A + "spec:\n  base: &b\n    x: 1 # own\n  other: *b\n",
    ),
    "comments-around-nested-flows": (
        H + "data: [[1], # c\n  2]\nspec: {a: # lost\n  [1], b: {x: 1} # d\n  }\n",
        H + A + "data: [[1] # c\n, 2]\nspec: {a: [1], b: {x: 1} # d\n}\n",
    ),
    # yaml.v3 reads both comments before the scalar: one line comment of two lines (a blank
    # line between them at indent 0)
    "anchor-and-own-comment": (
        H + "l: &l # c\n- 1 # d\n- 2\nm:\n  k: &k # e\n    - &n # f\n      - 3 # g\n",
        H + A + "l: &l\n- 1 # c\n\n# d\n- 2\nm:\n  k: &k\n  - &n\n    - 3 # e\n    # f\n    # g\n",
    ),
    "comments-left-of-the-entry": (
        H + "data:\n  x: 1\n # c\n  y:\n    z: 1\n # d\n  w: 2\n",
        H + A + "data:\n  x: 1\n  # c\n  y:\n    z: 1\n    # d\n  w: 2\n",
    ),
    "flow-comment-lines": (
        H + "data: [1,\n\n  # c\n  [2], {a: 3,\n  # d\n  }, [4]\n  # e\n  ]\n",
        H + A + "data: [1,\n  # c\n  [2], {a: 3,\n    # d\n}, [4]\n  # e\n]\n",
    ),
    # indented at the end: the foot of the block open at that column, else the document's
    "end-comment-at-a-block-column": (
        H + "a:\n  b:\n    c:\n      d: 1\n    # c\n",
        H + A + "a:\n  b:\n    c:\n      d: 1\n    # c\n",
    ),
    "end-comment-between-columns": (
        H + "a:\n  b:\n    c:\n      d: 1\n   # c\n",
        H + A + "a:\n  b:\n    c:\n      d: 1\n# c\n",
    ),
    # lines at several columns: one comment unless a line is left of the innermost block
    "comment-lines-joined": (
        H
        + "a: 1\n  # c\n    # d\nb: 2\nj:\n  k:\n    - l: 1\n    # c\n          # d\n        # e\n",
        H + A + "a: 1\n# c\n# d\nb: 2\nj:\n  k:\n  - l: 1\n  # c\n  # d\n  # e\n",
    ),
    # indented, a blank line, then at column 0: the first by column, the rest the
    # document's foot (one blank line after a foot at indent 0)
    "comment-groups-at-the-end": (
        H + "  labels:\n    a: b\n    # c\n\n# end\n",
        H + "  labels:\n    a: b\n    # c\n" + A + "\n# end\n",
    ),
    "comment-groups-at-the-end-at-the-metadata-column": (
        H + "  labels:\n    a: b\n  # c\n\n\n# end\n",
        H + "  labels:\n    a: b\n  # c\n\n" + A + "\n# end\n",
    ),
    "comment-groups-at-the-end-after-a-sequence": (
        H + "items:\n  - a\n  # c\n\n# end\n",
        H + A + "items:\n- a\n# c\n\n# end\n",
    ),
    "document-foot-groups": (
        H + "data:\n  x: y\n# c\n\n# end\n\n# more\n",
        H + A + "data:\n  x: y\n# c\n\n# end\n\n# more\n",
    ),
    # before the content: groups kept with a blank line between them
    "comment-groups-at-the-start": (
        "# a\n\n# b\n\n\n# c\n\n" + H,
        "# a\n\n# b\n\n# c\n\n" + H + A,
    ),
    "comment-groups-after-an-opening-separator": (
        "---\n# a\n\n# b\n\n" + H,
        "# a\n\n# b\n" + H + A,
    ),
    # before an entry, at its column: groups kept with a blank line between them
    "comment-groups-between-entries": (
        H + "data:\n  x: 1\n\n  # a\n\n  # b\n\n\n  # c\n\n  y: 2\n",
        H + A + "data:\n  x: 1\n  # a\n\n  # b\n\n  # c\n  y: 2\n",
    ),
    "comment-groups-before-a-first-entry": (
        H + "data:\n  # a\n\n  # b\n\n  # c\n  x: 1\n",
        H + A + "data:\n  # a\n\n  # b\n\n  # c\n  x: 1\n",
    ),
    # a collection item's foot waits for the next item
    "foot-after-collection-item": (
        H + "a:\n- - 1\n# c\n\n- 2\n- 3\n",
        H + A + "a:\n- - 1\n- 2\n# c\n\n- 3\n",
    ),
}


@pytest.mark.parametrize("case", sorted(MEASURED))
def test_merged_stream_is_what_helm_writes(case: str) -> None:
    template, expected = MEASURED[case]
    assert annotate_and_merge({NAME: template}) == expected


def test_split_removes_the_annotation_and_keeps_the_comments() -> None:
    merged = annotate_and_merge({NAME: MEASURED["feet"][0], "c/templates/u.yaml": H})
    files = split_and_deannotate(merged + "---\n# new\napiVersion: v1\nkind: Namespace\n")
    assert files == {
        NAME: H + "  # deep\ndata:\n  x: y # c\n  # end\n",
        "c/templates/u.yaml": H,
        "generated-by-postrender-2.yaml": "# new\napiVersion: v1\nkind: Namespace\n",
    }


def test_the_list_is_kept_when_the_file_has_more_documents() -> None:
    merged = annotate_and_merge({NAME: H + "---\napiVersion: v1\nkind: List\nitems: []\n"})
    assert merged.count("---\n") == 1 and "kind: List\nitems: []\n" in merged


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (H + "data: {a:\n  # c\n  1}\n", "line 6: comment lines inside a flow collection"),
        (H + "data: [1,\n  # c\n\n  # e\n  2]\n", "line 8: comment lines inside a flow"),
        (H + "data: {? a # c\n  : b}\n", "line 5: a comment after a flow key or a nested flow"),
        (H + "data:\n  ? a\n  # c\n  : b\n", "line 7: a comment between a key and its value"),
        (H + "data:\n  ? [a]\n  : # c\n    b\n", "line 7: a comment after a complex key"),
        (H + "a:\n- - 1\n# c\n\n- - 2\n", "line 7: a comment and a blank line after a nested"),
        ("apiVersion: v1 # l\n  # c\n\nkind: A\n", "line 2: comment lines and a blank line after"),
        (H + "a:\n  b: 1\n\n # c\n\n    # d\nc: 1\n", "line 10: comment lines in several blocks"),
        (H + "  labels:\n    a: b\n    # t\n\n  # c\n\n# e\n", "line 9: indented comments between"),
        (H + "data:\n  x: y\n# c\n\n  # d\n", "line 9: indented comments after the document's"),
        (
            H + "  labels:\n    a: b\n\n# c\n  # d\n",
            "line 9: indented comments after the document's",
        ),
        (H + "data:\n  x: 1\n\n  # a\n\n    # b\n\n  # c\n  y: 2\n", "line 10: comments separated"),
        (H + "l:\n- x: 1\n# a\n\n# b\n\n# c\n- y\n", "line 11: comments separated by blank"),
        (H + "l:\n- x: 1\n# a\n\n- y\n# b\n", "line 10: comments after the document's content"),
    ],
)
def test_comments_placed_otherwise_are_refused_naming_the_line(template: str, message: str) -> None:
    with pytest.raises(PostRenderYAMLError) as err:
        annotate_and_merge({NAME: template})
    assert str(err.value).startswith(f"parsing {NAME}: {message}")
    assert "\n" not in str(err.value)


def test_kyaml_errors() -> None:
    with pytest.raises(PostRenderYAMLError, match="got SequenceNode: node contents:\n- a\n"):
        annotate_and_merge({NAME: "- a\n"})
    with pytest.raises(PostRenderYAMLError, match="invalid document separator: --- x"):
        annotate_and_merge({NAME: "a: 1\n--- x\nb: 2\n"})
    with pytest.raises(PostRenderYAMLError, match=r"^error parsing YAML: wrong node kind"):
        split_and_deannotate("just text\n")
    # go-yaml's wording (libyaml's text, its line numbering), in one line, as helm v4.1.4
    with pytest.raises(PostRenderYAMLError) as err:
        annotate_and_merge({NAME: H + "data:\n  k: >\n     lead\n    x\n"})
    assert str(err.value) == (
        f"parsing {NAME}: MalformedYAMLError: yaml: line 5: did not find expected key"
    )
