"""Run one template case through the real helm v4 binary and return what Go produced.

Each case becomes a throwaway chart named `case`:

- `templates/NOTES.txt` holds the case template verbatim, so Go parses and executes it under the
  name `case/templates/NOTES.txt` (error positions are relative to the case text itself);
- `templates/AAraw.yaml` is `# {{ include "case/templates/NOTES.txt" . | b64enc }}`: the exact bytes
  Go wrote *before* Helm replaced `<no value>` with "" (it sorts after NOTES.txt in Helm's
  descending order, so an error in the case is always reported from NOTES.txt first);
- `values.yaml` is the case's values as JSON (JSON is YAML, so no YAML 1.1 surprises).

`helm install case <chart> --dry-run=client -o json` needs no cluster; `info.notes` is Helm's
rendered NOTES (after the `<no value>` replacement) and the manifest carries the raw bytes.

Errors: Helm rewrites Go's error text (`cleanupParseError` keeps only the last `: ` token of a parse
error; v4's `reformatExecErrorMsg` turns exec errors into an indented trace). To recover Go's own
`err.Error()` a second chart runs the case through `tpl`, whose wrapping Helm prints raw; the inner
error names the template `gotpl`, which is renamed back. The result is then re-formatted the way
Helm formats it and compared with the direct run, so a recovered text that would not print exactly
as Helm printed it is rejected.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hack.testenv.parts import HELM_V4

TEMPLATE_NAME = "case/templates/NOTES.txt"
NO_VALUE = "<no value>"

_CHART_YAML = "apiVersion: v2\nname: case\nversion: 0.1.0\n"
_RAW_TEMPLATE = '# {{ include "case/templates/NOTES.txt" . | b64enc }}\n'
_TPL_TEMPLATE = '{{ tpl (.Files.Get "case.tpl") . }}'
_HELM_PREFIX = "Error: INSTALLATION FAILED: "
_TPL_NAME = "gotpl"


class OracleError(RuntimeError):
    """helm produced something this oracle cannot turn into a trustworthy expectation."""


@dataclass(frozen=True)
class Expectation:
    """What Go/Helm produced for one case: exactly one of output or error is set."""

    output: str | None = None  # what Helm keeps (after the `<no value>` replacement)
    raw_output: str | None = None  # Go's bytes, only when they differ from `output`
    error: str | None = None  # Go's err.Error() under TEMPLATE_NAME

    def as_fields(self) -> dict[str, str]:
        fields: dict[str, str] = {}
        if self.output is not None:
            fields["output"] = self.output
        if self.raw_output is not None:
            fields["raw_output"] = self.raw_output
        if self.error is not None:
            fields["error"] = self.error
        return fields


def _write_chart(root: Path, notes: str, values: Any, extra: dict[str, str]) -> None:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text(_CHART_YAML)
    (root / "values.yaml").write_text(json.dumps(values if values is not None else {}))
    (root / "templates" / "NOTES.txt").write_bytes(notes.encode())
    for rel, text in extra.items():
        (root / rel).write_bytes(text.encode())


def _run_helm(chart: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TZ="UTC", HELM_CACHE_HOME=str(chart.parent / "cache"))
    env["HELM_CONFIG_HOME"] = str(chart.parent / "config")
    env["HELM_DATA_HOME"] = str(chart.parent / "data")
    return subprocess.run(
        [str(HELM_V4), "install", "case", str(chart), "--dry-run=client", "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _helm_error(proc: subprocess.CompletedProcess[str]) -> str:
    text = proc.stderr
    if not text.startswith(_HELM_PREFIX):
        raise OracleError(f"unexpected helm failure (rc={proc.returncode}): {text!r}")
    return text[len(_HELM_PREFIX) :].removesuffix("\n")


def run_case(template: str, values: Any) -> Expectation:
    """Render `template` with `values` through helm v4 and return Go's result."""
    with tempfile.TemporaryDirectory(prefix="tplcase-") as tmp:
        chart = Path(tmp) / "case"
        _write_chart(chart, template, values, {"templates/AAraw.yaml": _RAW_TEMPLATE})
        proc = _run_helm(chart)
        if proc.returncode == 0:
            return _success(proc.stdout)
        shown = _helm_error(proc)
        tpl_chart = Path(tmp) / "tplcase" / "case"
        _write_chart(tpl_chart, _TPL_TEMPLATE, values, {"case.tpl": template})
        tpl_proc = _run_helm(tpl_chart)
        if tpl_proc.returncode == 0:
            raise OracleError(f"case failed directly ({shown!r}) but not through tpl")
        go_error = _go_error_from_tpl(_helm_error(tpl_proc))
        if helm_format_error(go_error) != shown:
            raise OracleError(
                "recovered Go error does not format back to what helm printed:\n"
                f"  recovered: {go_error!r}\n  formatted: {helm_format_error(go_error)!r}\n"
                f"  helm:      {shown!r}"
            )
        return Expectation(error=go_error)


