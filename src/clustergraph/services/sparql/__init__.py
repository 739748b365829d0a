"""The fixed SPARQL texts of the service modules, one file `<module>-<name>.rq` each (issue #19).

A module reads its texts once, at import, with `text("<module>-<name>")`; values reach a query as
bindings (Store.query(..., bindings=...), store.bind_rows), never pasted into its text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from clustergraph.base.sparql import packaged

#: This folder (the checks of undeclared terms read its .rq files too).
FOLDER = Path(str(resources.files(__name__)))


__all__ = ["text"]


def text(name: str) -> str:
    """The text of `name`.rq of this folder."""
    return packaged(__name__, f"{name}.rq")
