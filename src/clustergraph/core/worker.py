"""A store run in a worker process, so that a query past its time limit can be stopped.

pyoxigraph 0.5 has no per-query timeout and its evaluation cannot be interrupted from Python
(DESIGN.md §7). `WorkerStore` therefore runs the real store (embedded or remote) in a child
process and talks to it over a pipe. A query or update that is still running when its time limit
is reached is stopped by killing the child; a new child opens the same store and the call raises
QueryError with status 503. Nothing is lost: an on-disk store is crash-safe (an update is one
transaction, so a killed update leaves the store as before), and an in-memory store is kept in a
temporary folder for exactly this reason (it is removed by `close`).

Children are forked from a `forkserver` that has imported this module, so a restart costs a fork
and the opening of the store, not a new interpreter. One child serves one call at a time; calls
queue behind a lock, and a call's time limit counts from when it reaches the child.

A `read_only` worker opens the on-disk store with `pyoxigraph.Store.read_only`, beside the one
process that writes it. Such a handle sees the store as it was when opened, so the owner of the
worker counts commits (`generation`) and calls `reopen` before a read when the worker is behind
(core/pool.py). `run` executes a whole operation (a module-level function taking the store as its
first argument, such as an ingest) in the child under one time limit.
"""

from __future__ import annotations

import importlib
import io
import multiprocessing
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Identifier

from clustergraph.base.errors import ClusterGraphError, QueryError, StoreError
from clustergraph.base.formats import RdfFormat, ResultFormat
from clustergraph.core.config import Settings
from clustergraph.core.remote.client import RemoteStore
from clustergraph.core.results import (
    Boolean,
    QueryResult,
    Solutions,
    Triples,
    solution_parts,
    triple_parts,
    written_parts,
)
from clustergraph.core.store import EmbeddedStore, GraphLoad, Progress, QueryOptions, Store, Written
from clustergraph.core.textindex import Hit

#: Seconds between checks that the child is still alive while waiting for an answer.
_POLL_S = 0.25
#: Seconds `close` waits for the child to flush and exit before killing it.
_CLOSE_S = 10.0


