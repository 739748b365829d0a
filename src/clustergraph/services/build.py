"""Build: load every file of ontology/ and data/ into its own named graph of the store."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import BUILD_GRAPH_PREFIXES, file_graph
from clustergraph.core.config import Settings
from clustergraph.core.store import GraphLoad, Progress, Store

RDF_SUFFIXES = {".ttl", ".nt", ".nq", ".trig", ".rdf", ".owl", ".jsonld"}


@dataclass(frozen=True)
class BuildReport:
    """What a build loaded: one entry per file, the graphs it removed, and how long it took."""

    loads: tuple[GraphLoad, ...]
    dropped: tuple[URIRef, ...]
    seconds: float

    @property
    def triples(self) -> int:
        return sum(load.triples for load in self.loads)


def source_files(settings: Settings) -> list[tuple[Path, URIRef]]:
    """Every RDF file of ontology/ and data/, sorted, with the named graph it goes into.

    Raises InputError if two files would share a graph (e.g. clusters.ttl and clusters.nt), or if the
    project has neither folder (an empty or foreign folder: building it would give an empty store).
    """
    if not settings.ontology_dir.is_dir() and not settings.data_dir.is_dir():
        raise InputError(f"{settings.root.resolve()} has neither ontology/ nor data/, so there is nothing to build; "
                         "run 'clustergraph init DIR' for a new project, or give --root a project folder")
    files: list[tuple[Path, URIRef]] = []
    seen: dict[URIRef, Path] = {}
    for folder in (settings.ontology_dir, settings.data_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() not in RDF_SUFFIXES or not path.is_file():
                continue
            stem = path.relative_to(folder).with_suffix("").as_posix()
            graph = file_graph(folder.name, stem)
            if graph in seen:
                raise InputError(f"would share graph <{graph}> with {seen[graph]}; rename one of them", path=path)
            seen[graph] = path
            files.append((path, graph))
    return files


def build(store: Store, settings: Settings, *, progress: Progress | None = None) -> BuildReport:
    """Load ontology/ and data/ into `store`, replacing what an earlier build loaded.

    Graphs of files that no longer exist are removed; other graphs (ingested batches) stay.
    Every file is parsed first: if one fails, raises InputError and the store is unchanged.
    On a remote store files go in chunks and a build that stopped part-way resumes (the loads it
    keeps say `skipped`); raises LoadInterrupted, naming what is loaded, if the endpoint fails.
    """
    start = time.perf_counter()
    files = source_files(settings)
    for path, _ in files:
        RdfFormat.from_suffix(path)
    wanted = {graph for _, graph in files}
    stale = tuple(
        g for g in store.graph_sizes() if str(g).startswith(BUILD_GRAPH_PREFIXES) and g not in wanted
    )
    loads = store.replace_graphs(files, drop=stale, progress=progress)
    return BuildReport(tuple(loads), stale, time.perf_counter() - start)
