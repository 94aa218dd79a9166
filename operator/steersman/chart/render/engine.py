"""Chart + values -> manifest, hooks and notes, exactly as Helm's install/template renders them.

Order of operations (Helm v4 action.Install + renderResources):
1. ProcessDependencies on a copy of the chart (aliases, tags, conditions, import-values);
2. CoalesceValues, then values.schema.json validation of the root and every subchart;
3. the chart's `kubeVersion` constraint against the capabilities;
4. the engine (`render_templates`): every template of every enabled chart parsed into one
   template set in Helm's order, then every non-partial file executed;
5. NOTES pulled out, documents split into hooks and manifests, sorted by kind, assembled.

Threading: rendering is synchronous CPU work and `lookup` is called synchronously from inside
template execution. The async engine runs `render_release` in a worker thread
(`asyncio.to_thread`) and gives it a `lookup` that hands each call to the event loop with
`asyncio.run_coroutine_threadsafe(...).result()`; never call it on the loop's own thread.

Speed: parsed templates are cached by the template engine (keyed by name and text), and the
Helm/Sprig function map is built once per process, so a warm re-render only executes.
"""

from __future__ import annotations

import posixpath
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from steersman.chart.dependencies import copy_chart, is_compatible_range, process_dependencies
from steersman.chart.model import Chart
from steersman.chart.render.context import (
    Capabilities,
    chart_value,
    default_capabilities,
    new_files,
    release_map,
    values_type,
)
from steersman.chart.render.helmfuncs import (
    HELM_ERR_END,
    HELM_ERR_START,
    ROOT_TEMPLATE,
    Lookup,
    bind_template_funcs,
    helm_funcs,
    lookup_func,
)
from steersman.chart.render.manifests import (
    INSTALL_ORDER,
    INSTALL_ORDER_V3,
    Hook,
    ManifestError,
    assemble_manifest,
    extract_notes,
    sort_manifests,
    split_manifests,
)
from steersman.chart.values.coalesce import Values, ValuesError, coalesce_values, deep_copy
from steersman.chart.values.schema import SchemaError, ValuesSchemaError, check_values
from steersman.errors import SteersmanError
from steersman.golang import goyaml, jsonout
from steersman.golang.types import GoFunc, GoNamedMap
from steersman.gotemplate import TemplateExecError, TemplateParseError, TemplateSet


class RenderError(SteersmanError):
    """Rendering failed; str() is the text Helm reports (after `Error: `)."""

    def __init__(self, message: str, *, manifest: str = "") -> None:
        super().__init__(message)
        # Helm keeps whatever was assembled so far (shown by `helm template --debug`).
        self.manifest = manifest


@dataclass
class ReleaseOptions:
    name: str
    namespace: str
    revision: int = 1
    is_install: bool = True
    is_upgrade: bool = False


@dataclass
class RenderedRelease:
    manifest: str
    hooks: list[Hook]
    notes: str
    values: dict[str, Any]  # the coalesced values templates saw


_BASE_FUNCS: dict[int, dict[str, GoFunc]] = {}


def _funcs(
    lookup: Lookup | None,
    rand: random.Random | None,
    now: Callable[[], datetime] | None,
    helm_major: int = 4,
) -> dict[str, GoFunc]:
    """Helm's function map; the default one (real randomness and clock) is built once."""
    if rand is not None or now is not None:
        funcs = helm_funcs(rand=rand, now=now, helm_major=helm_major)
    else:
        base = _BASE_FUNCS.get(helm_major)
        if base is None:
            base = _BASE_FUNCS[helm_major] = helm_funcs(helm_major=helm_major)
        funcs = dict(base)
    if lookup is not None:
        funcs["lookup"] = lookup_func(lookup)
    return funcs


