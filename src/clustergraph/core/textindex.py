"""The text index kept with the store: SQLite FTS5 (standard library) over the graph's texts.

One row per text literal (labels, alternative labels, comments, definitions, descriptions, claim
statements and quotations, titles and abstracts) with its subject, property, named graph and
kind. The tokenizer is FTS5's `porter unicode61 remove_diacritics 2`: English stemming
("upgrade" finds "upgrading") and accents folded ("Criciuma" finds "Criciúma"); ranking is BM25.

The index of an on-disk store lives beside it, in `<store>.search.sqlite`, stamped with
INDEX_VERSION. A store whose index is missing or has another version says so in one line
(search raises StoreError) until `clustergraph reindex` rebuilds it; its writes skip the index.

Crash consistency: a write first records the graphs it will touch as `pending` (committed), then
writes the store, then updates the index and clears `pending` in one SQLite transaction. A process
killed in between leaves `pending` set, and the next writable open re-reads those graphs from
the store (all graphs for a SPARQL update), so the index never keeps a retracted text or lacks a
committed one for longer than that.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from clustergraph.base.errors import StoreError
from clustergraph.base.terms import CG, DCTERMS, OWL, RDF, RDFS, SCRATCH_GRAPHS, SKOS
from clustergraph.base.textquery import TextQuery, TextQueryError, parse_text_query

#: Bump when the schema, the tokenizer or the indexed properties change: older indexes are stale.
INDEX_VERSION = "2"

_RDF_TYPE = ox.NamedNode(RDF + "type")
_SUBCLASS = ox.NamedNode(RDFS + "subClassOf")

#: Properties whose literals are labels: searched by completion as well as by full search.
LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel")
#: Every property whose literals are indexed.
TEXT_PROPERTIES = LABEL_PROPERTIES + (
    RDFS + "comment", SKOS + "definition", DCTERMS + "description", DCTERMS + "title", DCTERMS + "abstract",
    CG + "statement", CG + "quotation", CG + "seriesNumber",
    "http://purl.org/ontology/bibo/volume", "http://purl.org/ontology/bibo/issue",
)
#: A subject's kind is that of the first root class among its types' superclasses.
KIND_ROOTS = (
    ("cluster", CG + "Cluster"), ("claim", CG + "Claim"), ("chain", CG + "ValueChain"),
    ("standard", CG + "Standard"), ("standard", CG + "StandardRequirement"),
    ("publication", CG + "Publication"), ("publication", CG + "Source"), ("actor", CG + "Actor"),
    ("actor", CG + "Organisation"), ("place", CG + "Place"),
    ("term", OWL + "Class"), ("term", OWL + "ObjectProperty"), ("term", OWL + "DatatypeProperty"),
    ("term", SKOS + "Concept"),
)
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"

_INSERT = "INSERT INTO docs(graph, subject, property, text, kind, lang) VALUES (?,?,?,?,?,?)"
_TRIGGER_AI = """CREATE TRIGGER IF NOT EXISTS docs_ai AFTER INSERT ON docs BEGIN
    INSERT INTO fts(rowid, text) VALUES (new.id, new.text); END"""
_INDEX_SUBJECT = "CREATE INDEX IF NOT EXISTS docs_subject ON docs(subject)"
_INDEX_GRAPH = "CREATE INDEX IF NOT EXISTS docs_graph ON docs(graph)"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(id INTEGER PRIMARY KEY, text TEXT NOT NULL, subject TEXT NOT NULL,
    property TEXT NOT NULL, graph TEXT NOT NULL, kind TEXT NOT NULL, lang TEXT NOT NULL);
{_INDEX_SUBJECT};
{_INDEX_GRAPH};
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(text, content='docs', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2');
{_TRIGGER_AI};
CREATE TRIGGER IF NOT EXISTS docs_ad AFTER DELETE ON docs BEGIN
    INSERT INTO fts(fts, rowid, text) VALUES ('delete', old.id, old.text); END;
INSERT OR IGNORE INTO meta VALUES ('version', '{INDEX_VERSION}');
"""


