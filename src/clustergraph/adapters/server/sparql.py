"""The SPARQL 1.1 Protocol: queries at /sparql (read-only), updates at /sparql/update (token only).

/sparql answers GET ?query=, POST form and POST application/sparql-query, honours
default-graph-uri and named-graph-uri, and negotiates the result format by Accept. Called with no
query it gives its SPARQL 1.1 Service Description (or, to a browser, the query editor).
Every query runs under the time limit (503 when stopped) and the row limit (a cut answer carries
`X-Clustergraph-Truncated` and, where the format has room, a marker in the body).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rdflib import URIRef
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from clustergraph.adapters.server.auth import writer as writing_agent
from clustergraph.adapters.server.negotiation import GRAPH_TYPES, RESOURCE_TYPES, RESULT_TYPES, choose
from clustergraph.adapters.server.reports import refused, written
from clustergraph.base.errors import NotConforming
from clustergraph.base.formats import RdfFormat
from clustergraph.base.sparqlhelp import with_prefixes
from clustergraph.base.terms import FORMATS, PREFIXES, SD
from clustergraph.core.config import Settings
from clustergraph.core.pool import ReadPool, Writer
from clustergraph.core.rdfio import parse_text
from clustergraph.core.results import QueryResult, Triples, solution_parts, triple_parts, write_triples
from clustergraph.core.store import QueryOptions, Store
from clustergraph.services.steward import guard, writes
from clustergraph.services.steward.writes import UpdateRequest

TRUNCATED_HEADER = "X-Clustergraph-Truncated"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_READ_ONLY = "this endpoint is read-only; send updates to /sparql/update with the operator's token"


@dataclass(frozen=True)
class Protocol:
    """What a protocol request carries: the operation's text and the dataset it names."""

    text: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class ProtocolError(Exception):
    """A request the protocol does not allow; carries the response to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.response = JSONResponse({"error": message}, status_code=status)


async def endpoint(request: Request) -> Response:
    """Answer one SPARQL query, or describe the service when there is none."""
    try:
        protocol = await _read(request, operation="query", refuse="update")
    except ProtocolError as exc:
        return exc.response
    if protocol.text is None:
        if request.method == "GET":
            return await service_description(request)
        return JSONResponse({"error": "give a SPARQL query (?query=, a form field 'query', or a POST body of "
                                      "type application/sparql-query)"}, status_code=400)
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    options = QueryOptions(name="query", limit=settings.result_limit, allow_service=settings.allow_service,
                           default_graphs=protocol.default_graphs, named_graphs=protocol.named_graphs,
                           base_iri=service_iri(settings))
    text = with_prefixes(protocol.text, PREFIXES)  # the editor's ad-hoc queries get the standard prefixes
    accept = request.headers.get("accept")
    if not isinstance(store, ReadPool):
        result = await run_in_threadpool(store.query, text, options=options)
        return answer(result, accept, settings.result_limit)
    # The worker writes the answer in the negotiated format, in parts: the server passes them on as they come.
    chosen, chosen_rdf = choose(accept, RESULT_TYPES), choose(accept, GRAPH_TYPES)
    doc = await run_in_threadpool(store.answer, text, options=options, results=chosen[1] if chosen else None,
                                  rdf=chosen_rdf[1] if chosen_rdf else None, prefixes=PREFIXES)
    offers = GRAPH_TYPES if doc.head.kind == "triples" else RESULT_TYPES
    picked = chosen_rdf if doc.head.kind == "triples" else chosen
    if picked is None or not doc.head.written:
        return not_acceptable(offers)
    body = doc.body if doc.parts is None else doc.parts  # a small answer whole, a large one as it comes
    return _sent(body or b"", picked[0], doc.head.truncated, settings.result_limit)


async def update(request: Request) -> Response:
    """Run one SPARQL update atomically; only with the operator's bearer token (401/403 without)."""
    agent = writing_agent(request)
    if isinstance(agent, Response):
        return agent
    try:
        protocol = await _read(request, operation="update", refuse="query")
    except ProtocolError as exc:
        return exc.response
    if protocol.text is None:
        return JSONResponse({"error": "give a SPARQL update (a form field 'update', or a POST body of type "
                                      "application/sparql-update)"}, status_code=400)
    settings: Settings = request.app.state.settings
    writer: Writer = request.app.state.writer
    update_request = UpdateRequest(protocol.text, base_iri=service_iri(settings), using=protocol.default_graphs,
                                   using_named=protocol.named_graphs)
    if not settings.guarded_writes:
        await run_in_threadpool(writer.run, writes.update, update_request, allow_load=settings.allow_load,
                                name="update")
        return Response(status_code=204)
    try:
        done = await run_in_threadpool(writer.run, guard.guarded_update, settings.shapes_dir,
                                       writes.using(update_request), agent=agent, base_iri=update_request.base_iri,
                                       name="update")
    except NotConforming as refusal:
        return refused(refusal, request.headers.get("accept"))
    return written(done, 200)


