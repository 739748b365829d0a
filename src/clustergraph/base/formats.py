"""The closed sets of serialisations: RDF syntaxes and SPARQL result formats, with media types."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from clustergraph.base.errors import InputError


class RdfFormat(Enum):
    """An RDF syntax: (name, media type, file suffix, holds named graphs)."""

    TURTLE = ("turtle", "text/turtle", ".ttl", False)
    N_TRIPLES = ("ntriples", "application/n-triples", ".nt", False)
    N_QUADS = ("nquads", "application/n-quads", ".nq", True)
    TRIG = ("trig", "application/trig", ".trig", True)
    RDF_XML = ("rdfxml", "application/rdf+xml", ".rdf", False)
    JSON_LD = ("jsonld", "application/ld+json", ".jsonld", True)

    @property
    def label(self) -> str:
        """The short name used on the command line ('turtle', 'nquads' ...)."""
        return str(self.value[0])

    @property
    def media_type(self) -> str:
        return str(self.value[1])

    @property
    def suffix(self) -> str:
        return str(self.value[2])

    @property
    def is_dataset(self) -> bool:
        """Whether the syntax can hold named graphs."""
        return bool(self.value[3])

    @classmethod
    def from_suffix(cls, path: Path | str) -> RdfFormat:
        """The format a file name's suffix names; raises InputError for an unknown suffix."""
        suffix = Path(path).suffix.lower()
        found = _SUFFIXES.get(suffix)
        if found is None:
            known = ", ".join(sorted(_SUFFIXES))
            raise InputError(f"unknown RDF file suffix '{suffix or '(none)'}'; use one of {known}", path=path)
        return found

    @classmethod
    def from_label(cls, label: str) -> RdfFormat:
        """The format named `label` ('turtle', 'nt', 'jsonld' ...); raises InputError if unknown."""
        found = _LABELS.get(label.lower())
        if found is None:
            raise InputError(f"unknown RDF format '{label}'; use one of {', '.join(f.label for f in cls)}")
        return found

    @classmethod
    def from_media_type(cls, media_type: str) -> RdfFormat | None:
        """The format served under `media_type`, or None."""
        return _MEDIA.get(media_type.split(";")[0].strip().lower())


_SUFFIXES = {
    ".ttl": RdfFormat.TURTLE,
    ".turtle": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".ntriples": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".nquads": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
}
_LABELS = {f.label: f for f in RdfFormat} | {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "n-triples": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "n-quads": RdfFormat.N_QUADS,
    "rdf/xml": RdfFormat.RDF_XML,
    "xml": RdfFormat.RDF_XML,
    "json-ld": RdfFormat.JSON_LD,
}
_MEDIA = {f.media_type: f for f in RdfFormat} | {
    "application/x-turtle": RdfFormat.TURTLE,
    "text/n3": RdfFormat.TURTLE,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/xml": RdfFormat.RDF_XML,
    "text/xml": RdfFormat.RDF_XML,
    "application/json": RdfFormat.JSON_LD,
}


class ResultFormat(Enum):
    """A SPARQL SELECT/ASK result format: (name, media type, suffix)."""

    JSON = ("json", "application/sparql-results+json", ".srj")
    XML = ("xml", "application/sparql-results+xml", ".srx")
    CSV = ("csv", "text/csv", ".csv")
    TSV = ("tsv", "text/tab-separated-values", ".tsv")

    @property
    def label(self) -> str:
        return str(self.value[0])

    @property
    def media_type(self) -> str:
        return str(self.value[1])

    @property
    def suffix(self) -> str:
        return str(self.value[2])

    @classmethod
    def from_label(cls, label: str) -> ResultFormat:
        """The result format named `label`; raises InputError if unknown."""
        for fmt in cls:
            if fmt.label == label.lower():
                return fmt
        raise InputError(f"unknown result format '{label}'; use one of {', '.join(f.label for f in cls)}")

    @classmethod
    def from_media_type(cls, media_type: str) -> ResultFormat | None:
        """The result format served under `media_type`, or None."""
        base = media_type.split(";")[0].strip().lower()
        aliases = {"application/json": cls.JSON, "application/xml": cls.XML, "text/xml": cls.XML}
        for fmt in cls:
            if fmt.media_type == base:
                return fmt
        return aliases.get(base)
