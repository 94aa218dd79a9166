"""Parsed templates kept on disk, shared by every process of this user.

An entry holds the trees that parsing one template text produced, pickled. It is keyed by a hash
of everything the parse depends on except the template's name: the text, the delimiters, the
function names (they decide which identifiers parse and whether break/continue are keywords),
and the engine (package version, FORMAT_VERSION and the parser modules' stamps). Trees carry the
top-level template name only through their shared `Source`, which is rebound on load, so
identical library charts vendored under two paths share one entry. A text that defines a
template with its own top-level name parses differently under another name and is not stored.

Entries are written atomically (temp file + os.replace) and start with a header naming the key,
the payload length and its CRC; anything unreadable, truncated, foreign or corrupt is a miss and
is rewritten. The directory is bounded: writers occasionally scan it (on average once per 1/16
of the bound written) and delete the least recently used entries by mtime; hits refresh the
mtime at most hourly.

Configuration (read on every use, so tests and benchmarks can switch it):
- STEERSMAN_PARSE_CACHE=off (or 0/false/no) disables the cache;
- STEERSMAN_PARSE_CACHE_DIR sets the directory (default: $XDG_CACHE_HOME or ~/.cache, then
  steersman/parse);
- STEERSMAN_PARSE_CACHE_MAX_MB bounds its size (default 256).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import random
import struct
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .nodes import ListNode, Source
from .parser import ParseResult, Tree

# Bump when the pickled form of trees changes in a way the module stamps below cannot see.
FORMAT_VERSION = 1
DEFAULT_MAX_BYTES = 256 << 20
# Deeper trees are not stored: pickle recurses in C once per level.
MAX_DEPTH = 200
_MAGIC = b"STPC"
_HEADER = struct.Struct("<4s32sQI")  # magic, key digest, payload length, payload CRC32
_TOUCH_AFTER = 3600.0
_STALE_TEMP = 3600.0
_TEMP_PREFIX = ".tmp-"
_OFF = {"0", "off", "false", "no"}

_engine_key: bytes | None = None
_funcs_digests: dict[frozenset[str], bytes] = {}
_made_dirs: set[str] = set()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while building a tree: trees hold no cycles, and the
    collections their many small objects would trigger cost as much as building them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cache_dir() -> Path | None:
    """The cache directory in use, or None when the cache is switched off."""
    if os.environ.get("STEERSMAN_PARSE_CACHE", "").strip().lower() in _OFF:
        return None
    explicit = os.environ.get("STEERSMAN_PARSE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "steersman" / "parse"


def max_bytes() -> int:
    raw = os.environ.get("STEERSMAN_PARSE_CACHE_MAX_MB")
    if raw:
        with contextlib.suppress(ValueError):
            return max(0, int(float(raw) * (1 << 20)))
    return DEFAULT_MAX_BYTES


def engine_key() -> bytes:
    """What makes this engine's trees its own: version, format and the parser's modules."""
    global _engine_key
    if _engine_key is None:
        from steersman import __version__

        from . import lexer, nodes, parser

        parts = [__version__, str(FORMAT_VERSION)]
        for module in (lexer, nodes, parser):
            try:
                st = os.stat(module.__file__ or "")
                parts.append(f"{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append("?")
        _engine_key = "\0".join(parts).encode()
    return _engine_key


def _funcs_digest(func_names: frozenset[str]) -> bytes:
    digest = _funcs_digests.get(func_names)
    if digest is None:
        digest = hashlib.sha256("\0".join(sorted(func_names)).encode()).digest()
        if len(_funcs_digests) > 64:
            _funcs_digests.clear()
        _funcs_digests[func_names] = digest
    return digest


def entry_key(text: str, delims: tuple[str, str], func_names: frozenset[str]) -> bytes:
    h = hashlib.sha256(engine_key())
    h.update(b"\0" + delims[0].encode("utf-8", "surrogatepass"))
    h.update(b"\0" + delims[1].encode("utf-8", "surrogatepass"))
    h.update(b"\0" + _funcs_digest(func_names) + b"\0")
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.digest()


def load(
    name: str, text: str, delims: tuple[str, str], func_names: frozenset[str]
) -> tuple[bytes | None, dict[str, Tree] | None]:
    """(key, trees): trees None on a miss, key None too when the cache is off.

    Never raises for a bad entry."""
    directory = cache_dir()
    if directory is None:
        return None, None
    key = entry_key(text, delims, func_names)
    path = directory / key.hex()
    try:
        with open(path, "rb") as f:
            data = f.read()
            mtime = os.fstat(f.fileno()).st_mtime
    except OSError:
        return key, None
    trees = _decode(data, key, name, text)
    if trees is not None and time.time() - mtime > _TOUCH_AFTER:
        with contextlib.suppress(OSError):
            os.utime(path)
    return key, trees


def _decode(data: bytes, key: bytes, name: str, text: str) -> dict[str, Tree] | None:
    if len(data) < _HEADER.size:
        return None
    magic, stored_key, length, crc = _HEADER.unpack_from(data)
    payload = memoryview(data)[_HEADER.size :]
    if magic != _MAGIC or stored_key != key or len(payload) != length:
        return None
    if zlib.crc32(payload) != crc:
        return None
    try:
        with gc_paused():
            src, entries = pickle.loads(payload)
    except Exception:  # a corrupt entry is a miss, whatever pickle makes of it
        return None
    if not isinstance(src, Source) or not isinstance(entries, list):
        return None
    src.parse_name = name
    src.text = text
    trees: dict[str, Tree] = {}
    for tname, root in entries:
        if not isinstance(root, ListNode) or root.src is not src:
            return None
        real_name = name if tname is None else tname
        trees[real_name] = Tree(real_name, root, src)
    if name not in trees:
        return None
    return trees


def _reduce_source(src: Source) -> tuple[type[Source], tuple[str, str]]:
    return Source, ("", "")  # the name and text are the caller's, rebound on load


def store(key: bytes, name: str, result: ParseResult) -> None:
    """Write the trees of a fresh parse, when they can be stored name-independently."""
    directory = cache_dir()
    if directory is None or name in result.defined or result.max_depth > MAX_DEPTH:
        return
    top = result.trees.get(name)
    if top is None:
        return
    entries: list[tuple[str | None, ListNode]] = [
        (None if tname == name else tname, tree.root) for tname, tree in result.trees.items()
    ]
    buf = io.BytesIO()
    buf.write(b"\0" * _HEADER.size)
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {Source: _reduce_source}
    try:
        with gc_paused():
            pickler.dump((top.src, entries))
    except Exception:  # e.g. RecursionError: such trees are just not cached
        return
    data = buf.getbuffer()
    payload = data[_HEADER.size :]
    _HEADER.pack_into(data, 0, _MAGIC, key, len(payload), zlib.crc32(payload))
    _write_atomically(directory, key.hex(), data)


def _write_atomically(directory: Path, filename: str, data: Any) -> None:
    dirname = str(directory)
    try:
        if dirname not in _made_dirs:
            os.makedirs(dirname, mode=0o700, exist_ok=True)
            _made_dirs.add(dirname)
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=dirname)
    except OSError:
        return  # an unwritable cache only costs speed
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(dirname, filename))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    bound = max_bytes()
    # A scan costs a stat per entry; doing one per bound/16 bytes written keeps that small.
    if random.random() < len(data) * 16 / max(bound, 1):
        evict(directory, bound)


def evict(directory: Path, bound: int) -> None:
    """Delete least recently used entries until the directory holds at most 3/4 of `bound`
    (when it holds more than `bound`), and temp files abandoned by crashed writers."""
    now = time.time()
    entries: list[tuple[float, int, str]] = []
    total = 0
    try:
        with os.scandir(directory) as it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if entry.name.startswith(_TEMP_PREFIX):
                    if now - st.st_mtime > _STALE_TEMP:
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                    continue
                entries.append((st.st_mtime, st.st_size, entry.path))
                total += st.st_size
    except OSError:
        return
    if total <= bound:
        return
    entries.sort()
    target = bound * 3 // 4
    for _, size, path in entries:
        if total <= target:
            break
        with contextlib.suppress(OSError):  # another process may have removed it already
            os.unlink(path)
        total -= size
