"""The query catalogue: named, documented, parameterised SPARQL in queries/*.rq.

Metadata sits in '#+ ' YAML comment lines at the top of each file (STYLE.md §8). Parameters are
variables: `?_name` is required, `?__name` optional; a suffix gives the type (`_iri`, `_literal`,
`_integer`, `_year`). Values are bound as RDF terms, never spliced into the query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from clustergraph.base import sparql as lex
from clustergraph.base.errors import InputError, QueryError
from clustergraph.base.terms import PREFIXES
from clustergraph.core.results import QueryResult
from clustergraph.core.store import QueryOptions, Store

HEADER_KEYS = {"summary", "description", "tags", "defaults", "parameters", "method", "endpoint"}
PARAM_TYPES = ("iri", "literal", "integer", "year")
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_IRI_VALUE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*")


@dataclass(frozen=True)
class Param:
    """A query parameter: its name as the user writes it, its type, and whether it is required."""

    name: str
    variable: str
    kind: str
    required: bool
    default: str | None = None


@dataclass(frozen=True)
class NamedQuery:
    """One .rq file of the catalogue, with its metadata and parameters."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    prefixes: Mapping[str, str] = field(default_factory=dict)


def read_query(path: Path, *, strict: bool = True) -> NamedQuery:
    """Read one .rq file and its '#+' header; raises InputError on a bad header.

    `strict` (the catalogue) requires a summary; a file given on the command line may have none.
    """
    if not path.is_file():
        raise InputError("no such file", path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the query ({exc.strerror or exc})", path=path) from exc
    header_lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#+"):
            header_lines.append((number, line[2:].removeprefix(" ")))
        elif line.strip() and not line.startswith("#"):
            break
    try:
        meta = yaml.safe_load("\n".join(line for _, line in header_lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = header_lines[mark.line][0] if mark is not None and mark.line < len(header_lines) else None
        raise InputError(f"the '#+' header is not valid YAML ({getattr(exc, 'problem', exc)})",
                         path=path, line=line) from exc
    if not isinstance(meta, dict):
        raise InputError("the '#+' header must be YAML keys (summary: ...)", path=path)
    unknown = sorted(set(meta) - HEADER_KEYS)
    if unknown:
        raise InputError(f"unknown header key '{unknown[0]}'; use {', '.join(sorted(HEADER_KEYS))}", path=path)
    summary = meta.get("summary")
    if summary is None and not strict:
        summary = path.stem
    if not isinstance(summary, str) or not summary.strip():
        raise InputError("the '#+' header needs a one-line 'summary'", path=path)
    defaults = _defaults(meta.get("defaults"), path)
    prefixes = {p or "": iri for p, iri in _PREFIX_DECL.findall(text)}
    params = tuple(_param(v, defaults) for v in lex.variables(text) if v.startswith("_"))
    tags = meta.get("tags") or []
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=summary.strip(),
        description=str(meta.get("description") or "").strip(),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (str(tags),),
        params=params,
        prefixes=prefixes,
    )


def catalogue(queries_dir: Path) -> list[NamedQuery]:
    """Every query of `queries_dir`, sorted by name; raises InputError for the first bad file."""
    if not queries_dir.is_dir():
        return []
    return [read_query(p) for p in sorted(queries_dir.glob("*.rq"))]


def find_query(queries_dir: Path, name: str) -> NamedQuery:
    """The query called `name`; raises QueryError (status 404) naming the known ones if absent."""
    path = queries_dir / f"{name}.rq"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name) or not path.is_file():
        known = ", ".join(p.stem for p in sorted(queries_dir.glob("*.rq"))) or "none"
        raise QueryError(name, f"no such query in {queries_dir.name}/ (known: {known})", status=404)
    return read_query(path)


def bind(query: NamedQuery, values: Mapping[str, str]) -> dict[str, Identifier]:
    """Typed RDF terms for the parameter `values` (by parameter name), defaults filled in.

    Raises QueryError for an unknown parameter, a missing required one or a value of the wrong type.
    """
    by_name = {p.name: p for p in query.params}
    for name in values:
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise QueryError(f"{query.path.parent.name}/{query.path.name}",
                             f"unknown parameter '{name}' (parameters: {known})")
    bound: dict[str, Identifier] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise QueryError(f"{query.path.parent.name}/{query.path.name}",
                                 f"parameter '{param.name}' is required ({param.kind})")
            continue
        bound[param.variable] = _term(query, param, raw)
    return bound


def run_query(store: Store, queries_dir: Path, name: str, values: Mapping[str, str] | None = None,
              *, limit: int | None = None) -> QueryResult:
    """Run the named query with its parameters bound; raises QueryError or InputError."""
    query = find_query(queries_dir, name)
    bindings = bind(query, values or {})
    return store.query(query.text, bindings=bindings, options=QueryOptions(name=f"queries/{query.path.name}",
                                                                           limit=limit))


def run_sparql(store: Store, text: str, *, name: str = "query", limit: int | None = None,
               allow_service: bool = False) -> QueryResult:
    """Run ad-hoc SPARQL; raises QueryError naming `name` on a syntax error."""
    return store.query(text, options=QueryOptions(name=name, limit=limit, allow_service=allow_service))


def _defaults(raw: object, path: Path) -> dict[str, str]:
    if raw is None:
        return {}
    items = raw if isinstance(raw, list) else [raw]
    out: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict):
            raise InputError("'defaults' must be a list of 'name: value' entries", path=path)
        out.update({str(k): str(v) for k, v in item.items()})
    return out


def _param(variable: str, defaults: Mapping[str, str]) -> Param:
    required = not variable.startswith("__")
    name = variable.lstrip("_")
    kind = "literal"
    for suffix in PARAM_TYPES:
        if name.endswith("_" + suffix):
            kind, name = suffix, name[: -len(suffix) - 1]
            break
    return Param(name=name, variable=variable, kind=kind, required=required, default=defaults.get(name))


def _term(query: NamedQuery, param: Param, raw: str) -> Identifier:
    where = f"{query.path.parent.name}/{query.path.name}"
    if param.kind == "iri":
        iri = _expand(raw, {**PREFIXES, **query.prefixes})
        if iri is None:
            raise QueryError(where, f"parameter '{param.name}' needs an IRI, got {raw!r}")
        return URIRef(iri)
    if param.kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", raw.strip()):
            raise QueryError(where, f"parameter '{param.name}' needs an integer, got {raw!r}")
        return Literal(raw.strip(), datatype=XSD.integer, normalize=False)
    if param.kind == "year":
        if not re.fullmatch(r"-?[0-9]{4}", raw.strip()):
            raise QueryError(where, f"parameter '{param.name}' needs a four-digit year, got {raw!r}")
        return Literal(raw.strip(), datatype=XSD.gYear, normalize=False)
    return Literal(raw)


def _expand(raw: str, prefixes: Mapping[str, str]) -> str | None:
    value = raw.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        value = prefixes[prefix] + local
    if not _IRI_VALUE.fullmatch(value) or "://" not in value and not value.startswith("urn:"):
        return None
    return value
