"""GET /.well-known/void: the VoID description of the latest release in dist/ (Turtle)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clustergraph.core.config import Settings
from clustergraph.services.release import dist_dir, releases


async def well_known_void(request: Request) -> Response:
    """The latest release's void.ttl as text/turtle; 404 with a JSON error when there is no release."""
    settings: Settings = request.app.state.settings
    found = releases(dist_dir(settings))
    if not found:
        return JSONResponse({"error": "no release yet: run 'clustergraph release VERSION' to publish one"},
                            status_code=404)
    body = (dist_dir(settings) / found[-1] / "void.ttl").read_bytes()
    return Response(body, media_type="text/turtle; charset=utf-8")


routes = [Route("/.well-known/void", well_known_void, methods=["GET", "HEAD"])]
