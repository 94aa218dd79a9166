"""Loading a chart from a directory, a .tgz file or archive bytes, as Helm v4's loader does.

Directory: `.helmignore` rules (plus the default `templates/.?*`), names walked in sorted order,
symlinks followed, a UTF-8 BOM stripped. Archive: the first path component dropped, unsafe
paths refused, 100 MiB / 5 MiB size limits. Then `load_files` sorts files into Chart.yaml
metadata, Chart.lock, values.yaml, values.schema.json, templates/, charts/ (subcharts, packed or
not, loaded recursively) and everything else, and validates the metadata. Failures raise
`ChartError` with Helm's message, which names the file (`cannot load values.yaml: ...`).
"""

from __future__ import annotations

import gzip
import io
import os
import posixpath
import re
import stat
import tarfile
import zlib
from datetime import UTC, datetime
from pathlib import Path

from steersman.chart.ignore import HELM_IGNORE, Rules
from steersman.chart.model import (
    API_VERSION_V1,
    API_VERSION_V2,
    LOCK_SPEC,
    METADATA_SPEC,
    Chart,
    ChartAPIVersionUnsupported,
    ChartError,
    ChartFile,
    Lock,
    Metadata,
    apply_metadata_fields,
    dependency_from_fields,
    validate_metadata,
)
from steersman.golang.goyaml import YAMLError, unmarshal_map
from steersman.golang.goyaml_struct import unmarshal_struct
from steersman.golang.osfile import errno_text

MAX_DECOMPRESSED_CHART_SIZE = 100 * 1024 * 1024
MAX_DECOMPRESSED_FILE_SIZE = 5 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
GZIP_INVALID_HEADER = "gzip: invalid header"
_DRIVE_PATH = re.compile(r"[a-zA-Z]:/")


# Go's syscall error text, as the loader and its callers print it.
go_os_error = errno_text


def load(path: str | os.PathLike[str], helm_major: int = 4) -> Chart:
    """Helm's loader.Load: a chart directory or a packaged chart file.

    helm_major 3 follows Helm v3: no apiVersion pre-check, values.yaml is one YAML document.
    """
    p = Path(path)
    try:
        is_dir = p.is_dir()
        p.stat()
    except OSError as exc:
        raise ChartError(f"stat {path}: {go_os_error(exc)}") from None
    return load_dir(p, helm_major) if is_dir else load_file(p, helm_major)


def _check_api_version(data: bytes, where: str) -> None:
    """v4 sniffs apiVersion first: v1, v2 or absent load as chart v2; anything else is refused."""
    try:
        base = unmarshal_struct(data, METADATA_SPEC)
    except YAMLError as exc:
        raise ChartError(f"cannot load Chart.yaml: {exc}") from None
    api = base.get("apiVersion", "")
    if api == "v3":
        unsupported = ChartAPIVersionUnsupported(
            f"{where}: chart apiVersion v3 is not supported by Steersman"
        )
        unsupported.library = base.get("type") == "library"
        raise unsupported
    if api not in (API_VERSION_V1, API_VERSION_V2, ""):
        raise ChartError("unsupported chart version")


def load_dir(path: str | os.PathLike[str], helm_major: int = 4) -> Chart:
    """Helm's LoadDir for a chart directory."""
    top = Path(os.path.abspath(path))
    if helm_major >= 4:
        # v4 reads Chart.yaml first to pick the chart API version (v3 just walks the files).
        chart_yaml = top / "Chart.yaml"
        try:
            data = chart_yaml.read_bytes()
        except OSError as exc:
            raise ChartError(
                f"unable to detect chart at {chart_yaml}: open {chart_yaml}: {go_os_error(exc)}"
            ) from None
        _check_api_version(data, str(chart_yaml))
    return load_files(dir_files(top), helm_major)


def dir_files(path: str | os.PathLike[str]) -> list[ChartFile]:
    """The files of a chart directory LoadDir reads (.helmignore and helm's defaults applied)."""
    top = Path(os.path.abspath(path))
    rules = Rules()
    ignore_file = top / HELM_IGNORE
    if ignore_file.exists():
        try:
            rules = Rules.parse(ignore_file.read_bytes())
        except ValueError as exc:
            raise ChartError(str(exc), file=str(ignore_file)) from None
    rules.add_defaults()
    files: list[ChartFile] = []
    _walk(top, "", rules, files)
    return files


