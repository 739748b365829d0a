"""Repository checks (STYLE.md §10): SPARQL over ontology/, data/ and shapes/, and the text of queries/.

The SPARQL is services/sparql/checks-*.rq; a check whose every row is an offender is a
`checks-<name>-violation.rq` with a '#+' header (summary, description), as the catalogue's queries.

Every check returns every offender, each as a `Finding` with a one-line message, never just the
first. The checks read a store that `load_repository` fills with one named graph per file, so a
message can name the file an offending term is used in (and the first line it appears on).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from clustergraph.base import sparql as lex
from clustergraph.base.errors import InputError
from clustergraph.base.terms import CG_IRI, CGS, PREFIXES, file_graph, shorten
from clustergraph.core.config import Settings
from clustergraph.core.sparql import FOLDER as CORE_QUERIES
from clustergraph.core.store import EmbeddedStore, QueryOptions, Store
from clustergraph.services.build import RDF_SUFFIXES, source_files
from clustergraph.services.queries import NamedQuery, read_query
from clustergraph.services.sparql import FOLDER as INTERNAL_QUERIES
from clustergraph.services.sparql import text

CGS_IRI = str(CGS)
#: The folders of the program's own SPARQL (.rq files read by its modules).
INTERNAL_QUERY_DIRS = (CORE_QUERIES, INTERNAL_QUERIES, Path(__file__).with_name("sheets"))


class Check(Enum):
    """The closed set of checks `clustergraph check` runs; the value is how a report names it."""

    UNDECLARED = "undeclared term"
    PUNNING = "punning"
    LABEL = "label"
    DEFINITION = "definition"
    SOURCE = "source"
    DEPRECATION = "deprecation"
    INCONSISTENT = "inconsistent"
    UNSATISFIABLE = "unsatisfiable class"


@dataclass(frozen=True)
class Finding:
    """One offender of one check: `subject` is the term or file, `message` the line a person reads."""

    check: Check
    subject: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Repository:
    """The project's RDF files loaded into an in-memory store, and the files behind each graph."""

    store: Store
    files: dict[str, Path]
    root: Path
    queries_dir: Path
    #: Folders of the program's own .rq files whose terms are checked too (see load_repository).
    internal_dirs: tuple[Path, ...] = ()

    def where(self, graph: str, iri: str | None = None) -> str:
        """The file behind `graph` relative to the root, with the first line `iri` appears on."""
        path = self.files.get(graph)
        if path is None:
            return f"<{graph}>"
        line = first_line(path, iri) if iri else None
        rel = _relative(path, self.root)
        return f"{rel}:{line}" if line else rel


def short(iri: str) -> str:
    """An IRI as a finding names it: shorten() with a local part after the prefix, so a namespace's own
    IRI reads <...#> in a message rather than a bare 'owl:'."""
    return shorten(iri, local=bool)


def load_repository(settings: Settings, *, internal: bool | None = None) -> Repository:
    """Load ontology/, data/ and shapes/ into a new in-memory store, one named graph per file.

    `internal` also checks the terms of the program's internal queries (INTERNAL_QUERY_DIRS) against
    this ontology, so a misspelt term there is an undeclared term; by default it is on when the
    project is the program's own source repository (its src/clustergraph is the code running).

    Raises InputError (file, line, column) if a file does not parse; nothing else is read.
    """
    files = source_files(settings)
    if settings.shapes_dir.is_dir():
        for path in sorted(settings.shapes_dir.rglob("*")):
            if path.is_file() and path.suffix.lower() in RDF_SUFFIXES:
                stem = path.relative_to(settings.shapes_dir).with_suffix("").as_posix()
                files.append((path, file_graph("shapes", stem)))
    store = EmbeddedStore()
    store.replace_graphs(files)
    if internal is None:
        internal = (settings.root / "src" / "clustergraph").resolve() == Path(__file__).parent.parent.resolve()
    return Repository(store, {str(g): p for p, g in files}, settings.root, settings.queries_dir,
                      INTERNAL_QUERY_DIRS if internal else ())


def check_repository(repo: Repository) -> tuple[Finding, ...]:
    """Run every repository check; returns every offender, in a stable order."""
    found: list[Finding] = []
    found += undeclared_terms(repo)
    found += punning(repo.store)
    found += duplicate_labels(repo.store)
    found += missing_documentation(repo.store)
    found += bad_definitions(repo.store)
    found += deprecations(repo.store)
    return tuple(found)


# -- declared terms ----------------------------------------------------------------------------

_DECLARED = text("checks-declared-terms")
_USED = text("checks-used-terms")


def declared_terms(store: Store) -> set[str]:
    """The cg: and cgs: IRIs (and shape IRIs) that have a type where they may be declared.

    cg: terms are declared by the ontology's files; cgs: concepts by any file of ontology/ or data/;
    shapes by a SHACL type in shapes/.
    """
    rows = _select(store, _DECLARED, "declared terms")
    return {row["term"] for row in rows if row["term"].startswith((CG_IRI, CGS_IRI))}


