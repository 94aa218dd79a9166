"""`.Capabilities.KubeVersion` prints as helm v4.1.4 prints it: String() has a pointer receiver,
so a template printing the field itself gets the version, while a copy handed to a function
(`print`, `quote`, `printf`, `toString`, `list`) is printed as the struct. The expected texts
were taken from `helm template` for the same template."""

from __future__ import annotations

from steersman.chart import default_capabilities
from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs

CASES = {
    "{{ .Capabilities.KubeVersion }}": "v1.35.0",
    "{{ $k := .Capabilities.KubeVersion }}{{ $k }}": "v1.35.0",
    "{{ .Capabilities.KubeVersion.String }}": "v1.35.0",
    "{{ .Capabilities.KubeVersion | quote }}": '"{v1.35.0 v1.35.0 1 35}"',
    "{{ print .Capabilities.KubeVersion }}": "{v1.35.0 v1.35.0 1 35}",
    '{{ printf "%v|%s" .Capabilities.KubeVersion .Capabilities.KubeVersion }}': (
        "{v1.35.0 v1.35.0 1 35}|{v1.35.0 v1.35.0 1 35}"
    ),
    "{{ toString .Capabilities.KubeVersion }}": "{v1.35.0 v1.35.0 1 35}",
    "{{ list .Capabilities.KubeVersion }}": "[{v1.35.0 v1.35.0 1 35}]",
}


def test_kube_version_prints_as_helm() -> None:
    data = {"Capabilities": default_capabilities(4)}
    for text, expected in CASES.items():
        ts = TemplateSet(dict(sprig_funcs()), name="t")
        ts.parse("t", text)
        assert ts.execute("t", data) == expected, text
