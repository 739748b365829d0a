"""The Python interface for analysts: `clustergraph.open(...)`, named and ad-hoc queries, DataFrames.

    >>> import clustergraph
    >>> graph = clustergraph.open(".clustergraph/store")       # or "http://host/sparql", or None
    >>> result = graph.query("upgrading_by_governance", governance="cgs:QuasiHierarchy")
    >>> result.rows[0]["cluster"]
    rdflib.term.URIRef('https://w3id.org/clustergraph/id/cluster/brenta')
    >>> frame = result.to_pandas()                              # needs pandas: clustergraph[pandas]
    >>> graph.close()

(tests/test_docs_examples.py runs this example on the curated graph.)

`open` sits above the layers: it wires a store (core) to the catalogue (services) the way the
CLI and the server do.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rdflib.term import Identifier

from clustergraph.base.errors import ClusterGraphError, QueryError, StoreError
from clustergraph.base.terms import XSD
from clustergraph.core import EmbeddedStore, RemoteStore, Store
from clustergraph.core.config import Endpoint, Settings
from clustergraph.core.results import Boolean, OxTerm, QueryResult, Solutions, Triples, to_rdflib
from clustergraph.services.build import BuildReport, build
from clustergraph.services.comparison import COLUMNS as COMPARISON_COLUMNS
from clustergraph.services.comparison import compare
from clustergraph.services.comparison import rows as comparison_rows
from clustergraph.services.evidence import find_hypothesis, weigh
from clustergraph.services.queries import NamedQuery, catalogue, find_query, run_named, run_sparql
from clustergraph.services.search import rows as search_rows
from clustergraph.services.search import search

_INTEGERS = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
                                "unsignedLong", "unsignedShort", "unsignedByte", "gYear")}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}
_DATES = {XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"}


@dataclass(frozen=True)
class Result:
    """The answer of a query: `rows` (dicts of variable to rdflib term, None when unbound).

    SELECT gives its variables; ASK gives no rows and its `boolean`; CONSTRUCT and DESCRIBE give one
    row per triple with the variables subject, predicate, object. `truncated` says a limit cut it short.
    """

    raw: QueryResult

    @property
    def variables(self) -> tuple[str, ...]:
        if isinstance(self.raw, Solutions):
            return self.raw.variables
        if isinstance(self.raw, Triples):
            return ("subject", "predicate", "object")
        return ()

    @property
    def rows(self) -> list[dict[str, Identifier | None]]:
        return [dict(zip(self.variables, (to_rdflib(t) for t in row))) for row in self._terms()]

    @property
    def boolean(self) -> bool:
        """The answer of an ASK query; raises QueryError for other forms."""
        if not isinstance(self.raw, Boolean):
            raise QueryError("result", "only an ASK query has a true/false answer; use .rows")
        return self.raw.value

    @property
    def truncated(self) -> bool:
        return self.raw.truncated

    def __iter__(self) -> Iterator[dict[str, Identifier | None]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self._terms())

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame, one column per variable, typed from the literals' datatypes.

        A column whose values all share a kind gets its type: integers and xsd:gYear -> Int64,
        decimal/double/float -> float64, boolean -> boolean, date/dateTime -> datetime64; anything
        else (IRIs, strings, mixed or ill-typed values) -> string. Unbound values are missing (<NA>/NaT).
        Raises ClusterGraphError if pandas is not installed.
        """
        pd = _pandas("to_pandas()")
        terms = self._terms()
        columns = {v: _column(pd, [row[i] for row in terms]) for i, v in enumerate(self.variables)}
        return pd.DataFrame(columns, columns=list(self.variables))

    def _terms(self) -> Sequence[tuple[OxTerm | None, ...]]:
        if isinstance(self.raw, Solutions):
            return self.raw.rows
        if isinstance(self.raw, Triples):
            return [(t.subject, t.predicate, t.object) for t in self.raw.triples]
        return []


