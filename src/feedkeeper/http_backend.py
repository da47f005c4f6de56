"""The network under the client's connection pool: httpcore's own (anyio, as on asyncio),
with each connection's socket looked up once.

Whenever a response is closed, the pool asks each of its idle connections whether the server
has closed it, which reads the connection's socket through anyio's attributes: a new mapping
of them each time, and a ``getpeername`` call on the socket. With 16 connections that was
about 4 % of a crawl's CPU, in the process that fetches, dedupes and writes. Here the socket
is looked up when the connection opens (or turns to TLS) and polled directly after.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore


class CheckedStream(httpcore.AsyncNetworkStream):
    """A connection's stream whose socket is polled directly when the pool asks whether the
    connection is still open."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read at most ``max_bytes`` from the connection."""
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write ``buffer`` to the connection."""
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        """Close the connection."""
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Return the connection turned to TLS, checked the same way."""
        return CheckedStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        """Answer as the stream does; whether data (or the server's close) waits to be read
        from the socket looked up once."""
        if info == "is_readable" and self._socket is not None:
            return is_socket_readable(self._socket)
        return self._stream.get_extra_info(info)


def is_socket_readable(sock: socket.socket) -> bool:
    """Tell whether a read from ``sock`` would return at once (data, or the end of the
    connection), without reading; a closed socket counts as readable (its end is there)."""
    fd = sock.fileno()
    if fd < 0:
        return True
    poll = getattr(select, "poll", None)
    if poll is None:  # Windows
        ready, _, _ = select.select([fd], [], [], 0)
        return bool(ready)
    poller = poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, its connections' streams checked by ``CheckedStream``."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP connection."""
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return CheckedStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a connection to a Unix socket."""
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return CheckedStream(stream)

    async def sleep(self, seconds: float) -> None:
        """Sleep as the backend does."""
        await self._backend.sleep(seconds)