class WorkerStore(Store):
    """The store of `settings`, served by a child process; queries and updates get `timeout_s`.

    `timeout_s` None (or <= 0) means no time limit. Raises StoreError if the store cannot be
    opened (the child's error, e.g. a store locked by another process).
    """

    def __init__(self, settings: Settings, *, timeout_s: float | None, read_only: bool = False) -> None:
        self._scratch: Path | None = None
        self.read_only = read_only
        #: The commit count of the store this worker's handle was opened at (see core/pool.py).
        self.generation = 0
        if settings.endpoint is None and settings.store_path is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="clustergraph-store-"))
            settings = settings.with_store(self._scratch / "store")
            self.location = "(in memory)"
        else:
            self.location = settings.endpoint.query_url if settings.endpoint else str(settings.store_path)
        self.settings = settings
        self.timeout_s = timeout_s if timeout_s and timeout_s > 0 else None
        self.restarts = 0
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        try:
            self._start()
        except BaseException:
            self._remove_scratch()
            raise

    # -- reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> QueryResult:
        packed = self._call("query", sparql, dict(bindings or {}), options, limit=self.timeout_s, name=options.name)
        return _unpack_result(packed)

    def answer(self, sparql: str, *, options: QueryOptions, results: ResultFormat | None, rdf: RdfFormat | None,
               prefixes: Mapping[str, str] | None = None, sink: Callable[[Part], None]) -> None:
        """The answer to `sparql`, written in the child: solutions in `results`, triples in `rdf`.

        The child first gathers the answer up to the row limit (so that whether the limit cut it is
        known before the first byte), then writes it in parts: `sink` gets the `Head`, then each part
        of the body as the child writes it. What crosses the pipe is the written document, and the
        writing uses the child's core, not the server's. The time limit counts to the last part.
        """
        self._call("answer", sparql, options, results, rdf, dict(prefixes or {}), limit=self.timeout_s,
                   name=options.name, sink=sink)

    def graph_sizes(self) -> dict[URIRef, int]:
        sizes: dict[URIRef, int] = self._call("graph_sizes")
        return sizes

    def __len__(self) -> int:
        count: int = self._call("len")
        return count

    def dump(self, out: BinaryIO, fmt: RdfFormat, *, graphs: Sequence[URIRef] | None = None) -> None:
        out.write(self._call("dump", fmt, list(graphs) if graphs is not None else None))

    def quads(self) -> Iterable[ox.Quad]:
        """Every quad of the store (as EmbeddedStore.quads gives them)."""
        return [_unpack_quad(q) for q in self._call("quads")]

    # -- writing -------------------------------------------------------------------------------
    def update(self, sparql: str, *, allow_load: bool = False, base_iri: str | None = None,
               graphs: Sequence[str] | None = None, bindings: Mapping[str, Identifier] | None = None) -> None:
        self._call("update", sparql, allow_load, base_iri, None if graphs is None else list(graphs),
                   dict(bindings or {}), limit=self.timeout_s, name="update", writes=True)

    def replace_graphs(
        self,
        files: Sequence[tuple[Path, URIRef]],
        *,
        drop: Iterable[URIRef] = (),
        progress: Progress | None = None,
    ) -> list[GraphLoad]:
        """As Store.replace_graphs; `progress` hears of each file once the whole load is done."""
        loads: list[GraphLoad] = self._call("replace_graphs", list(files), list(drop))
        if progress:
            for load in loads:
                progress(load.path, "parsed", load.triples)
                progress(load.path, "loaded", load.triples)
        return loads

    def add_quads(self, quads: Sequence[ox.Quad]) -> None:
        self._call("add_quads", [_pack_quad(q) for q in quads])

    def change_quads(self, *, drop: Sequence[URIRef] = (), remove: Sequence[ox.Quad] = (),
                     add: Sequence[ox.Quad] = ()) -> None:
        self._call("change_quads", list(drop), [_pack_quad(q) for q in remove], [_pack_quad(q) for q in add])

    def remove_graph(self, graph: URIRef) -> None:
        self._call("remove_graph", graph)

    def search(self, query: str, *, kind: str | None = None, limit: int | None = 20) -> list[Hit]:
        hits: list[Hit] = self._call("search", query, kind, limit, limit=self.timeout_s, name="search")
        return hits

    def complete(self, prefix: str, *, limit: int = 10) -> list[Hit]:
        hits: list[Hit] = self._call("complete", prefix, limit, limit=self.timeout_s, name="search")
        return hits

    # -- whole operations --------------------------------------------------------------------------
    def run(self, fn: Any, *args: Any, limit: float | None = None, name: str = "request", **kwargs: Any) -> Any:
        """`fn(store, *args, **kwargs)` in the child, stopped (QueryError 503) past `limit` seconds.

        `fn` must be a module-level function (it crosses the pipe by name), its arguments and its
        answer picklable. A stopped write leaves the store as before: the store commits a write in
        one transaction, and the scratch graphs of a stopped check are dropped when the child reopens.
        """
        return self._call("run", fn, args, kwargs, limit=limit, name=name, writes=True)

    def reopen(self, generation: int) -> None:
        """Open the store anew in the child, so that it sees every commit so far; then at `generation`."""
        self._call("reopen")
        self.generation = generation

    def recycle(self) -> None:
        """Start a new child on the same store (returns the memory a large request left in the old one).

        The old child flushes and closes the store first, so the new one has no log to replay.
        """
        with self._lock:
            self._farewell()
            self._restart()

    def close(self) -> None:
        """Ask the child to flush and exit (killed after a while), and remove a scratch store."""
        with self._lock:
            self._farewell()
            self._stop()
        self._remove_scratch()

    def _farewell(self) -> None:
        """Ask the child to flush and close the store, and wait a while for it."""
        if self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send(("close", (), {}))
                if self._conn.poll(_CLOSE_S):
                    self._conn.recv()
            except (OSError, EOFError):
                pass

    # -- the child -----------------------------------------------------------------------------
    def _start(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=serve, args=(child, self.settings, self.read_only), daemon=True,
                                        name="clustergraph-store")
        process.start()
        child.close()
        self._process, self._conn = process, parent
        try:
            self._wait(None, "store", starting=True)
        except BaseException:
            self._stop()
            raise

    def _stop(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process.close()
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def _restart(self) -> None:
        self._stop()
        self.restarts += 1
        self._start()

    def _call(self, op: str, *args: Any, limit: float | None = None, name: str = "store", writes: bool = False,
              sink: Callable[[Part], None] | None = None) -> Any:
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._restart()
            assert self._conn is not None
            self._conn.send((op, args, {}))
            return self._wait(limit, name, writes=writes, sink=sink)

    def _wait(self, limit: float | None, name: str, *, starting: bool = False, writes: bool = False,
              sink: Callable[[Part], None] | None = None) -> Any:
        """The child's answer; kills and restarts it when `limit` seconds pass without one.

        Parts of a written answer ("head", "part" messages) go to `sink` as they come."""
        assert self._conn is not None and self._process is not None
        started = time.monotonic()
        while True:
            left = None if limit is None else limit - (time.monotonic() - started)
            if left is not None and left <= 0:
                self._restart()
                if writes:
                    raise QueryError(name, f"stopped at the time limit of {limit:g} s; nothing was written",
                                     status=503)
                raise QueryError(name, f"stopped at the time limit of {limit:g} s; no answer was sent, "
                                       "so the result is incomplete (simplify the query or add a LIMIT)",
                                 status=503)
            wait = _POLL_S if left is None else min(_POLL_S, left)
            try:
                ready = self._conn.poll(wait)
                message = self._conn.recv() if ready else None
            except (EOFError, OSError):
                ready, message = False, None
            if message is not None and message[0] in ("head", "part") and sink is not None:
                sink(message[1])
                continue
            if message is not None:
                return _answer(message)
            if not self._process.is_alive():
                code = self._process.exitcode
                if starting:
                    raise StoreError(self.location, f"the store process did not start (exit code {code})")
                self._restart()
                raise StoreError(self.location, f"the store process stopped unexpectedly (exit code {code}); "
                                                "the request was not completed")

    def _remove_scratch(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None


def _open(settings: Settings, read_only: bool) -> Store:
    if settings.endpoint:
        return RemoteStore(settings.endpoint)
    return EmbeddedStore(settings.store_path, read_only=read_only)


def serve(conn: Connection, settings: Settings, read_only: bool = False) -> None:
    """The child's loop: open the store, then answer (op, args, kwargs) messages until 'close'."""
    store: Store
    try:
        store = _open(settings, read_only)
    except ClusterGraphError as exc:
        conn.send(("error", _pack_error(exc)))
        return
    conn.send(("ok", None))
    while True:
        try:
            op, args, kwargs = conn.recv()
        except (EOFError, OSError):
            break
        if op == "close":
            store.close()
            conn.send(("ok", None))
            break
        try:
            if op == "reopen":
                store.close()
                try:
                    store = _open(settings, read_only)
                except ClusterGraphError as exc:  # no store to answer from: end, and be started anew
                    conn.send(("error", _pack_error(exc)))
                    break
                conn.send(("ok", None))
                continue
            if op == "answer":
                for part in _write_answer(store, *args):
                    conn.send(part)
                conn.send(("ok", None))
                continue
            conn.send(("ok", _OPS[op](store, *args, **kwargs)))
        except ClusterGraphError as exc:
            conn.send(("error", _pack_error(exc)))
        except Exception:  # a bug: its traceback goes to the parent's log, never to a client
            conn.send(("bug", traceback.format_exc()))


@dataclass(frozen=True)
class Head:
    """What a written answer is, sent before its body: `kind` 'boolean', 'solutions' or 'triples';
    `written` False when no format was given for that kind (no body follows); `truncated` when the
    row limit cut it."""

    kind: str
    written: bool
    truncated: bool


#: What the child sends of a written answer, in order: its Head, then the body's parts (bytes).
Part = Head | bytes


def _write_answer(store: Store, text: str, options: QueryOptions, results: ResultFormat | None,
                  rdf: RdfFormat | None, prefixes: dict[str, str]) -> Iterator[tuple[str, Part]]:
    if results is not None and isinstance(store, EmbeddedStore):
        written = store.written(text, options=options, fmt=results)
        if isinstance(written, Written):  # a SELECT's rows, written by pyoxigraph
            yield "head", Head("solutions", True, written.truncated)
            for part in written_parts(written.body, results, cut_at=options.limit if written.truncated else None):
                yield "part", part
            return
        result = written
    else:
        result = store.query(text, options=options)
    cut_at = options.limit if result.truncated else None
    if isinstance(result, Triples):
        yield "head", Head("triples", rdf is not None, result.truncated)
        parts = () if rdf is None else triple_parts(result, rdf, prefixes or None, cut_at=cut_at)
    else:
        yield "head", Head("boolean" if isinstance(result, Boolean) else "solutions", results is not None,
                           result.truncated)
        parts = () if results is None else solution_parts(result, results, cut_at=cut_at)
    for part in parts:
        yield "part", part


def _dump(store: Store, fmt: RdfFormat, graphs: list[URIRef] | None) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, fmt, graphs=graphs)
    return buffer.getvalue()


def _all_quads(store: Store) -> list[tuple[Any, ...]]:
    if not isinstance(store, EmbeddedStore):
        raise StoreError(store.location, "listing every quad needs the embedded store")
    return [_pack_quad(q) for q in store.quads()]


_OPS: dict[str, Any] = {
    "query": lambda s, text, bindings, options: _pack_result(s.query(text, bindings=bindings or None,
                                                                     options=options)),
    "graph_sizes": lambda s: s.graph_sizes(),
    "len": lambda s: len(s),
    "dump": _dump,
    "quads": _all_quads,
    "update": lambda s, text, allow_load, base_iri, graphs, bindings: s.update(
        text, allow_load=allow_load, base_iri=base_iri, graphs=graphs, bindings=bindings or None),
    "replace_graphs": lambda s, files, drop: s.replace_graphs(files, drop=drop),
    "add_quads": lambda s, quads: s.add_quads([_unpack_quad(q) for q in quads]),
    "change_quads": lambda s, drop, remove, add: s.change_quads(
        drop=drop, remove=[_unpack_quad(q) for q in remove], add=[_unpack_quad(q) for q in add]),
    "remove_graph": lambda s, graph: s.remove_graph(graph),
    "search": lambda s, query, kind, limit: s.search(query, kind=kind, limit=limit),
    "complete": lambda s, prefix, limit: s.complete(prefix, limit=limit),
    "run": lambda s, fn, args, kwargs: fn(s, *args, **kwargs),
}


# -- what crosses the pipe: plain tuples are ~3x cheaper to pickle than pyoxigraph terms ----------
def _answer(message: tuple[str, Any]) -> Any:
    kind, value = message
    if kind == "ok":
        return value
    if kind == "error":
        raise _unpack_error(value)
    raise RuntimeError(f"the store process failed:\n{value}")


def _pack_error(exc: ClusterGraphError) -> tuple[str, str, str, dict[str, Any]]:
    return type(exc).__module__, type(exc).__qualname__, exc.message, dict(vars(exc))


def _unpack_error(packed: tuple[str, str, str, dict[str, Any]]) -> ClusterGraphError:
    module, qualname, message, fields = packed
    cls = getattr(importlib.import_module(module), qualname)
    exc: ClusterGraphError = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(fields)
    return exc


def _pack_term(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return ("l", term.value, term.language, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return ("b", term.value)
    if isinstance(term, ox.Triple):
        return ("t", _pack_term(term.subject), _pack_term(term.predicate), _pack_term(term.object))
    if isinstance(term, ox.DefaultGraph):
        return ("d",)
    raise TypeError(f"not an RDF term: {term!r}")


def _unpack_term(packed: Any) -> Any:
    if packed is None:
        return None
    if isinstance(packed, str):
        return ox.NamedNode(packed)
    kind = packed[0]
    if kind == "l":
        _, value, language, datatype = packed
        return ox.Literal(value, language=language) if language else ox.Literal(value, datatype=ox.NamedNode(datatype))
    if kind == "b":
        return ox.BlankNode(packed[1])
    if kind == "t":
        return ox.Triple(*(_unpack_term(p) for p in packed[1:]))
    return ox.DefaultGraph()


def _pack_quad(quad: ox.Quad) -> tuple[Any, ...]:
    return tuple(_pack_term(t) for t in (quad.subject, quad.predicate, quad.object, quad.graph_name))


def _unpack_quad(packed: tuple[Any, ...]) -> ox.Quad:
    return ox.Quad(*(_unpack_term(t) for t in packed))


def _pack_result(result: QueryResult) -> tuple[Any, ...]:
    if isinstance(result, Boolean):
        return ("boolean", result.value, result.truncated)
    if isinstance(result, Solutions):
        rows = [tuple(_pack_term(t) for t in row) for row in result.rows]
        return ("solutions", result.variables, rows, result.truncated)
    triples = [tuple(_pack_term(t) for t in (x.subject, x.predicate, x.object)) for x in result.triples]
    return ("triples", triples, result.truncated)


def _unpack_result(packed: tuple[Any, ...]) -> QueryResult:
    kind = packed[0]
    if kind == "boolean":
        return Boolean(packed[1], packed[2])
    if kind == "solutions":
        rows = [tuple(_unpack_term(t) for t in row) for row in packed[2]]
        return Solutions(packed[1], rows, packed[3])
    triples = [ox.Triple(*(_unpack_term(t) for t in row)) for row in packed[1]]
    return Triples(triples, packed[2])