def _walk(directory: Path, prefix: str, rules: Rules, out: list[ChartFile]) -> None:
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        raise ChartError(f"error reading {prefix or directory}: {go_os_error(exc)}") from None
    for name in names:
        full = directory / name
        rel = prefix + name
        try:
            st = full.stat()  # follows symlinks, as Helm's sympath walk does
        except OSError as exc:
            raise ChartError(
                f"error evaluating symlink {full}: lstat {_first_missing(full)}: {go_os_error(exc)}"
            ) from None
        if stat.S_ISDIR(st.st_mode):
            if not rules.ignore(rel, True):
                _walk(full, rel + "/", rules, out)
            continue
        if rules.ignore(rel, False):
            continue
        if not stat.S_ISREG(st.st_mode):
            raise ChartError(f"cannot load irregular file {full} as it has file mode type bits set")
        if st.st_size > MAX_DECOMPRESSED_FILE_SIZE:
            raise ChartError(
                f'chart file "{name}" is larger than the maximum file size '
                f"{MAX_DECOMPRESSED_FILE_SIZE}"
            )
        try:
            data = full.read_bytes()
        except OSError as exc:
            raise ChartError(f"error reading {rel}: {go_os_error(exc)}") from None
        mod_time = datetime.fromtimestamp(st.st_mtime_ns / 1e9, UTC)
        out.append(ChartFile(rel, data.removeprefix(_BOM), mod_time))


def _first_missing(link: Path) -> str:
    """The path filepath.EvalSymlinks fails to lstat: the first missing part of the target."""
    target = Path(os.path.realpath(link))
    missing = target
    for parent in target.parents:
        if parent.exists():
            break
        missing = parent
    return str(missing)


def load_file(path: str | os.PathLike[str], helm_major: int = 4) -> Chart:
    """Helm's LoadFile for a packaged chart (.tgz)."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise ChartError("cannot load a directory") from None
    except OSError as exc:
        raise ChartError(f"file '{name}' cannot be read: {go_os_error(exc)}") from None
    return load_file_bytes(raw, name, helm_major)


def load_file_bytes(raw: bytes, name: str, helm_major: int = 4) -> Chart:
    """load_file of bytes already read from the file `name` (a fetched chart in helm's
    content cache): the same checks, the same texts."""
    if not raw.startswith(b"\x1f\x8b\x08"):
        if name.endswith((".yml", ".yaml")):
            raise ChartError(
                f"file '{name}' seems to be a YAML file, but expected a gzipped archive"
            )
        content_type = _sniff_content_type(raw[:512].ljust(512, b"\0"))
        raise ChartError(
            f"file '{name}' does not appear to be a gzipped archive; got '{content_type}'"
        )
    try:
        files = load_archive_files(raw)
    except ChartError as exc:
        if str(exc) == GZIP_INVALID_HEADER:
            raise ChartError(
                f"file '{name}' does not appear to be a valid chart file (details: {exc})"
            ) from None
        raise ChartError("unable to load chart archive") from None
    chart_yaml = next((f for f in files if f.name == "Chart.yaml"), None)
    if chart_yaml is None:
        raise ChartError("unable to detect chart version, no Chart.yaml found")
    if helm_major >= 4:
        _check_api_version(chart_yaml.data, name)
    return load_files(files, helm_major)


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"%!PS-Adobe-", "application/postscript"),
    (b"\xfe\xff", "text/plain; charset=utf-16be"),
    (b"\xff\xfe", "text/plain; charset=utf-16le"),
    (b"\xef\xbb\xbf", "text/plain; charset=utf-8"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"BM", "image/bmp"),
    (b"PK\x03\x04", "application/zip"),
    (b"Rar!\x1a\x07", "application/x-rar-compressed"),
    (b"\x00asm", "application/wasm"),
)
# net/http's htmlSig list
_HTML_TAGS = tuple(
    t.encode()
    for t in (
        "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT",
        "<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--",
    )
)  # fmt: skip
_BINARY_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])


def _sniff_content_type(head: bytes) -> str:
    """The common cases of net/http.DetectContentType (Helm sniffs a zero-padded 512 bytes,
    so a short text file counts as binary)."""
    stripped = head.lstrip(b"\t\n\x0c\r ")
    for tag in _HTML_TAGS:  # the tag, any case, then a space or '>'
        if stripped[: len(tag)].upper() == tag and stripped[len(tag) : len(tag) + 1] in (
            b" ",
            b">",
        ):
            return "text/html; charset=utf-8"
    if stripped[:5].lower() == b"<?xml":
        return "text/xml; charset=utf-8"
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if any(b in _BINARY_BYTES for b in head):
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


def load_archive(data: bytes, helm_major: int = 4) -> Chart:
    """Helm's LoadArchive: a chart from .tgz bytes."""
    return load_files(load_archive_files(data), helm_major)


