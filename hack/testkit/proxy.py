"""A small forward proxy on 127.0.0.1 for the proxy tests: `CONNECT host:port` tunnels (HTTPS)
and absolute-form requests (`GET http://host:port/path`, plain HTTP), one request per
connection. Host names are looked up in `hosts` first (a made-up name -> 127.0.0.1), so a
client can only reach such a name through the proxy; every request is recorded."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class ForwardProxy:
    hosts: dict[str, str] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)  # (method, target)
    proxy_authorizations: list[str | None] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._tasks):
            task.cancel()

    def targets(self, method: str | None = None) -> list[str]:
        return [t for m, t in self.seen if method is None or m == method]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, version = request_line.split(" ", 2)
        self.seen.append((method, target))
        headers = [h for h in header_lines if h]
        self.proxy_authorizations.append(
            next(
                (h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("proxy-auth")),
                None,
            )
        )
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            upstream = await self._open(host, int(port), writer)
            if upstream is None:
                return
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await self._pipe(reader, writer, *upstream)
            return
        parts = urlsplit(target)
        upstream = await self._open(parts.hostname or "", parts.port or 80, writer)
        if upstream is None:
            return
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        kept = [
            h for h in headers if not h.lower().startswith(("connection:", "proxy-", "keep-alive"))
        ]
        rewritten = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""])
        up_reader, up_writer = upstream
        up_writer.write(rewritten.encode("latin-1"))
        await up_writer.drain()
        await self._pipe(reader, writer, up_reader, up_writer)

    async def _open(
        self, host: str, port: int, writer: asyncio.StreamWriter
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        address = self.hosts.get(host.lower(), host)
        if address not in ("127.0.0.1", "::1", "localhost"):
            # Loopback only: the tests never send anything off this machine.
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return None
        try:
            return await asyncio.open_connection(address, port)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return None

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                while chunk := await src.read(1 << 16):
                    dst.write(chunk)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        tasks = [
            asyncio.ensure_future(copy(reader, up_writer)),
            asyncio.ensure_future(copy(up_reader, writer)),
        ]
        self._tasks.update(tasks)
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._tasks.difference_update(tasks)
