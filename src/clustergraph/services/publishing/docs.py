"""Documentation of the ontology: one HTML page made by pyLODE from the merged files of ontology/.

pyLODE documents one ontology graph, so the files are parsed by core (strictly), merged, and handed
to pyLODE as an rdflib graph: pyLODE parses nothing and fetches nothing (owl:imports are listed,
never followed). The page embeds its stylesheet, so the folder it is written to needs nothing else.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from clustergraph.base.errors import InputError
from clustergraph.base.terms import ONTOLOGY_IRI, PREFIXES
from clustergraph.core.config import Settings
from clustergraph.core.results import Triples, to_rdflib
from clustergraph.core.store import EmbeddedStore, QueryOptions
from clustergraph.services.build import source_files
from clustergraph.services.sparql import text

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_OWL_ONTOLOGY = URIRef("http://www.w3.org/2002/07/owl#Ontology")
_SKOS_SCHEME = URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")
_OWL_IMPORTS = "http://www.w3.org/2002/07/owl#imports"


def docs_dir(settings: Settings) -> Path:
    """Where `clustergraph docs` writes by default (build/ontology, which git ignores)."""
    return settings.build_dir / "ontology"


_ONTOLOGY_TRIPLES = text("docs-ontology-triples")


def ontology_graph(settings: Settings) -> Graph:
    """The files of ontology/ merged into one rdflib graph with the project's prefixes.

    pyLODE takes every owl:Ontology and skos:ConceptScheme for the ontology and merges their
    titles and metadata, so only the project's ontology (or else the first) keeps its type here;
    concept schemes keep their labels and definitions but lose their type in this graph only.
    Raises InputError if a file does not parse or ontology/ holds no RDF file.
    """
    files = [(path, graph) for path, graph in source_files(settings) if settings.ontology_dir in path.parents]
    if not files:
        raise InputError("no RDF files to document", path=settings.ontology_dir)
    store = EmbeddedStore()
    store.replace_graphs(files)
    result = store.query(_ONTOLOGY_TRIPLES, options=QueryOptions(name="ontology"))
    assert isinstance(result, Triples)
    triples = [(to_rdflib(t.subject), URIRef(t.predicate.value), to_rdflib(t.object)) for t in result.triples]
    ontologies = sorted(str(s) for s, p, o in triples if str(p) == _RDF_TYPE and o == _OWL_ONTOLOGY
                        and isinstance(s, URIRef))
    main = ONTOLOGY_IRI if ONTOLOGY_IRI in ontologies else (ontologies[0] if ontologies else None)
    others = {URIRef(iri) for iri in ontologies if iri != main}
    modules = {URIRef(iri) for iri in ontologies}
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    for s, p, o in triples:
        if str(p) == _RDF_TYPE and ((s in others and o == _OWL_ONTOLOGY) or o == _SKOS_SCHEME):
            continue  # pyLODE would merge these into the ontology's own title and metadata
        if str(p) == _OWL_IMPORTS and o in modules:
            continue  # the modules are merged here; an import of one another says nothing more
        graph.add((s, p, o))  # type: ignore[arg-type]
    return graph


def write_docs(settings: Settings, out_dir: Path | None = None) -> Path:
    """Write the ontology's HTML documentation to `out_dir`/index.html (default build/ontology/).

    The page is written to a temporary name and renamed, so a failure leaves any earlier page.
    Raises InputError if an ontology file does not parse, the ontology has no dcterms:title, or
    the folder cannot be written.
    """
    OntPub, PylodeError = _pylode()
    graph = ontology_graph(settings)
    out_dir = out_dir or docs_dir(settings)
    try:
        with warnings.catch_warnings():
            # pyLODE reads its stylesheet without closing the file.
            warnings.simplefilter("ignore", ResourceWarning)
            html = OntPub(graph).make_html()
    except PylodeError as exc:
        raise InputError(f"pyLODE cannot document the ontology: {exc}", path=settings.ontology_dir) from exc
    if not isinstance(html, str):
        raise InputError("pyLODE made no page", path=settings.ontology_dir)
    page = out_dir / "index.html"
    part = out_dir / "index.html.part"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        part.write_text(html, encoding="utf-8")
        part.replace(page)
    except OSError as exc:
        raise InputError(f"cannot write the documentation ({exc.strerror or exc})", path=out_dir) from exc
    finally:
        part.unlink(missing_ok=True)
    return page


def _pylode() -> tuple[Any, type[Exception]]:
    """pyLODE's OntPub and PylodeError, imported without the root logger set-up its import does.

    pyLODE calls logging.basicConfig(level=DEBUG) when imported, which would print every library's
    debug log on stderr; the root logger is put back as it was.
    Raises InputError if pyLODE cannot be imported.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub, PylodeError
    except ImportError as exc:
        raise InputError(f"pyLODE cannot be imported ({exc}); reinstall with `pip install -e .`") from exc
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return OntPub, PylodeError