def render_release(
    chart: Chart,
    user_values: dict[str, Any],
    options: ReleaseOptions,
    *,
    capabilities: Capabilities | None = None,
    lookup: Lookup | None = None,
    include_crds: bool = False,
    sub_notes: bool = False,
    helm_major: int = 4,
    skip_schema_validation: bool = False,
    rand: random.Random | None = None,
    now: Callable[[], datetime] | None = None,
    post_render: Callable[[str], str] | None = None,
) -> RenderedRelease:
    """Render a release. Raises RenderError, ChartError or ValuesError with Helm's texts.

    `rand`/`now` pin Sprig's non-deterministic functions (tests); `chart` is not modified.
    `post_render` (a post-renderer: manifests stream in, stream out) sees every rendered file
    but the notes, before hooks and manifests are sorted; its failures raise RenderError.
    """
    work = copy_chart(chart)
    process_dependencies(work, user_values)
    values = coalesce_values(work, user_values)
    if not skip_schema_validation:
        try:
            check_values(work, values)
        except (ValuesSchemaError, SchemaError) as exc:
            raise ValuesError(str(exc)) from exc
    caps = capabilities or default_capabilities(helm_major)
    constraint = work.metadata.kube_version
    if constraint and not is_compatible_range(constraint, caps.kube_version.version_string()):
        raise RenderError(
            f"chart requires kubeVersion: {constraint} which is incompatible with Kubernetes "
            f"{caps.kube_version.version}"
        )
    release = release_map(
        options.name, options.namespace, options.revision, options.is_install, options.is_upgrade
    )
    files = render_templates(
        work,
        values,
        release,
        caps,
        funcs=_funcs(lookup, rand, now, helm_major),
        helm_major=helm_major,
    )
    notes, files = extract_notes(files, work.name, sub_notes=sub_notes)
    if post_render is not None:
        files = _post_rendered(files, post_render)
    order = INSTALL_ORDER if helm_major >= 4 else INSTALL_ORDER_V3
    try:
        hooks, manifests = sort_manifests(files, order)
    except ManifestError as exc:
        dump = "".join(
            f"---\n# Source: {name}\n{text}\n" for name, text in files.items() if text.strip()
        )
        raise RenderError(_go_yaml_error(files, str(exc), helm_major), manifest=dump) from None
    crds = crd_objects(work) if include_crds else []
    return RenderedRelease(assemble_manifest(manifests, crds=crds), hooks, notes, values)


def _post_rendered(files: dict[str, str], run: Callable[[str], str]) -> dict[str, str]:
    from steersman.chart.render.postrender import (
        PostRenderYAMLError,
        annotate_and_merge,
        split_and_deannotate,
    )

    try:
        merged = annotate_and_merge(files)
    except PostRenderYAMLError as exc:
        raise RenderError(f"error merging manifests: {exc}") from None
    try:
        out = run(merged)
    except RenderError:
        raise
    except Exception as exc:  # the post-renderer's own failure, worded by it
        raise RenderError(f"error while running post render on files: {exc}") from None
    try:
        return split_and_deannotate(out)
    except PostRenderYAMLError as exc:
        raise RenderError(f"error while parsing post rendered output: {exc}") from None


def _go_yaml_error(files: Mapping[str, str], message: str, helm_major: int) -> str:
    """go-yaml's wording for a document that does not parse (sort_manifests reports PyYAML's)."""
    prefix = "YAML parse error on "
    if not message.startswith(prefix):
        return message
    for path in sorted(files, key=len, reverse=True):
        if not message.startswith(f"{prefix}{path}: "):
            continue
        for doc in split_manifests(files[path]):
            bad_utf8 = _utf8_problem(doc.encode("utf-8", "surrogateescape"))
            if bad_utf8 is not None:
                return f"{prefix}{path}: error converting YAML to JSON: yaml: {bad_utf8}"
            try:
                value = goyaml.unmarshal(doc)
            except goyaml.YAMLError as exc:
                return f"{prefix}{path}: {exc}"
            if value is not None and not isinstance(value, dict):
                return (
                    f"{prefix}{path}: error unmarshaling JSON: while decoding JSON: json: cannot "
                    f"unmarshal {jsonout.json_kind(value)} into Go value of type "
                    f"{'util' if helm_major >= 4 else 'releaseutil'}.SimpleHead"
                )
        break
    return message


