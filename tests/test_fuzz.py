"""Property-based and fuzz tests (hypothesis) over every parser entry point: random and mutated inputs give
the project's own error (InputError, QueryError: one line, exit 2 or HTTP 4xx), never another exception, a
traceback or a 5xx, and the store is unchanged.

The default run keeps each test small (the `default` profile); `HYPOTHESIS_PROFILE=campaign` runs the big
one (benchmarks, the figures of README "Bad input").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustergraph.base.errors import ClusterGraphError, InputError, QueryError
from clustergraph.base.formats import RdfFormat
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import read_config
from clustergraph.core.rdfio import parse_text
from clustergraph.services.queries import bind, read_query, run_named
from server_app import TOKEN, AppClient, client_for, server_settings

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("campaign", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUE = FIXTURES / "catalogue" / "queries"

#: One valid document of each syntax, the seed of the mutations.
VALID = {
    RdfFormat.TURTLE: b'@prefix ex: <http://example.org/> .\nex:a ex:b "c"@en , 1 ; ex:d [ ex:e ex:f ] .\n',
    RdfFormat.TRIG: b'@prefix ex: <http://example.org/> .\nex:g { ex:a ex:b "c" . }\n',
    RdfFormat.N_TRIPLES: b'<http://example.org/a> <http://example.org/b> "c"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    RdfFormat.N_QUADS: b'<http://example.org/a> <http://example.org/b> _:c <http://example.org/g> .\n',
    RdfFormat.RDF_XML: (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                        b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
                        b'<ex:b>c</ex:b></rdf:Description></rdf:RDF>\n'),
    RdfFormat.JSON_LD: b'{"@context": {"ex": "http://example.org/"}, "@id": "ex:a", "ex:b": [{"@value": "c"}]}',
}

#: Fragments that break parsers in interesting ways.
NASTY = [b"\x00", b"\xff", b"\xc3", b"<", b">", b'"', b"'''", b"\\u", b"\\U0011FFFF", b"@prefix", b"{", b"}",
         b"[", b"]", b"(", b")", b"_:", b"^^", b"@en-", b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
         b"&e;", b'"@context": "http://example.org/c"', b'"@id": 5', b"\n", b".", b";", b",", b"\r", b"\xef\xbb\xbf"]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """`seed` with a few bytes cut, replaced or inserted (some from NASTY)."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "nasty", "swap"]))
        if action == "cut":
            del data[at:at + draw(st.integers(1, 8))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=6))
        elif action == "nasty":
            data[at:at] = draw(st.sampled_from(NASTY))
        elif data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
    return bytes(data)


def _parses_or_refuses(data: bytes, fmt: RdfFormat) -> None:
    try:
        parse_text(data, fmt, name="fuzz", base_iri="http://example.org/")
    except InputError as exc:
        assert "\n" not in str(exc).strip(), str(exc)


@pytest.mark.parametrize("fmt", list(VALID), ids=lambda f: f.label)
def test_rdf_parsers_refuse_mutated_documents_with_an_input_error(fmt: RdfFormat) -> None:
    @given(mutated(VALID[fmt]))
    def check(data: bytes) -> None:
        _parses_or_refuses(data, fmt)
    check()


@pytest.mark.parametrize("fmt", list(VALID), ids=lambda f: f.label)
def test_rdf_parsers_refuse_random_bytes_with_an_input_error(fmt: RdfFormat) -> None:
    @given(st.binary(max_size=200))
    def check(data: bytes) -> None:
        _parses_or_refuses(data, fmt)
    check()


SPARQL_SEED = ("PREFIX ex: <http://example.org/>\nSELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ex:p ?o "
               "OPTIONAL { ?o rdfs:label ?l } FILTER(STRLEN(STR(?o)) > 1) } GROUP BY ?s ORDER BY DESC(?n) LIMIT 5")


@pytest.fixture(scope="module")
def small_store() -> Iterator[EmbeddedStore]:
    with EmbeddedStore() as store:
        store.load(FIXTURES / "catalogue" / "data" / "items.ttl",
                   graph=__import__("rdflib").URIRef("https://w3id.org/clustergraph/graph/data/items"))
        yield store