def load_archive_files(data: bytes) -> list[ChartFile]:
    """Helm's LoadArchiveFiles: the regular files of a gzipped tar, first component dropped.

    Errors carry Go's texts for the common failures (`gzip: invalid header`, `unexpected EOF`).
    """
    try:
        tar_bytes = gzip.decompress(data)
    except gzip.BadGzipFile:
        raise ChartError(GZIP_INVALID_HEADER) from None
    except EOFError:
        raise ChartError("unexpected EOF") from None
    except (OSError, zlib.error):
        raise ChartError("flate: corrupt input") from None
    try:
        return _tar_files(tar_bytes)
    except tarfile.TarError:
        raise ChartError("archive/tar: invalid tar header") from None


def _tar_files(tar_bytes: bytes) -> list[ChartFile]:
    files: list[ChartFile] = []
    remaining = MAX_DECOMPRESSED_CHART_SIZE
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
        for member in tar:
            if member.isdir() or member.type in (tarfile.XHDTYPE, tarfile.XGLTYPE):
                continue
            delimiter = "\\" if "\\" in member.name else "/"
            parts = member.name.split(delimiter)
            rel = "/".join(parts[1:])
            if rel.startswith("/"):
                raise ChartError("chart illegally contains absolute paths")
            rel = posixpath.normpath(rel) if rel else "."
            if rel == ".":
                raise ChartError(
                    f'chart illegally contains content outside the base directory: "{member.name}"'
                )
            if rel.startswith(".."):
                raise ChartError("chart illegally references parent directory")
            if _DRIVE_PATH.match(rel):
                raise ChartError("chart contains illegally named files")
            if parts[0] == "Chart.yaml":
                raise ChartError("chart yaml not in base directory")
            if member.size > remaining:
                raise ChartError(
                    "decompressed chart is larger than the maximum size "
                    f"{MAX_DECOMPRESSED_CHART_SIZE}"
                )
            if member.size > MAX_DECOMPRESSED_FILE_SIZE:
                raise ChartError(
                    f'decompressed chart file "{member.name}" is larger than the maximum file '
                    f"size {MAX_DECOMPRESSED_FILE_SIZE}"
                )
            extracted = tar.extractfile(member)
            content = extracted.read() if extracted is not None else b""
            remaining -= len(content)
            mod_time = datetime.fromtimestamp(member.mtime, UTC)
            files.append(ChartFile(rel, content.removeprefix(_BOM), mod_time))
    if not files:
        raise ChartError("no files in chart archive")
    return files


def load_values(data: bytes | str, helm_major: int = 4) -> dict[str, object]:
    """Helm v4's LoadValues: every YAML document of the stream, merged in order.

    Helm v3 reads only the first document and wraps no extra context around errors.
    """
    if helm_major < 4:
        try:
            return unmarshal_map(data)
        except YAMLError as exc:
            raise ChartError(str(exc)) from None
    values: dict[str, object] = {}
    for doc in split_yaml_documents(data):
        try:
            current = unmarshal_map(doc)
        except YAMLError as exc:
            raise ChartError(f"cannot unmarshal yaml document: {exc}") from None
        values = merge_maps(values, current)
    return values


def merge_maps(a: dict[str, object], b: dict[str, object]) -> dict[str, object]:
    """Helm's MergeMaps: b wins, nested maps are merged recursively (a new map is returned)."""
    out = dict(a)
    for k, v in b.items():
        current = out.get(k)
        if isinstance(v, dict) and isinstance(current, dict):
            out[k] = merge_maps(current, v)
        else:
            out[k] = v
    return out


