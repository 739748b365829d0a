"""Where an IRI of the project is served: data and concept IRIs under the base URL, terms at /ontology."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from clustergraph.base.terms import CG_IRI, CGD, CGS, ONTOLOGY_IRI, RELEASES

#: URL path (under the base URL) of each namespace whose IRIs this server resolves.
NAMESPACES = {"id": str(CGD), "concept": str(CGS)}


def root_path(base_url: str) -> str:
    """The path part of the base URL without its final slash ('' for http://127.0.0.1:8000)."""
    return urlsplit(base_url).path.rstrip("/")


def local_href(iri: str, root: str = "") -> str:
    """Where `iri` is served by this server (data, concepts, ontology terms), else `iri` itself."""
    for path, namespace in NAMESPACES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{root}/{path}/{quote(iri[len(namespace):], safe='/-_.~')}"
    if iri.startswith(CG_IRI) and len(iri) > len(CG_IRI):
        return f"{root}/ontology#{quote(iri[len(CG_IRI):], safe='-_.~')}"
    if iri.startswith(RELEASES) and len(iri) > len(RELEASES):  # release folders, dist/VERSION/... (releases.py)
        return f"{root}/release/{quote(iri[len(RELEASES):], safe='/-_.~')}"
    if iri in (ONTOLOGY_IRI, CG_IRI):
        return f"{root}/ontology"
    return iri
