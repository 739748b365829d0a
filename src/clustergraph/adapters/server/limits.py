"""Two ASGI middlewares around every request: the body size limit, and CORS on the read paths.

BodyLimit answers 413 before reading a body whose Content-Length is past the limit, and stops a
body without a length (chunked) as soon as it passes the limit (the route gets TooLarge, which the
app answers 413); nothing has been changed then.

Cors sends `Access-Control-Allow-Origin` on the read paths only (SPARQL queries, the catalogue
API, linked-data IRIs, Graph Store reads, the ontology, VoID and releases) and answers their
preflight requests. Write paths (updates, Graph Store writes, validate, ingest) never carry it, so
a page on another host cannot make a browser send the operator's token there.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clustergraph.base.errors import TooLarge

#: A write whose body is larger than this is followed by a fresh writer process, which returns the
#: memory the body's parse took (Python keeps freed small objects in its own arenas).
RECYCLE_BYTES = 4 * 1024 * 1024

#: Paths whose answers are public reads (a prefix ending in '/' covers the paths under it).
READ_PATHS = ("/sparql", "/api/queries", "/api/openapi.json", "/id/", "/concept/", "/rdf-graphs", "/ontology",
              "/.well-known/void", "/release/")
_READ_METHODS = {"GET", "HEAD", "POST"}


def is_read(path: str, method: str) -> bool:
    """Whether a request is a public read (CORS allowed): never an update, a Graph Store write or a steward call."""
    if method not in _READ_METHODS:
        return False
    if path == "/rdf-graphs":
        return method in ("GET", "HEAD")
    if method == "POST" and path != "/sparql":
        return False
    return any(path == p or (p.endswith("/") and path.startswith(p)) or path.startswith(p + "/")
               for p in READ_PATHS) and path != "/sparql/update"


class BodyLimit:
    """Refuse request bodies of more than `max_body` bytes (413), without reading them whole."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            await _send_json(send, 413, {"error": str(TooLarge(self.max_body))})
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge(self.max_body)
            return message

        await self.app(scope, limited, send)


class Cors:
    """`Access-Control-Allow-Origin: origin` on read answers, and their preflight (OPTIONS) answered."""

    def __init__(self, app: ASGIApp, origin: str) -> None:
        self.app = app
        self.origin = origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.origin:
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if method == "OPTIONS":
            headers = dict(scope["headers"])
            asked = headers.get(b"access-control-request-method", b"").decode("latin-1").upper()
            if asked and is_read(path, asked):
                await send({"type": "http.response.start", "status": 204, "headers": [
                    (b"access-control-allow-origin", self.origin.encode("latin-1")),
                    (b"access-control-allow-methods", b"GET, HEAD, POST" if path == "/sparql" else b"GET, HEAD"),
                    (b"access-control-allow-headers", b"Accept, Content-Type"),
                    (b"access-control-max-age", b"86400"),
                    (b"vary", b"Origin")]})
                await send({"type": "http.response.body", "body": b""})
                return
            await self.app(scope, receive, send)
            return
        if not is_read(path, method):
            await self.app(scope, receive, send)
            return

        async def with_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"access-control-allow-origin", self.origin.encode("latin-1")),
                                      (b"access-control-expose-headers", b"X-Clustergraph-Truncated, Link, "
                                                                         b"Content-Location")]
            await send(message)

        await self.app(scope, receive, with_origin)


async def _send_json(send: Send, status: int, body: object) -> None:
    data = json.dumps(body).encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode("ascii")),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})