def service_iri(settings: Settings) -> str:
    """The endpoint's public URL: the base IRI of every query and update (SPARQL 1.1 Protocol)."""
    return settings.base_url.rstrip("/") + "/sparql"


def answer(result: QueryResult, accept: str | None, limit: int) -> Response:
    """`result` in the format `accept` prefers (406 if none), marked when the row limit cut it."""
    cut_at = limit if result.truncated else None
    if isinstance(result, Triples):
        chosen_rdf = choose(accept, GRAPH_TYPES)
        if chosen_rdf is None:
            return not_acceptable(GRAPH_TYPES)
        media, rdf = chosen_rdf
        return _sent(b"".join(triple_parts(result, rdf, PREFIXES, cut_at=cut_at)), media, result.truncated, limit)
    chosen = choose(accept, RESULT_TYPES)
    if chosen is None:
        return not_acceptable(RESULT_TYPES)
    media, fmt = chosen
    return _sent(b"".join(solution_parts(result, fmt, cut_at=cut_at)), media, result.truncated, limit)


def _sent(body: bytes | Iterator[bytes], media: str, truncated: bool, limit: int) -> Response:
    """A written answer, whole or as its parts come (a large one from a query worker), with the header
    of a cut answer (the body says it too, where the format has room: core/results.py)."""
    headers = {"Vary": "Accept"}
    if truncated:
        headers[TRUNCATED_HEADER] = f"true; limit={limit}; the answer is incomplete"
    if isinstance(body, bytes):
        return Response(body, media_type=media, headers=headers)
    return StreamingResponse(body, media_type=media, headers=headers)


async def service_description(request: Request) -> Response:
    """The SPARQL 1.1 Service Description of /sparql, by Accept (Turtle by default).

    A browser (text/html first in Accept) is sent to the query editor instead.
    """
    chosen = choose(request.headers.get("accept"), RESOURCE_TYPES)
    if chosen is None:
        return not_acceptable(GRAPH_TYPES)
    media, fmt = chosen
    settings: Settings = request.app.state.settings
    if fmt is None:
        return RedirectResponse(settings.base_url.rstrip("/") + "/editor", status_code=303)
    store: Store = request.app.state.store
    sizes = await run_in_threadpool(store.graph_sizes)
    turtle = _description_turtle(settings, sizes)
    quads = parse_text(turtle, RdfFormat.TURTLE, name="service description")
    body = write_triples(Triples([q.triple for q in quads]), fmt, {**PREFIXES, "sd": str(SD), "formats": str(FORMATS)})
    return Response(body, media_type=media, headers={"Vary": "Accept"})


