"""The query catalogue (services/queries.py) and its commands `clustergraph queries` / `query NAME`.

Runs on tests/fixtures/catalogue: placeholder items, two placeholder SKOS schemes, and one query
per parameter type.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from clustergraph.adapters.cli import main
from clustergraph.base.errors import InputError, QueryError
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.core.results import Solutions
from clustergraph.services.build import build
from clustergraph.services.queries import (
    Param,
    ParamType,
    bind,
    catalogue,
    describe,
    find_query,
    read_query,
    run_query,
)

CATALOGUE = Path(__file__).parent / "fixtures" / "catalogue"
CGS = "https://w3id.org/clustergraph/concept/"
CGD = "https://w3id.org/clustergraph/id/"
QUERIES = CATALOGUE / "queries"


@pytest.fixture
def built() -> Iterator[EmbeddedStore]:
    """An in-memory store built from the catalogue fixture."""
    with EmbeddedStore() as store:
        build(store, Settings(root=CATALOGUE))
        yield store


def values(store: EmbeddedStore, name: str, params: dict[str, str] | None = None) -> list[tuple[str | None, ...]]:
    result = run_query(store, QUERIES, name, params)
    assert isinstance(result, Solutions)
    return [tuple(None if t is None else str(t.value) for t in row) for row in result.rows]


def write(tmp_path: Path, text: str, name: str = "q.rq") -> Path:
    folder = tmp_path / "queries"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the header ---------------------------------------------------------------------------------
def test_header_gives_summary_description_tags_and_a_concept_parameter() -> None:
    query = read_query(QUERIES / "items_by_colour.rq")
    assert (query.name, query.label, query.summary, query.description, query.tags) == (
        "items_by_colour", "queries/items_by_colour.rq", "Items of one colour, with their labels",
        "One row per item of the given colour, ordered by item.", ("fixture",))
    assert query.params == (Param(name="colour", variable="_colour_iri", type=ParamType.CONCEPT, required=True,
                                  default="cgs:Red", scheme=CGS + "FixtureColour",
                                  description="The colour of the items."),)


@pytest.mark.parametrize(("name", "expected"), [
    ("echo_literal", ("value", ParamType.LITERAL, True, None)),
    ("items_with_min_count", ("min", ParamType.INTEGER, False, None)),
    ("items_since_year", ("since", ParamType.YEAR, True, "2000")),
    ("item_graph", ("item", ParamType.IRI, True, "cgd:item/a")),
])
def test_variable_suffix_gives_the_type_and_underscores_say_required(name: str, expected: tuple[object, ...]) -> None:
    (param,) = read_query(QUERIES / f"{name}.rq").params
    assert (param.name, param.type, param.required, param.default) == expected


def test_catalogue_lists_every_file_sorted_and_an_absent_folder_is_empty(tmp_path: Path) -> None:
    assert [q.name for q in catalogue(QUERIES)] == [
        "any_items", "echo_literal", "item_by_label", "item_graph", "items_by_colour", "items_since_year",
        "items_with_min_count"]
    assert catalogue(tmp_path / "nowhere") == []


BAD_HEADERS = [
    ("SELECT * WHERE { ?s ?p ?o }", None, "the '#+' header needs a one-line 'summary'"),
    ("#+ summary: x\n#+ endpoint: http://example.org/sparql\nASK {}", None,
     "unknown header key 'endpoint'; use defaults, description, method, parameters, summary, tags"),
    ("# a plain comment first\n#+ summary: x\n#+ description: y: z\nASK {}", 3, None),
    ("#+ summary: x\n#+ method: POST\nASK {}", None, "method 'POST' is not supported; catalogue queries are GET"),
    ("#+ summary: x\n#+ defaults:\n#+   - colour: cgs:Red\nASK { ?s ?p ?_shade_iri }", None,
     "'defaults' names 'colour', which is not a parameter of the query (parameters: shade)"),
    ("#+ summary: x\n#+ parameters:\n#+   colour:\n#+     type: concept\n#+     scheme: cgs:C\nASK { ?s ?p ?o }",
     None, "'parameters' names 'colour', which is not a parameter of the query (parameters: none)"),
    ("#+ summary: x\n#+ parameters:\n#+   colour:\n#+     type: concept\nASK { ?s ?p ?_colour_iri }", None,
     "parameter 'colour' is a concept and needs 'scheme:' (an IRI or prefixed name), got None"),
    ("#+ summary: x\n#+ parameters:\n#+   colour:\n#+     type: concept\n#+     scheme: cgs:C\n"
     "ASK { ?s ?p ?_colour }", None,
     "parameter 'colour' is a concept, so its variable must end in _iri (?_colour_iri)"),
    ("#+ summary: x\n#+ parameters:\n#+   colour:\n#+     scheme: cgs:C\nASK { ?s ?p ?_colour_iri }", None,
     "parameter 'colour' has a 'scheme' but no 'type: concept'"),
    ("#+ summary: x\n#+ parameters:\n#+   n:\n#+     type: integer\nASK { ?s ?p ?_n_year }", None,
     "parameter 'n' is declared integer but ?_n_year makes it year"),
    ("#+ summary: x\n#+ parameters:\n#+   n:\n#+     type: float\nASK { ?s ?p ?_n }", None,
     "parameter 'n': unknown type 'float'; use iri, literal, integer, year, concept"),
    ("#+ summary: x\n#+ parameters:\n#+   n:\n#+     label: N\nASK { ?s ?p ?_n }", None,
     "parameter 'n': unknown key 'label'; use description, scheme, type"),
    ("#+ summary: x\n#+ defaults:\n#+   - since: 99\nASK { ?s ?p ?_since_year }", None,
     "the default of 'since' needs a year of four digits, got '99'"),
    ("#+ summary: x\nASK { ?s ?_n ?_n_integer }", None, "variables ?_n and ?_n_integer both give parameter 'n'"),
]


@pytest.mark.parametrize(("text", "line", "detail"), BAD_HEADERS)
def test_a_bad_header_is_an_input_error_naming_the_file(tmp_path: Path, text: str, line: int | None,
                                                        detail: str | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_query(path)
    assert err.value.path == path
    if detail is not None:
        assert err.value.detail == detail
    else:
        assert err.value.line == line
        assert err.value.detail.startswith("the '#+' header is not valid YAML")


def test_a_file_given_on_the_command_line_needs_no_summary_and_is_named_by_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, "SELECT ?x WHERE { BIND(?_x_integer AS ?x) }")
    query = read_query(path, strict=False)
    assert (query.summary, query.label) == ("q", str(path))
    with pytest.raises(QueryError) as err:
        bind(query, {"x": "ten"})
    assert str(err.value) == f"{path}: parameter 'x' needs an integer, got 'ten'"


# -- binding values as RDF terms ----------------------------------------------------------------
def test_values_are_bound_as_typed_terms_keeping_their_lexical_form() -> None:
    assert bind(read_query(QUERIES / "items_with_min_count.rq"), {"min": "+007"}) == {
        "__min_integer": Literal("+007", datatype=XSD.integer, normalize=False)}
    assert bind(read_query(QUERIES / "items_since_year.rq"), {}) == {
        "_since_year": Literal("2000", datatype=XSD.gYear, normalize=False)}
    graph = read_query(QUERIES / "item_graph.rq")
    assert bind(graph, {}) == {"_item_iri": URIRef(CGD + "item/a")}
    assert bind(graph, {"item": f"<{CGD}item/b>"}) == {"_item_iri": URIRef(CGD + "item/b")}
    assert bind(graph, {"item": "cgs:Red"}) == {"_item_iri": URIRef(CGS + "Red")}
    assert bind(read_query(QUERIES / "echo_literal.rq"), {"value": " a b "}) == {"_value_literal": Literal(" a b ")}


def test_an_optional_parameter_left_out_is_not_bound() -> None:
    assert bind(read_query(QUERIES / "items_with_min_count.rq"), {}) == {}


@pytest.mark.parametrize(("name", "given", "detail"), [
    ("echo_literal", {}, "parameter 'value' is required (literal)"),
    ("echo_literal", {"valu": "x"}, "unknown parameter 'valu' (parameters: value)"),
    ("items_with_min_count", {"min": "1.5"}, "parameter 'min' needs an integer, got '1.5'"),
    ("items_since_year", {"since": "1999-01-01"}, "parameter 'since' needs a year of four digits, got '1999-01-01'"),
    ("item_graph", {"item": "not an iri"}, "parameter 'item' needs an IRI, got 'not an iri'"),
    ("item_graph", {"item": "cgd:a> } ; DROP ALL #"}, "parameter 'item' needs an IRI, got 'cgd:a> } ; DROP ALL #'"),
    ("item_graph", {"item": "http://example.org/a>\n<b"}, "parameter 'item' needs an IRI, got 'http://example.org/a>\\n<b'"),
    ("items_by_colour", {"colour": "red"}, "parameter 'colour' needs an IRI, got 'red'"),
])
def test_a_bad_value_is_a_query_error_naming_query_parameter_and_value(name: str, given: dict[str, str],
                                                                       detail: str) -> None:
    with pytest.raises(QueryError) as err:
        bind(read_query(QUERIES / f"{name}.rq"), given)
    assert (err.value.query, err.value.detail, err.value.status) == (f"queries/{name}.rq", detail, 400)


# -- hostile values -----------------------------------------------------------------------------
HOSTILE = ['"', "'", "{", "}", "} ; DROP ALL #", 'x" } ; DROP ALL #', "a\nb", "\r\n}\n#", '"""', "'''",
           "\\", "\\u0022", ">", "?s ?p ?o", 'item a" || true || "']


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_literal_is_bound_exactly_and_cannot_change_the_query(built: EmbeddedStore, value: str) -> None:
    graphs, size = built.graph_sizes(), len(built)
    assert values(built, "echo_literal", {"value": value}) == [(value, str(len(value)))]
    assert values(built, "item_by_label", {"label": value}) == []
    assert (built.graph_sizes(), len(built)) == (graphs, size)


