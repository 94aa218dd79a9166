"""Where `helm template` reads a -f or --set-file source (pkg/cli/values readFile): `-` is
standard input, a URL whose scheme helm has a getter for is fetched with that getter's defaults
(http, https: downloaded; oci: the chart archive pulled, which then fails to parse as values, as
in helm), one a getter plugin in $HELM_PLUGINS serves is fetched by it, anything else is a
local file."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from steersman.chart import ValueSourceError, read_local_file
from steersman.golang.fmt import go_quote
from steersman.golang.neturl import URLError, parse

if TYPE_CHECKING:
    from steersman.commands.template_getters import GetterPlugin


def read_value_source(
    path: str, *, plugins_directory: str = "", settings_env: Mapping[str, str] | None = None
) -> bytes:
    if path.strip() == "-":
        return sys.stdin.buffer.read()
    try:
        scheme = parse(path)["scheme"]
    except URLError as exc:
        raise ValueSourceError(f"parse {go_quote(path)}: {exc}") from None
    if scheme in ("http", "https"):
        return _download(path)
    if scheme == "oci":
        return _pull(path)
    if scheme and plugins_directory:
        from steersman.commands.template_getters import find_getter

        plugin = find_getter(plugins_directory, scheme)
        if plugin is not None:
            return _plugin_get(plugin, path, settings_env or {})
    return read_local_file(path)


def _plugin_get(plugin: GetterPlugin, url: str, settings_env: Mapping[str, str]) -> bytes:
    """getter.WithURL alone: no TLS files or credentials for the plugin."""
    import asyncio

    from steersman.chart.sources import RepoAuth
    from steersman.commands.template_getters import GetterPluginError, run_getter

    try:
        return asyncio.run(run_getter(plugin, url, settings_env, RepoAuth()))
    except GetterPluginError as exc:
        raise ValueSourceError(str(exc)) from None


def _download(url: str) -> bytes:
    import asyncio  # only for a remote source: a local one never starts an event loop

    import aiohttp

    from steersman.chart.sources import RepoAuth
    from steersman.commands.template_depup_http import GetOptions, get

    async def fetch() -> bytes | str:
        # getter.All's HTTP getter: no credentials or TLS files, only the URL
        async with aiohttp.ClientSession() as session:
            return await get(session, url, GetOptions(url, RepoAuth()))

    got = asyncio.run(fetch())
    if isinstance(got, str):
        raise ValueSourceError(got)
    return got


def _pull(url: str) -> bytes:
    """getter.OCIGetter with no options: a registry client on the default registry config
    (helm's config home, not --registry-config), HTTPS, printing nothing; the chart layer's
    bytes are what it returns."""
    import asyncio
    import tempfile

    from steersman.chart.sources import (
        ChartCache,
        ChartRef,
        ChartSourceError,
        RepoAuth,
        fetch_chart,
        parse_oci_reference,
    )
    from steersman.chart.sources.oras_reference import pull_reference
    from steersman.commands.template_flags import FlagError, config_path, registry_store

    problem, url = pull_reference(url)
    if problem:
        raise ValueSourceError(problem)
    try:
        ref = parse_oci_reference(url)
    except ChartSourceError:
        ref = None
    if ref is None or not (ref.tag or ref.digest):
        # oras-go refuses a reference without a tag or digest before asking the registry
        raise ValueSourceError('failed to perform "FetchReference" on source: invalid reference')
    try:
        store = registry_store(config_path("registry", "config.json"), "", "")
    except FlagError as exc:
        raise ValueSourceError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="steersman-values-") as tmp:
        try:
            fetched = asyncio.run(
                fetch_chart(
                    ChartRef(url, "", "", tag_as_is=True),
                    cache=ChartCache(tmp),
                    auth=RepoAuth(credentials=store),
                )
            )
        except ChartSourceError as exc:
            raise ValueSourceError(exc.helm or str(exc)) from None
    return fetched.data
