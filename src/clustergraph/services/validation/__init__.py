"""SHACL validation: of the store, of files in its context, of a change before it is applied.

Two engines give the same results: pyshacl, the reference, and the shapes compiled to SPARQL and
run on the store, which hands pyshacl what it cannot compile. Modules:

    run.py             the entry points: validate, validate_delta, validate_change, Engine
    shacl.py           pyshacl (the only module importing it): shapes, the RDF documents to check
    fastvalidation.py  the compiled engine: compiled shapes on the store, pyshacl for the rest
    compiler.py        a shape compiled to SPARQL SELECTs, one function per constraint component
    shapesgraph.py     reading a shapes graph: values, lists, paths, messages of a shape
    sparqltext.py      the text of SHACL-SPARQL constraints: what may run, one rewrite
    delta.py           delta validation: a change checked on the focus nodes it can affect
    dependencies.py    what a shape reads: the edges whose change can change a focus node's results
    report.py          reports as values (Report, Result, Origin), as JSON, Markdown and Turtle

The names are imported when first used (PEP 562), so that importing report.py alone does not load
pyshacl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clustergraph.base.lazy import lazy_names

if TYPE_CHECKING:
    from clustergraph.services.validation.report import Origin, Report, Result, Severity
    from clustergraph.services.validation.run import (
        Engine,
        Limits,
        RdfInput,
        Shapes,
        Triple,
        load_shapes,
        rdf_triples,
        read_quads,
        store_graph,
        to_graph,
        validate,
        validate_change,
        validate_delta,
    )

#: Each public name and the module it comes from.
_HOMES = {
    "Engine": "clustergraph.services.validation.run",
    "Limits": "clustergraph.services.validation.run",
    "RdfInput": "clustergraph.services.validation.run",
    "Shapes": "clustergraph.services.validation.run",
    "Triple": "clustergraph.services.validation.run",
    "load_shapes": "clustergraph.services.validation.run",
    "rdf_triples": "clustergraph.services.validation.run",
    "read_quads": "clustergraph.services.validation.run",
    "store_graph": "clustergraph.services.validation.run",
    "to_graph": "clustergraph.services.validation.run",
    "validate": "clustergraph.services.validation.run",
    "validate_change": "clustergraph.services.validation.run",
    "validate_delta": "clustergraph.services.validation.run",
    "Origin": "clustergraph.services.validation.report",
    "Report": "clustergraph.services.validation.report",
    "Result": "clustergraph.services.validation.report",
    "Severity": "clustergraph.services.validation.report",
}

__all__ = ["Engine", "Limits", "Origin", "RdfInput", "Report", "Result", "Severity", "Shapes", "Triple",
           "load_shapes", "rdf_triples", "read_quads", "store_graph", "to_graph", "validate",
           "validate_change", "validate_delta"]


__getattr__, __dir__ = lazy_names(__name__, _HOMES)
