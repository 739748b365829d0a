"""N-Triples chunks for the Graph Store Protocol: a file sent in requests of a bounded size.

A blank node label is scoped to one request (the engine mints a fresh node per request), so a
blank node must not be split across chunks. Triples without blank nodes stream through in
chunks of `max_triples`; triples with blank nodes are held until the input ends and sent grouped
by connected component (all triples that share a blank node, transitively, go in one chunk; a
component larger than `max_triples` is one chunk of its own).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Chunk:
    """One request body: N-Triples bytes and how many triples they hold."""

    data: bytes
    triples: int


def chunks(triples: Iterable[ox.Triple], *, max_triples: int) -> Iterator[Chunk]:
    """The triples as N-Triples chunks of at most `max_triples` (a blank-node component stays whole)."""
    plain: list[ox.Triple] = []
    with_blanks = _Components()
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            with_blanks.add(triple)
            continue
        plain.append(triple)
        if len(plain) >= max_triples:
            yield _chunk(plain)
            plain = []
    batch: list[ox.Triple] = plain
    for component in with_blanks.groups():
        if batch and len(batch) + len(component) > max_triples:
            yield _chunk(batch)
            batch = []
        batch.extend(component)
    if batch:
        yield _chunk(batch)


def _chunk(triples: list[ox.Triple]) -> Chunk:
    return Chunk(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", len(triples))


class _Components:
    """Triples grouped by the blank nodes they share (union-find over blank node labels)."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._triples: list[tuple[str, ox.Triple]] = []

    def add(self, triple: ox.Triple) -> None:
        labels = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        root = self._find(labels[0])
        for label in labels[1:]:
            other = self._find(label)
            if other != root:
                self._parent[other] = root
        self._triples.append((labels[0], triple))

    def groups(self) -> Iterator[list[ox.Triple]]:
        grouped: dict[str, list[ox.Triple]] = {}
        for label, triple in self._triples:
            grouped.setdefault(self._find(label), []).append(triple)
        yield from grouped.values()

    def _find(self, label: str) -> str:
        parent = self._parent.setdefault(label, label)
        while parent != label:
            grand = self._parent[parent]
            self._parent[label] = grand
            label, parent = parent, grand
        return label
