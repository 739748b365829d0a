"""The store: one interface, two implementations (embedded pyoxigraph, remote SPARQL endpoint).

Every loaded file goes into its own named graph. Queries see the union of all graphs as their
default graph, so the catalogue's queries need no GRAPH clauses.
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Self, TypeVar, cast

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Identifier

from clustergraph.base import sparql as lex
from clustergraph.base import textquery
from clustergraph.base.errors import QueryError, StoreError
from clustergraph.base.formats import RdfFormat, ResultFormat
from clustergraph.base.sparqlhelp import explain, explain_failure
from clustergraph.base.terms import PREFIXES
from clustergraph.base.terms import SCRATCH_GRAPHS as SCRATCH_GRAPHS  # kept importable from the store too
from clustergraph.base.terms import STAGING_PREFIX as STAGING_PREFIX
from clustergraph.core.rdfio import check_file, parse_file
from clustergraph.core.results import Boolean, QueryResult, Solutions, Triples, ox_format, to_oxigraph
from clustergraph.core.sparql import text
from clustergraph.core.textindex import Hit, TextIndex, index_path

#: Called with a file, the phase it finished and the triples that phase covered: 'parsed' (the
#: file's triples), 'chunk' (one request of a remote load), 'loaded' (the file's triples), or
#: 'skipped' (a remote build resumed: the graph was already complete).
Progress = Callable[[Path, str, int], None]


@dataclass(frozen=True)
class GraphLoad:
    """One file loaded into one named graph."""

    path: Path
    graph: URIRef
    triples: int
    #: A resumed remote build found this graph already loaded from the same file and left it.
    skipped: bool = False


@dataclass(frozen=True)
class QueryOptions:
    """How a query may run: row limit, whether SERVICE may reach the network, a name for errors."""

    name: str = "query"
    limit: int | None = None
    allow_service: bool = False
    #: The SPARQL Protocol's default-graph-uri and named-graph-uri: when either is given, they
    #: are the dataset (over any FROM of the query); when neither is, the union of all graphs.
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: Relative IRIs in the query resolve against it (the SPARQL Protocol: the service's URL).
    base_iri: str | None = None


_GRAPH_SIZES = text("store-graph-sizes")


class Store(ABC):
    """A quad store the services read and write; see EmbeddedStore and RemoteStore."""

    location: str

    # -- reading -------------------------------------------------------------------------------
    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> QueryResult:
        """Run a SPARQL query over the union of all graphs; variables in `bindings` are pre-bound.

        Raises QueryError on a syntax error, a refused SERVICE, or an update given as a query.
        """

    def select(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> Solutions:
        """Run a SELECT query (see query); raises QueryError if `sparql` is of another form."""
        return _expect(Solutions, self.query(sparql, bindings=bindings, options=options), options.name)

    def ask(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> bool:
        """Run an ASK query (see query) and return its answer; raises QueryError if `sparql` is of another form."""
        return _expect(Boolean, self.query(sparql, bindings=bindings, options=options), options.name).value

    def construct(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> Triples:
        """Run a CONSTRUCT or DESCRIBE query (see query); raises QueryError if `sparql` is of another form."""
        return _expect(Triples, self.query(sparql, bindings=bindings, options=options), options.name)

    @abstractmethod
    def graph_sizes(self) -> dict[URIRef, int]:
        """Triples per named graph."""

    @abstractmethod
    def dump(self, out: BinaryIO, fmt: RdfFormat, *, graphs: Sequence[URIRef] | None = None) -> None:
        """Write the chosen graphs (all if None) to `out`; triple formats get their union."""

    def __len__(self) -> int:
        return sum(self.graph_sizes().values())

    # -- writing -------------------------------------------------------------------------------
    @abstractmethod
    def update(self, sparql: str, *, allow_load: bool = False, base_iri: str | None = None,
               graphs: Sequence[str] | None = None, bindings: Mapping[str, Identifier] | None = None) -> None:
        """Run a SPARQL update atomically; relative IRIs resolve against `base_iri`. `graphs`, when
        the caller knows them, are the only named graphs it changes (the text index re-reads those).
        Each variable in `bindings` is replaced by its term (see bind).

        Raises QueryError on a syntax error or a refused LOAD.
        """

    @abstractmethod
    def replace_graphs(
        self,
        files: Sequence[tuple[Path, URIRef]],
        *,
        drop: Iterable[URIRef] = (),
        progress: Progress | None = None,
    ) -> list[GraphLoad]:
        """Load each file into its graph, replacing that graph, and remove the graphs in `drop`.

        Every file is parsed strictly first; if any fails, raises InputError and nothing changes.
        """

    @abstractmethod
    def add_quads(self, quads: Sequence[ox.Quad]) -> None:
        """Add `quads` in one transaction: all or nothing."""

    @abstractmethod
    def change_quads(self, *, drop: Sequence[URIRef] = (), remove: Sequence[ox.Quad] = (),
                     add: Sequence[ox.Quad] = ()) -> None:
        """Remove the graphs `drop`, then the quads `remove`, then add the quads `add`, in one
        transaction: all or nothing (one update of the DATA blocks data_update writes)."""

    @abstractmethod
    def remove_graph(self, graph: URIRef) -> None:
        """Remove one named graph."""

    def load(self, path: Path, *, graph: URIRef, fmt: RdfFormat | None = None) -> int:
        """Parse `path` strictly and add its triples to `graph` in one step; returns the count.

        On any error the store is unchanged.
        """
        target = ox.NamedNode(str(graph))
        quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in parse_file(path, fmt)]
        self.add_quads(quads)
        return len(quads)

    # -- text search (core/textindex.py; the embedded store alone keeps the index) ---------------
    def search(self, query: str, *, kind: str | None = None, limit: int | None = 20) -> list[Hit]:
        """Subjects whose texts match `query` (base/textquery.py syntax), best first.

        Raises QueryError on a malformed query, StoreError if the index is missing or stale.
        """
        raise QueryError("search", f"text search needs the local index of the embedded store; "
                                   f"{self.location} is not one")

    def complete(self, prefix: str, *, limit: int = 10) -> list[Hit]:
        """Subjects whose labels start with the words of `prefix`: the search box's completion."""
        raise QueryError("search", f"text search needs the local index of the embedded store; "
                                   f"{self.location} is not one")

    def close(self) -> None:  # noqa: B027 - not abstract: a store that holds nothing open needs no close
        """Release the store (flushes an on-disk store)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.close()
        except StoreError:
            if exc[0] is None:
                raise  # otherwise the error already on its way says what went wrong first


_R = TypeVar("_R", Solutions, Boolean, Triples)
_FORMS: dict[type[QueryResult], str] = {Solutions: "a SELECT", Boolean: "an ASK", Triples: "a CONSTRUCT or DESCRIBE"}


def _expect(kind: type[_R], result: QueryResult, name: str) -> _R:
    """`result` if it is of `kind`; else QueryError naming the form the caller expected and the one it ran.

    The typed methods (select, ask, construct) check here, so their callers need no isinstance of their own.
    """
    if not isinstance(result, kind):
        raise QueryError(name, f"expected {_FORMS[kind]} query, but this is {_FORMS[type(result)]} query")
    return result


def bind(sparql: str, bindings: Mapping[str, Identifier], name: str) -> str:
    """The query with `bindings` pre-bound by a VALUES block opening its WHERE group; an update
    with each bound variable replaced by its term (base/sparql.py substitute: DROP GRAPH and DATA
    blocks take no variable, and an update has no one WHERE group).

    Values are RDF terms written in N-Triples (escaped), so no value can change the text's shape.
    pyoxigraph's own substitution API only binds projected variables, so it cannot be used.
    """
    try:
        terms = {k: str(to_oxigraph(v)) for k, v in bindings.items()}
        if lex.query_form(sparql) is lex.QueryForm.UPDATE:
            return lex.substitute(sparql, terms)
        return lex.bind_values(sparql, terms)
    except ValueError as exc:
        raise QueryError(name, str(exc)) from exc


def bind_rows(sparql: str, names: Sequence[str], rows: Iterable[Sequence[Identifier]], name: str) -> str:
    """The query with a VALUES block of `names` and one row per item of `rows` opening its WHERE group;
    an update once per row, each with that row's terms (as bind), all in one request.

    For a list of values (bind() binds one row); the terms are written in N-Triples (escaped), so
    no value can change the text's shape.
    """
    try:
        terms = [[str(to_oxigraph(v)) for v in row] for row in rows]
        if lex.query_form(sparql) is lex.QueryForm.UPDATE:
            return " ;\n".join(lex.substitute(sparql, dict(zip(names, row, strict=True))) for row in terms)
        return lex.bind_rows(sparql, names, terms)
    except ValueError as exc:
        raise QueryError(name, str(exc)) from exc


def data_update(drop: Sequence[URIRef] = (), remove: Sequence[ox.Quad] = (), add: Sequence[ox.Quad] = ()) -> str:
    """One SPARQL update that drops the graphs `drop`, deletes the quads `remove` and inserts the quads
    `add` ("" when there is nothing to do): the one place that writes quads as DATA blocks.

    Every term is written by pyoxigraph in N-Triples (an IRI checked, a literal escaped), so no
    value can change the update's shape. Generated rather than a .rq file with bindings, since
    its length is the data's. Raises ValueError if a graph of `drop` is not an IRI.
    """
    parts = [f"DROP SILENT GRAPH {ox.NamedNode(str(g))}" for g in drop]
    if remove:
        parts.append(f"DELETE DATA {{ {_quad_blocks(remove)} }}")
    if add:
        parts.append(f"INSERT DATA {{ {_quad_blocks(add)} }}")
    return " ;\n".join(parts)


def _quad_blocks(quads: Sequence[ox.Quad]) -> str:
    """The quads as `GRAPH <g> { s p o . ... }`, one block per graph (a default-graph quad bare)."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(graph, []).append(f"{q.subject} {q.predicate} {q.object} .")
    return " ".join(" ".join(triples) if not graph else f"GRAPH {graph} {{ {' '.join(triples)} }}"
                    for graph, triples in by_graph.items())


