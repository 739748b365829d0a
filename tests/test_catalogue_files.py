"""Every .rq file of the repository's queries/ (the analysts' catalogue): it parses, its '#+' header is
valid, it runs as plain SPARQL, and it runs with its defaults on an empty store and on the graph built
from the repository's ontology/ and data/. One test id per file; skipped while queries/ is empty.

Every required parameter needs a default (so each query runs as it is, in the API's "try it" too),
and a concept default must be a concept of its scheme in the built graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from clustergraph.base import sparql as lex
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.core.store import QueryOptions
from clustergraph.services.build import build
from clustergraph.services.queries import NamedQuery, bind, read_query, run_named

REPO = Path(__file__).parent.parent
FILES = sorted((REPO / "queries").glob("*.rq"))
CASES = [pytest.param(p, id=p.stem) for p in FILES] or [
    pytest.param(None, id="no-queries-yet", marks=pytest.mark.skip(reason="queries/ has no .rq files yet"))]


@pytest.fixture(scope="module")
def built() -> Iterator[EmbeddedStore]:
    """An in-memory store built from the repository's ontology/ and data/ (once for the module)."""
    with EmbeddedStore() as store:
        build(store, Settings(root=REPO))
        yield store


@pytest.fixture(scope="module")
def empty() -> Iterator[EmbeddedStore]:
    with EmbeddedStore() as store:
        yield store


def defaults(query: NamedQuery) -> dict[str, str]:
    """The defaults of the query; fails naming a required parameter that has none."""
    missing = [p.name for p in query.params if p.required and p.default is None]
    assert not missing, f"{query.label}: give a default for {', '.join(missing)} so the catalogue can run it"
    return {p.name: p.default for p in query.params if p.default is not None}


@pytest.mark.parametrize("path", CASES)
def test_the_header_is_valid(path: Path) -> None:
    query = read_query(path)  # raises InputError naming the file for a bad header
    assert re.fullmatch(r"[a-z0-9_]+", query.name), f"{path.name}: name files in lower case with underscores"
    assert "\n" not in query.summary, f"{query.label}: the summary is one line"
    assert query.form is not None and query.form is not lex.QueryForm.UPDATE, f"{query.label}: not a query"
    if query.form is lex.QueryForm.SELECT:
        assert "ORDER" in lex.keywords(query.text), f"{query.label}: order the rows (ORDER BY) so output is stable"
    defaults(query)


@pytest.mark.parametrize("path", CASES)
def test_it_runs_as_plain_sparql(empty: EmbeddedStore, path: Path) -> None:
    # The file as it is, parameters unbound: what any SPARQL tool (YASGUI, grlc) would run.
    query = read_query(path)
    empty.query(query.text, options=QueryOptions(name=query.label))


@pytest.mark.parametrize("path", CASES)
def test_it_runs_with_its_defaults_on_an_empty_store(empty: EmbeddedStore, path: Path) -> None:
    query = read_query(path)
    bound = bind(query, defaults(query))  # concepts are not checked: the empty store has none
    empty.query(query.text, bindings=bound, options=QueryOptions(name=query.label))


@pytest.mark.parametrize("path", CASES)
def test_it_runs_with_its_defaults_on_the_built_graph(built: EmbeddedStore, path: Path) -> None:
    query = read_query(path)
    run_named(built, query, defaults(query))  # checks concept defaults against their schemes too