def split_yaml_documents(data: bytes | str) -> list[bytes]:
    """k8s.io/apimachinery's YAMLReader: split on lines starting with `---`.

    Its LineReader ends every line with a single `\n` (a `\r\n` ending becomes `\n`; a lone
    `\r` is not a line break).
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    docs: list[bytes] = []
    buffer: list[bytes] = []
    raw_lines = data.split(b"\n")
    if raw_lines and raw_lines[-1] == b"":
        raw_lines.pop()
    for raw in raw_lines:
        line = raw.removesuffix(b"\r") + b"\n"
        if line.startswith(b"---"):
            rest = line[3:].strip().decode("utf-8", "replace")
            if rest and not rest.startswith("#"):
                raise ChartError(
                    f"error reading yaml document: invalid Yaml document separator: {rest}"
                )
            if buffer:
                docs.append(b"".join(buffer))
                buffer = []
            continue
        buffer.append(line)
    if buffer:
        docs.append(b"".join(buffer))
    return docs


def _decode_metadata(data: bytes, what: str, md: Metadata) -> None:
    try:
        fields = unmarshal_struct(data, METADATA_SPEC)
    except YAMLError as exc:
        raise ChartError(f"cannot load {what}: {exc}", file=what) from None
    apply_metadata_fields(md, fields)


def _decode_lock(data: bytes, what: str) -> Lock:
    try:
        fields = unmarshal_struct(data, LOCK_SPEC)
    except YAMLError as exc:
        raise ChartError(f"cannot load {what}: {exc}", file=what) from None
    return Lock(
        generated=fields.get("generated", ""),
        digest=fields.get("digest", ""),
        dependencies=[dependency_from_fields(d) for d in fields.get("dependencies", [])],
    )


def load_files(files: list[ChartFile], helm_major: int = 4) -> Chart:
    """Helm's LoadFiles: build a chart (and its subcharts) from its files."""
    metadata: Metadata | None = None
    chart = Chart(metadata=Metadata())
    for f in files:
        chart.raw.append(f)
        if f.name == "Chart.yaml":
            metadata = metadata or Metadata()
            _decode_metadata(f.data, "Chart.yaml", metadata)
            if not metadata.api_version:
                metadata.api_version = API_VERSION_V1
            chart.mod_time = f.mod_time
    subcharts: dict[str, list[ChartFile]] = {}
    for f in files:
        name = f.name
        if name == "Chart.yaml":
            continue
        if name == "Chart.lock":
            chart.lock = _decode_lock(f.data, "Chart.lock")
        elif name == "values.yaml":
            try:
                chart.values = load_values(f.data, helm_major)
            except ChartError as exc:
                raise ChartError(f"cannot load values.yaml: {exc}", file="values.yaml") from None
        elif name == "values.schema.json":
            chart.schema = f.data
            chart.schema_mod_time = f.mod_time
        elif name == "requirements.yaml":
            metadata = metadata or Metadata()
            _decode_metadata(f.data, "requirements.yaml", metadata)
            if metadata.api_version == API_VERSION_V1:
                chart.files.append(f)
        elif name == "requirements.lock":
            chart.lock = _decode_lock(f.data, "requirements.lock")
            metadata = metadata or Metadata()
            if metadata.api_version == API_VERSION_V1:
                chart.files.append(f)
        elif name.startswith("templates/"):
            chart.templates.append(f)
        elif name.startswith("charts/"):
            if posixpath.splitext(name)[1] == ".prov":
                chart.files.append(f)
                continue
            rest = name[len("charts/") :]
            sub = rest.split("/", 1)[0]
            subcharts.setdefault(sub, []).append(ChartFile(rest, f.data, f.mod_time))
        else:
            chart.files.append(f)

    if metadata is None:
        raise ChartError("Chart.yaml file is missing")
    chart.metadata = metadata
    try:
        validate_metadata(metadata)
    except ValueError as exc:
        raise ChartError(str(exc)) from None

    # Helm walks a Go map here (random order); sorted names keep ours reproducible.
    for sub in sorted(subcharts):
        sub_files = subcharts[sub]
        if sub[:1] in ("_", "."):
            continue
        try:
            if posixpath.splitext(sub)[1] == ".tgz":
                first = sub_files[0]
                if first.name != sub:
                    raise ChartError(
                        f"error unpacking subchart tar in {chart.name}: expected {sub}, "
                        f"got {first.name}"
                    )
                child = load_archive(first.data, helm_major)
            else:
                inner = [
                    ChartFile(f.name.split("/", 1)[1], f.data, f.mod_time)
                    for f in sub_files
                    if "/" in f.name
                ]
                child = load_files(inner, helm_major)
        except ChartError as exc:
            if str(exc).startswith("error unpacking subchart tar"):
                raise
            inner_file = f"charts/{sub}/{exc.file}" if exc.file else f"charts/{sub}"
            raise ChartError(
                f"error unpacking subchart {sub} in {chart.name}: {exc}", file=inner_file
            ) from None
        chart.add_dependency(child)
    return chart