def _success(stdout: str) -> Expectation:
    release = json.loads(stdout)
    notes: str = release["info"].get("notes", "")
    match = re.search(r"^# ?([A-Za-z0-9+/=]*)$", release.get("manifest", ""), re.M)
    if match is None:
        raise OracleError(f"raw output marker missing from manifest: {release.get('manifest')!r}")
    raw = base64.b64decode(match.group(1)).decode("utf-8", errors="surrogateescape")
    if raw.replace(NO_VALUE, "") != notes:
        raise OracleError(
            f"NOTES {notes!r} is not the raw output {raw!r} minus <no value> "
            "(case not deterministic across two executions?)"
        )
    return Expectation(output=notes, raw_output=raw if raw != notes else None)


_TPL_WRAPPERS = ("error calling tpl: cannot parse template ", "error calling tpl: error during tpl")
_TPL_INNER = '": template: ' + _TPL_NAME + ":"


def _go_error_from_tpl(shown: str) -> str:
    """Cut Go's own error out of `error calling tpl: ...: <go error>` and rename the template."""
    start = -1
    for wrapper in _TPL_WRAPPERS:
        start = shown.find(wrapper)
        if start != -1:
            break
    if start == -1:
        raise OracleError(f"tpl run did not fail inside tpl: {shown!r}")
    inner = shown.find(_TPL_INNER, start)
    if inner == -1:
        raise OracleError(f"no Go template error inside the tpl error: {shown!r}")
    go_error = shown[inner + 3 :]
    # Locations (`gotpl:3:5`, `started at gotpl:1`) and the top template's name are renamed;
    # `associated with template "gotpl"` (include's root template) is the same in both runs.
    go_error = re.sub(rf"\b{_TPL_NAME}:(?=\d)", f"{TEMPLATE_NAME}:", go_error)
    return go_error.replace(f'executing "{_TPL_NAME}"', f'executing "{TEMPLATE_NAME}"')


# --- Helm's rewriting of Go errors (pkg/engine/engine.go), re-implemented to verify recovery ---

_WARN = re.compile(r"HELM_ERR_START(.*)HELM_ERR_END", re.S)


def helm_format_error(go_error: str) -> str:
    """The text Helm v4 prints for a Go template error `go_error` (parse or exec)."""
    if _is_parse_error(go_error):
        tokens = go_error.split(": ")
        return f"parse error at ({tokens[1]}): {tokens[-1]}"
    tokens = go_error.split(": ", 2)
    if len(tokens) != 3:
        return f"execution error in ({TEMPLATE_NAME}): {go_error}"
    warn = _WARN.search(tokens[2])
    if warn:
        return f"execution error at ({tokens[1]}): {warn.group(1)}"
    traces: list[tuple[str, str, str]] = []
    current: str | None = go_error
    while current is not None:
        trace = _parse_trace(current)
        if trace is None:
            return go_error
        if not traces or traces[-1] != trace:
            traces.append(trace)
        current = _unwrapped(current)
    out = []
    for location, executed, message in traces:
        text = f"{location}\n  " if location else ""
        text += f"{executed}\n    " if executed else ""
        text += f"{message}\n" if message else ""
        out.append(text)
    return "".join(out).strip()


def _is_parse_error(go_error: str) -> bool:
    # Parse errors are `template: NAME:LINE: msg`; exec errors have `NAME:LINE:COL:` or `NAME: `.
    return re.match(rf"template: {re.escape(TEMPLATE_NAME)}:\d+: ", go_error) is not None


_EXEC = re.compile(r'template: (.*?): executing "([^"]*)" at <(.*?)>: (.*)', re.S)


def _parse_trace(text: str) -> tuple[str, str, str] | None:
    if not text.startswith("template: "):
        return None
    rest = text[len("template: ") :]
    if rest.startswith("no template "):
        return ("", "", text)
    exec_match = _EXEC.match(text)
    if exec_match:
        location, func, context, message = exec_match.groups()
        cut = message.find(" template:")
        message = message[:cut] if cut != -1 else message
        return (location, f'executing "{func}" at <{context}>:', message)
    sep = rest.rfind(": ")
    if sep == -1:
        return None
    message = rest[sep + 2 :]
    cut = message.find(" template:")
    return (rest[:sep], "", message[:cut] if cut != -1 else message)


_CALL = re.compile(r"error calling [^:]+: (.*)", re.S)


def _unwrapped(text: str) -> str | None:
    """Go's errors.Unwrap chain as text: only `error calling F: %w` wraps another error."""
    exec_match = _EXEC.match(text)
    message = exec_match.group(4) if exec_match else None
    if message is None:
        return None
    call = _CALL.match(message)
    return call.group(1) if call else None