class Graph:
    """The knowledge graph as an analyst uses it: the store plus the catalogue of queries/.

    Use it as a context manager, or call `close()`, to release an on-disk store.
    """

    def __init__(self, store: Store, root: Path) -> None:
        self.store = store
        self.root = root

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    def queries(self) -> list[NamedQuery]:
        """The catalogue: every query of queries/, sorted by name."""
        return catalogue(self.queries_dir)

    def query(self, name: str, /, **params: object) -> Result:
        """Run the named query of queries/ with `params` (None means not given); raises QueryError.

        Values may be strings ('cgs:QuasiHierarchy', 'https://...'), rdflib terms or ints.
        """
        values = {k: str(v) for k, v in params.items() if v is not None}
        return Result(run_named(self.store, find_query(self.queries_dir, name), values))

    def sparql(self, text: str) -> Result:
        """Run ad-hoc SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE); raises QueryError."""
        return Result(run_sparql(self.store, text, name="sparql"))

    def search(self, words: str, *, kind: str | None = None, limit: int | None = 20) -> list[dict[str, str | float]]:
        """Full-text search: one dict per hit (subject, kind, label, snippet, property, score),
        best first; `pandas.DataFrame(graph.search("glaze"))` makes a frame of it.

        Syntax: words (all must match, stemmed, accents folded), "a phrase", -excluded,
        kind:publication. Raises QueryError on a malformed query, StoreError without a local index.
        """
        return search_rows(search(self.store, words, kind=kind, limit=limit))

    def compare(self, clusters: Sequence[str] = (), aspects: Sequence[str] = ()) -> Any:
        """The cluster comparison of /compare as a DataFrame: one row per cell entry (cluster, aspect,
        value, detail, claim, sources, status), for `clusters` (IRIs; all if empty) and `aspects`."""
        pd = _pandas("compare()")
        rows = comparison_rows(compare(self.store, self.queries_dir, clusters, aspects))
        return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS), dtype="string")

    def evidence(self, name: str) -> Any:
        """The evidence map of /evidence for hypothesis `name` (its IRI or the IRI's last segment) as a
        DataFrame: one row per row of its weighing query, with bearing, status, claim and source first.
        Raises QueryError if there is no such hypothesis."""
        pd = _pandas("evidence()")
        found = weigh(self.store, self.queries_dir, find_hypothesis(self.store, name))
        records = []
        for r in found.rows:
            record = {"bearing": r.bearing, "status": r.status.shown if r.status else None,
                      "claim": r.claim.text if r.claim else None, "source": r.source.text if r.source else None}
            record.update({c: (v.text if v else None) for c, v in zip(found.columns, r.cells) if c not in record})
            records.append(record)
        columns = ["bearing", "status", "claim", "source"] + [c for c in found.columns
                                                             if c not in ("bearing", "status", "claim", "source")]
        return pd.DataFrame(records, columns=columns, dtype="string")

    def build(self) -> BuildReport:
        """Load ontology/ and data/ of the project into the store (each file its own named graph)."""
        return build(self.store, Settings(root=self.root))

    def __len__(self) -> int:
        return len(self.store)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open(location: str | Path | None = None, *, root: str | Path | None = None, create: bool = False) -> Graph:
    """The graph at `location`: an on-disk store (a path), a SPARQL endpoint (an http(s) URL), or,
    for None, a new in-memory store (fill it with `.build()`).

    `root` is the project folder whose queries/ (and ontology/, data/) are used; default the current
    folder. An on-disk store must exist unless `create` is true, so a mistyped path is an error, not
    an empty graph. Raises StoreError if the store cannot be opened.
    """
    project = Path(root).resolve() if root is not None else Path.cwd()
    if location is None:
        return Graph(EmbeddedStore(), project)
    text = str(location)
    if text.startswith(("http://", "https://")):
        return Graph(RemoteStore(Endpoint(query_url=text)), project)
    path = Path(location)
    if not path.is_dir() and not create:
        raise StoreError(path, "no store here; build one with 'clustergraph build', or pass create=True")
    return Graph(EmbeddedStore(path), project)


def _pandas(what: str) -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError as exc:
        raise ClusterGraphError(f"{what} needs pandas; install it with: "
                                "pip install 'clustergraph[pandas]'") from exc


def _column(pd: Any, terms: list[OxTerm | None]) -> Any:
    """One typed pandas column for `terms` (see Result.to_pandas)."""
    datatypes = {getattr(getattr(t, "datatype", None), "value", None) for t in terms if t is not None}
    values = [None if t is None else str(getattr(t, "value", t)) for t in terms]
    if len(datatypes) == 1 and None not in datatypes and not any(getattr(t, "language", None) for t in terms):
        datatype = next(iter(datatypes))
        try:
            if datatype in _INTEGERS:
                return pd.array([None if v is None else int(v.removeprefix("+")) for v in values], dtype="Int64")
            if datatype in _FLOATS:
                return pd.array([None if v is None else float(v) for v in values], dtype="Float64").astype("float64")
            if datatype == XSD + "boolean":
                return pd.array([None if v is None else v in ("true", "1") for v in values], dtype="boolean")
            if datatype in _DATES:
                parsed = [None if v is None else datetime.fromisoformat(v.replace("Z", "+00:00")) for v in values]
                aware = any(d is not None and d.tzinfo is not None for d in parsed)
                return pd.to_datetime(pd.Series(parsed, dtype=object), utc=aware)
        except ValueError:
            pass  # an ill-typed literal: keep the column as text rather than guess
    return pd.array(values, dtype="string")


__all__ = ["Graph", "Result", "open"]

