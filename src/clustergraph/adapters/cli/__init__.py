"""The command line: `clustergraph COMMAND`. Only this package imports click.

Each module of this package registers the commands of one concern on `main`. They import the
services (and with them pyoxigraph, rdflib, pyshacl, owlready2, Starlette) inside the commands,
not at the top: `clustergraph --help` and `clustergraph COMMAND --help` load none of them
(tests/test_cli_imports.py).
"""

from __future__ import annotations

from clustergraph.adapters.cli.app import main

# Importing the command modules registers their commands on `main`.
from clustergraph.adapters.cli import catalogue, commands, ontology, steward  # noqa: E402,F401
from clustergraph.adapters.cli import release  # noqa: E402,F401
from clustergraph.adapters.cli import search  # noqa: E402,F401
from clustergraph.adapters.cli import project  # noqa: E402,F401

__all__ = ["main"]
