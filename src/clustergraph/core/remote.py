"""A store behind a SPARQL 1.1 endpoint: queries and updates through SPARQLWrapper, loads through
the SPARQL 1.1 Graph Store Protocol.

The endpoint must answer queries over the union of its named graphs as the default graph
(Oxigraph server: `--union-default-graph`; Virtuoso does so by default).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO
from urllib.error import HTTPError, URLError

import httpx
import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Identifier
from SPARQLWrapper import BASIC, DIGEST, JSON, N3, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from clustergraph.base import sparql as lex
from clustergraph.base.errors import QueryError, StoreError
from clustergraph.base.formats import RdfFormat
from clustergraph.core.config import Auth, Endpoint
from clustergraph.core.rdfio import check_file
from clustergraph.core.results import Boolean, QueryResult, Solutions, Triples, ox_format
from clustergraph.core.store import GraphLoad, Progress, QueryOptions, Store, bind, refuse_network

_CHUNK_BYTES = 8 * 1024 * 1024


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint used as the store."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.location = endpoint.query_url
        self._http = httpx.Client(timeout=endpoint.timeout_s, auth=_http_auth(endpoint))

    # -- reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> QueryResult:
        refuse_network(sparql, options)
        form = lex.query_form(sparql)
        if form is lex.QueryForm.UPDATE:
            raise QueryError(options.name, "this is a SPARQL update, not a query")
        if bindings:
            sparql = bind(sparql, bindings, options.name)
        wrapper = self._wrapper(self.endpoint.query_url)
        wrapper.setQuery(sparql)
        for graph in options.default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in options.named_graphs:
            wrapper.addNamedGraph(graph)
        graph_form = form in (lex.QueryForm.CONSTRUCT, lex.QueryForm.DESCRIBE)
        wrapper.setReturnFormat(N3 if graph_form else JSON)
        if graph_form:
            wrapper.addCustomHttpHeader("Accept", "application/n-triples")
        body = self._send(wrapper, options.name)
        if graph_form:
            triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            return _limit_triples(triples, options.limit)
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return Boolean(bool(parsed))
        variables = tuple(v.value for v in parsed.variables)
        rows = [tuple(s[v] for v in variables) for s in parsed]
        if form is lex.QueryForm.ASK:
            return _virtuoso_ask(self.location, variables, rows)
        truncated = options.limit is not None and len(rows) > options.limit
        return Solutions(variables, rows[: options.limit] if truncated else rows, truncated)

    def graph_sizes(self) -> dict[URIRef, int]:
        result = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(result, Solutions)
        return {URIRef(g.value): int(n.value) for g, n in result.rows}  # type: ignore[union-attr]

    def dump(self, out: BinaryIO, fmt: RdfFormat, *, graphs: Sequence[URIRef] | None = None) -> None:
        names = list(graphs) if graphs is not None else list(self.graph_sizes())
        quads: list[ox.Quad] = []
        for graph in names:
            result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
            assert isinstance(result, Triples)
            node = ox.NamedNode(str(graph))
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in result.triples)
        if fmt.is_dataset and fmt is not RdfFormat.JSON_LD:
            ox.serialize(quads, out, format=ox_format(fmt))
        else:
            ox.serialize(list(dict.fromkeys(q.triple for q in quads)), out, format=ox_format(fmt))

    # -- writing -------------------------------------------------------------------------------
    def update(self, sparql: str, *, allow_load: bool = False) -> None:
        if not allow_load and lex.uses_keyword(sparql, "LOAD"):
            raise QueryError("update", "LOAD is not allowed here", status=403)
        refuse_network(sparql, QueryOptions(name="update"))
        if not self.endpoint.update_url:
            raise StoreError(self.location, "no update URL is set; give --update-url to write to this endpoint")
        wrapper = self._wrapper(self.endpoint.update_url)
        wrapper.setQuery(sparql)
        self._send(wrapper, "update")

    def replace_graphs(
        self,
        files: Sequence[tuple[Path, URIRef]],
        *,
        drop: Iterable[URIRef] = (),
        progress: Progress | None = None,
    ) -> list[GraphLoad]:
        checked = []
        for path, graph in files:
            checked.append((check_file(path), graph))
            if progress:
                progress(path, "parsed")
        for graph in drop:
            self.update(f"DROP SILENT GRAPH <{graph}>")
        loads = []
        for summary, graph in checked:
            data = io.BytesIO()
            quads = (q.triple for q in ox.parse(path=str(summary.path), format=ox_format(summary.fmt)))
            ox.serialize(quads, data, format=ox.RdfFormat.N_TRIPLES)
            self._gsp("PUT", graph, data.getvalue())
            loads.append(GraphLoad(summary.path, graph, summary.triples))
            if progress:
                progress(summary.path, "loaded")
        return loads

    def add_quads(self, quads: Sequence[ox.Quad]) -> None:
        by_graph: dict[str, list[ox.Triple]] = {}
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise StoreError(self.location, "quads for the default graph cannot be sent; name a graph")
            by_graph.setdefault(str(q.graph_name.value), []).append(q.triple)
        for graph, triples in by_graph.items():
            self._gsp("POST", URIRef(graph), ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")

    def remove_graph(self, graph: URIRef) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def close(self) -> None:
        self._http.close()

    # -- protocol ------------------------------------------------------------------------------
    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(self.endpoint.timeout_s))
        # Content negotiation only: Virtuoso lets a `format=` parameter override the Accept header
        # and answers 406 when the two disagree.
        wrapper.setOnlyConneg(True)
        if self.endpoint.user:
            wrapper.setHTTPAuth(DIGEST if self.endpoint.auth is Auth.DIGEST else BASIC)
            wrapper.setCredentials(self.endpoint.user, self.endpoint.password or "")
        return wrapper

    def _send(self, wrapper: SPARQLWrapper, name: str) -> bytes:
        try:
            response = wrapper.query().response
            return bytes(response.read())
        except QueryBadFormed as exc:
            raise QueryError(name, f"the endpoint rejected the query: {_engine_message(exc)}") from exc
        except HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise StoreError(wrapper.endpoint, f"HTTP {exc.code}: {detail[0] if detail else exc.reason}") from exc
        except SPARQLWrapperException as exc:
            raise StoreError(wrapper.endpoint, f"the endpoint refused the request: {_first_line(exc)}") from exc
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(wrapper.endpoint, f"the endpoint does not answer ({reason})") from exc

    def _gsp(self, method: str, graph: URIRef, body: bytes) -> None:
        url = self.endpoint.gsp_url
        if not url:
            raise StoreError(self.location, "no Graph Store Protocol URL is set; give --gsp-url to load files")
        try:
            response = self._http.request(method, url, params={"graph": str(graph)}, content=body,
                                          headers={"Content-Type": "application/n-triples"})
        except httpx.HTTPError as exc:
            raise StoreError(url, f"the endpoint does not answer ({exc})") from exc
        if response.status_code >= 400:
            raise StoreError(url, f"HTTP {response.status_code} loading <{graph}>: {response.text.strip()[:200]}")


def _http_auth(endpoint: Endpoint) -> httpx.Auth | None:
    if not endpoint.user:
        return None
    if endpoint.auth is Auth.DIGEST:
        return httpx.DigestAuth(endpoint.user, endpoint.password or "")
    return httpx.BasicAuth(endpoint.user, endpoint.password or "")


def _virtuoso_ask(location: str, variables: tuple[str, ...], rows: list[tuple[object, ...]]) -> Boolean:
    """Virtuoso 7 answers ASK in JSON as a table of one variable `__ASK_RETVAL`: one row for true."""
    if variables != ("__ASK_RETVAL",):
        raise StoreError(location, f"the endpoint answered an ASK query with a table of {', '.join(variables)}")
    return Boolean(bool(rows) and all(getattr(v, "value", "1") not in ("0", "false") for v in rows[0]))


def _limit_triples(triples: list[ox.Triple], limit: int | None) -> Triples:
    if limit is not None and len(triples) > limit:
        return Triples(triples[:limit], truncated=True)
    return Triples(triples)


def _engine_message(exc: SPARQLWrapperException) -> str:
    """The engine's own first line of a 400 answer (SPARQLWrapper keeps it after 'Response:')."""
    _, found, response = str(exc).partition("Response:")
    text = response.strip()
    text = text[2:] if text[:2] in ("b'", 'b"') else text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0].split("\\n")[0] if found and lines else _first_line(exc)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