def _one_line_query_error(store: EmbeddedStore, text: str) -> None:
    try:
        store.query(text)
    except QueryError as exc:
        assert "\n" not in str(exc) and 400 <= exc.status < 500


def test_sparql_text_mutated_gives_a_query_error(small_store: EmbeddedStore) -> None:
    before = len(small_store)

    @given(mutated(SPARQL_SEED.encode()))
    def check(data: bytes) -> None:
        _one_line_query_error(small_store, data.decode("utf-8", errors="replace"))
    check()
    assert len(small_store) == before


def test_sparql_random_text_gives_a_query_error(small_store: EmbeddedStore) -> None:
    @given(st.text(max_size=120))
    def check(text: str) -> None:
        _one_line_query_error(small_store, text)
    check()


@pytest.mark.parametrize("name", ["items_since_year", "item_by_label", "items_with_min_count", "items_by_colour"])
def test_catalogue_parameter_values_are_checked_or_refused(small_store: EmbeddedStore, name: str) -> None:
    query = read_query(CATALOGUE / f"{name}.rq")

    @given(st.dictionaries(st.sampled_from([p.name for p in query.params] or ["x"]), st.text(max_size=40),
                           max_size=2))
    def check(values: dict[str, str]) -> None:
        try:
            bind(query, values)
            run_named(small_store, query, values)
        except (QueryError, InputError) as exc:
            assert "\n" not in str(exc)
    check()


HEADER_SEED = (CATALOGUE / "items_since_year.rq").read_bytes()


def test_query_headers_mutated_give_an_input_error(tmp_path: Path) -> None:
    @given(mutated(HEADER_SEED[:HEADER_SEED.index(b"PREFIX")]))
    def check(header: bytes) -> None:
        path = tmp_path / "fuzzed.rq"
        path.write_bytes(header + HEADER_SEED[HEADER_SEED.index(b"PREFIX"):])
        try:
            read_query(path)
        except (InputError, QueryError) as exc:
            assert str(exc).strip()
    check()


CONFIG_SEED = b'store = ".clustergraph/store"\nquery_timeout_s = 30\nresult_limit = 10000\nengine = "oxigraph"\n'


def test_config_files_mutated_give_an_input_error(tmp_path: Path) -> None:
    @given(mutated(CONFIG_SEED))
    def check(data: bytes) -> None:
        path = tmp_path / "clustergraph.toml"
        path.write_bytes(data)
        try:
            read_config(path)
        except ClusterGraphError as exc:
            assert "\n" not in str(exc)
    check()


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppClient]:
    app = client_for(server_settings(tmp_path_factory.mktemp("fuzzserver"), write_token=TOKEN))
    yield app
    app.close()


_TYPES = {RdfFormat.TURTLE: "text/turtle", RdfFormat.TRIG: "application/trig",
          RdfFormat.N_TRIPLES: "application/n-triples", RdfFormat.N_QUADS: "application/n-quads",
          RdfFormat.RDF_XML: "application/rdf+xml", RdfFormat.JSON_LD: "application/ld+json"}


def _dump(app: AppClient) -> bytes:
    answer = app.get("/sparql", params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
                     headers={"Accept": "application/n-triples"})
    assert answer.status_code == 200
    return b"\n".join(sorted(answer.content.splitlines()))


@pytest.mark.parametrize("fmt", list(_TYPES), ids=lambda f: f.label)
def test_http_writes_of_mutated_bodies_are_4xx_with_one_line_and_change_nothing(writable: AppClient,
                                                                                fmt: RdfFormat) -> None:
    before = _dump(writable)
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": _TYPES[fmt]}
    broken = VALID[fmt] + b" <"  # not valid; a mutation may repair it, and then it may be written
    accepted: list[bytes] = []

    @settings(max_examples=15)
    @given(mutated(broken), st.sampled_from(["/api/ingest?by=fuzz", "/rdf-graphs?graph=http://example.org/g"]))
    def check(body: bytes, url: str) -> None:
        answer = writable.request("PUT" if url.startswith("/rdf-graphs") else "POST", url, content=body,
                                  headers=auth)
        if answer.status_code < 300:
            accepted.append(body)
            return
        assert 400 <= answer.status_code < 500, answer.text
        assert "\n" not in answer.json()["error"]
    check()
    if not accepted:
        assert _dump(writable) == before