def _changed_graphs(drop: Sequence[URIRef], quads: Iterable[ox.Quad]) -> list[str]:
    """The named graphs a change touches that hold data (scratch graphs have no texts to index)."""
    names = {str(g) for g in drop} | {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    return sorted(n for n in names if not n.startswith(SCRATCH_GRAPHS))


def refuse_text_search(sparql: str, options: QueryOptions) -> None:
    """Raise QueryError if the query uses search:matches, which only the embedded store answers."""
    if textquery.uses_text_search(sparql):
        raise QueryError(options.name, "text search (search:matches) needs the local text index; "
                                       "run the query on the embedded store, not on an external endpoint")


def refuse_network(sparql: str, options: QueryOptions) -> None:
    """Raise QueryError if the query would reach the network (SERVICE) and that is not allowed."""
    if not options.allow_service and lex.uses_keyword(sparql, "SERVICE"):
        raise QueryError(options.name, "SERVICE is not allowed here; the operator can allow federated queries",
                         status=403)


class EmbeddedStore(Store):
    """pyoxigraph, on disk at `path` or in memory when `path` is None."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.location = str(path) if path else "(in memory)"
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = _open_read_only(path)
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
                self._drop_scratch()
        except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB's "Corruption: ..."
            raise _open_error(path, exc) from exc
        # A new (empty) store gets an index; an older store's missing index waits for reindex.
        fresh = path is None or read_only or next(iter(self._store), None) is None
        self.index = TextIndex(index_path(path) if path else None, read_only=read_only, create=fresh)
        pending = self.index.pending() if not read_only and self.index.usable else False
        if pending is not False:  # a write was killed between the store and the index: redo it
            try:
                self.index.sync(self._store, None if isinstance(pending, bool) else pending)
            except StoreError as exc:  # the store still opens, so that reindex can repair it
                self.index.problem = exc.detail

    def _drop_scratch(self) -> None:
        """Remove scratch graphs a killed process left (delta validation's batch and focus lists)."""
        for graph in list(self._store.named_graphs()):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(SCRATCH_GRAPHS):
                self._store.remove_graph(graph)

    # -- reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> QueryResult:
        result = self._run(sparql, bindings, options, None)
        assert not isinstance(result, Written)
        return result

    def written(self, sparql: str, *, options: QueryOptions, fmt: ResultFormat) -> Written | QueryResult:
        """A SELECT's rows written in `fmt` by pyoxigraph itself, up to the row limit (Written); any
        other form's result as `query` gives it.

        The server's query workers answer with this: pyoxigraph writes the rows in Rust, where
        gathering them as Python terms and writing them in Python cost 6-32 % more per query. The
        rows go out as TSV, one line each, so the row limit is a count of lines, and pyoxigraph stops
        evaluating once the line past the limit is written; another format is the TSV read back and
        written again, in Rust too.
        """
        return self._run(sparql, None, options, fmt)

    def _run(self, sparql: str, bindings: Mapping[str, Identifier] | None, options: QueryOptions,
             fmt: ResultFormat | None) -> Written | QueryResult:
        refuse_network(sparql, options)
        if lex.query_form(sparql) is lex.QueryForm.UPDATE:
            raise QueryError(options.name, "this is a SPARQL update, not a query", status=400)
        if textquery.uses_text_search(sparql):
            sparql = self._answer_text_patterns(sparql, options.name)
        if bindings:
            sparql = bind(sparql, bindings, options.name)
        try:
            raw = self._store.query(sparql, base_iri=options.base_iri, **_dataset(sparql, options))
            if fmt is not None and isinstance(raw, ox.QuerySolutions):
                return _write_rows(raw, fmt, options.limit)
            return _collect(raw, options.limit)
        except SyntaxError as exc:
            raise QueryError(options.name, explain(sparql, exc.msg or str(exc), PREFIXES)) from exc
        except (OSError, RuntimeError) as exc:  # RuntimeError: e.g. an extension function it does not know
            raise QueryError(options.name, explain_failure(sparql, str(exc))) from exc

    def _answer_text_patterns(self, sparql: str, name: str) -> str:
        """The query with each `?v search:matches "words"` replaced by VALUES of the matching IRIs."""
        try:
            found = [(p, self.index.subjects(p.query))
                     for p in textquery.text_patterns(sparql)]
        except textquery.TextQueryError as exc:
            raise QueryError(name, f"text search: {exc}") from exc
        return textquery.replace_patterns(sparql, found)

    def search(self, query: str, *, kind: str | None = None, limit: int | None = 20) -> list[Hit]:
        try:
            return self.index.search(query, kind=kind, limit=limit)
        except textquery.TextQueryError as exc:
            raise QueryError("search", str(exc)) from exc

    def complete(self, prefix: str, *, limit: int = 10) -> list[Hit]:
        return self.index.complete(prefix, limit=limit)

    def reindex(self) -> int:
        """Rebuild the text index from the store; returns the texts indexed."""
        if self.read_only:
            raise StoreError(self.location, "the store is open read-only; reindex needs it writable")
        return self.index.rebuild(self._store)

    def graph_sizes(self) -> dict[URIRef, int]:
        rows = self._store.query(_GRAPH_SIZES)
        assert isinstance(rows, ox.QuerySolutions)
        return {URIRef(r["g"].value): int(r["n"].value) for r in rows}

    def __len__(self) -> int:
        return len(self._store)

    def dump(self, out: BinaryIO, fmt: RdfFormat, *, graphs: Sequence[URIRef] | None = None) -> None:
        names: list[ox.NamedNode | ox.BlankNode] = (
            [ox.NamedNode(str(g)) for g in graphs] if graphs is not None else list(self._store.named_graphs())
        )
        prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        if fmt.is_dataset and fmt is not RdfFormat.JSON_LD:
            quads = (q for g in names for q in self._store.quads_for_pattern(None, None, None, g))
            ox.serialize(quads, out, format=ox_format(fmt), prefixes=prefixes)
            return
        ox.serialize(_union_triples(self._store, names), out, format=ox_format(fmt), prefixes=prefixes)

    # -- writing -------------------------------------------------------------------------------
    def update(self, sparql: str, *, allow_load: bool = False, base_iri: str | None = None,
               graphs: Sequence[str] | None = None, bindings: Mapping[str, Identifier] | None = None) -> None:
        if not allow_load and lex.uses_keyword(sparql, "LOAD"):
            raise QueryError("update", "LOAD is not allowed here; load files with 'clustergraph build'", status=403)
        refuse_network(sparql, QueryOptions(name="update"))
        if bindings:
            sparql = bind(sparql, bindings, "update")
        self.index.begin(graphs)
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryError("update", explain(sparql, exc.msg or str(exc), PREFIXES)) from exc
        except OSError as exc:
            raise StoreError(self.location, f"the update failed: {exc}") from exc
        finally:
            self.index.sync(self._store, graphs)  # the store is the truth, whether or not it changed

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
                progress(path, "parsed", checked[-1][0].triples)
        touched = [str(g) for g in list(drop) + [g for _, g in checked]]
        self.index.begin(touched)  # the graphs about to change: a killed build is redone at the next open
        if self.path is None:
            loads = self._replace(self._store, checked, drop, progress, self.location)
            self.index.sync(self._store, touched)
            return loads
        # On disk, a build is all or nothing: it loads into a checkpoint of the store beside it (hard links,
        # cheap) and swaps the two folders in one atomic rename, so a process killed part-way leaves the
        # store as it was (removing the old graphs and bulk loading are not one transaction in place).
        staged = self.path.with_name(self.path.name + ".build")
        try:
            if staged.exists():
                shutil.rmtree(staged)  # left by a build that was killed
            self._store.backup(str(staged))
            building = ox.Store(str(staged))
            loads = self._replace(building, checked, drop, progress, self.location)
            del building  # releases its lock before the folders change places
        except (OSError, RuntimeError) as exc:
            shutil.rmtree(staged, ignore_errors=True)
            raise StoreError(self.location, f"writing the store failed: {' '.join(str(exc).split())}") from exc
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        had_index = self.index.usable
        self.close()
        try:
            swap_folders(self.path, staged)
        finally:
            self._store = ox.Store(str(self.path))
            # an older store's missing index stays missing: build then rebuilds all of it (services/build.py)
            self.index = TextIndex(index_path(self.path), create=had_index)
        shutil.rmtree(staged, ignore_errors=True)
        self.index.sync(self._store, touched)
        return loads

    @staticmethod
    def _replace(store: ox.Store, checked: list[tuple[Any, URIRef]], drop: Iterable[URIRef],
                 progress: Progress | None, location: str) -> list[GraphLoad]:
        try:
            for graph in list(drop) + [g for _, g in checked]:
                node = ox.NamedNode(str(graph))
                if store.contains_named_graph(node):
                    store.remove_graph(node)
            loads = []
            for summary, graph in checked:
                # bulk_load: the build path (DESIGN.md §7: far smaller on disk than transactional load).
                store.bulk_load(path=str(summary.path), format=ox_format(summary.fmt),
                                to_graph=ox.NamedNode(str(graph)))
                loads.append(GraphLoad(summary.path, graph, summary.triples))
                if progress:
                    progress(summary.path, "loaded", summary.triples)
            store.flush()
            return loads
        except OSError as exc:
            raise StoreError(location, f"writing the store failed: {exc}") from exc

    def add_quads(self, quads: Sequence[ox.Quad]) -> None:
        graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)
                  and not q.graph_name.value.startswith(SCRATCH_GRAPHS)}
        try:
            if graphs:
                self.index.begin(graphs)
            self._store.extend(quads)
            if graphs:
                self.index.sync(self._store, graphs)
        except OSError as exc:
            raise StoreError(self.location, f"writing the store failed: {exc}") from exc

    def change_quads(self, *, drop: Sequence[URIRef] = (), remove: Sequence[ox.Quad] = (),
                     add: Sequence[ox.Quad] = ()) -> None:
        # One update, so one transaction (pyoxigraph has no other that both removes and adds); the
        # text is ours, so no keyword checks (a literal's language tag may be @load).
        sparql = data_update(drop, remove, add)
        if not sparql:
            return
        graphs = _changed_graphs(drop, [*remove, *add])
        self.index.begin(graphs)
        try:
            self._store.update(sparql)
        except OSError as exc:
            raise StoreError(self.location, f"writing the store failed: {exc}") from exc
        finally:
            self.index.sync(self._store, graphs)

    def remove_graph(self, graph: URIRef) -> None:
        indexed = [] if str(graph).startswith(SCRATCH_GRAPHS) else [str(graph)]  # scratch graphs have no texts
        try:
            if indexed:
                self.index.begin(indexed)
            self._store.remove_graph(ox.NamedNode(str(graph)))
            if indexed:
                self.index.sync(self._store, indexed)
        except OSError as exc:
            raise StoreError(self.location, f"writing the store failed: {exc}") from exc

    def quads(self) -> Iterable[ox.Quad]:
        """Every quad of the store (for services that need the raw dataset)."""
        quads: Iterable[ox.Quad] = iter(self._store)
        return quads

    def close(self) -> None:
        """Flush and release the store; the on-disk lock goes with the last reference."""
        try:
            if self.path is not None and not self.read_only:
                self._store.flush()
        except (OSError, RuntimeError) as exc:  # a full disk
            raise StoreError(self.location, f"writing the store failed: {' '.join(str(exc).split())}") from exc
        finally:
            self._store = ox.Store()  # drop the on-disk handle now, not at garbage collection
            self.index.close()


