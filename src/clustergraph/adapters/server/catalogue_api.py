"""The query catalogue as a web API: /api/queries (filled in by the catalogue work, issue 6)."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