# -- reading a request -------------------------------------------------------------------------
async def _read(request: Request, *, operation: str, refuse: str) -> Protocol:
    """The operation text (`query` or `update`) and dataset of a GET or POST protocol request."""
    url = request.query_params
    if refuse in url:
        raise ProtocolError(403 if refuse == "update" else 400,
                            _READ_ONLY if refuse == "update" else "this endpoint runs updates; send queries to /sparql")
    if request.method == "GET":
        return Protocol(_single(url.getlist(operation), operation), *_graphs(url.getlist, operation))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == f"application/sparql-{operation}":
        text = _decode(await request.body(), request.headers.get("content-type", ""))
        return Protocol(text, *_graphs(url.getlist, operation))
    if content_type == f"application/sparql-{refuse}":
        raise ProtocolError(403 if refuse == "update" else 415,
                            _READ_ONLY if refuse == "update" else "send queries to /sparql")
    if content_type == _FORMS[0]:
        _decode(await request.body(), request.headers.get("content-type", ""))  # a form is UTF-8 text too
    if content_type in _FORMS:
        form: FormData = await request.form()
        if refuse in form:
            raise ProtocolError(403 if refuse == "update" else 400,
                                _READ_ONLY if refuse == "update" else "send queries to /sparql")
        values = [v for v in form.getlist(operation) if isinstance(v, str)]
        return Protocol(_single(values, operation), *_graphs(
            lambda key: [v for v in form.getlist(key) if isinstance(v, str)], operation))
    raise ProtocolError(415, f"unsupported content type '{content_type or '(none)'}'; use "
                             f"application/sparql-{operation} or a form")


def _decode(body: bytes, content_type: str) -> str:
    """The body as text, by the charset its Content-Type declares (UTF-8 when none); else 400."""
    charset = "utf-8"
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError as exc:
        raise ProtocolError(400, f"unknown charset '{charset}' in the Content-Type; send UTF-8") from exc
    try:
        return body.decode(charset)
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the request body is not {charset} text (byte {exc.start + 1}); "
                                 "send UTF-8 or declare the charset") from exc


def _graphs(getlist: Callable[[str], list[str]], operation: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The dataset parameters: (default-graph-uri, named-graph-uri), or their using- forms for updates."""
    default = "default-graph-uri" if operation == "query" else "using-graph-uri"
    named = "named-graph-uri" if operation == "query" else "using-named-graph-uri"
    return tuple(getlist(default)), tuple(getlist(named))


def _single(values: list[str], operation: str) -> str | None:
    if len(values) > 1:
        raise ProtocolError(400, f"give exactly one '{operation}' parameter, not {len(values)}")
    return values[0] if values else None


def not_acceptable(offers: Sequence[tuple[str, object]]) -> Response:
    """406 naming the media types that could have been served."""
    return JSONResponse({"error": "none of the Accept types can be served; offered: "
                                  + ", ".join(m for m, _ in offers)}, status_code=406)


# -- the service description -----------------------------------------------------------------------
_RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD", "RDF_XML")


def _description_turtle(settings: Settings, sizes: Mapping[URIRef, int]) -> str:
    base = settings.base_url.rstrip("/")
    formats = ", ".join(f"formats:{f}" for f in _RESULT_FORMATS)
    features = "sd:UnionDefaultGraph" + (", sd:BasicFederatedQuery" if settings.allow_service else "")
    limits = (f"Relative IRIs in queries and updates resolve against {base}/sparql. Read-only. "
              f"Queries stop after {settings.query_timeout_s:g} s (HTTP 503, no answer); answers are "
              f"cut at {settings.result_limit} rows or triples and then carry the header {TRUNCATED_HEADER}. "
              "SERVICE is " + ("allowed." if settings.allow_service else "refused (HTTP 403)."))
    named = "".join(f" ;\n        sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ; sd:graph [ a sd:Graph ; "
                    f"void:triples {n} ] ]" for g, n in sorted(sizes.items()))
    text = f"""
@prefix void: <http://rdfs.org/ns/void#> .
@prefix sd: <{SD}> .
@prefix formats: <{FORMATS}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{base}/sparql> a sd:Service ;
    rdfs:label "clustergraph SPARQL endpoint" ;
    rdfs:comment "{limits}" ;
    sd:endpoint <{base}/sparql> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:resultFormat {formats} ;
    sd:feature {features} ;
    sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
    sd:defaultDataset [ a sd:Dataset ;
        rdfs:comment "The default graph is the union of all named graphs." ;
        sd:defaultGraph [ a sd:Graph ; void:triples {sum(sizes.values())} ]{named} ] .
"""
    if settings.write_token:
        text += f"""
<{base}/sparql/update> a sd:Service ;
    rdfs:label "clustergraph SPARQL update endpoint" ;
    rdfs:comment "Needs the operator's bearer token." ;
    sd:endpoint <{base}/sparql/update> ;
    sd:supportedLanguage sd:SPARQL11Update .
"""
    return text