def undeclared_terms(repo: Repository) -> list[Finding]:
    """Every cg: or cgs: IRI used in a file of ontology/ data/ shapes/ queries/ (and of the program's
    internal queries, `repo.internal_dirs`) but declared nowhere."""
    declared = declared_terms(repo.store)
    found: list[tuple[str, str, str]] = []
    for row in _select(repo.store, _USED, "used terms"):
        term = row["term"]
        if term not in declared:
            found.append((repo.where(row["g"], term), term, _where_declared(term)))
    for path, line, term in (t for folder in (repo.queries_dir, *repo.internal_dirs) for t in query_terms(folder)):
        if term not in declared:
            found.append((f"{_relative(path, repo.root)}:{line}", term, _where_declared(term)))
    return [
        Finding(Check.UNDECLARED, short(term), f"{where}: {short(term)} is not declared in {home} (misspelt?)")
        for where, term, home in sorted(set(found), key=_by_place)
    ]


def query_terms(queries_dir: Path) -> Iterator[tuple[Path, int, str]]:
    """(file, line, IRI) for every cg: or cgs: IRI written in the .rq files of `queries_dir`.

    Reads prefixed names through the file's own PREFIX declarations and full IRIs in <...>;
    strings and comments are skipped.
    """
    if not queries_dir.is_dir():
        return
    for path in sorted(queries_dir.rglob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the query ({exc})", path=path) from exc
        prefixes: dict[str, str] = {}
        toks = [t for t in lex.tokens(text) if t.kind not in ("space", "comment")]
        for i, tok in enumerate(toks):
            iri: str | None = None
            if tok.kind == "word" and tok.text.upper() == "PREFIX" and i + 2 < len(toks):
                prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
                continue
            if tok.kind == "iri":
                iri = tok.text[1:-1]
            elif tok.kind == "pname" and (i == 0 or toks[i - 1].text.upper() != "PREFIX"):
                prefix, _, local = tok.text.partition(":")
                ns = prefixes.get(prefix)
                iri = ns + local.rstrip(".") if ns is not None else None
            if iri and iri.startswith((CG_IRI, CGS_IRI)) and iri not in (CG_IRI, CGS_IRI):
                yield path, text.count("\n", 0, tok.start) + 1, iri
        yield from _header_terms(path, text, prefixes)


_HEADER_PNAME = re.compile(r"(?<![\w:/])([A-Za-z][\w-]*)?:([A-Za-z_][\w.-]*[\w-]|[A-Za-z_])")


def _header_terms(path: Path, text: str, prefixes: dict[str, str]) -> Iterator[tuple[Path, int, str]]:
    """cg: and cgs: names in the '#+' metadata lines (parameter defaults), read with the file's prefixes."""
    known = {p: ns for p, ns in PREFIXES.items() if ns in (CG_IRI, CGS_IRI)} | prefixes
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#+"):
            for match in _HEADER_PNAME.finditer(line):
                ns = known.get(match.group(1) or "")
                if ns in (CG_IRI, CGS_IRI):
                    yield path, number, f"{ns}{match.group(2)}"


# -- punning -----------------------------------------------------------------------------------

_META = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
         "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")
#: Per role, the IRIs of ontology/ and data/ in that role and why (checks-punning-<role>.rq).
_ROLES = {role: text(f"checks-punning-{role}") for role in ("class", "property", "individual")}


def punning(store: Store) -> list[Finding]:
    """Every IRI of ontology/ and data/ used in two of the roles class, property and individual.

    OWL 2 allows this punning but owlready2 silently misreads it, so HermiT would check something
    else than the files say. Vocabulary IRIs of RDF, RDFS, OWL and XSD are exempt.
    """
    roles: dict[str, dict[str, str]] = {}
    for role, sparql in _ROLES.items():
        seen: dict[str, str] = {}
        for row in _select(store, sparql, f"punning ({role})"):
            x, why = row["x"], _shorten_refs(row["why"])
            # A declaration explains a role better than a use does.
            declared = why.startswith("declared")
            if not x.startswith(_META) and (x not in seen or declared > seen[x].startswith("declared")):
                seen[x] = why
        roles[role] = seen
    found = []
    for iri in sorted(set[str]().union(*(set(r) for r in roles.values()))):
        uses = [(role, by[iri]) for role, by in roles.items() if iri in by]
        if len(uses) > 1:
            said = " and as ".join(f"{'an' if role[0] in 'aeiou' else 'a'} {role} ({why})" for role, why in uses)
            found.append(Finding(Check.PUNNING, short(iri),
                                 f"{short(iri)}: used as {said}; owlready2 cannot reason over OWL 2 punning, "
                                 "use a separate IRI for each"))
    return found


# -- labels, definitions, sources, deprecation ------------------------------------------------

