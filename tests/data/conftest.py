"""Fixtures for the data tests: a hermetic dataset environment and a local HTTP server.

No test here touches the network: downloads go to a server on 127.0.0.1 serving a tmp dir.
"""

import functools
import http.server
import threading

import pytest

from glassnet.data.datasets import registry


@pytest.fixture(autouse=True)
def hermetic_data_dirs(tmp_path, monkeypatch):
    """Point the cache and the system folder into tmp_path and unset GLASSNET_DATA, so the
    real ~/.cache/glassnet and /usr/share/datasets are never read or written."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("GLASSNET_DATA", raising=False)
    monkeypatch.setattr(registry, "SYSTEM_DATA_DIR", tmp_path / "usr-share-datasets")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files; paths under /truncated/ announce the full length but send half."""

    requests: list  # set per server

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.requests.append(self.path)
        if self.path.startswith("/truncated/"):
            body = (self.directory_path / self.path.removeprefix("/truncated/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def http_server(tmp_path, monkeypatch):
    """Yield (folder served, base URL, list of requested paths) for a server on 127.0.0.1."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    served = tmp_path / "www"
    served.mkdir()
    requests = []
    handler_class = type(
        "Handler", (_QuietHandler,), {"requests": requests, "directory_path": served}
    )
    handler = functools.partial(handler_class, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
