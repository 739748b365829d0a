"""The server's store: a pool of read-only query workers and one writer, each with a bounded queue.

    ReadPool   N worker processes (core/worker.py), each with its own read-only handle on the
               store. A read takes an idle worker; a query past the time limit stops only that
               worker, which restarts. When every worker is busy a read waits in a queue of at most
               `queue_size`; past it, Busy (HTTP 503 with Retry-After) at once, never an unbounded wait.
    Writer     the one process that writes. Whole operations (an update, a Graph Store write, a
               validation or an ingest) run in it one at a time, each under the time limit; after
               each commit the pool's `generation` goes up.

An answer to /sparql is written by its worker in parts (ReadPool.answer), which the server sends on
as they come; a thread drains them, so the worker is free when it has written the last part.

A read handle sees the store as it was when opened (pyoxigraph `Store.read_only`), so before a read
a worker whose handle is older than the last commit reopens it (a few milliseconds). A read that
starts after a write has committed therefore sees that write, on every worker; a read already
running when a write commits goes on with the store as it was when its worker last opened it.

Why processes with read-only handles: pyoxigraph cannot interrupt a running query, and one
process evaluates one query at a time with the GIL held. A process per worker uses every core and
can be killed at the time limit without touching the others; read-only handles need no lock
between them or against the writer.
"""

from __future__ import annotations

import itertools
import math
import os
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Identifier

from clustergraph.base.errors import Busy, StoreError
from clustergraph.base.formats import RdfFormat, ResultFormat
from clustergraph.core.config import Settings
from clustergraph.core.results import QueryResult
from clustergraph.core.store import GraphLoad, Progress, QueryOptions, Store
from clustergraph.core.textindex import Hit
from clustergraph.core.worker import Head, WorkerStore


