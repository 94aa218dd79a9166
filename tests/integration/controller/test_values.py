"""valuesFrom + values composition against real ConfigMaps and Secrets."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from steersman.api.spec import ValuesReference
from steersman.controller.values import ValuesError, compose_values
from steersman.kube import KubeClient

pytestmark = pytest.mark.integration


def ref(**kw: Any) -> ValuesReference:
    return ValuesReference.model_validate(kw)


async def test_sources_merge_in_order_then_inline_values_win(
    kube: KubeClient, namespace: str
) -> None:
    await kube.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "base"},
            "data": {"values.yaml": "replicas: 1\nimage: {repo: web, tag: v1}\nlist: [a, b]\n"},
        },
        namespace=namespace,
    )
    secret_values = "image:\n  tag: v2\nlist: [c]\npassword: s3cret\n"
    await kube.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "overrides"},
            "data": {
                "custom.yaml": base64.b64encode(secret_values.encode()).decode(),
                "token": base64.b64encode(b"abc,def").decode(),
            },
        },
        namespace=namespace,
    )
    values = await compose_values(
        kube,
        namespace,
        [
            ref(kind="ConfigMap", name="base"),
            ref(kind="Secret", name="overrides", valuesKey="custom.yaml"),
            ref(kind="Secret", name="overrides", valuesKey="token", targetPath="auth.token"),
            ref(kind="ConfigMap", name="absent", optional=True),
            ref(kind="ConfigMap", name="base", valuesKey="nope", optional=True),
        ],
        {"replicas": 3, "extra": {"n": 1}},
    )
    assert values == {
        "replicas": 3.0,  # inline values are Go float64 like values files
        "image": {"repo": "web", "tag": "v2"},
        "list": ["c"],  # lists replace, never merge
        "password": "s3cret",
        "auth": {"token": "abc,def"},
        "extra": {"n": 1.0},
    }
    assert isinstance(values["replicas"], float)


async def test_missing_required_sources_are_clear_errors(kube: KubeClient, namespace: str) -> None:
    with pytest.raises(ValuesError, match=f"could not find ConfigMap '{namespace}/gone'"):
        await compose_values(kube, namespace, [ref(kind="ConfigMap", name="gone")], None)
    await kube.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "x"}},
        namespace=namespace,
    )
    with pytest.raises(ValuesError, match=r"missing key 'values\.yaml' in ConfigMap"):
        await compose_values(kube, namespace, [ref(kind="ConfigMap", name="cm")], None)
    with pytest.raises(ValuesError, match="unable to read values from key 'a'"):
        await compose_values(
            kube, namespace, [ref(kind="ConfigMap", name="cm", valuesKey="a")], None
        )
