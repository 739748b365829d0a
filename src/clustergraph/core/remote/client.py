"""A store behind a SPARQL 1.1 endpoint: queries and updates through SPARQLWrapper, loads through
the SPARQL 1.1 Graph Store Protocol.

The endpoint must answer queries over the union of its named graphs as the default graph
(Oxigraph server: `--union-default-graph`; Virtuoso does so by default).

Writes. The protocols have no transaction that spans requests, so every write that must be all
or nothing is one SPARQL Update request (Oxigraph runs one request in one transaction): a small
batch without blank nodes is one INSERT DATA; a large one, or one with blank nodes (Virtuoso
refuses them in INSERT DATA), is first uploaded by the Graph Store Protocol into a staging graph
(graph/staging/<uuid>), checked to be complete, and then moved in by one request
(`ADD <staging> TO <graph> ; DROP SILENT GRAPH <staging>`). If anything fails the staging graph
is dropped and the target graphs are as before. Builds are chunked and resumable (see
core/remote/build.py). Exports stream: no graph is held in memory.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO
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
from clustergraph.base.terms import PREFIXES
from clustergraph.core.chunks import chunks
from clustergraph.core.config import Auth, Endpoint
from clustergraph.core.remote.build import load_files
from clustergraph.core.results import Boolean, QueryResult, Solutions, Triples, ox_format
from clustergraph.core.sparql import text
from clustergraph.core.store import (
    STAGING_PREFIX,
    GraphLoad,
    Progress,
    QueryOptions,
    Store,
    bind,
    bind_rows,
    data_update,
    refuse_network,
    refuse_text_search,
)

#: Media type of the triples asked for (graph store GET, CONSTRUCT) and sent (graph store PUT/POST).
NT_MEDIA = "application/n-triples"

_GRAPH_SIZES = text("store-graph-sizes")
_COUNT = text("client-count")
_GRAPH_TRIPLES = text("client-graph-triples")
_UNION_TRIPLES = text("client-union-triples")
_DROP_GRAPH = text("client-drop-graph")
_MOVE_STAGED = text("client-move-staged")


class RemoteStore(Store):
    """A SPARQL 1.1 endpoint used as the store."""

    def __init__(self, endpoint: Endpoint, *, chunk_triples: int = 50_000, inline_triples: int = 2_000,
                 retries: int = 3, backoff_s: float = 0.5) -> None:
        """`chunk_triples`: most triples in one Graph Store Protocol request; `inline_triples`: a
        write of at most this many triples is one INSERT DATA, a larger one goes through a staging
        graph; `retries`: how often a failed load request is tried again, after `backoff_s`
        seconds, doubling each time."""
        self.endpoint = endpoint
        self.location = endpoint.query_url
        self.chunk_triples = chunk_triples
        self.inline_triples = inline_triples
        self.retries = retries
        self.backoff_s = backoff_s
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
        refuse_text_search(sparql, options)
        form = lex.query_form(sparql)
        if form is lex.QueryForm.UPDATE:
            raise QueryError(options.name, "this is a SPARQL update, not a query")
        if bindings:
            sparql = bind(sparql, bindings, options.name)
        wrapper = self._wrapper(self.endpoint.query_url)
        wrapper.setQuery(lex.with_base(sparql, options.base_iri))
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
        result = self.query(_GRAPH_SIZES)
        assert isinstance(result, Solutions)
        return {URIRef(g.value): int(n.value) for g, n in result.rows}  # type: ignore[union-attr]

    def dump(self, out: BinaryIO, fmt: RdfFormat, *, graphs: Sequence[URIRef] | None = None) -> None:
        """Stream the graphs to `out`: each graph is read from the endpoint as it is written.

        Dataset syntaxes get each graph in turn; triple syntaxes get the union, made distinct by
        the endpoint (one CONSTRUCT over the chosen graphs), so nothing is held here.
        """
        names = sorted(graphs if graphs is not None else self.graph_sizes())
        prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        if fmt.is_dataset and fmt is not RdfFormat.JSON_LD:
            quads = (ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(graph)))
                     for graph in names for t in self.graph_triples(graph))
            self._write(out, quads, fmt, prefixes)
        elif len(names) == 1:
            self._write(out, self.graph_triples(names[0]), fmt, prefixes)
        elif names:
            # the graphs as the protocol's default-graph-uri: the query's default graph is their merge
            request = {"query": _UNION_TRIPLES, "default-graph-uri": [str(g) for g in names]}
            self._write(out, self._stream_triples("POST", self.endpoint.query_url, data=request), fmt, prefixes)
        else:
            self._write(out, iter(()), fmt, prefixes)

    def graph_triples(self, graph: URIRef) -> Iterator[ox.Triple]:
        """The triples of one graph, streamed (Graph Store Protocol GET, else a CONSTRUCT)."""
        if self.endpoint.gsp_url:
            return self._stream_triples("GET", self.endpoint.gsp_url, params={"graph": str(graph)})
        construct = bind(_GRAPH_TRIPLES, {"g": graph}, "dump")
        return self._stream_triples("POST", self.endpoint.query_url, data={"query": construct})

    def count(self, graph: URIRef) -> int:
        """How many triples `graph` holds (0 if it does not exist)."""
        result = self.query(_COUNT, bindings={"g": graph})
        assert isinstance(result, Solutions)
        value = result.rows[0][0] if result.rows else None
        return int(value.value) if isinstance(value, ox.Literal) else 0

    # -- writing -------------------------------------------------------------------------------
    def update(self, sparql: str, *, allow_load: bool = False, base_iri: str | None = None,
               graphs: Sequence[str] | None = None, bindings: Mapping[str, Identifier] | None = None) -> None:
        if not allow_load and lex.uses_keyword(sparql, "LOAD"):
            raise QueryError("update", "LOAD is not allowed here", status=403)
        refuse_network(sparql, QueryOptions(name="update"))
        if bindings:
            sparql = bind(sparql, bindings, "update")
        self._update(lex.with_base(sparql, base_iri))

    def _update(self, sparql: str) -> None:
        """Send an update this module wrote (no user text in it, so no keyword checks)."""
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
        """Load each file in chunks by the Graph Store Protocol; resumable (core/remote/build.py).

        Raises InputError (nothing changed) if a file does not parse, LoadInterrupted if the
        endpoint fails part-way (saying what is loaded).
        """
        return load_files(self, files, drop=drop, progress=progress)

    def add_quads(self, quads: Sequence[ox.Quad]) -> None:
        """Add `quads` all or nothing: one INSERT DATA, or a staging graph moved in by one update."""
        by_graph: dict[URIRef, list[ox.Triple]] = {}
        for q in quads:
            if isinstance(q.graph_name, ox.DefaultGraph):
                raise StoreError(self.location, "quads for the default graph cannot be sent; name a graph")
            by_graph.setdefault(URIRef(q.graph_name.value), []).append(q.triple)
        if not by_graph:
            return
        # Virtuoso refuses blank nodes in INSERT DATA: those go by the Graph Store Protocol.
        if len(quads) <= self.inline_triples and not any(_has_blank(q) for q in quads):
            self.change_quads(add=quads)
            return
        self._add_staged(by_graph)

    def change_quads(self, *, drop: Sequence[URIRef] = (), remove: Sequence[ox.Quad] = (),
                     add: Sequence[ox.Quad] = ()) -> None:
        """One update request of DATA blocks (data_update), one transaction on Oxigraph."""
        sparql = data_update(drop, remove, add)
        if sparql:
            self._update(sparql)

    def _add_staged(self, by_graph: dict[URIRef, list[ox.Triple]]) -> None:
        staged = {graph: URIRef(f"{STAGING_PREFIX}{uuid.uuid4().hex}") for graph in by_graph}
        try:
            for graph, triples in by_graph.items():
                self.put_chunks(staged[graph], triples)
                held, wanted = self.count(staged[graph]), len(set(triples))
                if held != wanted:
                    raise StoreError(self.location, f"the staging graph <{staged[graph]}> holds {held:,} of "
                                                    f"{wanted:,} triples; nothing was written")
            self._update(bind_rows(_MOVE_STAGED, ["staged", "graph"],
                                   [(stage, graph) for graph, stage in staged.items()], "update"))
        except BaseException:
            self._drop_quietly(staged.values())
            raise

    def put_chunks(self, graph: URIRef, triples: Iterable[ox.Triple], *,
                   on_chunk: Callable[[int], None] | None = None) -> int:
        """Replace `graph` with `triples`, sent in chunks (the first PUT, the rest POST); returns the
        triples sent. `on_chunk` is called with each chunk's triple count once it is stored."""
        sent = 0
        for n, chunk in enumerate(chunks(triples, max_triples=self.chunk_triples)):
            self._gsp("PUT" if n == 0 else "POST", graph, chunk.data)
            sent += chunk.triples
            if on_chunk:
                on_chunk(chunk.triples)
        if sent == 0:
            self._update(bind(_DROP_GRAPH, {"graph": graph}, "update"))
        return sent

    def _drop_quietly(self, graphs: Iterable[URIRef]) -> None:
        """Best effort: the write already failed, and that error is the one to report."""
        for graph in graphs:
            try:
                self._update(bind(_DROP_GRAPH, {"graph": graph}, "update"))
            except StoreError:
                pass

    def remove_graph(self, graph: URIRef) -> None:
        self.update(_DROP_GRAPH, bindings={"graph": graph})

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
        """One Graph Store Protocol write, tried again on a network error or a 5xx answer."""
        url = self.endpoint.gsp_url
        if not url:
            raise StoreError(self.location, "no Graph Store Protocol URL is set; give --gsp-url to load files")
        delay = self.backoff_s
        for attempt in range(self.retries + 1):
            try:
                response = self._http.request(method, url, params={"graph": str(graph)}, content=body,
                                              headers={"Content-Type": NT_MEDIA})
            except httpx.TransportError as exc:
                error = StoreError(url, f"the endpoint does not answer ({_first_line(exc)})")
            else:
                if response.status_code < 400:
                    return
                error = StoreError(url, f"HTTP {response.status_code} loading <{graph}>: "
                                        f"{response.text.strip()[:200]}")
                if response.status_code < 500 and response.status_code != 429:
                    raise error
            if attempt == self.retries:
                raise error
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _stream_triples(self, method: str, url: str, **request: Any) -> Iterator[ox.Triple]:
        """The N-Triples answer of one request, parsed as it arrives."""
        with self._streamed(method, url, **request) as response:
            try:
                for quad in ox.parse(io.BufferedReader(_Stream(response)), format=ox.RdfFormat.N_TRIPLES):
                    yield quad.triple
            except SyntaxError as exc:
                raise StoreError(url, f"the endpoint sent triples that do not parse ({exc})") from exc

    @contextmanager
    def _streamed(self, method: str, url: str, **request: Any) -> Iterator[httpx.Response]:
        try:
            with self._http.stream(method, url, headers={"Accept": NT_MEDIA}, **request) as response:
                if response.status_code >= 400:
                    detail = response.read().decode("utf-8", "replace").strip()[:200]
                    raise StoreError(url, f"HTTP {response.status_code}: {detail}")
                yield response
        except httpx.HTTPError as exc:
            raise StoreError(url, f"the endpoint stopped answering ({_first_line(exc)}); the output is incomplete"
                             ) from exc

    @staticmethod
    def _write(out: BinaryIO, items: Iterable[Any], fmt: RdfFormat, prefixes: dict[str, str] | None) -> None:
        ox.serialize(items, out, format=ox_format(fmt), prefixes=prefixes)


class _Stream(io.RawIOBase):
    """A file-like view of a streamed HTTP body, for pyoxigraph's parser."""

    def __init__(self, response: httpx.Response) -> None:
        self._parts = response.iter_bytes()
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        while not self._buffer:
            part = next(self._parts, None)
            if part is None:
                return 0
            self._buffer = part
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


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


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


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
