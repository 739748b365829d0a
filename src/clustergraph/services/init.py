"""`clustergraph init DIR`: a new project folder from the files shipped in the package.

The package carries the project's ontology/, shapes/ and queries/ (src/clustergraph/skeleton, symlinks to
the repository's folders, copied into the wheel), so that an installed `clustergraph` can start a project
outside this repository: DIR gets those folders (and mappings/, the spreadsheet mappings), an empty
data/ and a README stub.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from clustergraph.base.errors import InputError

FOLDERS = ("ontology", "shapes", "queries", "mappings")

README = """\
# {name}

A clustergraph project: `ontology/` (OWL, one module per file), `shapes/` (SHACL), `queries/` (the
catalogue of named SPARQL queries, metadata in `#+` lines) as shipped with clustergraph, and `data/`
for your RDF files (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD).

    clustergraph build          # load ontology/ and data/ into the store (.clustergraph/store)
    clustergraph validate       # check the graph against shapes/
    clustergraph query NAME     # run a catalogue query (clustergraph queries lists them)
    clustergraph serve          # the SPARQL endpoint and web pages on http://127.0.0.1:8000
"""


@dataclass(frozen=True)
class Created:
    """What `init` wrote: the project folder and how many files of each shipped folder."""

    root: Path
    files: dict[str, int]


def skeleton() -> Traversable:
    """The shipped project files inside the installed package."""
    return resources.files("clustergraph") / "skeleton"


def init(root: Path) -> Created:
    """Write a new project into `root` (created; it must be absent or empty). Raises InputError."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise InputError("the folder is not empty; init writes a new project only into a new or empty folder",
                         path=root)
    shipped = skeleton()
    missing = [f for f in FOLDERS if not shipped.joinpath(f).is_dir()]
    if missing:
        raise InputError(f"the installed package lacks {', '.join(missing)} (a broken install? reinstall "
                         "clustergraph)", path=Path(str(shipped)))
    try:
        root.mkdir(parents=True, exist_ok=True)
        files = {folder: _copy(shipped.joinpath(folder), root / folder) for folder in FOLDERS}
        (root / "data").mkdir()
        (root / "README.md").write_text(README.format(name=root.resolve().name), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the project ({exc.strerror or exc})", path=root) from exc
    return Created(root, files)


def _copy(source: Traversable, target: Path) -> int:
    target.mkdir()
    count = 0
    for item in sorted(source.iterdir(), key=lambda t: t.name):
        if item.is_dir():
            count += _copy(item, target / item.name)
        elif not item.name.startswith("."):
            with resources.as_file(item) as path:
                shutil.copyfile(path, target / item.name)
            count += 1
    return count