def test_the_label_query_finds_an_honest_label(built: EmbeddedStore) -> None:
    # The counterpart of the hostile test: the same query does find rows, so zero rows above is meaningful.
    assert values(built, "item_by_label", {"label": "item a"}) == [(CGD + "item/a",)]


# -- concept parameters -------------------------------------------------------------------------
@pytest.mark.parametrize(("colour", "items"), [
    ("cgs:Red", ["item/a", "item/c"]),                       # skos:Concept, skos:inScheme
    ("cgs:Green", ["item/b"]),                               # skos:topConceptOf
    ("cgs:Blue", []),                                        # a subclass of skos:Concept
    (f"{CGS}Red", ["item/a", "item/c"]),                     # a full IRI
])
def test_a_concept_of_the_scheme_is_accepted(built: EmbeddedStore, colour: str, items: list[str]) -> None:
    assert values(built, "items_by_colour", {"colour": colour}) == [
        (CGD + i, f"item {i[-1]}") for i in items]


@pytest.mark.parametrize("colour", ["cgs:Round", "cgs:Grey", "cgd:item/a"])
def test_a_value_outside_the_scheme_is_an_error_naming_the_allowed_values(built: EmbeddedStore, colour: str) -> None:
    with pytest.raises(QueryError) as err:
        run_query(built, QUERIES, "items_by_colour", {"colour": colour})
    assert str(err.value) == (f"queries/items_by_colour.rq: parameter 'colour' must be a concept of "
                              f"cgs:FixtureColour, got '{colour}'; allowed: cgs:Blue, cgs:Green, cgs:Red")