def _utf8_problem(data: bytes) -> str | None:
    """The complaint of go-yaml's reader (libyaml's UTF-8 checks) about the first character it
    refuses, if any: an invalid UTF-8 sequence, or a control character before one."""
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        width = (
            1 if b < 0x80 else 2 if b >> 5 == 6 else 3 if b >> 4 == 14 else 4 if b >> 3 == 30 else 0
        )
        if width == 0:
            return "invalid leading UTF-8 octet"
        if i + width > n:
            return "incomplete UTF-8 octet sequence"
        value = b & (0x7F, 0x1F, 0x0F, 0x07)[width - 1]
        for k in range(1, width):
            if data[i + k] >> 6 != 2:
                return "invalid trailing UTF-8 octet"
            value = (value << 6) | (data[i + k] & 0x3F)
        if width > 1 and value < (0, 0x80, 0x800, 0x10000)[width - 1]:
            return "invalid length of a UTF-8 sequence"
        if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            return "invalid Unicode character"
        if not _printable(value):
            return "control characters are not allowed"
        i += width
    return None


def _printable(value: int) -> bool:
    """The characters libyaml's reader lets through (YAML 1.1's printable set)."""
    return (
        value in (0x09, 0x0A, 0x0D, 0x85)
        or 0x20 <= value <= 0x7E
        or 0xA0 <= value <= 0xD7FF
        or 0xE000 <= value <= 0xFFFD
        or 0x10000 <= value <= 0x10FFFF
    )


def crd_objects(chart: Chart) -> list[tuple[str, bytes]]:
    """CRDObjects: crds/*.yaml|yml|json of the chart, then of its subcharts, raw."""
    out = [
        (f"{chart.chart_full_path()}/{f.name}", f.data)
        for f in chart.files
        if f.name.startswith("crds/") and f.name.endswith((".yaml", ".yml", ".json"))
    ]
    for sub in chart.dependencies:
        out.extend(crd_objects(sub))
    return out


# --- the engine (pkg/engine/engine.go) ------------------------------------------------------


@dataclass
class _Renderable:
    text: str
    context: GoNamedMap
    base_path: str


def _collect(
    chart: Chart,
    parent: GoNamedMap,
    out: dict[str, _Renderable],
    helm_major: int,
) -> GoNamedMap:
    """recAllTpls: one shared context per chart; subchart values are `Values.<name>`."""
    vtype = values_type(helm_major)
    subcharts: dict[str, Any] = {}
    ctx = vtype(
        {
            "Chart": chart_value(chart, helm_major),
            "Files": new_files(chart),
            "Release": parent["Release"],
            "Capabilities": parent["Capabilities"],
            "Values": vtype(),
            "Subcharts": subcharts,
        }
    )
    if chart.is_root():
        ctx["Values"] = parent["Values"]
    else:
        sub = parent["Values"].get(chart.name) if isinstance(parent["Values"], dict) else None
        if isinstance(sub, dict):
            ctx["Values"] = sub if isinstance(sub, vtype) else vtype(sub)
    for child in chart.dependencies:
        # Go stores the plain map here (typeOf: map[string]interface {}) and the same map as
        # common.Values for execution; a shallow copy keeps the type, sharing every value.
        subcharts[child.name] = dict(_collect(child, ctx, out, helm_major))
    full = chart.chart_full_path()
    library = chart.metadata.type.lower() == "library"
    for t in chart.templates:
        if library and not posixpath.basename(t.name).startswith("_"):
            continue
        out[posixpath.normpath(f"{full}/{t.name}")] = _Renderable(
            t.data.decode("utf-8", "surrogateescape"), ctx, f"{full}/templates"
        )
    return ctx


def sort_templates(names: list[str]) -> list[str]:
    """Deepest paths first, then reverse byte order (Helm's sortTemplates)."""
    return sorted(
        names, key=lambda n: (n.count("/"), n.encode("utf-8", "surrogateescape")), reverse=True
    )