def _open_read_only(path: Path) -> ox.Store:
    """A read-only handle; retried a few times, since a process writing the store beside it (the
    server's writer) may be flushing or compacting, and a file it names can be gone for a moment."""
    for attempt in range(5):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError):
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _dataset(sparql: str, options: QueryOptions) -> dict[str, Any]:
    """pyoxigraph's dataset arguments: the protocol's graphs, else the query's FROM, else the union."""
    if options.default_graphs or options.named_graphs:
        return {
            "default_graph": [ox.NamedNode(g) for g in options.default_graphs] or None,
            "named_graphs": [ox.NamedNode(g) for g in options.named_graphs] or None,
        }
    if lex.uses_keyword(sparql, "FROM"):
        return {}  # the query names its own dataset; the union flag would override it
    return {"use_default_graph_as_union": True}


@dataclass(frozen=True)
class Written:
    """A SELECT's rows as a document pyoxigraph wrote; `truncated` when the row limit cut them."""

    body: bytes
    truncated: bool


class _RowLimitReached(Exception):
    """Raised by _Lines to stop pyoxigraph's writer at the line past the row limit."""


class _Lines(io.RawIOBase):
    """A sink for pyoxigraph's TSV writer that keeps the header and at most `limit` rows."""

    def __init__(self, limit: int | None) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.limit = limit
        self.cut = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.limit is not None and self.lines > self.limit + 1:  # the header line, then one line a row
            self.cut = True
            raise _RowLimitReached
        return len(chunk)

    def rows(self) -> bytes:
        data = b"".join(self.parts)
        if not self.cut:
            return data
        end = -1
        for _ in range((self.limit or 0) + 1):
            end = data.index(b"\n", end + 1)
        return data[:end + 1]


