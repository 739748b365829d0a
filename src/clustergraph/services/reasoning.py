"""Reasoning: HermiT, through owlready2, over the ontology and the data. The only module importing owlready2.

`reason` proves the graph consistent and lists its unsatisfiable classes. When HermiT finds the graph
inconsistent it does not say why, so `reason` looks for the culprits itself: first by SPARQL (an
individual in two disjoint classes, through subclasses, domains and ranges; a pair both owl:sameAs and
owl:differentFrom), and if that finds none, by elimination with a few more HermiT runs over subsets of
the individuals. `check` runs the repository checks (services/checks.py) and then `reason`.

Nothing reaches the network: owl:imports (and owlready2's python_module annotation, which would
import Python code) are dropped before owlready2 sees the graph, and HermiT reads a local file.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
import pyoxigraph as ox

from clustergraph.base.errors import ClusterGraphError, InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import CHECK_ONTOLOGY, OWL, RDF, RDFS, XSD
from clustergraph.core.config import Settings
from clustergraph.core.results import Triples, write_triples
from clustergraph.core.store import QueryOptions, Store
from clustergraph.services.checks import (
    Check,
    Finding,
    check_repository,
    load_repository,
    punning,
    short,
)
from clustergraph.services.sparql import text

_NOTHING = OWL + "Nothing"
#: The datatypes of the OWL 2 datatype map; HermiT ignores literals of any other (xsd:gYear, xsd:date).
OWL2_DATATYPES = frozenset(
    [RDF + "PlainLiteral", RDF + "XMLLiteral", RDF + "langString", RDFS + "Literal", OWL + "real",
     OWL + "rational"]
    + [XSD + t for t in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
        "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString "
        "token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()]
)
#: HermiT runs one at a time: each is a JVM of up to owlready2.JAVA_MEMORY MB, and the temporary
#: folder swap below is process-wide.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Culprit:
    """Individuals that make the graph inconsistent, and why (empty `individuals`: the ontology itself)."""

    individuals: tuple[str, ...]
    reason: str

    @property
    def message(self) -> str:
        if not self.individuals:
            return f"the ontology is inconsistent without any individual of the data: {self.reason}"
        return f"{', '.join(short(i) for i in self.individuals)}: {self.reason}"


@dataclass(frozen=True)
class ReasoningReport:
    """What HermiT found: consistency, unsatisfiable classes, the culprits of an inconsistency.

    `hermit_runs` and `hermit_seconds` count every HermiT run (the first, and any run to find
    culprits). `ignored_datatypes` are the datatypes of literals HermiT left out (outside OWL 2).
    """

    consistent: bool
    unsatisfiable: tuple[str, ...]
    culprits: tuple[Culprit, ...]
    triples: int
    hermit_runs: int
    hermit_seconds: float
    ignored_datatypes: tuple[str, ...] = ()
    complete: bool = True

    @property
    def findings(self) -> tuple[Finding, ...]:
        """One finding per culprit (or one for an unexplained inconsistency) and per unsatisfiable class."""
        found = [Finding(Check.UNSATISFIABLE, short(c), f"{short(c)}: unsatisfiable class (no individual can "
                                                        "belong to it)") for c in self.unsatisfiable]
        if not self.consistent:
            found += [Finding(Check.INCONSISTENT, ", ".join(short(i) for i in c.individuals) or "ontology",
                              f"inconsistent: {c.message}") for c in self.culprits]
            if not self.culprits:
                found.append(Finding(Check.INCONSISTENT, "graph",
                                     "inconsistent: HermiT finds the ontology and data inconsistent; "
                                     "no culprit was found within the run limit"))
        return tuple(found)


@dataclass(frozen=True)
class CheckReport:
    """The repository checks' findings and HermiT's report (None when punning kept HermiT from running)."""

    repository: tuple[Finding, ...]
    reasoning: ReasoningReport | None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.repository + (self.reasoning.findings if self.reasoning else ())

    @property
    def clean(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class OwlSummary:
    """The entities owlready2 sees after loading the graph (IRIs), to prove it reads what the files say."""

    classes: frozenset[str]
    object_properties: frozenset[str]
    data_properties: frozenset[str]
    annotation_properties: frozenset[str]
    individuals: frozenset[str]


def check(settings: Settings, *, store: Store | None = None) -> CheckReport:
    """Run the repository checks over the files, then HermiT over `store` (None: over the files).

    HermiT does not run when the checks find punning (owlready2 would misread the graph).
    Raises InputError if a file does not parse, ClusterGraphError if Java is missing.
    """
    repo = load_repository(settings)
    findings = check_repository(repo)
    if any(f.check is Check.PUNNING for f in findings):
        return CheckReport(findings, None)
    return CheckReport(findings, reason(store if store is not None else repo.store))


def reason(store: Store, *, max_runs: int = 32) -> ReasoningReport:
    """Run HermiT over every graph of `store` but shapes; look for culprits if it is inconsistent.

    At most `max_runs` HermiT runs in all; `complete` is False when the search for culprits stopped
    there. Never changes the store. Raises InputError on punning (naming every punned IRI) or when
    HermiT cannot read the graph, ClusterGraphError when Java is missing.
    """
    _refuse_punning(store)
    triples = _reasoner_input(store)
    runner = _Runner(max_runs)
    first = runner.run(triples)
    ignored = _ignored_datatypes(store)
    if first.consistent:
        return ReasoningReport(True, first.unsatisfiable, (), len(triples), runner.runs, runner.seconds, ignored)
    culprits = _by_sparql(store)
    complete = True
    if not culprits:
        culprits, complete = _by_elimination(store, triples, runner)
    return ReasoningReport(False, (), tuple(culprits), len(triples), runner.runs, runner.seconds, ignored,
                           complete)


def parse_owl(store: Store) -> OwlSummary:
    """Load the graph of `store` (but shapes) into a fresh owlready2 world and list what it sees.

    Raises InputError on punning or if owlready2 cannot read the graph.
    """
    _refuse_punning(store)
    with _owl_world(_reasoner_input(store)) as world:
        classes = list(world.classes())
        return OwlSummary(
            frozenset(c.iri for c in classes),
            frozenset(p.iri for p in world.object_properties()),
            frozenset(p.iri for p in world.data_properties()),
            frozenset(p.iri for p in world.annotation_properties()),
            frozenset(i.iri for c in classes for i in c.instances(world=world)),
        )


def _refuse_punning(store: Store) -> None:
    puns = punning(store)
    if puns:
        raise InputError("; ".join(f.message.split(";")[0] for f in puns),
                         consequence="owlready2 cannot reason over OWL 2 punning; use a separate IRI for each")


# -- the graph HermiT sees ---------------------------------------------------------------------

_INPUT = text("reasoning-input")
_DATATYPES = text("reasoning-datatypes")


def _reasoner_input(store: Store) -> list[ox.Triple]:
    return list(dict.fromkeys(store.construct(_INPUT, options=QueryOptions(name="reasoning input")).triples))


def _ignored_datatypes(store: Store) -> tuple[str, ...]:
    rows = _column(store, _DATATYPES, "dt")
    return tuple(sorted(dt for dt in rows if dt not in OWL2_DATATYPES))


# -- HermiT runs -------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Run:
    consistent: bool
    unsatisfiable: tuple[str, ...]


class _Runner:
    """Runs HermiT on sets of triples, counting runs and time, up to a limit."""

    def __init__(self, max_runs: int) -> None:
        self.max_runs = max_runs
        self.runs = 0
        self.seconds = 0.0

    @property
    def exhausted(self) -> bool:
        return self.runs >= self.max_runs

    def run(self, triples: Sequence[ox.Triple]) -> _Run:
        with _owl_world(triples) as world:
            start = time.perf_counter()
            try:
                with _quiet():
                    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0,
                                                   ignore_unsupported_datatypes=True)
                consistent = True
            except owlready2.OwlReadyInconsistentOntologyError:
                consistent = False
            except FileNotFoundError as exc:
                raise ClusterGraphError(f"{owlready2.JAVA_EXE}: not found; HermiT needs Java (run "
                                        "scripts/system-deps.sh, or apt-get install default-jre-headless)") from exc
            except owlready2.OwlReadyJavaError as exc:
                raise InputError(f"HermiT cannot reason over the graph: {_java_message(exc)}") from exc
            finally:
                self.runs += 1
                self.seconds += time.perf_counter() - start
            unsatisfiable = tuple(sorted(
                {c.iri for c in world.inconsistent_classes() if c.iri != _NOTHING})) if consistent else ()
            return _Run(consistent, unsatisfiable)

    def consistent(self, triples: Sequence[ox.Triple]) -> bool:
        return self.run(triples).consistent


@contextlib.contextmanager
def _owl_world(triples: Sequence[ox.Triple]) -> Iterator[owlready2.World]:
    """A fresh, isolated owlready2 world holding `triples` (written as N-Triples by core)."""
    data = write_triples(Triples(triples), RdfFormat.N_TRIPLES)
    with _LOCK, tempfile.TemporaryDirectory(prefix="clustergraph-owl-") as folder:
        # owlready2 writes HermiT's input with tempfile and leaves it behind when HermiT finds an
        # inconsistency; pointing tempfile here for the run makes sure it is removed with the folder.
        saved = tempfile.tempdir
        tempfile.tempdir = folder
        world = owlready2.World()
        try:
            path = Path(folder) / "graph.nt"
            path.write_bytes(data)
            try:
                with path.open("rb") as stream, _quiet():
                    world.get_ontology(CHECK_ONTOLOGY).load(fileobj=stream, format="ntriples")
            except (owlready2.OwlReadyOntologyParsingError, TypeError) as exc:  # TypeError: mixed entity types
                raise InputError(f"owlready2 cannot read the graph: {exc}") from exc
            yield world
        finally:
            world.close()
            tempfile.tempdir = saved


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep owlready2's progress and warning prints off the command's output."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def _java_message(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip() and not line.startswith("\tat ")]
    useful = [line for line in lines if "Exception" in line] or lines
    return useful[0][:300] if useful else "Java failed"


# -- culprits ----------------------------------------------------------------------------------

#: Culprits a query can see (services/sparql/reasoning-*.rq).
_DISJOINT = text("reasoning-disjoint")
_SAME_AND_DIFFERENT = text("reasoning-same-and-different")


def _by_sparql(store: Store) -> list[Culprit]:
    """Culprits a query can see: disjoint (or complementary) types, owl:Nothing, sameAs with differentFrom."""
    found: dict[tuple[str, ...], str] = {}
    for row in _rows(store, _DISJOINT, "inconsistency: disjoint types"):
        x, a, b = row["x"], row["a"], row["b"]
        if a == _NOTHING:
            reason = f"an instance of owl:Nothing{_how(row, 'a')}"
        else:
            reason = (f"an instance of both {short(a)}{_how(row, 'a')} and {short(b)}{_how(row, 'b')}, "
                      "which are disjoint")
        found.setdefault((x,), reason)
    for row in _rows(store, _SAME_AND_DIFFERENT, "inconsistency: sameAs and differentFrom"):
        pair = tuple(sorted((row["x"], row["y"])))
        found.setdefault(pair, "declared both owl:sameAs and owl:differentFrom")
    return [Culprit(individuals, reason) for individuals, reason in found.items()]


def _how(row: dict[str, str], side: str) -> str:
    """How the individual got a type: ' (typed cg:X)', ' (by the domain of cg:p)' or ' (by the range of cg:p)'.

    The row's h<side> reads 'RANK HOW IRI'; the lowest rank wins, so an asserted type is preferred.
    """
    _, how, via = (row.get("h" + side) or "  ").split(" ", 2)
    if not via or (how == "typed" and via == row.get(side)):
        return ""
    return f" (typed {short(via)})" if how == "typed" else f" (by the {how} of {short(via)})"


_INDIVIDUALS = text("reasoning-individuals")


def _by_elimination(store: Store, triples: Sequence[ox.Triple], runner: _Runner) -> tuple[list[Culprit], bool]:
    """One minimal set of individuals whose triples, with the rest of the graph, are inconsistent.

    The triples of each individual (as subject) form a group; everything else is the base. While
    base + found + candidates is inconsistent and base + found is not, a binary search finds the
    shortest inconsistent prefix of the candidates; its last individual is a culprit. About
    log2(individuals) HermiT runs per culprit; gives up (complete False) at the run limit.
    """
    individuals = _column(store, _INDIVIDUALS, "x")
    names = set(individuals)
    groups: dict[str, list[ox.Triple]] = {name: [] for name in individuals}
    base: list[ox.Triple] = []
    for t in triples:
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
        (groups[subject] if subject in names else base).append(t)

    def triples_of(chosen: Sequence[str]) -> list[ox.Triple]:
        return base + [t for name in chosen for t in groups[name]]

    if runner.exhausted:
        return [], False
    if not runner.consistent(base):
        return [Culprit((), "its classes, properties and axioms alone are inconsistent")], True
    found: list[str] = []
    candidates = list(individuals)
    while candidates:
        low, high = 0, len(candidates)  # prefix `low` is consistent, prefix `high` inconsistent
        while high - low > 1:
            if runner.exhausted:
                return _partial(found), False
            middle = (low + high) // 2
            if runner.consistent(triples_of(found + candidates[:middle])):
                low = middle
            else:
                high = middle
        found.append(candidates[high - 1])
        candidates = candidates[: high - 1]
        if runner.exhausted:
            return _partial(found), False
        if not runner.consistent(triples_of(found)):
            break
    reason = ("inconsistent with the ontology (found by elimination with HermiT)" if len(found) == 1
              else "inconsistent together with the ontology (found by elimination with HermiT)")
    return [Culprit(tuple(sorted(found)), reason)], True


def _partial(found: list[str]) -> list[Culprit]:
    if not found:
        return []
    return [Culprit(tuple(sorted(found)), "involved in the inconsistency, perhaps with others "
                                          "(the search stopped at its HermiT run limit)")]


def _rows(store: Store, sparql: str, name: str) -> list[dict[str, str]]:
    return list(store.select(sparql, options=QueryOptions(name=name)).values())


def _column(store: Store, sparql: str, variable: str) -> list[str]:
    return [row[variable] for row in _rows(store, sparql, variable) if variable in row]
