"""A real HTTP server on 127.0.0.1 for download tests: ranges, redirects, cut-off and range-ignoring replies."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest


class Handler(http.server.BaseHTTPRequestHandler):
    """`/files/<name>` with ranges, `/redirect<code>/<path>`, `/flaky/<name>` (first reply cut in half),
    `/norange/<name>` (always the whole file), `/status<code>/<anything>` (that HTTP status, as XGLUE's old archive
    address answers 409); anything else is 404."""

    server: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.server.requests.append((path, self.headers.get("Range")))
        kind, _, rest = path.lstrip("/").partition("/")
        if kind.startswith("status") and kind[6:].isdigit():
            self.send_error(int(kind[6:]))
            return
        if kind in ("redirect302", "redirect307"):
            self.send_response(int(kind.removeprefix("redirect")))
            self.send_header("Location", f"/{rest}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.server.files.get(rest)
        if body is None or kind not in ("files", "flaky", "norange"):
            self.send_error(404)
            return
        if kind == "flaky" and rest not in self.server.cut:
            self.server.cut.add(rest)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])  # then the connection closes
            return
        wanted = self.headers.get("Range") if kind != "norange" else None
        if wanted is None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        start = int(wanted.removeprefix("bytes=").removesuffix("-"))
        if start >= len(body):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(body)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        self.wfile.write(body[start:])


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.cut: set[str] = set()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"


def serving(httpd: http.server.HTTPServer) -> Iterator:
    """Run `httpd` in a thread for the duration of a fixture (`yield from serving(server)`), then close it."""
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def http_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("no_proxy", "*")  # a proxy from the environment must not see 127.0.0.1
    yield from serving(Server())
