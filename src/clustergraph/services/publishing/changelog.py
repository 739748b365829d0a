"""The changelog of a release against the previous one, at the level users care about.

Clusters, actors, publications and claims (each kind is its class with every subclass) added,
removed or changed, and ontology terms newly deprecated. An entity changed when its description
changed: the triples it is the subject of, with blank nodes it points to described in place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

from clustergraph.base.terms import CG_IRI, DCTERMS, SCHEMA
from clustergraph.core.publish import text

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"


class Kind(Enum):
    """The kinds of entity a changelog lists: (plural heading, root class)."""

    CLUSTER = ("clusters", CG_IRI + "Cluster")
    ACTOR = ("actors", CG_IRI + "Actor")
    PUBLICATION = ("publications", CG_IRI + "Publication")
    CLAIM = ("claims", CG_IRI + "Claim")

    @property
    def heading(self) -> str:
        return self.value[0]

    @property
    def root(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class KindChanges:
    """The entities of one kind added, removed and changed (IRIs, sorted)."""

    kind: Kind
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


@dataclass(frozen=True)
class Changelog:
    """What changed from `previous` (None: the first release) to `version`."""

    version: str
    previous: str | None
    kinds: tuple[KindChanges, ...]
    deprecated: tuple[str, ...]

    def of(self, kind: Kind) -> KindChanges:
        return next(k for k in self.kinds if k.kind is kind)

    def markdown(self) -> str:
        """The changelog as Markdown, one section per kind, entities as IRIs in sorted order."""
        since = f"since {self.previous}" if self.previous else "first release: everything is new"
        lines = [f"# clustergraph {self.version}", "", f"Changes {since}.", ""]
        for k in self.kinds:
            lines += [f"## {k.kind.heading.capitalize()}", ""]
            for label, items in (("Added", k.added), ("Removed", k.removed), ("Changed", k.changed)):
                lines.append(f"- {label}: {len(items)}")
                lines += [f"  - <{iri}>" for iri in items]
            lines.append("")
        lines += ["## Deprecated terms", ""]
        lines += [f"- <{iri}>" for iri in self.deprecated] or ["- none"]
        return "\n".join(lines) + "\n"

    def triples(self, dataset: str, previous_dataset: str | None) -> list[ox.Triple]:
        """The changelog as RDF: one schema:AddAction / DeleteAction / UpdateAction per entity.

        Each action has an IRI under `dataset`/changelog, its schema:object and a dcterms:type (the kind's
        root class); a deprecation is an UpdateAction with schema:description "deprecated".
        """
        log = ox.NamedNode(f"{dataset}/changelog")
        out = [ox.Triple(log, ox.NamedNode(f"{SCHEMA}about"), ox.NamedNode(dataset))]
        if previous_dataset:
            out.append(ox.Triple(log, ox.NamedNode(f"{SCHEMA}isBasedOn"), ox.NamedNode(previous_dataset)))
        actions: list[tuple[str, str | None, str]] = [(name, k.kind.root, iri) for k in self.kinds
                   for name, items in (("AddAction", k.added), ("DeleteAction", k.removed), ("UpdateAction", k.changed))
                   for iri in items]
        actions += [("UpdateAction", None, iri) for iri in self.deprecated]
        for n, (name, root, iri) in enumerate(actions):
            node = ox.NamedNode(f"{dataset}/changelog#{n + 1}")
            out += [ox.Triple(log, ox.NamedNode(f"{SCHEMA}hasPart"), node),
                    ox.Triple(node, ox.NamedNode(_RDF_TYPE), ox.NamedNode(SCHEMA + name)),
                    ox.Triple(node, ox.NamedNode(f"{SCHEMA}object"), ox.NamedNode(iri))]
            if root:
                out.append(ox.Triple(node, ox.NamedNode(f"{DCTERMS}type"), ox.NamedNode(root)))
            else:
                out.append(ox.Triple(node, ox.NamedNode(f"{SCHEMA}description"), ox.Literal("deprecated")))
        return out


def changelog(version: str, current: Iterable[ox.Triple], previous_version: str | None,
              previous: Iterable[ox.Triple]) -> Changelog:
    """Compare the triples of two releases (the union of their graphs); `previous` empty for a first release."""
    now, before = _Index(current), _Index(previous)
    under = subclasses(now.triples | before.triples)
    kinds = []
    for kind in Kind:
        classes = under.get(kind.root, set()) | {kind.root}
        a, b = now.instances(classes), before.instances(classes)
        changed = sorted(e for e in a & b if now.describe(e) != before.describe(e))
        kinds.append(KindChanges(kind, tuple(sorted(a - b)), tuple(sorted(b - a)), tuple(changed)))
    deprecated = tuple(sorted(now.deprecated() - before.deprecated()))
    return Changelog(version, previous_version, tuple(kinds), deprecated)


class _Index:
    """Triples by subject, for descriptions and instance look-ups."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.triples = set(triples)
        self.by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
        for t in self.triples:
            self.by_subject[str(t.subject)].append(t)

    def instances(self, classes: set[str]) -> set[str]:
        return {text(t.subject) for t in self.triples if t.predicate.value == _RDF_TYPE
                and isinstance(t.subject, ox.NamedNode) and text(t.object) in classes}

    def deprecated(self) -> set[str]:
        return {text(t.subject) for t in self.triples if t.predicate.value == _DEPRECATED
                and isinstance(t.subject, ox.NamedNode) and text(t.object) == "true"}

    def describe(self, iri: str, depth: int = 0) -> frozenset[str]:
        """The subject's triples as text, blank node objects replaced by their own description."""
        lines = set()
        for t in self.by_subject.get(f"<{iri}>" if depth == 0 else iri, []):
            obj = t.object
            text = str(obj) if not isinstance(obj, ox.BlankNode) or depth > 3 else \
                "[" + " ; ".join(sorted(self.describe(str(obj), depth + 1))) + "]"
            lines.add(f"{t.predicate} {text}")
        return frozenset(lines)


def subclasses(triples: set[ox.Triple]) -> dict[str, set[str]]:
    """Every class's subclasses, transitively."""
    direct: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == _SUBCLASS and isinstance(t.object, ox.NamedNode):
            direct[text(t.object)].add(text(t.subject))
    closed: dict[str, set[str]] = {}
    for cls in list(direct):
        seen: set[str] = set()
        todo = [cls]
        while todo:
            for sub in direct.get(todo.pop(), set()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        closed[cls] = seen
    return closed
