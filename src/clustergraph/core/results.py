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
from clustergraph.base.terms import INCOMPLETE_LINK

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


#: Rows per part of a written answer: the parts cross a query worker's pipe and go out to the
#: client as they are written (core/pool.py), so no one holds a large answer whole to send it.
PART_ROWS = 2_000
#: Bytes per part of a written RDF answer (pyoxigraph writes the triples in one go).
PART_BYTES = 1 << 20


def write_solutions(result: Solutions | Boolean, fmt: ResultFormat) -> bytes:
    """`result` in the SPARQL 1.1 result format `fmt`."""
    return b"".join(solution_parts(result, fmt))


def write_triples(result: Triples, fmt: RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """The triples of `result` in the RDF syntax `fmt`."""
    return b"".join(triple_parts(result, fmt, prefixes))


def solution_parts(result: Solutions | Boolean, fmt: ResultFormat, *, cut_at: int | None = None) -> Iterator[bytes]:
    """`result` in the SPARQL 1.1 result format `fmt`, in parts of PART_ROWS rows.

    `cut_at`, the row limit when it cut the answer, is said in the body where the format has room
    (JSON: an `incomplete` member and a head link; XML: a comment and a head link; CSV and TSV have none).
    """
    writer = {
        ResultFormat.JSON: _json,
        ResultFormat.XML: _xml,
        ResultFormat.CSV: _csv,
        ResultFormat.TSV: _tsv,
    }[fmt]
    for part in writer(result, cut_at):
        yield part.encode("utf-8")


def written_parts(body: bytes, fmt: ResultFormat, *, cut_at: int | None = None) -> Iterator[bytes]:
    """Rows pyoxigraph wrote in `fmt` (core/store.py EmbeddedStore.written), in parts of PART_BYTES,
    with the marks of a cut answer in the same places solution_parts puts them."""
    if cut_at is not None:
        body = _mark_written(body, fmt, cut_at)
    for start in range(0, len(body), PART_BYTES):
        yield body[start:start + PART_BYTES]


def _mark_written(body: bytes, fmt: ResultFormat, cut_at: int) -> bytes:
    note = _cut_note(cut_at, "row limit") + " rows"
    link = INCOMPLETE_LINK
    if fmt is ResultFormat.JSON:
        # pyoxigraph writes {"head":{"vars":[...]},"results":...}: variable names need no escaping,
        # so the end of "vars" is its first "]".
        incomplete = json.dumps({"reason": "row limit", "limit": cut_at, "message": note}, ensure_ascii=False)
        assert body.startswith(b'{"head":{"vars":[')
        end = body.index(b"]")
        return (b'{"incomplete":' + incomplete.encode("utf-8") + b"," + body[1:end + 1]
                + b',"link":[' + json.dumps(link).encode() + b"]" + body[end + 1:])
    if fmt is ResultFormat.XML:
        marked = body.replace(b"<head>", f'<head><link href="{link}"/>'.encode(), 1)
        marked = marked.replace(b"<head/>", f'<head><link href="{link}"/></head>'.encode(), 1)
        return marked.replace(b"?>", f"?>\n<!-- {note} -->".encode(), 1)
    return body  # CSV and TSV have no room: the header says it


def triple_parts(result: Triples, fmt: RdfFormat, prefixes: dict[str, str] | None = None, *,
                 cut_at: int | None = None) -> Iterator[bytes]:
    """The triples of `result` in the RDF syntax `fmt`, in parts of PART_BYTES bytes; `cut_at`, the
    limit when it cut the answer, is said in a comment where the syntax has one (not JSON-LD)."""
    use = prefixes if prefixes and fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    data = ox.serialize(result.triples, format=_OX_FORMATS[fmt], prefixes=use)
    body = data if isinstance(data, bytes) else b""
    if cut_at is not None:
        body = _mark_rdf(body, fmt, cut_at)
    for start in range(0, len(body), PART_BYTES):
        yield body[start:start + PART_BYTES]


def _cut_note(cut_at: int, what: str) -> str:
    return f"incomplete: the answer was cut at the {what} of {cut_at}"


def _mark_rdf(body: bytes, fmt: RdfFormat, cut_at: int) -> bytes:
    note = _cut_note(cut_at, "limit") + " triples"
    if fmt in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES):
        return f"# {note}\n".encode() + body
    if fmt is RdfFormat.RDF_XML and body.startswith(b"<?xml"):
        end = body.index(b"?>") + 2
        return body[:end] + f"\n<!-- {note} -->".encode() + body[end:]
    return body  # JSON-LD has no comments: the header says it


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


def _json(result: Solutions | Boolean, cut_at: int | None) -> Iterator[str]:
    if isinstance(result, Boolean):
        yield json.dumps({"head": {}, "boolean": result.value})
        return
    opening: dict[str, object] = {}
    head: dict[str, object] = {"vars": list(result.variables)}
    if cut_at is not None:
        # A member placed before "head" and a link in "head": SPARQL JSON readers ignore both.
        note = _cut_note(cut_at, "row limit") + " rows"
        opening["incomplete"] = {"reason": "row limit", "limit": cut_at, "message": note}
        head["link"] = [INCOMPLETE_LINK]
    opening["head"] = head
    yield json.dumps(opening, ensure_ascii=False)[:-1] + ', "results": {"bindings": ['
    for start in range(0, len(result.rows), PART_ROWS):
        bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None}
                    for row in result.rows[start:start + PART_ROWS]]
        yield (", " if start else "") + json.dumps(bindings, ensure_ascii=False)[1:-1]
    yield "]}}"


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


def _xml(result: Solutions | Boolean, cut_at: int | None) -> Iterator[str]:
    link = f'<link href="{INCOMPLETE_LINK}"/>' if cut_at is not None else ""
    out = ['<?xml version="1.0"?>']
    if cut_at is not None:
        out.append(f"<!-- {_cut_note(cut_at, 'row limit')} rows -->")
    out.append('<sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    if isinstance(result, Boolean):
        out += [f"<head>{link}</head>" if link else "<head/>",
                f"<boolean>{'true' if result.value else 'false'}</boolean>", "</sparql>"]
        yield "\n".join(out)
        return
    out.append("<head>" + link + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
    out.append("<results>")
    yield "\n".join(out)
    for start in range(0, len(result.rows), PART_ROWS):
        yield "".join(
            "\n<result>" + "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                                   for v, t in zip(result.variables, row) if t is not None) + "</result>"
            for row in result.rows[start:start + PART_ROWS])
    yield "\n</results>\n</sparql>"


def _csv(result: Solutions | Boolean, cut_at: int | None) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if isinstance(result, Boolean):
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.value else "false"])
        yield buffer.getvalue()
        return
    writer.writerow(result.variables)
    for start in range(0, len(result.rows), PART_ROWS):
        writer.writerows([_plain(t) for t in row] for row in result.rows[start:start + PART_ROWS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _plain(term: OxTerm | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value) if hasattr(term, "value") else str(term)


def _tsv(result: Solutions | Boolean, cut_at: int | None) -> Iterator[str]:
    if isinstance(result, Boolean):
        yield "?_askResult\n" + ("true" if result.value else "false") + "\n"
        return
    yield "\t".join(f"?{v}" for v in result.variables) + "\n"
    for start in range(0, len(result.rows), PART_ROWS):
        yield "".join("\t".join("" if t is None else str(t) for t in row) + "\n"
                      for row in result.rows[start:start + PART_ROWS])
