"""The network under the client's pool: a connection's socket looked up once, its state polled."""

from __future__ import annotations

import asyncio
import socket
from asyncio.trsock import TransportSocket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from tests.loopback import LoopbackServer

from feedkeeper.config import Settings
from feedkeeper.http_backend import CheckedBackend, is_socket_readable
from feedkeeper.http_client import new_client


class _KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b"<p>ok</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(_KeepAlive) as running:
        yield running


def test_an_idle_connection_reads_as_open_until_its_server_writes_or_closes() -> None:
    async def check() -> list[bool]:
        seen: list[bool] = []
        accepted: asyncio.Queue[asyncio.StreamWriter] = asyncio.Queue()

        async def on_connect(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await accepted.put(writer)

        listener = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        stream = await CheckedBackend().connect_tcp("127.0.0.1", port)
        peer = await accepted.get()
        seen.append(stream.get_extra_info("is_readable"))
        peer.write(b"x")
        await peer.drain()
        await asyncio.sleep(0.05)
        seen.append(stream.get_extra_info("is_readable"))
        assert await stream.read(10) == b"x"
        peer.close()
        await asyncio.sleep(0.05)
        seen.append(stream.get_extra_info("is_readable"))  # its end waits to be read
        await stream.aclose()
        listener.close()
        return seen

    assert asyncio.run(check()) == [False, True, True]


def test_a_closed_socket_counts_as_readable() -> None:
    sock = socket.socket()
    sock.close()
    assert is_socket_readable(sock) is True


def test_the_pool_asks_no_socket_for_its_peer_on_every_response(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Closing each response makes the pool check its idle connections; anyio answered each
    # check by building the socket's attributes, its peer's address among them.
    asked: list[int] = []
    peer = TransportSocket.getpeername

    def counting(self: TransportSocket) -> object:
        asked.append(1)
        return peer(self)

    monkeypatch.setattr(TransportSocket, "getpeername", counting)

    async def fetch_all() -> None:
        async with new_client(Settings(concurrency=4), None) as client:
            for _ in range(10):
                pages = [client.get(f"{server.base_url}{n}") for n in range(4)]
                for response in await asyncio.gather(*pages):
                    assert response.status_code == 200

    asyncio.run(fetch_all())
    assert len(asked) <= 8  # one a connection opened (four here), none a check
