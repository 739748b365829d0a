"""Query results as values: rows of SELECT, the answer of ASK, the triples of CONSTRUCT/DESCRIBE.

Results hold pyoxigraph terms (cheap to make and to write); `to_rdflib` converts for Python users.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from clustergraph.base.formats import RdfFormat, ResultFormat

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Solutions:
    """The rows of a SELECT query; `truncated` says the row limit cut the answer short."""

    variables: tuple[str, ...]
    rows: Sequence[tuple[OxTerm | None, ...]]
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.rows)

    def dicts(self) -> Iterator[dict[str, Identifier | None]]:
        """Each row as a dict of variable name to rdflib term (None when unbound)."""
        for row in self.rows:
            yield {v: to_rdflib(t) for v, t in zip(self.variables, row)}

    def values(self) -> Iterator[dict[str, str]]:
        """Each row as a dict of variable name to the plain value of its term (an IRI, a literal's
        lexical form, a blank node's id), for callers that compare strings; unbound variables are left out."""
        for row in self.rows:
            yield {v: _value(t) for v, t in zip(self.variables, row) if t is not None}

    def column(self, variable: str) -> list[OxTerm | None]:
        """The values of one variable, in row order."""
        i = self.variables.index(variable)
        return [row[i] for row in self.rows]


@dataclass(frozen=True)
class Boolean:
    """The answer of an ASK query."""

    value: bool
    truncated: bool = False


@dataclass(frozen=True)
class Triples:
    """The triples of a CONSTRUCT or DESCRIBE query; `truncated` says the limit cut them short."""

    triples: Sequence[ox.Triple]
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.triples)


QueryResult = Solutions | Boolean | Triples


def to_rdflib(term: OxTerm | None) -> Identifier | None:
    """The rdflib term for a pyoxigraph term, keeping a literal's lexical form as written."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"RDF-star triple terms are not supported: {term}")


def _value(term: OxTerm) -> str:
    if isinstance(term, ox.Triple):
        raise TypeError(f"RDF-star triple terms are not supported: {term}")
    return term.value


def to_oxigraph(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term, keeping a literal's lexical form as written."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def write_solutions(result: Solutions | Boolean, fmt: ResultFormat) -> bytes:
    """`result` in the SPARQL 1.1 result format `fmt`."""
    writer = {
        ResultFormat.JSON: _json,
        ResultFormat.XML: _xml,
        ResultFormat.CSV: _csv,
        ResultFormat.TSV: _tsv,
    }[fmt]
    return writer(result).encode("utf-8")


def write_triples(result: Triples, fmt: RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """The triples of `result` in the RDF syntax `fmt`."""
    use = prefixes if prefixes and fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    data = ox.serialize(result.triples, format=_OX_FORMATS[fmt], prefixes=use)
    return data if isinstance(data, bytes) else b""


_OX_FORMATS = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.RDF_XML: ox.RdfFormat.RDF_XML,
    RdfFormat.JSON_LD: ox.RdfFormat.JSON_LD,
}


def ox_format(fmt: RdfFormat) -> ox.RdfFormat:
    """The pyoxigraph format for `fmt`."""
    return _OX_FORMATS[fmt]


def _json_term(term: OxTerm) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    raise TypeError(f"RDF-star triple terms are not supported: {term}")


def _json(result: Solutions | Boolean) -> str:
    if isinstance(result, Boolean):
        return json.dumps({"head": {}, "boolean": result.value})
    bindings = [
        {v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows
    ]
    return json.dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _xml_term(term: OxTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    raise TypeError(f"RDF-star triple terms are not supported: {term}")


def _xml(result: Solutions | Boolean) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if isinstance(result, Boolean):
        out += ["<head/>", f"<boolean>{'true' if result.value else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out)
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
    out.append("<results>")
    for row in result.rows:
        cells = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(result.variables, row)
            if t is not None
        )
        out.append(f"<result>{cells}</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out)


def _csv(result: Solutions | Boolean) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(result, Boolean):
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.value else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_plain(t) for t in row])
    return buffer.getvalue()


def _plain(term: OxTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value) if hasattr(term, "value") else str(term)


def _tsv(result: Solutions | Boolean) -> str:
    if isinstance(result, Boolean):
        return "?_askResult\n" + ("true" if result.value else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"
