"""The catalogue on rdflib: analysts also run the queries from Python on an rdflib Graph.

The curated graph is built into an in-memory embedded store and exported as N-Triples (the union
of its graphs); rdflib parses the export. Every catalogue query, with its default parameters, must
give the embedded store's rows, compared as multisets.

Allowed differences, each one of the engines, not of a query:
- GROUP_CONCAT: the order of the items is unspecified; Oxigraph keeps the language tag when every
  item has the same one, rdflib gives a plain literal; a GROUP_CONCAT of nothing is unbound on
  Oxigraph and "" on rdflib. Such a cell compares as the sorted list of its items.
- rdflib keeps the source's type derived from xsd:integer (xsd:positiveInteger), Oxigraph stores
  an xsd:integer: both compare as xsd:integer.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef

from clustergraph.base.formats import RdfFormat
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.core.results import Solutions
from clustergraph.core.store import bind as bind_text
from clustergraph.services.build import build
from clustergraph.services.publishing.export import export
from clustergraph.services.queries import bind, catalogue

REPO = Path(__file__).parent.parent
QUERIES = catalogue(REPO / "queries")
XSD = "http://www.w3.org/2001/XMLSchema#"
DERIVED_INTEGERS = {XSD + t for t in ("positiveInteger", "nonNegativeInteger", "negativeInteger",
                                      "nonPositiveInteger", "long", "int", "short", "byte")}
GROUP_CONCAT = re.compile(r'GROUP_CONCAT\s*\((?:[^;()]|\([^()]*\))*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s+\?(\w+)',
                          re.IGNORECASE)
RDFLIB_BUGS = {
    "buyers_by_cluster": "rdflib raises NotBoundError on GROUP_CONCAT(DISTINCT ?v) when ?v is unbound in a row of "
                         "the group (RDFLib/rdflib#882)",
}


@pytest.fixture(scope="module")
def stores() -> Iterator[tuple[EmbeddedStore, Graph]]:
    """The curated graph in the embedded store, and its N-Triples export parsed by rdflib."""
    with EmbeddedStore() as store:
        build(store, Settings(root=REPO))
        out = io.BytesIO()
        export(store, out, RdfFormat.N_TRIPLES)
        yield store, Graph().parse(data=out.getvalue(), format="nt")


def cell(value: object, separator: str | None) -> object:
    """A cell of either library as comparable data: ('iri', value), ('literal', lexical form,
    language or datatype), '_:' for a blank node, None when unbound; a GROUP_CONCAT cell as its
    sorted items."""
    if separator is not None:
        text = value.value if isinstance(value, ox.Literal) else str(value) if value is not None else ""
        return tuple(sorted(text.split(separator))) if text else ()
    if value is None:
        return None
    if isinstance(value, (ox.BlankNode, BNode)):
        return "_:"
    if isinstance(value, (ox.NamedNode, URIRef)):
        return ("iri", str(value.value if isinstance(value, ox.NamedNode) else value))
    if isinstance(value, ox.Literal):
        lexical, language, datatype = value.value, value.language, value.datatype.value
    else:
        assert isinstance(value, Literal)
        lexical, language, datatype = str(value), value.language, str(value.datatype or XSD + "string")
    datatype = XSD + "integer" if datatype in DERIVED_INTEGERS else datatype
    return ("literal", lexical, language or datatype)


def test_group_concat_cells_are_found() -> None:
    found = {q.name: sorted(v for _, v in GROUP_CONCAT.findall(q.text)) for q in QUERIES}
    assert found["upgrading_by_cluster"] == ["enabledBy", "inhibitedBy"]
    assert found["policy_outcomes"] == ["networkMembers"]


def test_cells_of_both_libraries_compare_equal() -> None:
    assert cell(ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")), None) == \
        cell(Literal("1", datatype=URIRef(XSD + "positiveInteger")), None)
    assert cell(ox.Literal("a; b", language="en"), "; ") == cell(Literal("b; a"), "; ")
    assert cell(None, ", ") == cell(Literal(""), ", ")
    assert cell(ox.Literal("x"), None) == cell(Literal("x"), None)
    assert cell(ox.Literal("x"), None) != cell(Literal("x", lang="en"), None)
    assert cell(ox.NamedNode("urn:x:a"), None) == cell(URIRef("urn:x:a"), None)


@pytest.mark.parametrize("name", [q.name for q in QUERIES])
def test_catalogue_query_gives_the_same_rows_on_rdflib(stores: tuple[EmbeddedStore, Graph], name: str,
                                                       request: pytest.FixtureRequest) -> None:
    if name in RDFLIB_BUGS:
        request.applymarker(pytest.mark.xfail(reason=RDFLIB_BUGS[name], strict=True))
    store, graph = stores
    query = next(q for q in QUERIES if q.name == name)
    text = bind_text(query.text, bind(query, {}), query.label)
    concatenated = {variable: separator for separator, variable in GROUP_CONCAT.findall(query.text)}
    result = store.query(text)
    assert isinstance(result, Solutions)
    separators = [concatenated.get(v) for v in result.variables]
    expected = Counter(tuple(cell(t, s) for t, s in zip(row, separators)) for row in result.rows)
    assert expected, f"{name} answers nothing on the curated graph, so it proves nothing"
    answer = graph.query(text)
    assert [str(v) for v in answer.vars or []] == list(result.variables)
    got = Counter(tuple(cell(t, s) for t, s in zip(row, separators)) for row in answer)  # type: ignore[arg-type]
    assert got == expected
