"""The command line: `clustergraph COMMAND`. Only this package imports click.

Each module of this package registers the commands of one concern on `main`. They import the
services (and with them pyoxigraph, rdflib, pyshacl, owlready2, Starlette) inside the commands,
not at the top: `clustergraph --help` and `clustergraph COMMAND --help` load none of them
(tests/test_cli_imports.py).
"""

from __future__ import annotations

# Importing the command modules registers their commands on `main` (each imports it from app.py).
from clustergraph.adapters.cli import catalogue, commands, ontology, project, release, search, steward  # noqa: F401
from clustergraph.adapters.cli.app import main

__all__ = ["main"]
