"""Releases for linked-data consumers: GET /.well-known/void (the latest release's VoID) and
GET /release/VERSION/FILE, where the download URLs of the DCAT description dereference.

Both read dist/ as `clustergraph release` wrote it; the server never writes there.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from clustergraph.core.config import Settings
from clustergraph.services.publishing.release import dist_dir, media_type, releases

NO_RELEASE = "no release yet: run 'clustergraph release VERSION' to publish one"


def latest_release(settings: Settings) -> str | None:
    """The newest version in dist/, or None before the first release."""
    found = releases(dist_dir(settings))
    return found[-1] if found else None


async def well_known_void(request: Request) -> Response:
    """The latest release's void.ttl as text/turtle; 404 with a JSON error when there is no release."""
    settings: Settings = request.app.state.settings
    version = latest_release(settings)
    if version is None:
        return JSONResponse({"error": NO_RELEASE}, status_code=404)
    body = (dist_dir(settings) / version / "void.ttl").read_bytes()
    return Response(body, media_type="text/turtle; charset=utf-8")


async def release_file(request: Request) -> Response:
    """One file of a release, with the media type its DCAT distribution names; 404 for anything else."""
    settings: Settings = request.app.state.settings
    version, name = request.path_params["version"], request.path_params["file"]
    if version not in releases(dist_dir(settings)):
        return JSONResponse({"error": f"there is no release '{version}'"}, status_code=404)
    folder = (dist_dir(settings) / version).resolve()
    path = _inside(folder, name)
    if path is None:
        return JSONResponse({"error": f"release {version} has no file '{name}'"}, status_code=404)
    media = media_type(path)
    if media.startswith("text/"):
        media += "; charset=utf-8"
    return FileResponse(path, media_type=media)


def _inside(folder: Path, name: str) -> Path | None:
    """`folder`/`name` when that is a file inside `folder` (no '..', no symlink out of it)."""
    candidate = (folder / name).resolve()
    if not candidate.is_file() or not candidate.is_relative_to(folder):
        return None
    return candidate


routes = [
    Route("/.well-known/void", well_known_void, methods=["GET", "HEAD"]),
    Route("/release/{version}/{file:path}", release_file, methods=["GET", "HEAD"]),
]