@dataclass(frozen=True)
class Hit:
    """One subject found: its IRI, kind, label, best-matching text (snippet with the words marked)
    and predicate, and BM25 score (lower is better, as SQLite gives it)."""

    subject: str
    kind: str
    label: str
    predicate: str
    snippet: str
    score: float

    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_match) runs, for adapters to highlight safely."""
        parts: list[tuple[str, bool]] = []
        for i, chunk in enumerate(self.snippet.split(_MARK_OPEN)):
            inside, _, rest = chunk.partition(_MARK_CLOSE) if i else ("", "", chunk)
            if inside:
                parts.append((inside, True))
            if rest:
                parts.append((rest, False))
        return parts

    @property
    def plain_snippet(self) -> str:
        return self.snippet.replace(_MARK_OPEN, "").replace(_MARK_CLOSE, "")


def index_path(store_path: Path) -> Path:
    """Where the index of the on-disk store at `store_path` lives."""
    return store_path.with_name(store_path.name + ".search.sqlite")


class TextIndex:
    """The FTS5 index of one store; `path` None keeps it in memory (for an in-memory store)."""

    def __init__(self, path: Path | None, *, read_only: bool = False, create: bool = True) -> None:
        self.path = path
        self.location = str(path) if path else "(in memory)"
        self.problem: str | None = None
        if path is not None and not path.exists() and (read_only or not create):
            self.problem = "there is no text index for this store (built by an older version?)"
            self._db: sqlite3.Connection | None = None
            return
        try:
            uri = f"file:{path}?mode=ro" if path is not None and read_only else str(path or ":memory:")
            self._db = sqlite3.connect(uri, uri=read_only and path is not None, check_same_thread=False,
                                       isolation_level=None, timeout=30)
            if not read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                # WAL + NORMAL: a killed process loses nothing committed (a power cut may lose the
                # last commits; the pending mark then sends the next open back to the store)
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(self.location, f"cannot open the text index ({exc})") from exc
        if row is None or row[0] != INDEX_VERSION:
            self.problem = (f"the text index has version {row[0] if row else 'none'}, this version needs "
                            f"{INDEX_VERSION}")

    @property
    def usable(self) -> bool:
        return self._db is not None and self.problem is None

    def require(self) -> sqlite3.Connection:
        """The connection, or StoreError naming the problem and the fix."""
        if self._db is None or self.problem is not None:
            raise StoreError(self.location, f"{self.problem or 'no text index'}; run 'clustergraph reindex'")
        return self._db

    # -- writing -------------------------------------------------------------------------------
    def begin(self, graphs: Iterable[str] | None) -> None:
        """Record, committed, that `graphs` (None: every graph) are about to change in the store."""
        if self.usable:
            try:
                self.require().execute("INSERT OR REPLACE INTO meta VALUES ('pending', ?)",
                                       (json.dumps(None if graphs is None else sorted(graphs)),))
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    def pending(self) -> list[str] | bool:
        """The graphs a killed write left unsynced (True: all), or False when there are none."""
        row = self.require().execute("SELECT value FROM meta WHERE key = 'pending'").fetchone()
        if row is None:
            return False
        value: list[str] | None = json.loads(row[0])
        return True if value is None else value

    def sync(self, store: ox.Store, graphs: Iterable[str] | None) -> None:
        """Make the rows of `graphs` (None: all) equal the store's texts, and clear `pending`.

        Only the differences are written, so a small change to a large graph stays cheap.
        Raises StoreError if the index cannot be written (the pending mark stays for the next open).
        """
        if not self.usable:
            return
        try:
            self._sync(store, graphs)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _error(self, exc: sqlite3.Error) -> StoreError:
        """A failed index write in the user's words (the store's own write was made or refused first)."""
        if "full" in str(exc):
            return StoreError(self.location, "updating the text index failed: the disk holding it is full "
                                             "(No space left on device); free some space, then run "
                                             "'clustergraph reindex'")
        return StoreError(self.location, f"updating the text index failed ({exc}); run 'clustergraph reindex'")

    def _sync(self, store: ox.Store, graphs: Iterable[str] | None) -> None:
        db = self.require()
        if graphs is None and db.execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 0:
            self._fill(store)
            return
        names = None if graphs is None else sorted(set(graphs))
        wanted = {(g, s, p, t): (k, lang) for t, s, p, g, k, lang in _texts(store, names)}
        have: dict[tuple[str, str, str, str], int] = {}
        select = "SELECT id, graph, subject, property, text FROM docs"
        chunks = [[]] if names is None else [names[i:i + 500] for i in range(0, len(names), 500)]
        for chunk in chunks:
            where = f" WHERE graph IN ({','.join('?' * len(chunk))})" if names is not None else ""
            for row_id, *key in db.execute(select + where, chunk):
                have[tuple(key)] = row_id
        new = [(*k, *extra) for k, extra in wanted.items() if k not in have]
        with _transaction(db):
            db.executemany("DELETE FROM docs WHERE id = ?", [(i,) for k, i in have.items() if k not in wanted])
            kept = len(have) if names is None else db.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
            if len(new) > max(1000, kept):
                # many rows: build the full-text index in one pass instead of row by row (~3x faster)
                db.execute("DROP TRIGGER docs_ai")
                db.executemany(_INSERT, new)
                db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
                db.execute(_TRIGGER_AI)
            else:
                db.executemany(_INSERT, new)
            db.execute("DELETE FROM meta WHERE key = 'pending'")

    def _fill(self, store: ox.Store) -> None:
        """Index every text of an empty index in one pass: rows first, then the full-text index and
        the two lookup indexes built once each over all rows (not row by row)."""
        db = self.require()
        with _transaction(db):
            db.execute("DROP TRIGGER docs_ai")
            db.execute("DROP INDEX docs_subject")
            db.execute("DROP INDEX docs_graph")
            db.executemany(_INSERT, ((g, s, p, t, k, lang) for t, s, p, g, k, lang in _texts(store, None)))
            db.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
            for statement in (_INDEX_SUBJECT, _INDEX_GRAPH, _TRIGGER_AI):
                db.execute(statement)
            db.execute("DELETE FROM meta WHERE key = 'pending'")

    def rebuild(self, store: ox.Store) -> int:
        """Drop the index file and index every text of `store` afresh; returns the rows indexed."""
        if self._db is not None:
            self._db.close()
        if self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        self.__init__(self.path)  # type: ignore[misc]
        self.sync(store, None)
        count: int = self.require().execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        return count

    def size(self) -> int:
        """Bytes on disk (0 in memory)."""
        if self.path is None:
            return 0
        return sum(Path(str(self.path) + s).stat().st_size for s in ("", "-wal")
                   if Path(str(self.path) + s).exists())

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- reading -------------------------------------------------------------------------------
    def search(self, query: str | TextQuery, *, kind: str | None = None, limit: int | None = 20) -> list[Hit]:
        """Subjects whose texts match `query`, best first, one hit per subject.

        Raises TextQueryError on a malformed query, StoreError if the index is missing or stale.
        """
        parsed = parse_text_query(query) if isinstance(query, str) else query
        return self._select(parsed.fts5(), kind or parsed.kind, limit, None)

    def complete(self, prefix: str, *, limit: int = 10) -> list[Hit]:
        """Subjects with a label word starting with the last word of `prefix` (and the earlier
        words), best first: the search box's completion."""
        words = [w for w in prefix.split() if any(c.isalnum() for c in w)]
        if not words:
            return []
        expr = " AND ".join('"' + w.replace('"', '""') + '"' for w in words[:-1])
        last = '"' + words[-1].replace('"', '""') + '" *'
        return self._select(f"{expr} AND {last}" if expr else last, None, limit, LABEL_PROPERTIES)

    def subjects(self, query: str | TextQuery) -> list[str]:
        """Every subject whose texts match `query`, unranked (for search:matches in SPARQL)."""
        parsed = parse_text_query(query) if isinstance(query, str) else query
        sql = "SELECT DISTINCT d.subject FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?"
        args: list[object] = [parsed.fts5()]
        if parsed.kind:
            sql += " AND d.kind = ?"
            args.append(parsed.kind)
        try:
            return [row[0] for row in self.require().execute(sql, args)]
        except sqlite3.OperationalError as exc:
            raise TextQueryError(f"the search cannot be read ({exc})") from exc

    def _select(self, expr: str, kind: str | None, limit: int | None, properties: Sequence[str] | None) -> list[Hit]:
        """Ranked hits, one per subject: the best rows (see _ranked), then snippets for the kept ones."""
        db = self.require()
        try:
            hits = self._ranked(db, expr, kind, limit, properties)
            snippets: dict[int, str] = {}
            ids = [h[0] for h in hits.values()]
            for i in range(0, len(ids), 500):
                chunk = ids[i:i + 500]
                snippets.update(db.execute(
                    f"SELECT rowid, snippet(fts, 0, ?, ?, '…', 16) FROM fts WHERE fts MATCH ? "
                    f"AND rowid IN ({','.join('?' * len(chunk))})", [_MARK_OPEN, _MARK_CLOSE, expr, *chunk]))
        except sqlite3.OperationalError as exc:
            raise TextQueryError(f"the search cannot be read ({exc})") from exc
        labels = self._labels(list(hits))
        return [Hit(s, k, labels.get(s, s.rsplit("/", 1)[-1]), p, snippets.get(i, ""), score)
                for s, (i, k, p, score) in hits.items()]

    def _ranked(self, db: sqlite3.Connection, expr: str, kind: str | None, limit: int | None,
                properties: Sequence[str] | None) -> dict[str, tuple[int, str, str, float]]:
        """The best row of each of the `limit` best subjects (all, when None), best first.

        FTS5 ranks only the best N rows (a top-N sort, without reading `docs` for the others); N
        grows until it holds `limit` subjects or every match. Without a filter only those N rows
        are looked up in `docs`: three times faster than ranking every match joined (9 ms to 3 ms
        for a word with 3,700 matches at 1M triples).
        """
        n = None if limit is None else max(60, 3 * limit)
        while True:
            rows = self._best_rows(db, expr, kind, properties, n)
            hits: dict[str, tuple[int, str, str, float]] = {}
            for row_id, subject, hit_kind, prop, score in rows:
                if subject not in hits:
                    hits[subject] = (row_id, hit_kind, prop, score)
                    if limit is not None and len(hits) >= limit:
                        return hits
            if n is None or len(rows) < n:
                return hits
            n *= 4

    @staticmethod
    def _best_rows(db: sqlite3.Connection, expr: str, kind: str | None, properties: Sequence[str] | None,
                   n: int | None) -> list[tuple[int, str, str, str, float]]:
        """(rowid, subject, kind, property, score) of the best `n` matching rows (all, when None), best first."""
        top = "" if n is None else f" LIMIT {int(n)}"
        if not kind and not properties:
            best = db.execute(f"SELECT rowid, bm25(fts) AS score FROM fts WHERE fts MATCH ? ORDER BY score{top}",
                              [expr]).fetchall()
            about: dict[int, tuple[str, str, str]] = {}
            for i in range(0, len(best), 500):
                chunk = [row_id for row_id, _ in best[i:i + 500]]
                about.update((row_id, (subject, hit_kind, prop)) for row_id, subject, hit_kind, prop in db.execute(
                    f"SELECT id, subject, kind, property FROM docs WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk))
            return [(row_id, *about[row_id], score) for row_id, score in best if row_id in about]
        sql = ("SELECT fts.rowid, d.subject, d.kind, d.property, bm25(fts) AS score "
               "FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?")
        args: list[object] = [expr]
        if kind:
            sql += " AND d.kind = ?"
            args.append(kind)
        if properties:
            sql += f" AND d.property IN ({','.join('?' * len(properties))})"
            args.extend(properties)
        return db.execute(sql + " ORDER BY score" + top, args).fetchall()

    def _labels(self, subjects: list[str]) -> dict[str, str]:
        """Each subject's rdfs:label: English first, then untagged, then any other."""
        if not subjects:
            return {}
        db = self.require()
        labels: dict[str, str] = {}
        for i in range(0, len(subjects), 500):
            chunk = subjects[i:i + 500]
            rows = db.execute(f"SELECT subject, text FROM docs WHERE subject IN ({','.join('?' * len(chunk))}) "
                              "AND property = ? ORDER BY lang != 'en', lang != '', text",
                              [*chunk, LABEL_PROPERTIES[0]])
            for subject, text in rows:
                labels.setdefault(subject, text)
        return labels


def _texts(store: ox.Store, graphs: list[str] | None) -> Iterable[tuple[str, str, str, str, str, str]]:
    """(text, subject, property, graph, kind, language tag) for every indexed literal of `graphs` (None: all)."""
    kinds = _class_kinds(store)
    named, literal = ox.NamedNode, ox.Literal
    subject_kind: dict[str, str] = {}
    bulk = graphs is None or len(graphs) > 10
    if bulk:  # most subjects will be seen: read the rdf:type triples of the kinds' classes once
        ranked: dict[str, tuple[int, str]] = {}
        for cls, found in kinds.items():
            for quad in store.quads_for_pattern(None, _RDF_TYPE, named(cls), None):
                subject = quad.subject
                if type(subject) is named:
                    key = subject.value
                    if found < ranked.get(key, _NO_KIND):
                        ranked[key] = found
        subject_kind = {s: k for s, (_, k) in ranked.items()}
    targets: list[ox.NamedNode | None] = [None] if graphs is None else [ox.NamedNode(g) for g in graphs]
    kind_of = subject_kind.get
    for prop in TEXT_PROPERTIES:
        node = ox.NamedNode(prop)
        for target in targets:
            for quad in store.quads_for_pattern(None, node, None, target):
                subject, obj, graph = quad.subject, quad.object, quad.graph_name
                if type(subject) is not named or type(obj) is not literal or type(graph) is not named:
                    continue
                graph_iri = graph.value
                if graph_iri.startswith(SCRATCH_GRAPHS):
                    continue
                iri = subject.value
                kind = kind_of(iri)
                if kind is None and not bulk:
                    kind = subject_kind[iri] = _kind_of(store, subject, kinds)
                yield obj.value, iri, prop, graph_iri, kind or "other", obj.language or ""


def _class_kinds(store: ox.Store) -> dict[str, tuple[int, str]]:
    """Every class under a KIND_ROOTS root, with the root's rank and kind (closest root first)."""
    found: dict[str, tuple[int, str]] = {}
    for rank, (kind, root) in enumerate(KIND_ROOTS):
        frontier = [ox.NamedNode(root)]
        seen = set(frontier)
        while frontier:
            cls = frontier.pop()
            if cls.value not in found or found[cls.value][0] > rank:
                found[cls.value] = (rank, kind)
            for quad in store.quads_for_pattern(None, _SUBCLASS, cls, None):
                sub = quad.subject
                if isinstance(sub, ox.NamedNode) and sub not in seen:
                    seen.add(sub)
                    frontier.append(sub)
    return found


_NO_KIND = (len(KIND_ROOTS), "other")


def _kind_of(store: ox.Store, subject: ox.NamedNode, kinds: dict[str, tuple[int, str]]) -> str:
    best: tuple[int, str] = _NO_KIND
    for quad in store.quads_for_pattern(subject, _RDF_TYPE, None, None):
        found = kinds.get(quad.object.value) if isinstance(quad.object, ox.NamedNode) else None
        if found is not None and found < best:
            best = found
    return best[1]


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
