"""Who may write: the operator's bearer token (CLUSTERGRAPH_TOKEN) and the agents of a tokens file
(`serve --tokens FILE`, one line `agent-name sha256-of-token`). Read-only when neither is set."""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from clustergraph.core.config import Settings

_CHALLENGE = 'Bearer realm="clustergraph"'
#: The agent a write with the operator's own token is recorded as.
OPERATOR = "operator"


def writer(request: Request) -> str | Response:
    """The agent whose token the request carries (OPERATOR for the operator's); else the refusal to send.

    403 when no token is configured (the server is read-only) or the token is unknown; 401 with a
    Bearer challenge when no token was given. Tokens are compared in constant time, those of the
    file by their SHA-256.
    """
    settings: Settings = request.app.state.settings
    if not settings.write_token and not settings.agent_tokens:
        return JSONResponse({"error": "this server is read-only: the operator has configured no write token "
                                      "(CLUSTERGRAPH_TOKEN or --tokens)"}, status_code=403)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return JSONResponse({"error": "writing needs the operator's token: send 'Authorization: Bearer <token>'"},
                            status_code=401, headers={"WWW-Authenticate": _CHALLENGE})
    token = given.strip().encode("utf-8")
    if settings.write_token and hmac.compare_digest(token, settings.write_token.encode("utf-8")):
        return OPERATOR
    digest = hashlib.sha256(token).hexdigest()
    for agent, expected in settings.agent_tokens:
        if hmac.compare_digest(digest, expected):
            return agent
    return JSONResponse({"error": "the bearer token is not the operator's write token"}, status_code=403,
                        headers={"WWW-Authenticate": _CHALLENGE + ', error="invalid_token"'})


def refuse_writer(request: Request) -> Response | None:
    """None if the request carries a write token; else the refusal to send (see `writer`)."""
    found = writer(request)
    return found if isinstance(found, Response) else None
