"""Publishing: the graph as files for others; releases, dumps, their VoID/DCAT, changelog and docs.

    release.py    build, validate, reason, then write dist/VERSION/ (dumps, JSON-LD, checksums)
    void.py       VoID and DCAT descriptions of a release
    changelog.py  what changed since the previous release, at the level users care about
    docs.py       the ontology's HTML documentation (pyLODE)
    export.py     the whole graph or chosen named graphs in any RDF syntax

A module named after its entry point keeps it (`from clustergraph.services.publishing.release import
release`, export.export, changelog.changelog): a package attribute cannot be both. The other
names are imported when first used (PEP 562), so that `clustergraph.export` does not load the
reasoner a release runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clustergraph.base.lazy import lazy_names

if TYPE_CHECKING:
    from clustergraph.services.publishing.changelog import Changelog
    from clustergraph.services.publishing.docs import write_docs
    from clustergraph.services.publishing.export import resolve_graphs
    from clustergraph.services.publishing.release import Release, dist_dir, releases

#: Each public name and the module it comes from.
_HOMES = {
    "Release": "clustergraph.services.publishing.release",
    "releases": "clustergraph.services.publishing.release",
    "dist_dir": "clustergraph.services.publishing.release",
    "Changelog": "clustergraph.services.publishing.changelog",
    "write_docs": "clustergraph.services.publishing.docs",
    "resolve_graphs": "clustergraph.services.publishing.export",
}

__all__ = ["Changelog", "Release", "dist_dir", "releases", "resolve_graphs", "write_docs"]


__getattr__, __dir__ = lazy_names(__name__, _HOMES)
