"""The disk parse cache: hits, misses, bad entries, concurrent writers, eviction, versioning."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from steersman.gotemplate import TemplateExecError, TemplateSet, clear_parse_cache, parsecache
from steersman.gotemplate import parser as parser_module

TEXT = (
    '{{- define "lib.name" -}}{{ .name | printf "%s" }}{{- end -}}\n'
    'name: {{ template "lib.name" . }}\n'
    "{{- range $i, $v := .items }}\n- {{ $i }}: {{ $v.a.b }}{{ end }}\n"
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    directory = tmp_path / "parse"
    monkeypatch.setenv("STEERSMAN_PARSE_CACHE_DIR", str(directory))
    monkeypatch.delenv("STEERSMAN_PARSE_CACHE", raising=False)
    monkeypatch.delenv("STEERSMAN_PARSE_CACHE_MAX_MB", raising=False)
    clear_parse_cache()
    yield directory
    clear_parse_cache()


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = parser_module.parse_detailed

    def counting(name: str, *args: object, **kwargs: object) -> parser_module.ParseResult:
        calls.append(name)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    import steersman.gotemplate as gotemplate

    monkeypatch.setattr(gotemplate, "parse_detailed", counting)
    return calls


def _render(name: str, text: str = TEXT, data: object = None) -> str:
    ts = TemplateSet()
    ts.parse(name, text)
    return ts.execute(name, data if data is not None else {"name": "n", "items": []})


def _entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if not p.name.startswith("."))


def test_miss_then_hit_in_another_process_state(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_parses(monkeypatch)
    first = _render("a/templates/x.yaml")
    assert calls == ["a/templates/x.yaml"]
    assert len(_entries(cache)) == 1
    clear_parse_cache()  # what a new process sees: only the disk
    assert _render("a/templates/x.yaml") == first
    assert calls == ["a/templates/x.yaml"]


def test_same_text_under_another_name_shares_the_entry_and_reports_its_own_name(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_parses(monkeypatch)
    bad = {"name": "n", "items": [{"a": 1}]}
    with pytest.raises(TemplateExecError) as first:
        _render("one/charts/lib/templates/x.yaml", data=bad)
    clear_parse_cache()
    with pytest.raises(TemplateExecError) as second:
        _render("two/charts/lib/templates/x.yaml", data=bad)
    assert calls == ["one/charts/lib/templates/x.yaml"]
    assert len(_entries(cache)) == 1
    assert str(second.value) == str(first.value).replace("one/", "two/")
    assert str(second.value) == (
        'template: two/charts/lib/templates/x.yaml:4:17: executing "two/charts/lib/templates/'
        "x.yaml\" at <$v.a.b>: can't evaluate field b in type interface {}"
    )


def test_loaded_trees_equal_a_fresh_parse(cache: Path) -> None:
    from steersman.gotemplate.builtins import BUILTINS

    funcs = frozenset(BUILTINS)
    fresh = parser_module.parse_detailed("t", TEXT, funcs)
    key = parsecache.entry_key(TEXT, ("{{", "}}"), funcs)
    parsecache.store(key, "t", fresh)
    _, loaded = parsecache.load("u", TEXT, ("{{", "}}"), funcs)
    assert loaded is not None
    assert sorted(loaded) == ["lib.name", "u"]
    for name in ("lib.name",):
        assert str(loaded[name].root) == str(fresh.trees[name].root)
    assert str(loaded["u"].root) == str(fresh.trees["t"].root)
    assert loaded["u"].name == "u" and loaded["u"].src.parse_name == "u"
    assert loaded["u"].src.text == TEXT


def test_delimiters_and_functions_are_part_of_the_key() -> None:
    funcs = frozenset({"a"})
    key = parsecache.entry_key("x", ("{{", "}}"), funcs)
    assert key != parsecache.entry_key("x", ("[[", "]]"), funcs)
    assert key != parsecache.entry_key("x", ("{{", "}}"), funcs | {"b"})
    assert key != parsecache.entry_key("y", ("{{", "}}"), funcs)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:10],  # shorter than the header
        lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),  # a flipped byte in the payload
        lambda data: b"XXXX" + data[4:],  # foreign file
        lambda data: b"",
    ],
    ids=["truncated", "header-only", "corrupt", "foreign", "empty"],
)
def test_bad_entry_is_a_miss_and_is_rewritten(
    cache: Path, monkeypatch: pytest.MonkeyPatch, damage: object
) -> None:
    calls = _count_parses(monkeypatch)
    expected = _render("x")
    (entry,) = _entries(cache)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))  # type: ignore[operator]
    clear_parse_cache()
    assert _render("x") == expected
    assert calls == ["x", "x"]
    assert entry.read_bytes() == good


def test_entry_for_another_key_is_ignored(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_parses(monkeypatch)
    _render("x", "one {{ 1 }}")
    _render("x", "two {{ 2 }}")
    one, two = _entries(cache)
    one.write_bytes(two.read_bytes())  # a valid entry under the wrong name
    clear_parse_cache()
    assert [_render("x", "one {{ 1 }}"), _render("x", "two {{ 2 }}")] == ["one 1", "two 2"]
    assert len(calls) == 3


def test_version_change_invalidates(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _count_parses(monkeypatch)
    _render("x")
    clear_parse_cache()
    monkeypatch.setattr(parsecache, "_engine_key", b"another engine")
    _render("x")
    assert calls == ["x", "x"]
    assert len(_entries(cache)) == 2


def test_format_version_is_in_the_engine_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsecache, "_engine_key", None)
    before = parsecache.engine_key()
    monkeypatch.setattr(parsecache, "_engine_key", None)
    monkeypatch.setattr(parsecache, "FORMAT_VERSION", parsecache.FORMAT_VERSION + 1)
    assert parsecache.engine_key() != before


@pytest.mark.parametrize("value", ["off", "0", "false", "NO"])
def test_disabled_by_env(cache: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("STEERSMAN_PARSE_CACHE", value)
    calls = _count_parses(monkeypatch)
    _render("x")
    clear_parse_cache()
    _render("x")
    assert calls == ["x", "x"]
    assert not cache.exists()


def test_default_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("STEERSMAN_PARSE_CACHE_DIR")
    monkeypatch.delenv("STEERSMAN_PARSE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert parsecache.cache_dir() == tmp_path / "steersman" / "parse"


def test_the_session_never_uses_the_users_cache() -> None:
    directory = parsecache.cache_dir()
    assert directory is not None
    assert Path.home() / ".cache" not in directory.parents


def test_parse_errors_are_not_cached_and_keep_their_name(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steersman.gotemplate import TemplateParseError

    for name in ("a", "b"):
        with pytest.raises(TemplateParseError, match=f"^template: {name}:1: unexpected"):
            TemplateSet().parse(name, "{{ end }}")
    assert not cache.exists() or _entries(cache) == []


def test_text_defining_its_own_name_is_not_stored(cache: Path) -> None:
    text = '{{ define "self" }}inner{{ end }}'
    ts = TemplateSet()
    ts.parse("self", text)
    assert ts.execute("self", None) == "inner"
    assert not cache.exists() or _entries(cache) == []
    clear_parse_cache()
    ts = TemplateSet()
    ts.parse("other", text)
    assert ts.execute("other", None) == ""
    assert len(_entries(cache)) == 1


def test_deep_trees_are_not_stored(cache: Path) -> None:
    depth = parsecache.MAX_DEPTH + 1
    text = "{{ " + "(" * depth + "1" + ")" * depth + " }}"
    assert _render("deep", text) == "1"
    assert not cache.exists() or _entries(cache) == []


def test_size_bound_evicts_least_recently_used(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEERSMAN_PARSE_CACHE_MAX_MB", str(64 / 1024))  # 64 KiB
    filler = "x" * 8000
    now = time.time()
    for i in range(6):
        _render(f"t{i}", f"{i}{filler}{{{{ {i} }}}}")
        for n, entry in enumerate(sorted(_entries(cache), key=lambda p: p.stat().st_mtime)):
            os.utime(entry, (now - 1000 + n, now - 1000 + n))
    assert len(_entries(cache)) == 6
    oldest = min(_entries(cache), key=lambda p: p.stat().st_mtime)
    stale_temp = cache / ".tmp-crashed"
    stale_temp.write_bytes(b"partial")
    os.utime(stale_temp, (now - 7200, now - 7200))
    for i in range(6, 10):
        _render(f"t{i}", f"{i}{filler}{{{{ {i} }}}}")
    total = sum(p.stat().st_size for p in _entries(cache))
    assert total <= 64 * 1024
    assert not oldest.exists()
    assert not stale_temp.exists()
    newest = parsecache.entry_key(
        f"9{filler}{{{{ 9 }}}}", ("{{", "}}"), TemplateSet()._func_names
    ).hex()
    assert (cache / newest).exists()


def _writer(directory: str, rounds: int) -> list[str]:
    os.environ["STEERSMAN_PARSE_CACHE_DIR"] = directory
    out = []
    for i in range(rounds):
        clear_parse_cache()
        out.append(_render(f"p{os.getpid()}", TEXT + "x" * (i % 3)))
    return out


def test_concurrent_writers(cache: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(_writer, [(str(cache), 30)] * 4)
    expected = _writer(str(cache), 30)
    assert all(r == expected for r in results)
    assert len(_entries(cache)) == 3
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temp file left
    for entry in _entries(cache):
        assert entry.read_bytes().startswith(b"STPC")