def _write_rows(raw: ox.QuerySolutions, fmt: ResultFormat, limit: int | None) -> Written:
    sink = _Lines(limit)
    try:
        raw.serialize(cast(BinaryIO, sink), format=ox.QueryResultsFormat.TSV)
    except Exception:
        if not sink.cut:
            raise
    tsv = sink.rows()
    if fmt is ResultFormat.TSV:
        return Written(tsv, sink.cut)
    rows = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
    assert isinstance(rows, ox.QuerySolutions)
    return Written(rows.serialize(format=_RESULT_FORMATS[fmt]) or b"", sink.cut)


_RESULT_FORMATS = {
    ResultFormat.JSON: ox.QueryResultsFormat.JSON,
    ResultFormat.XML: ox.QueryResultsFormat.XML,
    ResultFormat.CSV: ox.QueryResultsFormat.CSV,
    ResultFormat.TSV: ox.QueryResultsFormat.TSV,
}


def _collect(raw: object, limit: int | None) -> QueryResult:
    """Materialise a pyoxigraph result, keeping at most `limit` rows or triples."""
    if isinstance(raw, ox.QueryBoolean):
        return Boolean(bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        variables = tuple(v.value for v in raw.variables)
        rows: list[tuple[object, ...]] = []
        truncated = False
        for solution in raw:
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(solution))  # its values in the order of `variables`; far faster than s[v]
        return Solutions(variables, rows, truncated)  # type: ignore[arg-type]
    assert isinstance(raw, ox.QueryTriples)
    triples: list[ox.Triple] = []
    truncated = False
    for triple in raw:
        if limit is not None and len(triples) >= limit:
            truncated = True
            break
        triples.append(triple)
    return Triples(triples, truncated)