def test_a_concept_parameter_on_an_empty_store_says_the_scheme_has_no_concepts(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as err:
        run_query(store, QUERIES, "items_by_colour")
    assert err.value.detail == ("parameter 'colour' needs a concept of cgs:FixtureColour, but the store has none "
                                "of that scheme (is the graph built? is the scheme right?)")


# -- years and optional integers ----------------------------------------------------------------
@pytest.mark.parametrize(("since", "rows"), [
    (None, [("item/b", "2001"), ("item/c", "2004")]),
    ("1999", [("item/a", "1999"), ("item/b", "2001"), ("item/c", "2004")]),
    ("2004", [("item/c", "2004")]),
    ("2005", []),
])
def test_a_year_parameter_compares_with_gyear_data(built: EmbeddedStore, since: str | None,
                                                   rows: list[tuple[str, str]]) -> None:
    given = {"since": since} if since else {}
    assert values(built, "items_since_year", given) == [(CGD + i, y) for i, y in rows]


def test_an_optional_integer_filters_only_when_given(built: EmbeddedStore) -> None:
    assert values(built, "items_with_min_count") == [(CGD + "item/a", "3"), (CGD + "item/b", "10")]
    assert values(built, "items_with_min_count", {"min": "5"}) == [(CGD + "item/b", "10")]


# -- finding and describing queries -------------------------------------------------------------
@pytest.mark.parametrize("name", ["nope", "../queries/echo_literal", "echo literal"])
def test_an_unknown_name_is_a_404_query_error_listing_the_known_ones(name: str) -> None:
    with pytest.raises(QueryError) as err:
        find_query(QUERIES, name)
    assert err.value.status == 404
    assert err.value.detail == ("no such query in queries/ (known: any_items, echo_literal, item_by_label, "
                                "item_graph, items_by_colour, items_since_year, items_with_min_count)")


def test_describe_gives_the_parameters_and_the_allowed_concepts(built: EmbeddedStore) -> None:
    assert describe(read_query(QUERIES / "items_by_colour.rq"), built) == {
        "name": "items_by_colour",
        "summary": "Items of one colour, with their labels",
        "description": "One row per item of the given colour, ordered by item.",
        "tags": ["fixture"],
        "form": "SELECT",
        "parameters": [{"name": "colour", "type": "concept", "required": False, "default": "cgs:Red",
                        "variable": "?_colour_iri", "description": "The colour of the items.",
                        "scheme": CGS + "FixtureColour", "allowed": ["cgs:Blue", "cgs:Green", "cgs:Red"]}],
    }


# -- the command line ---------------------------------------------------------------------------
def run_cli(tmp_path: Path, *args: str) -> Result:
    root = tmp_path / "project"
    if not root.exists():
        shutil.copytree(CATALOGUE, root)
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


def test_queries_lists_name_summary_and_each_parameter(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "queries")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "any_items             Whether any item has a colour",
        "echo_literal          The bound value and its length, to show values are bound as literals",
        "                        value: literal, required",
        "item_by_label         The item with exactly this label",
        "                        label: literal, required",
        "item_graph            Every triple about one item",
        "                        item: iri, optional, default cgd:item/a",
        "items_by_colour       Items of one colour, with their labels",
        "                        colour: concept of cgs:FixtureColour, optional, default cgs:Red",
        "items_since_year      Items dated in or after a year",
        "                        since: year, optional, default 2000",
        "items_with_min_count  Items with a count, optionally at least a minimum",
        "                        min: integer, optional",
    ]


