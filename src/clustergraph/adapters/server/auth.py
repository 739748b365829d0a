"""Who may write: a bearer token the operator configures (CLUSTERGRAPH_TOKEN). Read-only by default."""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from clustergraph.core.config import Settings

_CHALLENGE = 'Bearer realm="clustergraph"'


def refuse_writer(request: Request) -> Response | None:
    """None if the request carries the operator's write token; else the refusal to send.

    403 when the operator set no token (the server is read-only) or the token is wrong;
    401 with a Bearer challenge when no token was given. Tokens are compared in constant time.
    """
    settings: Settings = request.app.state.settings
    if not settings.write_token:
        return JSONResponse({"error": "this server is read-only: the operator has configured no write token "
                                      "(CLUSTERGRAPH_TOKEN)"}, status_code=403)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return JSONResponse({"error": "writing needs the operator's token: send 'Authorization: Bearer <token>'"},
                            status_code=401, headers={"WWW-Authenticate": _CHALLENGE})
    if not hmac.compare_digest(given.strip().encode("utf-8"), settings.write_token.encode("utf-8")):
        return JSONResponse({"error": "the bearer token is not the operator's write token"}, status_code=403,
                            headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_token"'})
    return None
