"""Go's `os` file calls as Helm makes them, with Go's error texts (`*PathError`: `op path: text`).

Python's own calls fail at a different path or with another errno in places (os.makedirs
reports EEXIST where Go's MkdirAll reports ENOTDIR at the path that is a file), so the steps
are Go's, one by one.
"""

from __future__ import annotations

import os
import stat as statmod


def errno_text(exc: OSError) -> str:
    """The text Go's syscall.Errno prints: the C library's message, lower case."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]


class PathError(Exception):
    """Go's *fs.PathError: the operation, the path and the errno's text."""

    def __init__(self, op: str, path: str, text: str) -> None:
        super().__init__(f"{op} {path}: {text}")
        self.op, self.path, self.text = op, path, text


def _is_dir(path: str, follow: bool = True) -> bool:
    try:
        return statmod.S_ISDIR(os.stat(path, follow_symlinks=follow).st_mode)
    except OSError:
        return False


def stat_error(path: str) -> PathError | None:
    """os.Stat's error, None when it succeeds or the path does not exist (os.IsNotExist)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return PathError("stat", path, errno_text(exc))
    return None


def mkdir_all(path: str, perm: int = 0o755) -> None:
    """os.MkdirAll: an existing non-directory is ENOTDIR at that path; otherwise the parents
    first, then Mkdir, whose failure names the path that could not be made."""
    try:
        is_dir = statmod.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        pass
    else:
        if is_dir:
            return
        raise PathError("mkdir", path, "not a directory")
    i = len(path) - 1
    while i >= 0 and path[i] == "/":
        i -= 1
    while i >= 0 and path[i] != "/":
        i -= 1
    parent = path[: max(i, 0)]
    if parent:
        mkdir_all(parent, perm)
    try:
        os.mkdir(path, perm)
    except OSError as exc:
        if _is_dir(path, follow=False):  # "foo/." and races: it exists now
            return
        raise PathError("mkdir", path, errno_text(exc)) from None


def read_file(path: str) -> bytes:
    """os.ReadFile: a directory opens, then fails to read (`read DIR: is a directory`)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise PathError("open", path, errno_text(exc)) from None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise PathError("read", path, errno_text(exc)) from None
    finally:
        os.close(fd)


def write_file(path: str, data: bytes, append: bool) -> None:
    """os.Create (0666, truncating) or os.OpenFile(O_APPEND|O_WRONLY, 0600), then one write."""
    flags = os.O_WRONLY | os.O_APPEND if append else os.O_RDWR | os.O_CREAT | os.O_TRUNC
    try:
        fd = os.open(path, flags | os.O_CLOEXEC, 0o600 if append else 0o666)
    except OSError as exc:
        raise PathError("open", path, errno_text(exc)) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise PathError("write", path, errno_text(exc)) from None
    finally:
        os.close(fd)