#: The checks whose every row is an offender: services/sparql/checks-<name>-violation.rq, each with a
#: '#+' header (summary, description) read as the catalogue's are. They share one pattern: the
#: non-deprecated cg: terms of ontology/ (?kind "term") and cgs: concepts and schemes (?kind "concept");
#: a cg: term is named by rdfs:label, a cgs: concept by skos:prefLabel.
VIOLATIONS: dict[str, NamedQuery] = {
    path.name.removeprefix("checks-").removesuffix("-violation.rq"): read_query(path)
    for path in sorted(INTERNAL_QUERIES.glob("checks-*-violation.rq"))
}


def duplicate_labels(store: Store) -> list[Finding]:
    """Labels (per language) shared by two non-deprecated cg: terms, or two cgs: concepts of one scheme."""
    rows = _violations(store, "duplicate-label")
    found = []
    for row in rows:
        terms = ", ".join(short(t) for t in sorted(row["terms"].split()))
        scope = f" in {short(row['scope'])}" if row["scope"] else ""
        label = f'"{row["label"]}"' + (f"@{row['lang']}" if row.get("lang") else "")
        found.append(Finding(Check.LABEL, label, f"{label}: label of more than one term{scope}: {terms}"))
    return sorted(found, key=lambda f: f.message)


def missing_documentation(store: Store) -> list[Finding]:
    """Non-deprecated cg: terms and cgs: concepts without a label, a skos:definition or a dcterms:source.

    A cg: term needs rdfs:label; a cgs: concept or scheme needs skos:prefLabel.
    """
    rows = _violations(store, "missing-documentation")
    rows += _violations(store, "missing-preflabel")
    check = {"dcterms:source": Check.SOURCE, "skos:definition": Check.DEFINITION}
    return sorted(
        (Finding(check.get(r["needs"], Check.LABEL), short(r["term"]), f"{short(r['term'])}: needs {r['needs']}")
         for r in rows),
        key=lambda f: f.message,
    )


def bad_definitions(store: Store) -> list[Finding]:
    """Definitions that do not end with a period, or only repeat the label ("A cluster.")."""
    rows = _violations(store, "bad-definition")
    found = []
    for r in rows:
        text = _shorten(r["definition"], 60)
        detail = r["problem"] + (f' "{r["label"]}"' if r["problem"] == "only repeats the label" else "")
        found.append(Finding(Check.DEFINITION, short(r["term"]),
                             f'{short(r["term"])}: skos:definition "{text}" {detail}'))
    return sorted(found, key=lambda f: f.message)


def deprecations(store: Store) -> list[Finding]:
    """Deprecated cg: terms and cgs: concepts without dcterms:isReplacedBy."""
    rows = _violations(store, "deprecation")
    return [Finding(Check.DEPRECATION, short(r["term"]),
                    f"{short(r['term'])}: deprecated without dcterms:isReplacedBy (name the term that replaces it)")
            for r in rows]


# -- helpers -----------------------------------------------------------------------------------



def _select(store: Store, sparql: str, name: str) -> list[dict[str, str]]:
    """Rows of a SELECT as dicts of variable to the plain value (an IRI, or a literal as N-Triples)."""
    result = store.select(sparql, options=QueryOptions(name=f"check: {name}"))
    return [{v: _text(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def _violations(store: Store, check: str) -> list[dict[str, str]]:
    """The rows of the violation query `check` (checks-<check>-violation.rq), one per offender."""
    return _select(store, VIOLATIONS[check].text, check.replace("-", " "))


def _text(term: object) -> str:
    return str(getattr(term, "value", term))


def first_line(path: Path, iri: str) -> int | None:
    """The first line of `path` that writes `iri`, in full or as a prefixed name; None if none does."""
    ns, local = _split(iri)
    if not local:
        return None
    pattern = re.compile(r"<" + re.escape(iri) + r">|(?<![\w<])[A-Za-z_]?[\w.-]*:" + re.escape(local) + r"(?![\w-])")
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = _COMMENT.sub("", line)
            if pattern.search(code) or f"<{iri}>" in line:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


_COMMENT = re.compile(r"(^|\s)#.*$")


def _split(iri: str) -> tuple[str, str]:
    for ns in (CG_IRI, CGS_IRI):
        if iri.startswith(ns):
            return ns, iri[len(ns):]
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1], iri[cut + 1:]


def _where_declared(term: str) -> str:
    return "ontology/" if term.startswith(CG_IRI) else "ontology/ or data/"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _by_place(item: tuple[str, str, str]) -> tuple[str, int, str]:
    where, term, _ = item
    file, _, line = where.partition(":")
    return file, int(line) if line.isdigit() else 0, term


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _shorten_refs(text: str) -> str:
    return re.sub(r"<([^<>]+)>", lambda m: short(m.group(1)), text)


def messages(findings: Iterable[Finding]) -> list[str]:
    """The one-line messages of `findings`, in order."""
    return [f.message for f in findings]