def render_templates(
    chart: Chart,
    values: Values,
    release: dict[str, Any],
    capabilities: Capabilities,
    *,
    funcs: Mapping[str, GoFunc] | None = None,
    helm_major: int = 4,
) -> dict[str, str]:
    """Engine.Render: rendered text of every non-partial template, keyed by full path."""
    vtype = values_type(helm_major)
    # templates may mutate .Values (set/unset/merge); they get their own copy
    top = vtype(
        {"Release": release, "Capabilities": capabilities, "Values": vtype(deep_copy(values))}
    )
    renderables: dict[str, _Renderable] = {}
    _collect(chart, top, renderables, helm_major)

    ts = TemplateSet(
        funcs if funcs is not None else _funcs(None, None, None, helm_major),
        missingkey="zero",
        name=ROOT_TEMPLATE,
    )
    bind_template_funcs(ts, {})
    keys = sort_templates(list(renderables))
    for name in keys:
        try:
            ts.parse(name, renderables[name].text)
        except TemplateParseError as exc:
            raise RenderError(_parse_error(name, str(exc))) from None

    rendered: dict[str, str] = {}
    for name in keys:
        if posixpath.basename(name).startswith("_"):
            continue
        r = renderables[name]
        r.context["Template"] = vtype({"Name": name, "BasePath": r.base_path})
        try:
            out = ts.execute(name, r.context)
        except TemplateExecError as exc:
            raise RenderError(_exec_error(name, str(exc), helm_major)) from None
        except (RecursionError, MemoryError):
            raise
        except Exception as exc:
            # Helm recovers panics the same way; here it means a gap in our Go emulation.
            raise RenderError(f"rendering template failed: {exc!r}") from exc
        rendered[name] = out.replace("<no value>", "")
    return rendered


# --- error texts (cleanupParseError, reformatExecErrorMsg) --------------------------------


def _parse_error(filename: str, msg: str) -> str:
    tokens = msg.split(": ")
    if len(tokens) == 1:
        return f"parse error in ({filename}): {msg}"
    return f"parse error at ({tokens[1]}): {tokens[-1]}"


_WARN = re.compile(re.escape(HELM_ERR_START) + "(.*)" + re.escape(HELM_ERR_END), re.S)
_CALL = re.compile(r"error calling [^:\s]+: ")


@dataclass(frozen=True)
class _Traceable:
    location: str = ""
    message: str = ""
    executed: str = ""
    inner: str | None = None  # text of the wrapped error, when this one wraps another

    def text(self) -> str:
        out = ""
        if self.location:
            out += f"{self.location}\n  "
        if self.executed:
            out += f"{self.executed}\n    "
        if self.message:
            out += f"{self.message}\n"
        return out


def _cut_chain(msg: str) -> str:
    cut = msg.find(" template:")
    return msg[:cut] if cut >= 0 else msg


def _parse_traceable(s: str) -> _Traceable | None:
    prefix = "template: "
    if not s.startswith(prefix):
        return None
    rest = s[len(prefix) :]
    if rest.startswith("no template "):
        return _Traceable(message=s)
    idx = rest.find(": executing ")
    if idx >= 0:
        name = rest[:idx]
        after = rest[idx + len(": executing ") :]
        if after.startswith('"'):
            end = after.find('"', 1)
            if end >= 0 and after[end + 1 :].startswith(" at <"):
                at = after[end + 1 + len(" at <") :]
                loc_end = at.find(">: ")
                if loc_end >= 0:
                    full = at[loc_end + 3 :]
                    call = _CALL.match(full)
                    return _Traceable(
                        location=name,
                        message=_cut_chain(full),
                        executed=f'executing "{after[1:end]}" at <{at[:loc_end]}>:',
                        inner=full[call.end() :] if call else None,
                    )
        return None
    sep = rest.rfind(": ")
    if sep >= 0:
        return _Traceable(location=rest[:sep], message=_cut_chain(rest[sep + 2 :]))
    return None


def _exec_error(filename: str, msg: str, helm_major: int) -> str:
    tokens = msg.split(": ", 2)
    if len(tokens) != 3:
        return f"execution error in ({filename}): {msg}"
    warn = _WARN.search(tokens[2])
    if warn is not None:
        return f"execution error at ({tokens[1]}): {warn.group(1)}"
    if helm_major < 4:
        return msg
    # v4 walks the error chain (each wrapped template error) into an indented trace; a chain
    # that ends in a non-template error is reported unchanged.
    trace: list[_Traceable] = []
    current: str | None = msg
    while current is not None:
        tr = _parse_traceable(current)
        if tr is None:
            return msg
        if not trace or trace[-1] != tr:
            trace.append(tr)
        current = tr.inner
    return "".join(t.text() for t in trace).strip()
