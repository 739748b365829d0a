"""Validation reports as values, and the ways a person or a machine reads them.

A `Report` holds `Result`s, each labelled with its `Origin`: *introduced* (caused by the files
checked, or by the change asked for) or *pre-existing* (already in the store). Renderers give
JSON, Markdown (for a pull request) and the W3C `sh:ValidationReport` in Turtle (written by core).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Identifier

from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import PREFIXES, shorten
from clustergraph.core.results import Triples, to_oxigraph, write_triples

Triple = tuple[Identifier, Identifier, Identifier]


class Severity(Enum):
    """The three severities SHACL defines; shapes may use other IRIs, which count as violations."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @property
    def iri(self) -> URIRef:
        return SH[self.value]

    @classmethod
    def of(cls, iri: Identifier) -> Severity:
        """The severity an `sh:resultSeverity` IRI names; an unknown IRI is a violation."""
        for level in cls:
            if iri == level.iri:
                return level
        return cls.VIOLATION


class Origin(Enum):
    """Where a result comes from: the files (or change) under check, or the store as it was."""

    INTRODUCED = "introduced"
    PRE_EXISTING = "pre-existing"
    #: Present before the change, gone after it (in Report.resolved, never in Report.results).
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Result:
    """One validation result, with terms as rdflib terms (literals keep their lexical form).

    `path` is the result path (an IRI, or a blank node described by `path_triples`); `severity`
    is the `sh:resultSeverity` IRI (see `level`); `constraint` the source constraint component.
    """

    focus_node: Identifier
    path: Identifier | None
    value: Identifier | None
    message: str
    severity: URIRef
    source_shape: Identifier
    constraint: URIRef
    origin: Origin = Origin.INTRODUCED
    path_triples: tuple[Triple, ...] = ()

    @property
    def level(self) -> Severity:
        return Severity.of(self.severity)

    @property
    def key(self) -> tuple[Identifier | None, ...]:
        """What makes two results the same result (everything but the message and origin).

        A complex path is compared by its text, since its blank nodes differ between runs.
        """
        path: Identifier | None = Literal(path_text(self)) if isinstance(self.path, BNode) else self.path
        return (self.focus_node, path, self.value, self.severity, self.source_shape, self.constraint)


@dataclass(frozen=True)
class Report:
    """The outcome of one validation.

    `conforms` is SHACL's: no result at all. `checked` names the files validated in the context of
    the store (empty when the whole store was checked). Results are ordered by focus node.
    `resolved` holds, for a check of a change, the results the store had before it and has no
    more after it (what the change repaired); they never make a check fail.
    """

    conforms: bool
    results: tuple[Result, ...]
    checked: tuple[str, ...] = ()
    resolved: tuple[Result, ...] = ()

    def count(self, level: Severity, origin: Origin | None = None) -> int:
        """How many results have `level` (and `origin`, when given)."""
        return sum(1 for r in self.results if r.level is level and origin in (None, r.origin))

    def failing(self, *, strict: bool = False) -> tuple[Result, ...]:
        """The results that make a check fail.

        Violations fail, and warnings too when `strict`. When files were checked, only what they
        introduced counts: a file is not blamed for what the store already held.
        """
        levels = {Severity.VIOLATION, Severity.WARNING} if strict else {Severity.VIOLATION}
        return tuple(r for r in self.results if r.level in levels
                     and (not self.checked or r.origin is Origin.INTRODUCED))

    def failed(self, *, strict: bool = False) -> bool:
        return bool(self.failing(strict=strict))

    def summary(self) -> str:
        """One line: counts by severity and origin."""
        fixed = f", {len(self.resolved)} resolved" if self.resolved else ""
        if not self.results:
            return f"conforms: no results{fixed}"
        parts = []
        for level in Severity:
            n = self.count(level)
            if n:
                parts.append(f"{n} {level.value.lower()}{'s' if n != 1 else ''}")
        introduced = sum(1 for r in self.results if r.origin is Origin.INTRODUCED)
        pre = len(self.results) - introduced
        return f"{', '.join(parts)} ({introduced} introduced, {pre} pre-existing{fixed})"


def with_origin(result: Result, origin: Origin) -> Result:
    """`result` labelled `origin`."""
    return Result(result.focus_node, result.path, result.value, result.message, result.severity,
                  result.source_shape, result.constraint, origin, result.path_triples)


def compared(found: Sequence[Result], before: Sequence[Result] | None, checked: tuple[str, ...]) -> Report:
    """The report of a change: `found` after it, `before` it (None: no change, all pre-existing).

    A result found after is introduced unless it was there before; one there before and gone after
    is resolved. Results come ordered by sort_key.
    """
    if before is None:
        labelled = [with_origin(r, Origin.PRE_EXISTING) for r in found]
        fixed: tuple[Result, ...] = ()
    else:
        was = {r.key for r in before}
        labelled = [with_origin(r, Origin.PRE_EXISTING if r.key in was else Origin.INTRODUCED) for r in found]
        now = {r.key for r in found}
        gone = {r.key: with_origin(r, Origin.RESOLVED) for r in before if r.key not in now}
        fixed = tuple(sorted(gone.values(), key=sort_key))
    labelled.sort(key=sort_key)
    return Report(conforms=not labelled, results=tuple(labelled), checked=checked, resolved=fixed)


def sort_key(r: Result) -> tuple[str, ...]:
    """The order of results in a report: by focus node, violations first, then severity, path, value,
    shape and constraint."""
    return (type(r.focus_node).__name__, str(r.focus_node), str(r.level.name != "VIOLATION"), r.level.value,
            path_text(r), compact(r.value), compact(r.source_shape), str(r.constraint))


