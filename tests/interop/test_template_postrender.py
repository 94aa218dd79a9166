"""`steersman template --post-renderer NAME` next to the real `helm template` (v4.1.4): small
`postrenderer/v1` plugins (shell scripts written here) in a $HELM_PLUGINS directory, run by both.
Same exit code, stdout and stderr, and the plugin sees the same stdin and arguments."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

PLUGIN_YAML = """\
apiVersion: v1
name: {name}
type: postrenderer/v1
runtime: subprocess
version: 0.1.0
runtimeConfig:
  platformCommand:
    - os: windows
      command: never-run.exe
    - command: ${{HELM_PLUGIN_DIR}}/run.sh --from-plugin-yaml
"""

PLUGINS = {
    # records what it was given, passes the stream through
    "record": 'printf \'%s\\n\' "$@" > "$PR_LOG.args"\ntee "$PR_LOG.stdin"\n',
    # edits a document and adds one of its own (no file-name annotation)
    "patch": (
        "sed -e 's/  name: plain$/  name: patched/'\n"
        "printf -- '---\\napiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: extra\\n'\n"
    ),
    # edits comments and adds a commented document: helm's split side re-reads comments
    "edit": (
        "sed -e 's/# c$/# edited/'\n"
        "printf -- '---\\n# new doc\\n\\napiVersion: v1\\nkind: Namespace\\n"
        "metadata:\\n  name: extra # why\\n  # foot\\n'\n"
    ),
    "fail": "cat >/dev/null\necho 'plugin trouble' >&2\nexit 3\n",
    "empty": "cat >/dev/null\necho\n",
}

TEMPLATES = {
    "plain.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n"
        "  labels: {a: \"1\", b: 'two'}\n"
        'data:\n  text: |\n    line one\n    line two\n  quoted: "x"\n'
        "  long: " + "word " * 30 + "end\n"
    ),
    "two.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  annotations:\n    k: v\n"
        "spec:\n  ports:\n    - port: 80\n      name: http\n---apiVersion: v1\n"
        "kind: Secret\nmetadata: {name: glued}\n"
    ),
    "hook.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hook\n  annotations:\n"
        '    "helm.sh/hook": test\nspec: {}\n'
    ),
    "_helpers.tpl": '{{ define "x" }}x{{ end }}\n',
    "empty.yaml": "{{/* nothing */}}\n",
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("postrender")
    for name, body in PLUGINS.items():
        plugin = root / "plugins" / name
        plugin.mkdir(parents=True)
        (plugin / "plugin.yaml").write_text(PLUGIN_YAML.format(name=name))
        (plugin / "run.sh").write_text("#!/bin/sh\n" + body)
        (plugin / "run.sh").chmod(0o755)
    chart = root / "pr"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: pr\nversion: 0.1.0\n")
    for name, body in TEMPLATES.items():
        (chart / "templates" / name).write_text(body)
    return root / "plugins", chart


def _run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


CASES = [
    ["--post-renderer", "record", "--post-renderer-args", "one", "--post-renderer-args", "t w o"],
    ["--post-renderer", "patch"],
    ["--post-renderer", "patch", "--output-dir", "{out}"],
    ["--post-renderer", "fail"],
    ["--post-renderer", "empty"],
    ["--post-renderer", "record", "--skip-tests", "--is-upgrade"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_post_renderer_same_as_helm(
    args: list[str],
    setup: tuple[Path, Path],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    plugins, chart = setup
    results, logs, trees = [], [], []
    for who in ("helm", "steersman"):
        log = tmp_path / f"{who}-log"
        out = tmp_path / who / "out"
        env = dict(helm_home_env, HELM_PLUGINS=str(plugins), PR_LOG=str(log))
        cmd = (
            [str(helm_v4), "template"]
            if who == "helm"
            else [sys.executable, "-m", "steersman", "template"]
        )
        code, stdout, stderr = _run([*cmd, *(a.format(out=out) for a in args), str(chart)], env)
        results.append((code, stdout.replace(str(out), "<out>"), stderr))
        logs.append([p.read_text() for p in sorted(tmp_path.glob(f"{who}-log.*"))])
        trees.append(
            {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
        )
    helm, ours = results
    if args[1] in ("fail", "empty"):
        assert helm[0] == 1 and "post render" in helm[2]
    else:
        assert helm[0] == 0, helm[2]
    if args[1] == "record":
        assert logs[0] and "postrenderer.helm.sh/postrender-filename" in logs[0][1]
    assert ours == helm
    assert logs[1] == logs[0]
    assert trees[1] == trees[0]


_H = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
# what kyaml (yaml.v3) re-writes: one probe chart each, measured against helm v4.1.4
KYAML_PROBES = {
    "head-comment": "# c\n" + _H,
    "doc-head-comment": "# c\n\n" + _H,
    "comments-around-keys": (
        _H + "  # c1\n  # c2\n  labels:\n    # c3\n    a: b\n\n# c4\ndata:\n  x: y # c\n"
    ),
    "foot-then-blank": _H + "# c\n\ndata:\n  x: y\n",
    "deeper-foot": _H + "    # deep\ndata:\n  x: y\n",
    "foot-of-metadata": _H + "  # meta foot\n",
    "nested-feet": _H + "spec:\n  a:\n    b:\n      c: 1\n    # mid foot\n  d: 2\n  # end\n",
    "foot-then-head": _H + "data:\n  x: y\n  # foot\n\n# top\nspec: {}\n",
    "doc-foot": _H + "data:\n  x: y\n\n# end\n",
    "doc-foot-indented": _H + "data:\n  x: y\n\n  # end\n\n",
    "blank-lines-around-comments": (
        _H + "data:\n  x: 1\n\n  # c\n\n  y: 2\n\n# top\n\nspec: 2\n\n    # deep\nz: 1\n"
    ),
    "separator-comment": _H + "--- # sep\n# c\n" + _H.replace("name: a", "name: b"),
    "sequences": (
        _H + "spec:\n  containers:\n  # the app\n  - name: app # n\n    ports:\n"
        "        - 80 # http\n        # next\n        - 443\n  - # d\n    name: side\n"
        "    # in item\n  list: # c\n  - a\n"
    ),
    "line-comments": (
        _H
        + '  labels: {a: b} # c\ndata:\n  q: "y" # q\n  e: # empty\n  l:\n  - [1, 2] # d\n'
        "  - 'z' # e\n  s: *x # alias\n".replace("*x # alias", "&x v # anchored")
    ),
    "anchors-tags": (
        _H + "data:\n  a: !!str foo\n  c: !!int '3'\n  m: &b {x: 1}\n  n: *b\n"
        "  o: !!map {z: 1}\n  s: &s [1, 2]\n  t: *s\n"
    ),
    "merge-keys": _H + "spec:\n  base: &b\n    x: 1\n  other:\n    <<: *b\n    z: 2\n",
    "block-scalars": (
        _H + "data:\n  a: >-\n    one\n    two\n\n    three\n  b: >+\n    keep\n\n"
        "  c: |2\n      lead\n    x\n  d: >\n    folded text\n  e: |\n    trail  \n"
        "  f: | # c\n    lit\n  g: |-\n    strip\n  h: |+\n    kept\n\n"
    ),
    "quoting": (
        _H + 'data:\n  a: "dq"\n  b: \'it\'\'s\'\n  c: "tab\\there"\n  d: "123"\n  e: yes\n'
        "  f: ''\n  g: ~\n  h: \"multi\\nline\"\n  i: 'x: y'\n  j: \"\\u00e9\"\n"
    ),
    "blank-lines": _H + "\n\ndata:\n  x: y\n\n\n  z: w\n",
    "list-unwrapped": (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
        "  metadata:\n    name: l1 # c\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: l2}}\n"
    ),
    "list-kept-beside-another": _H + "---\napiVersion: v1\nkind: List\nitems: []\n",
    "empty-documents": "---\n---\n# only a comment\n---\n" + _H + "---\n~\n",
    "null-and-empty-fields": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations: # c\n  name: a\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\nspec: 1\n---\n"
        + _H
        + "  annotations:\n    {}\n  labels: {x: y}\n---\n"
        + _H
        + "  annotations: []\n"
    ),
    "single-quoted-lines": _H + "data:\n  a: 'one\n\n    two\n\n    '\n  b: 'x''\n\n    y'\n",
    "comment-spacing": _H + "data:\n  x: y   #c   \n  #d  \n  z: w\t# tab\n  a: | # hc  \n    x\n",
    "comment-in-empty-item": _H
    + "spec:\n  list:\n  -\n    # c\n    name: x\n  - - a # in\n    - b\n",
    # comments inside multi-line flow collections
    "flow-sequence-comments": (
        _H + "data:\n  a: [1, # c\n    2, 3 # c\n  ]\n  b: [ # dropped\n    x,\n    # h1\n"
        "    # h2\n    y, 'q', # c\n    z] # after\nl:\n- [1, # c\n  2]\n"
    ),
    "flow-mapping-comments": (
        _H + "data: {x: 1, # c\n  y: 2 # c\n  , z: 3,\n  # h\n  w: 4 # c\n}\n"
        'spec: { # dropped\n  k: v, j: # c\n    "q", i: # c\n  1}\n'
    ),
    "nested-flow-comments": (
        _H + "data:\n  a: [1, [2, # c\n    3], {k: [4, # c\n      5], j: 6}]\n"
        "  b: {x: {y: 1, # c\n    z: 2}, w: [\n    # h\n    7]}\n"
    ),
    "flow-closing-after-comment": (
        _H + "data:\n  b: [1,\n    2 # c\n  ]\n  c: {x: 1 # c\n  }\n  d: {x: [1 # c\n  ]}\n"
        "  e:\n    f: [{y: 1 # c\n    }]\n  g: 1\n"
    ),
    # a comment after `key:` or `-` over a flow collection: yaml.v3 replaces it with the
    # collection's closing comment (after `-`: the item's head)
    "comment-before-flow-value": (
        _H + "data:\n  k: # c\n    [1]\n  j: # c\n    &x {}\n  i: *x\n  h: # c\n    [1, # d\n"
        "    2]\n  g: # c\n    [3] # e\nspec: # c\n  {a: 1}\nl:\n# h\n- # c\n  [1]\n- # d\n"
        "  &y {}\n- *y\n"
    ),
    "comment-after-flow-key": (
        _H + "data: {a: # c\n  [], b: # c\n  {}, c: # c\n  [1, # d\n  2], d: # c\n  &x [1],\n"
        "  e: *x, f: # c\n  &y 1, g: # c\n  *y, h: # c\n  !!str 1, i: # c\n  [3] # e\n  }\n"
        "spec: [1, {a: # c\n  [1]}]\n"
    ),
    "comment-after-nested-flow": (
        _H + "data:\n  a: [[1], # c\n  2]\n  b: [[1] # c\n    , 2]\n  c: [1, [2] # c\n  ]\n"
        "  d: {a: {x: 1} # c\n  }\n  e: {a: {x: 1}, # c\n    b: 2}\n  f: [&x [1], # c\n    *x]\n"
        "  g: [1, [], # c\n    {}, # d\n    {a: []} # e\n    ]\nspec: [[1] # c\n] # d\n"
    ),
    # a comment after an anchor or a tag opening a block collection
    "anchor-tag-comments": (
        _H + 'data: &d # c\n  a: 1\n  b: 2\nspec: !!map # c\n  s: "q"\n'
        "x: &x !!map # c\n  # h\n  b: |\n    t\ny: &y # c\n  k:\n    c: 1\n"
    ),
    "anchor-tag-comments-sequences": (
        _H + "l: &l # c\n- 1\n- 2\nm: !!seq # c\n  - - a\n  - b\n"
        "n:\n- &n # c\n  k: v\n- &o # c\n  - w\no: &p # c\n  e:\n  - 1\n"
        "p: &q # c\n  &k b: &v 1\n"
    ),
    # yaml.v3 keeps those on the key, and its writer hands a key's comment on to the next
    # block mapping value that takes one (a scalar without its own, a block collection),
    # in a later document too
    "key-comment-handed-on": (
        _H + "y: &y 1\nspec: &b # c\n  x: *y\nz: 2\nm: &m # c\n  x: [1]\nl:\n  k: 1\n"
        "n: !!map # c\n  x: 1 # own\no:\n- 1\np: # c\n  {a: 1}\n"
    ),
    "key-comment-into-next-document": _H + "data: # c\n  [1]\n---\n" + _H,
    # a comment after an anchor or a tag over a scalar, an alias or a flow collection, and
    # one joined with the scalar's own (yaml.v3 reads both before it)
    "anchor-comments-first-items": (
        _H + "y: &y 1\nl: &l # c\n- *y # d\n- 2\nm: &m # c\n- [1]\nn: !!seq # c\n- 1 # d\n"
        "o: &o # c\n- &p # d\n  - 1 # e\np: &q # c\n- &r\n  k: v\nq:\n  k: &a # c\n    v\n"
        "  j: !!str # c\n    w # d\n  i: &b # c\n    [1]\nr: &s # c\n- &t # d\n  k: 1\n"
        "s:\n  a: &u # c\n    b: # d\n      x: 1\n"
    ),
    # comment lines left of the entry after them: its head, or a foot of the block it ends
    "comments-left-of-entries": (
        _H + "data:\n  x: 1\n # c\n  y: 2\n  z:\n # c\n    w: 1\n  v:\n    u: 1\n # c\n"
        "  t: 1\n\n # c\n  s: 2\n # c\n\n  r:\n    q: 1\n # c\n\n  p:\n    - o: 1\n   # c\n\n"
        "  n: 1\n  l:\n    - a\n   # c\n    - b\n  k: # c\n  # d\n    j: 1\n"
    ),
    # comment lines in a multi-line flow collection: before a nested flow, next to a blank
    # line, before the closing bracket (the last entry's foot)
    "flow-comment-lines": (
        _H + "data:\n  a: [1,\n\n    # c\n    2]\n  b: [1,\n    # c\n\n    2]\n  c: [1,\n"
        "    # c\n    [2], &x {a: 2,\n    # c\n    }, *x]\n  d: [1\n    # c\n    ]\n"
        "  e: {a: 1,\n    # c\n\n    }\n  f: [1, [2]\n    # c\n    ]\n  g: [1, {a: 2}\n    # c\n"
        "    ]\n  h: [1, # d\n    # c\n    ]\n  i: {a: [2]\n    # c\n    }\n"
        "  j: [[1, [2, [3]\n      # c\n      ]]]\n"
    ),
    # indented comment lines at the end: the foot of the block open at their column (deeper
    # than the innermost: its), between columns the document's
    "indented-comments-at-the-end": (
        _H + "spec:\n  template:\n    containers:\n      - name: x\n        env:\n"
        "          - name: A\n            value: '1'\n        # no resources\n---\n"
        + _H
        + "a:\n  b:\n    c:\n      d: 1\n     # c\n---\n"
        + _H
        + "a:\n  b:\n    - c:\n        - d: 1\n    # c\n    # d\n---\n"
        + _H
        + "a:\n  - x: 1\n  # c\n"
    ),
    # comment lines at several columns in a row: the first a foot of the innermost block,
    # the others of the block open at their column (between columns: of the top mapping's
    # last entry, or the document's foot at the end)
    "comment-lines-at-several-columns": (
        _H + "a:\n  b:\n    c:\n      d: 1\n      # c\n    # d\n  e: 1\n  f:\n    g:\n"
        "      h: 1\n  # c\n   # d\ni: 1\nj:\n  k:\n    - l: 1\n    # c\n          # d\n"
        "        # e\n"
    ),
    # left of the innermost block, at an outer block's column, a blank line after: that
    # block's last entry's foot (here the annotations; helm's split drops it with the
    # file-name annotation it ends up on)
    "foot-at-an-outer-block": (
        _H + "  annotations:\n    a: '1'\n  # c\n\nspec:\n  x:\n    y: 1\n  # d\n\nz: 1\n"
    ),
    # indented comment lines after the content, then a blank line and column-0 comment
    # lines: the first by column, as a last group; the others the document's foot, blank
    # lines between kept (one after a foot at indent 0)
    "comment-groups-at-the-end": (
        _H
        + "  labels:\n    a: b\n    # c\n\n# end\n---\n"
        + _H
        + "  labels:\n    a: b\n  # c\n\n\n# end\n# e2\n---\n"
        + _H
        + "  labels:\n    a: b\n   # c\n\n# end\n\n# more\n---\n"
        + _H
        + "  labels:\n    a: b\n      # c\n      # d\n\n# end\n# c\n---\n"
        + _H
        + "data:\n  x: y\n# c\n\n# end\n---\n"
        + _H
        + "items:\n  - a\n  # c\n\n# end\n"
    ),
    # groups of comment lines parted by blank lines before the content: kept so (a run of
    # blank lines one); after a `---` opening the file, the blank line before the content
    # dropped
    "comment-groups-at-the-start": (
        "---\n# c\n\n# b\n# b2\n\n\n# d\n\n"
        + _H
        + "---\n# a\n\n  # c\n\n# b\n\n"
        + _H
        + "---\n# a\n\n# c\n\n# b\n"
        + _H
    ),
    # groups of comment lines parted by blank lines before an entry, at its column: kept so,
    # the blank lines before the first and after the last dropped (the first a foot of the
    # entry before when only a blank line follows it)
    "comment-groups-between-entries": (
        _H + "data:\n  x: 1\n\n  # a\n\n  # c\n\n\n  # b\n\n  y: 2\nspec:\n  a:\n    b: 1\n"
        "\n    # c\n\n  # b\n\n  # d\n  c:\n    d: 1\n    # c\n\n    # e\n\n    # f\n    g: 1\n"
        "\n# c\n\n# y\n\n# z\nb: 1\nitems:\n- a: 1\n\n  # c\n\n  # b\n  b: 2\n\n# c\n\n# d\n- c\n"
    ),
    # the same before a first entry (a single group there with a blank line after stays
    # refused: yaml.v3 drops that blank line)
    "comment-groups-before-a-first-entry": (
        _H + "data:\n  # c\n\n  # b\n  x: 1\n  y:\n    # c\n\n    # b\n\n    # d\n    z: 1\n"
        "items:\n  # c\n\n  # b\n  - x\nl:\n# c\n\n# b\n- y\n---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata:\n\n  # c\n\n  # b\n  name: a\n"
    ),
    # after an explicit `---`, a head comment's blank line is dropped
    "explicit-separator-head": "---\n  # c\n\n" + _H,
    # a blank-line foot after a collection item of a block sequence: yaml.v3 writes it after
    # the next item, or loses it before a flow collection
    "foot-after-collection-item": (
        _H + "a:\n- - 1\n# c\n\n- 2 # d\n- 3\nb:\n- x: 1\n# c\n\n- [2]\n- 3\n"
        "c:\n  - y: 1\n  # c\n\n  - 4\nd: 1\n"
    ),
    # yaml.v3 does not count a 4-byte UTF-8 character printable: double-quoted, escaped
    "astral-characters": _H
    + 'data:\n  a: smile 😀\n  b: |\n    x 😀\n  c: [é, 😀]\n  d: "😀" # c\n',
    "crlf": _H.replace("\n", "\r\n") + "data:\r\n  x: y # c\r\n",
}


Seen = tuple[tuple[int, str, str], str]  # a run's (exit code, stdout, stderr), plugin stdin


@pytest.fixture(scope="module")
def kyaml_outcomes(
    setup: tuple[Path, Path],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[str, str], tuple[Seen, Seen]]:
    """Every probe through both plugins, helm's runs and ours, two at a time (each run a
    process of its own, with its own plugin log): {(probe, plugin): (helm's, ours)}."""
    plugins, _ = setup
    root = tmp_path_factory.mktemp("kyaml")

    def one(probe: str, plugin: str, who: str) -> Seen:
        where = root / f"{probe}-{plugin}-{who}"
        where.mkdir()
        chart = _chart(where, KYAML_PROBES[probe], _H.replace("name: a", "name: u # c"))
        log = where / "log"
        env = dict(helm_home_env, HELM_PLUGINS=str(plugins), PR_LOG=str(log))
        result = _run([*_template(who, helm_v4), "--post-renderer", plugin, str(chart)], env)
        stdin = log.with_suffix(".stdin").read_text() if plugin == "record" else ""
        # the chart's path differs per run: the same placeholder in both
        return result, stdin.replace(str(chart), "CHART")

    keys = [(probe, plugin) for probe in sorted(KYAML_PROBES) for plugin in ("record", "edit")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {
            (key, who): pool.submit(one, *key, who) for key in keys for who in ("helm", "steersman")
        }
        return {key: (runs[key, "helm"].result(), runs[key, "steersman"].result()) for key in keys}


@pytest.mark.parametrize("plugin", ["record", "edit"])
@pytest.mark.parametrize("probe", sorted(KYAML_PROBES))
def test_kyaml_rewrite_same_as_helm(
    probe: str, plugin: str, kyaml_outcomes: dict[tuple[str, str], tuple[Seen, Seen]]
) -> None:
    """The post-renderer's stdin and the final output, byte for byte, for each construct."""
    helm, ours = kyaml_outcomes[probe, plugin]
    assert helm[0][0] == 0, helm[0][2]
    assert ours == helm


# yaml.v3 writes a key's comment after `key:` and the anchor or tag of the block collection
# that takes it on the next line: helm then fails to read its own output; so does steersman
HELM_BREAKS_ITS_OUTPUT = {
    "anchored-value-takes-a-comment": _H + "spec: &a # c\n  b: &b # d\n    x: 1\nz: 2\n",
    "tagged-value-takes-a-comment": _H + "spec: !!map # c\n  b: !!map\n    x: 1\nz: 2\n",
    "handed-on-to-an-anchored-value": (
        _H + "spec:\n  base: &b # c\n    x: [1]\n  other: &o\n    x: 1 # own\n"
    ),
}


@pytest.mark.parametrize("probe", sorted(HELM_BREAKS_ITS_OUTPUT))
def test_kyaml_output_helm_cannot_read_fails_alike(
    probe: str,
    setup: tuple[Path, Path],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    plugins, _ = setup
    chart = _chart(tmp_path, HELM_BREAKS_ITS_OUTPUT[probe])
    seen = []
    for who in ("helm", "steersman"):
        log = tmp_path / f"{who}-log"
        env = dict(helm_home_env, HELM_PLUGINS=str(plugins), PR_LOG=str(log))
        result = _run([*_template(who, helm_v4), "--post-renderer", "record", str(chart)], env)
        seen.append((result, log.with_suffix(".stdin").read_text()))
    helm, ours = seen
    assert helm[0][0] == 1
    assert "error while parsing post rendered output" in helm[0][2]
    assert ours == helm


def _chart(root: Path, *templates: str) -> Path:
    chart = root / "probe"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: probe\nversion: 0.1.0\n")
    for name, text in zip("tuvw", templates, strict=False):
        (chart / "templates" / f"{name}.yaml").write_bytes(text.encode())
    return chart


def _template(who: str, helm_v4: Path) -> list[str]:
    if who == "helm":
        return [str(helm_v4), "template"]
    return [sys.executable, "-m", "steersman", "template"]


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("- a\n- b\n", "got SequenceNode: node contents:\n- a\n- b\n"),
        ("just text # c\n", "got ScalarNode: node contents:\njust text # c\n"),
        ("a: 1\n--- x\nb: 2\n", "invalid document separator: --- x"),
        ("a: 1\n---\nb:\n  k: >\n     lead\n    x\n", "yaml: line 1: did not find expected key"),
        ('a: "x\n', "yaml: line 2: found unexpected end of stream"),
        ("a: 1\n b: 2\n", "yaml: line 2: mapping values are not allowed in this context"),
        ("a: [1\n", "yaml: line 1: did not find expected ',' or ']'"),
        ("a: *nope\n", "yaml: unknown anchor 'nope' referenced"),
    ],
)
def test_documents_kyaml_refuses_fail_as_in_helm(
    template: str,
    error: str,
    setup: tuple[Path, Path],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    plugins, _ = setup
    chart = _chart(tmp_path, template)
    env = dict(helm_home_env, HELM_PLUGINS=str(plugins), PR_LOG=str(tmp_path / "log"))
    helm, ours = (
        _run([*_template(who, helm_v4), "--post-renderer", "record", str(chart)], env)
        for who in ("helm", "steersman")
    )
    assert helm[0] == 1 and error in helm[2]
    assert ours == helm


def test_yaml_the_round_trip_cannot_reproduce_is_refused_clearly(
    setup: tuple[Path, Path], helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """A comment whose place in helm's kyaml round trip steersman does not reproduce: one
    line naming it instead of different bytes."""
    plugins, chart = setup
    commented = tmp_path / "commented"
    subprocess.run(["cp", "-r", str(chart), str(commented)], check=True)
    (commented / "templates" / "plain.yaml").write_text(
        "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c  # why\n"
        "data:\n  ? a\n  # between a key and its value\n  : b\n"
    )
    env = dict(helm_home_env, HELM_PLUGINS=str(plugins), PR_LOG=str(tmp_path / "log"))
    code, out, err = _run(
        [sys.executable, "-m", "steersman", "template", "--post-renderer", "patch", str(commented)],
        env,
    )
    assert code == 1 and out == ""
    assert err.startswith(
        "Error: error merging manifests: parsing pr/templates/plain.yaml: line 8: a comment "
        "between a key and its value is not supported around a post-renderer"
    )
    assert err.splitlines()[1:] == ["", "Use --debug flag to render out invalid YAML"]
    assert "Traceback" not in err