def test_queries_name_shows_one_query_in_full(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "queries", "items_by_colour")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "items_by_colour: Items of one colour, with their labels",
        "  One row per item of the given colour, ordered by item.",
        "tags: fixture",
        "file: queries/items_by_colour.rq",
        "parameters:",
        "  colour: concept of cgs:FixtureColour, optional, default cgs:Red",
        "      The colour of the items.",
        "run: clustergraph query items_by_colour -p colour=cgs:Red",
    ]


def test_queries_as_json_gives_every_query_with_typed_parameters(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "queries", "-f", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [q["name"] for q in listed] == [q.name for q in catalogue(QUERIES)]
    assert listed[-1]["parameters"] == [{"name": "min", "type": "integer", "required": False, "default": None,
                                         "variable": "?__min_integer"}]


def test_queries_with_a_broken_file_exits_2_naming_it(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(CATALOGUE, root)
    (root / "queries" / "broken.rq").write_text("#+ summary: x\n#+ colour: red\nASK {}\n")
    result = run_cli(tmp_path, "queries")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {root / 'queries' / 'broken.rq'}: unknown header key 'colour'; "
                                     "use defaults, description, method, parameters, summary, tags")


def test_query_name_runs_with_a_concept_parameter(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "build").exit_code == 0
    result = run_cli(tmp_path, "query", "items_by_colour", "-p", "colour=cgs:Green", "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["item,label", f"{CGD}item/b,item b"]


def test_query_with_a_concept_outside_its_scheme_exits_2_naming_the_allowed_values(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "build").exit_code == 0
    result = run_cli(tmp_path, "query", "items_by_colour", "-p", "colour=cgs:Round")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == ("error: queries/items_by_colour.rq: parameter 'colour' must be a concept of "
                                     "cgs:FixtureColour, got 'cgs:Round'; allowed: cgs:Blue, cgs:Green, cgs:Red")


def test_query_binds_a_hostile_value_from_the_command_line_as_a_literal(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "build").exit_code == 0
    result = run_cli(tmp_path, "query", "echo_literal", "-p", 'value=x" } ; DROP ALL #', "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["results"]["bindings"][0]["value"] == {"type": "literal",
                                                                            "value": 'x" } ; DROP ALL #'}
    count = run_cli(tmp_path, "query", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-f", "csv")
    assert count.stdout.splitlines() == ["n", "27"]  # the 27 triples of data/items.ttl
