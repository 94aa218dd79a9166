"""Which proxy a request goes through: HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read the way Go's
`http.ProxyFromEnvironment` reads them (what helm and Flux do), so an operator pod configured for
helm behaves the same here.

- `https://` requests use HTTPS_PROXY (else https_proxy), `http://` ones HTTP_PROXY (else
  http_proxy); a proxy written without a scheme (`proxy:3128`) is `http://proxy:3128`.
- Never proxied: `localhost` and loopback addresses, and hosts matching NO_PROXY (else
  no_proxy), a comma-separated list of `*` (everything), IP addresses, CIDR ranges, and domain
  names (`example.com` matches it and its subdomains, `.example.com` and `*.example.com` only
  the subdomains), each optionally with `:port`.

The environment is read on every call (cheap), so a changed environment needs no restart of
anything but the process that owns it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InvalidReference

_DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class ProxySettings:
    http_proxy: str = ""
    https_proxy: str = ""
    no_proxy: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ProxySettings:
        env = os.environ if environ is None else environ

        def first(*names: str) -> str:
            for name in names:
                value = env.get(name, "")
                if value:
                    return value
            return ""

        return cls(
            http_proxy=first("HTTP_PROXY", "http_proxy"),
            https_proxy=first("HTTPS_PROXY", "https_proxy"),
            no_proxy=first("NO_PROXY", "no_proxy"),
        )

    def proxy_for(self, url: str) -> str | None:
        """The proxy URL for a request to `url`, or None to connect directly."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        proxy = {"https": self.https_proxy, "http": self.http_proxy}.get(scheme, "")
        if not proxy:
            return None
        host = (parts.hostname or "").lower()
        try:
            port = str(parts.port or _DEFAULT_PORTS.get(scheme, ""))
        except ValueError:
            return None  # an invalid port: the request itself fails with a clear message
        if not _use_proxy(host, port, self.no_proxy):
            return None
        proxy = proxy if "://" in proxy else "http://" + proxy
        proxy_scheme = proxy.partition("://")[0].lower()
        if proxy_scheme not in ("http", "https"):
            variable = "HTTPS_PROXY" if scheme == "https" else "HTTP_PROXY"
            raise InvalidReference(
                f"{variable}: {proxy_scheme}:// proxies are not supported (http:// or https://)"
            )
        return proxy


def proxy_for(url: str) -> str | None:
    """`ProxySettings.from_environment().proxy_for(url)`; InvalidReference for a proxy scheme
    other than http(s) (Go also takes socks5://, aiohttp does not)."""
    return ProxySettings.from_environment().proxy_for(url)


def _use_proxy(host: str, port: str, no_proxy: str) -> bool:
    if not host or host == "localhost":
        return False
    ip = _ip(host)
    if ip is not None and ip.is_loopback:
        return False
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return False
        if "/" in entry:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                continue
            if ip is not None and ip in network:
                return False
            continue
        entry_host, entry_port = _split_host_port(entry)
        if entry_port and entry_port != port:
            continue
        entry_ip = _ip(entry_host)
        if entry_ip is not None:
            if ip == entry_ip:
                return False
            continue
        if entry_host.startswith("*."):
            entry_host = entry_host[1:]
        if entry_host.startswith("."):
            if host.endswith(entry_host):
                return False
        elif host == entry_host or host.endswith("." + entry_host):
            return False
    return True


def _split_host_port(entry: str) -> tuple[str, str]:
    if entry.startswith("["):  # [::1]:8080
        host, _, rest = entry[1:].partition("]")
        return host, rest.removeprefix(":")
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return host, port
    return entry, ""  # a bare name, or an IPv6 address without brackets


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
