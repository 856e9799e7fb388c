"""The web benchmark's measuring loop (bench/web.py): the sizes alternate with every client on the same size at
once, each client does the same number of requests at each size, and a client opens a new connection per
request. Nothing here is timed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.web import Client, measure


class Recording:
    """Stands in for a ``Client``: records in ``log`` which size each request went to."""

    lock = threading.Lock()

    def __init__(self, size: int, log: list[int]) -> None:
        self.size, self.log = size, log

    def request(self, method: str, path: str) -> tuple[int, str]:
        with self.lock:
            self.log.append(self.size)
        return 200, ""


def test_sizes_alternate_in_turns_that_every_client_takes_together() -> None:
    sizes: list[int] = []
    conns = {size: [Recording(size, sizes) for _ in range(4)] for size in (100, 10000)}
    samples = measure(conns, {100: "/a", 10000: "/b"}, turns=6, turn=2)  # type: ignore[arg-type]
    assert {size: len(got) for size, got in samples.items()} == {100: 48, 10000: 48}
    turns = [sizes[i : i + 8] for i in range(0, len(sizes), 8)]  # 4 clients × 2 requests
    assert all(len(set(t)) == 1 for t in turns), turns  # a turn: every client, one size
    assert [t[0] for t in turns] == [100, 10000, 10000, 100] * 3  # ABBA


@pytest.fixture
def counting_server() -> Iterator[tuple[int, list[int]]]:
    """A local HTTP server that counts the connections it accepted."""
    accepted: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            accepted.append(1)
            super().setup()

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], accepted
    server.shutdown()
    server.server_close()


def test_a_client_opens_a_connection_per_request(counting_server: tuple[int, list[int]]) -> None:
    port, accepted = counting_server
    client = Client(port)
    for _ in range(3):
        assert client.request("GET", "/") == (200, "ok")
    assert len(accepted) == 3
