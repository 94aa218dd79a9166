"""Compose a HelmRelease's values: `valuesFrom` entries in order, then inline `values` on top.

Like Flux: a referenced key holds a values YAML document that is deep-merged (maps merge, the
rest replaces), unless `targetPath` is set, in which case the key's text is set at that path with
`--set` rules. A missing object or key is an error unless the reference is `optional`.
Numbers come out as Go's float64 (Python float), as Helm reads values files.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Any

from steersman.api import ValuesReference, ValuesSourceKind
from steersman.chart import StrvalsError, merge_maps, parse_into
from steersman.errors import SteersmanError
from steersman.golang.goyaml import YAMLError, jsonify, unmarshal_map
from steersman.kube import KubeClient


class ValuesError(SteersmanError):
    """Values could not be composed; the message names the reference and the problem."""


def _describe(ref: ValuesReference, namespace: str) -> str:
    return f"{ref.kind} '{namespace}/{ref.name}'"


def _escape_set_value(text: str) -> str:
    # --set treats ',' as a separator and '\' as an escape: keep the text literal.
    return text.replace("\\", "\\\\").replace(",", "\\,")


async def _read_key(kube: KubeClient, ref: ValuesReference, namespace: str) -> str | None:
    kind = "ConfigMap" if ref.kind is ValuesSourceKind.CONFIGMAP else "Secret"
    obj = await kube.get_or_none("v1", kind, ref.name, namespace)
    if obj is None:
        if ref.optional:
            return None
        raise ValuesError(f"could not find {_describe(ref, namespace)}")
    data: dict[str, Any] = obj.get("data") or {}
    raw = data.get(ref.values_key)
    if raw is None and kind == "ConfigMap":
        raw = (obj.get("binaryData") or {}).get(ref.values_key)
        raw = _b64(raw, ref, namespace) if raw is not None else None
    elif raw is not None and kind == "Secret":
        raw = _b64(raw, ref, namespace)
    if raw is None:
        if ref.optional:
            return None
        raise ValuesError(f"missing key '{ref.values_key}' in {_describe(ref, namespace)}")
    return str(raw)


def _b64(raw: str, ref: ValuesReference, namespace: str) -> str:
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ValuesError(
            f"key '{ref.values_key}' in {_describe(ref, namespace)} is not UTF-8 text"
        ) from None


def _apply(
    result: dict[str, Any], text: str, ref: ValuesReference, namespace: str
) -> dict[str, Any]:
    if ref.target_path:
        try:
            parse_into(f"{ref.target_path}={_escape_set_value(text)}", result)
        except StrvalsError as err:
            raise ValuesError(
                f"unable to set targetPath '{ref.target_path}' from {_describe(ref, namespace)}: "
                f"{err}"
            ) from None
        return result
    try:
        doc = unmarshal_map(text)
    except YAMLError as err:
        raise ValuesError(
            f"unable to read values from key '{ref.values_key}' in {_describe(ref, namespace)}: "
            f"{err}"
        ) from None
    return merge_maps(result, doc)


async def compose_values(
    kube: KubeClient,
    namespace: str,
    values_from: Iterable[ValuesReference],
    inline: dict[str, Any] | None,
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for ref in values_from:
        text = await _read_key(kube, ref, namespace)
        if text is not None:
            result = _apply(result, text, ref, namespace)
    if inline:
        result = merge_maps(result, jsonify(inline))
    return result