def compact(term: Identifier | None) -> str:
    """A term as a person reads it: a prefixed name, <iri>, _:b, or a literal's value."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(term, local=_is_local_name)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return str(term) + (f"@{term.language}" if term.language else "")
    return str(term)


def _is_local_name(local: str) -> bool:
    """Whether `local` reads well after a prefix (for people: '/' is allowed, as in cgd:cluster/a)."""
    return bool(local) and all(c.isalnum() or c in "-_./" for c in local) and not local.endswith(".")


def nt(term: Identifier | None) -> str | None:
    """A term in N-Triples syntax (None stays None)."""
    return None if term is None else str(to_oxigraph(term))


def path_text(result: Result, name: Callable[[Identifier | None], str] = compact) -> str:
    """The result path in SPARQL property-path syntax, e.g. `^cg:cluster` or `(a/b)*`."""
    if result.path is None:
        return ""
    edges: dict[Identifier, dict[Identifier, Identifier]] = {}
    for s, p, o in result.path_triples:
        edges.setdefault(s, {})[p] = o
    return _path(result.path, edges, name, depth=0)


def _path(node: Identifier, edges: dict[Identifier, dict[Identifier, Identifier]],
          name: Callable[[Identifier | None], str], depth: int) -> str:
    if not isinstance(node, BNode) or depth > 20:
        return name(node)
    out = edges.get(node, {})
    # a list is a sequence path first, as the engines evaluate it, even if the node also has
    # sh:inversePath & co. (W3C core path-strange-001)
    if RDF.first in out:
        return "(" + "/".join(_path(i, edges, name, depth + 1) for i in _list(node, edges)) + ")"
    unary = {SH.inversePath: "^{}", SH.zeroOrMorePath: "({})*", SH.oneOrMorePath: "({})+",
             SH.zeroOrOnePath: "({})?"}
    for predicate, template in unary.items():
        if predicate in out:
            return template.format(_path(out[predicate], edges, name, depth + 1))
    if SH.alternativePath in out:
        items = _list(out[SH.alternativePath], edges)
        return "(" + "|".join(_path(i, edges, name, depth + 1) for i in items) + ")"
    return name(node)


def _list(head: Identifier, edges: dict[Identifier, dict[Identifier, Identifier]]) -> list[Identifier]:
    items: list[Identifier] = []
    while head != RDF.nil and head in edges and len(items) < 1000:
        items.append(edges[head].get(RDF.first, RDF.nil))
        head = edges[head].get(RDF.rest, RDF.nil)
    return items


# -- renderers -----------------------------------------------------------------------------------

def to_json(report: Report) -> str:
    """The report as JSON: terms in N-Triples syntax, the path in SPARQL syntax with full IRIs."""
    body = {
        "conforms": report.conforms,
        "checked": list(report.checked),
        "summary": report.summary(),
        "results": [_json_result(r) for r in report.results],
        "resolved": [_json_result(r) for r in report.resolved],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _json_result(r: Result) -> dict[str, object]:
    return {
        "focus_node": nt(r.focus_node),
        "path": path_text(r, lambda t: nt(t) or "") or None,
        "value": nt(r.value),
        "message": r.message,
        "severity": r.level.value if r.level.iri == r.severity else nt(r.severity),
        "source_shape": nt(r.source_shape),
        "constraint": nt(r.constraint),
        "origin": r.origin.value,
    }


def to_markdown(report: Report) -> str:
    """The report as Markdown for a pull request: a summary line and one table per focus node."""
    checked = f" of {', '.join(f'`{c}`' for c in report.checked)}" if report.checked else ""
    lines = [f"### SHACL validation{checked}", "", f"**{report.summary()}**", ""]
    if report.resolved:
        lines += ["Resolved by this change (present before it, gone after it):", ""]
    for focus, results in group_by_focus(report.resolved + report.results):
        lines += [f"#### {_md(compact(focus))}", "",
                  "| property | value | message | severity | origin | shape |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for r in results:
            cells = [path_text(r), compact(r.value), r.message, r.level.value, r.origin.value,
                     compact(r.source_shape)]
            lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return f"`{escaped}`" if escaped.startswith(("<", "_:")) else escaped


def group_by_focus(results: Iterable[Result]) -> list[tuple[Identifier, list[Result]]]:
    """Results grouped by focus node, in the report's order."""
    groups: dict[Identifier, list[Result]] = {}
    for r in results:
        groups.setdefault(r.focus_node, []).append(r)
    return list(groups.items())


def to_turtle(report: Report) -> bytes:
    """The report as a W3C `sh:ValidationReport` in Turtle (the origin label has no SHACL term).

    Resolved results are `sh:ValidationResult`s the report `prov:invalidated` (their existence
    ended with the change), not `sh:result`s, so SHACL readers see the report after the change.
    """
    triples: list[Triple] = []
    root = BNode()
    triples += [(root, RDF.type, SH.ValidationReport),
                (root, SH.conforms, Literal("true" if report.conforms else "false", datatype=XSD.boolean))]
    for r in report.results + report.resolved:
        node = BNode()
        link = SH.result if r.origin is not Origin.RESOLVED else URIRef("http://www.w3.org/ns/prov#invalidated")
        triples += [(root, link, node), (node, RDF.type, SH.ValidationResult),
                    (node, SH.focusNode, r.focus_node), (node, SH.resultSeverity, r.severity),
                    (node, SH.sourceShape, r.source_shape), (node, SH.sourceConstraintComponent, r.constraint),
                    (node, SH.resultMessage, Literal(r.message))]
        if r.path is not None:
            triples.append((node, SH.resultPath, r.path))
            triples += list(r.path_triples)
        if r.value is not None:
            triples.append((node, SH.value, r.value))
    ox_triples = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                  for s, p, o in triples]
    return write_triples(Triples(ox_triples), RdfFormat.TURTLE, PREFIXES)