def _union_triples(store: ox.Store, graphs: list[ox.NamedNode | ox.BlankNode]) -> Iterable[ox.Triple]:
    seen: set[ox.Triple] = set()
    for graph in graphs:
        for q in store.quads_for_pattern(None, None, None, graph):
            triple = q.triple
            if triple not in seen:
                seen.add(triple)
                yield triple


def swap_folders(a: Path, b: Path) -> None:
    """Exchange folders `a` and `b` in one atomic step (Linux renameat2 RENAME_EXCHANGE)."""
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, rename_exchange = -100, 2
    if libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(a))


def _open_error(path: Path | None, exc: OSError | RuntimeError) -> StoreError:
    text = " ".join(str(exc).split())
    if isinstance(exc, PermissionError) or "permission denied" in text.lower():
        return StoreError(path or "(in memory)", "cannot open the store: permission denied (is the folder "
                                                 "read-only? a write needs a writable store folder)")
    if "no space left" in text.lower():
        return StoreError(path or "(in memory)", "cannot open the store: the disk holding it is full; free some "
                                                 "space and run the command again (nothing was changed)")
    if "corrupt" in text.lower():
        return StoreError(path or "(in memory)", "the store is damaged and cannot be opened; rebuild it with "
                                                 "'clustergraph build' into a new --store, or restore a copy")
    if "lock" in text.lower():
        return StoreError(path or "(in memory)",
                          "the store is locked by another process (is 'clustergraph serve' running? "
                          "stop it, or query it with --endpoint http://127.0.0.1:8000/sparql)")
    return StoreError(path or "(in memory)", f"cannot open the store ({text})")

