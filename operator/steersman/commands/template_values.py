"""Where `helm template` reads a -f or --set-file source (pkg/cli/values readFile): `-` is
standard input, a URL whose scheme helm has a getter for (http, https) is downloaded with the
default HTTP getter, anything else is a local file."""

from __future__ import annotations

import sys

from steersman.chart import ValueSourceError, read_local_file
from steersman.golang.fmt import go_quote
from steersman.golang.neturl import URLError, parse


def read_value_source(path: str) -> bytes:
    if path.strip() == "-":
        return sys.stdin.buffer.read()
    try:
        scheme = parse(path)["scheme"]
    except URLError as exc:
        raise ValueSourceError(f"parse {go_quote(path)}: {exc}") from None
    if scheme in ("http", "https"):
        return _download(path)
    if scheme == "oci":
        # helm's OCI getter would pull a chart archive and parse it as values: refused here
        raise ValueSourceError(f"{path}: values from an oci:// reference are not supported")
    return read_local_file(path)


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
