"""The server in process for HTTP tests: a project copied from fixtures/server, its store built on
disk, and a synchronous client over httpx's ASGI transport with the app's lifespan entered (which
starts the store's worker process), as starlette's TestClient does without its httpx2 warning."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from clustergraph.adapters.server import create_app
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.services.build import build
from processes import free_port, stop, wait_until_up

SERVER_FIXTURE = Path(__file__).parent / "fixtures" / "server"
TOKEN = "test-token-7d1f"
BASE = "http://testserver"


def server_settings(tmp: Path, **changes: Any) -> Settings:
    """Settings over a fresh copy of fixtures/server with its on-disk store built."""
    root = tmp / "project"
    shutil.copytree(SERVER_FIXTURE, root)
    settings = Settings(root=root, store_path=root / ".clustergraph" / "store", base_url=BASE)
    with EmbeddedStore(settings.store_path) as store:
        build(store, settings)
    return replace(settings, **changes)


class AppClient:
    """A synchronous HTTP client for the app in process; `close` runs the app's shutdown."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.loop = asyncio.Runner()
        self.lifespan = app.router.lifespan_context(app)
        self.loop.run(self.lifespan.__aenter__())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                      base_url=BASE)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run(self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self.loop.run(self.http.aclose())
        self.loop.run(self.lifespan.__aexit__(None, None, None))
        self.loop.close()


def client_for(settings: Settings) -> AppClient:
    """A client for a new app over `settings`."""
    return AppClient(create_app(settings))


@contextlib.contextmanager
def served(settings: Settings, log: Path, *options: str, token: str = "") -> Iterator[str]:
    """A real `clustergraph serve` over `settings` (its store, or in memory) on a free port; its base URL.

    `options` go to `serve`; read-only unless `token` is given. Its output goes to `log`; it is
    stopped on leaving the block.
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    store = ["--store", str(settings.store_path)] if settings.store_path else ["--memory"]
    exe = Path(sys.executable).parent / "clustergraph"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(exe), "--root", str(settings.root), *store, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--base-url", base, *options],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "CLUSTERGRAPH_TOKEN": token},
        )
    try:
        wait_until_up(proc, f"{base}/sparql", "clustergraph serve", log.read_text)
        yield base
    finally:
        stop(proc)