def default_workers() -> int:
    """Two query workers per core (at least two).

    A query that runs to the time limit holds its worker for the whole limit while using one core;
    with one worker per core, two such queries would hold a 2-core server. Twice as many workers
    keep half the pool for other requests; the cores are shared by the operating system, so the
    throughput of busy workers is the same.
    """
    return max(2, 2 * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


class _Queue:
    """Admission in front of `capacity` slots: at most `queue_size` callers wait; the next gets Busy."""

    def __init__(self, what: str, queue_size: int, typical_s: float) -> None:
        self.what = what
        self.queue_size = queue_size
        self.typical_s = typical_s
        self.waiting = 0
        self.cond = threading.Condition()

    def refuse(self) -> Busy:
        retry = max(1, math.ceil(self.typical_s))
        return Busy(self.what, self.waiting, retry)


#: Bytes of a written answer past which the server streams it rather than sending it whole.
STREAM_AFTER = 1 << 20


@dataclass(frozen=True)
class Answer:
    """A query's answer written by a worker: its Head, and either the whole `body` (a small answer,
    or None when no format was given) or the body's `parts` as they come (a large one)."""

    head: Head
    body: bytes | None
    parts: Iterator[bytes] | None


def _parts(parts: queue.SimpleQueue[tuple[str, Any]]) -> Iterator[bytes]:
    while True:
        what, value = parts.get()
        if what == "end":
            return
        if what == "error":
            raise value
        yield value


class ReadPool(Store):
    """Reads of the store of `settings` through `workers` read-only worker processes.

    Writing methods raise StoreError: writes go through the Writer. Raises StoreError if a worker
    cannot open the store (it must exist: the writer creates it).
    """

    def __init__(self, settings: Settings, *, workers: int, timeout_s: float | None, queue_size: int) -> None:
        self.location = settings.endpoint.query_url if settings.endpoint else str(settings.store_path)
        self.timeout_s = timeout_s
        self.generation = 0
        self._queue = _Queue("read", queue_size, min(timeout_s or 1.0, 5.0))
        self._all: list[WorkerStore] = []
        try:
            for _ in range(max(1, workers)):
                self._all.append(WorkerStore(settings, timeout_s=timeout_s, read_only=True))
        except BaseException:
            self.close()
            raise
        self._idle = list(self._all)
        #: One drain thread per worker reads a written answer's parts off its pipe (see answer).
        self._drains = ThreadPoolExecutor(max_workers=len(self._all), thread_name_prefix="clustergraph-answer")

    @property
    def workers(self) -> int:
        return len(self._all)

    @property
    def restarts(self) -> int:
        """How many times a worker was stopped (time limit or crash) and started again."""
        return sum(w.restarts for w in self._all)

    def committed(self) -> None:
        """A write has committed: every worker reopens its handle before its next read."""
        with self._queue.cond:
            self.generation += 1

    def _acquire(self) -> WorkerStore:
        q = self._queue
        with q.cond:
            if not self._idle:
                if q.waiting >= q.queue_size:
                    raise q.refuse()
                q.waiting += 1
                try:
                    while not self._idle:
                        q.cond.wait()
                finally:
                    q.waiting -= 1
            worker = self._idle.pop()
            generation = self.generation
        try:
            if worker.generation < generation:
                worker.reopen(generation)
        except BaseException:
            self._release(worker)
            raise
        return worker

    def _release(self, worker: WorkerStore) -> None:
        with self._queue.cond:
            self._idle.append(worker)
            self._queue.cond.notify()

    def _with_worker(self, method: str, *args: Any, **kwargs: Any) -> Any:
        worker = self._acquire()
        try:
            return getattr(worker, method)(*args, **kwargs)
        finally:
            self._release(worker)

    # -- reading -------------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        options: QueryOptions = QueryOptions(),
    ) -> QueryResult:
        result: QueryResult = self._with_worker("query", sparql, bindings=bindings, options=options)
        return result

    def answer(self, sparql: str, *, options: QueryOptions, results: ResultFormat | None, rdf: RdfFormat | None,
               prefixes: Mapping[str, str] | None = None) -> Answer:
        """The answer to `sparql` as a document written by a worker (WorkerStore.answer).

        A drain thread reads the worker's parts as fast as it writes them, so a slow client never
        holds a worker; the worker goes back to the pool after its last part. An answer of at most
        STREAM_AFTER bytes comes back whole (`body`); a larger one comes back as the parts read so far
        and then the rest as they come (`parts`), for the server to send on as they arrive. Raises here
        what is wrong before the first part (a syntax error, the time limit, Busy); an error after it
        ends the parts with that error (the body is then cut, and the connection must say so).
        """
        worker = self._acquire()
        parts: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()

        def run() -> None:
            try:
                worker.answer(sparql, options=options, results=results, rdf=rdf, prefixes=prefixes,
                              sink=lambda part: parts.put(("part", part)))
                parts.put(("end", None))
            except BaseException as exc:  # handed to the request's thread
                parts.put(("error", exc))
            finally:
                self._release(worker)

        try:
            self._drains.submit(run)
        except BaseException:
            self._release(worker)
            raise
        what, head = parts.get()
        if what == "error":
            raise head
        if what != "part" or not isinstance(head, Head):
            raise StoreError(self.location, "the query worker sent no head for its answer")
        first: list[bytes] = []
        size = 0
        for part in _parts(parts):
            first.append(part)
            size += len(part)
            if size > STREAM_AFTER:
                return Answer(head, None, itertools.chain(first, _parts(parts)))
        return Answer(head, b"".join(first), None)

    def graph_sizes(self) -> dict[URIRef, int]:
        sizes: dict[URIRef, int] = self._with_worker("graph_sizes")
        return sizes

    def dump(self, out: BinaryIO, fmt: RdfFormat, *, graphs: Sequence[URIRef] | None = None) -> None:
        self._with_worker("dump", out, fmt, graphs=graphs)

    def quads(self) -> Iterable[ox.Quad]:
        quads: Iterable[ox.Quad] = self._with_worker("quads")
        return quads

    def search(self, query: str, *, kind: str | None = None, limit: int | None = 20) -> list[Hit]:
        hits: list[Hit] = self._with_worker("search", query, kind=kind, limit=limit)
        return hits

    def complete(self, prefix: str, *, limit: int = 10) -> list[Hit]:
        hits: list[Hit] = self._with_worker("complete", prefix, limit=limit)
        return hits

    # -- writing: never here ---------------------------------------------------------------------
    def _refuse(self) -> StoreError:
        return StoreError(self.location, "the query workers only read; writes go through the writer")

    def update(self, sparql: str, *, allow_load: bool = False, base_iri: str | None = None,
               graphs: Sequence[str] | None = None, bindings: Mapping[str, Identifier] | None = None) -> None:
        raise self._refuse()

    def replace_graphs(self, files: Sequence[tuple[Path, URIRef]], *, drop: Iterable[URIRef] = (),
                       progress: Progress | None = None) -> list[GraphLoad]:
        raise self._refuse()

    def add_quads(self, quads: Sequence[ox.Quad]) -> None:
        raise self._refuse()

    def change_quads(self, *, drop: Sequence[URIRef] = (), remove: Sequence[ox.Quad] = (),
                     add: Sequence[ox.Quad] = ()) -> None:
        raise self._refuse()

    def remove_graph(self, graph: URIRef) -> None:
        raise self._refuse()

    def close(self) -> None:
        for worker in self._all:
            worker.close()
        if hasattr(self, "_drains"):
            self._drains.shutdown(wait=False)


class Writer:
    """The one process that writes the store; whole operations run in it one at a time.

    `run(fn, ...)` waits its turn (at most `queue_size` callers wait; the next gets Busy), runs
    `fn(store, ...)` in the writer process under the time limit, and then, if `commits`, tells the
    pool that the store changed. `recycle` after a large request starts a fresh writer process, so
    the memory that request took is returned to the system.
    """

    def __init__(self, worker: WorkerStore, pool: ReadPool | None, *, timeout_s: float | None,
                 queue_size: int) -> None:
        self.worker = worker
        self.pool = pool
        self.timeout_s = timeout_s
        self._queue = _Queue("write", queue_size, min(timeout_s or 1.0, 5.0))
        self._busy = False

    def run(self, fn: Any, *args: Any, commits: bool = True, recycle: bool = False, name: str = "request",
            **kwargs: Any) -> Any:
        q = self._queue
        with q.cond:
            if self._busy:
                if q.waiting >= q.queue_size:
                    raise q.refuse()
                q.waiting += 1
                try:
                    while self._busy:
                        q.cond.wait()
                finally:
                    q.waiting -= 1
            self._busy = True
        started = time.monotonic()
        try:
            return self.worker.run(fn, *args, limit=self.timeout_s, name=name, **kwargs)
        finally:
            # A write stopped at the time limit committed nothing, but a commit may have landed just
            # before the stop: the pool reopens either way, which costs a reopen, never a stale read.
            if commits and self.pool is not None:
                self.pool.committed()
            if recycle:
                self.worker.recycle()
            q.typical_s = max(1.0, time.monotonic() - started)
            with q.cond:
                self._busy = False
                q.cond.notify()
