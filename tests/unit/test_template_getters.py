"""Which plugin.yaml files are getter plugins (collectGetterPlugins), how their commands are
prepared, and the Go value helm prints of one that fails (texts taken from helm v4.1.4 runs)."""

from __future__ import annotations

from pathlib import Path

from steersman.commands.template_getters import find_getter, go_value
from steersman.commands.template_plugin_commands import prepare_commands

LEGACY = "name: dl\nversion: 0.1.0\ndownloaders:\n- command: fetch.sh\n  protocols: [tst]\n"
V1 = """apiVersion: v1
name: {name}
type: getter/v1
runtime: subprocess
version: 0.2.0
config:
  protocols: [tsv, nocmd]
runtimeConfig:
  protocolCommands:
  - protocols: [tsv]
    platformCommand:
    - command: fetch.sh
"""


def _plugins(tmp_path: Path, **metas: str) -> str:
    for name, meta in metas.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "plugin.yaml").write_text(meta)
    return str(tmp_path)


def test_a_legacy_plugin_with_downloaders_is_a_getter(tmp_path: Path) -> None:
    plugin = find_getter(_plugins(tmp_path, a=LEGACY), "tst")
    assert plugin is not None
    assert (plugin.api_version, plugin.name, plugin.protocols) == ("legacy", "dl", ["tst"])
    assert plugin.protocol_commands == [
        {"protocols": ["tst"], "platformCommand": [{"command": "fetch.sh"}]}
    ]
    assert find_getter(str(tmp_path), "tsv") is None


def test_plugins_that_are_no_getters_or_do_not_load_are_skipped(tmp_path: Path) -> None:
    plugins = _plugins(
        tmp_path,
        cli="name: cli\nversion: 0.1.0\ncommand: run.sh\n",
        noversion=V1.format(name="nv").replace("version: 0.2.0\n", ""),
        badname=LEGACY.replace("name: dl", "name: bad.name"),
        emptyprotocol=LEGACY.replace("[tst]", '[""]'),
        future=V1.format(name="f").replace("apiVersion: v1", "apiVersion: v2"),
    )
    assert find_getter(plugins, "tst") is None
    assert find_getter(plugins, "tsv") is None


def test_a_getter_v1_plugin_serves_its_config_protocols(tmp_path: Path) -> None:
    plugins = _plugins(tmp_path, a=V1.format(name="g"))
    found = find_getter(plugins, "nocmd")  # listed, even without a protocol command
    assert found is not None and found.name == "g"


def test_two_plugins_of_one_name_make_helm_use_none(tmp_path: Path) -> None:
    plugins = _plugins(tmp_path, a=V1.format(name="same"), b=LEGACY.replace("dl", "same"))
    assert find_getter(plugins, "tsv") is None


def test_the_plugin_is_printed_as_go_prints_it(tmp_path: Path) -> None:
    legacy = find_getter(_plugins(tmp_path, legacy=LEGACY, v1=V1.format(name="g")), "tst")
    v1 = find_getter(str(tmp_path), "tsv")
    assert legacy is not None and v1 is not None
    assert go_value(legacy) == (
        '&{{"legacy" "dl" "getter/v1" "subprocess" "0.1.0" "" '
        "%!q(*schema.ConfigGetterV1=&{[tst]}) "
        "%!q(*plugin.RuntimeConfigSubprocess=&{[] map[] [{[tst] [{  fetch.sh []}]}] true})} "
        f'"{tmp_path}/legacy" '
        '{[] map[] [{["tst"] [{"" "" "fetch.sh" []}]}] %!q(bool=true)} map[]}'
    )
    assert go_value(v1) == (
        '&{{"v1" "g" "getter/v1" "subprocess" "0.2.0" "" '
        "%!q(*schema.ConfigGetterV1=&{[tsv nocmd]}) "
        "%!q(*plugin.RuntimeConfigSubprocess=&{[] map[] [{[tsv] [{  fetch.sh []}]}] false})} "
        f'"{tmp_path}/v1" '
        '{[] map[] [{["tsv"] [{"" "" "fetch.sh" []}]}] %!q(bool=false)} map[]}'
    )


def test_getter_commands_expand_only_the_program() -> None:
    env = {"D": "/plugins/x", "N": "ns"}
    commands = [{"command": "$D/run.sh --ns=$N", "args": ["$N"]}]
    assert prepare_commands(commands, [], env, expand_args=False) == [
        "/plugins/x/run.sh",
        "--ns=$N",
        "$N",
    ]
    assert prepare_commands(commands, ["extra"], env) == [
        "/plugins/x/run.sh",
        "--ns=ns",
        "ns",
        "extra",
    ]
    assert prepare_commands([{"os": "plan9", "command": "x"}], [], env) is None
