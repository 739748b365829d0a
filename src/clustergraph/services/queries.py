"""The query catalogue: named, documented, parameterised SPARQL in queries/*.rq.

Each file is one question; its name (without .rq) is the name the CLI, Python and HTTP use. The
file stays plain SPARQL: metadata sits in '#+ ' YAML comment lines at the top (STYLE.md §8, as grlc
reads them). Keys: `summary` (required), `description`, `tags`, `defaults`, `parameters`, `method`
(GET only). Any other key, or a header that is not YAML, is an InputError.

Parameters are variables: `?_name` is required, `?__name` optional. A suffix gives the type:

    ?_cluster_iri       an IRI (full, <full>, or a prefixed name of the file's PREFIXes or cg:, cgs: ...)
    ?_label_literal     a plain string literal (also the type of a variable with no suffix)
    ?__min_integer      an xsd:integer
    ?_since_year        an xsd:gYear ("1999")

A concept from a SKOS scheme is an IRI variable that the `parameters` key names:

    #+ parameters:
    #+   governance:
    #+     type: concept
    #+     scheme: cgs:GovernanceType
    #+     description: The form of chain governance.
    ... cg:governanceType ?_governance_iri ...

Its value must be, in the store, a skos:Concept (or an instance of a subclass of it) that is
skos:inScheme the scheme (or its skos:topConceptOf); otherwise a QueryError names the allowed values.
Tools that know nothing of `parameters` (grlc, YASGUI) see an ordinary IRI parameter.

`defaults` gives a value for a parameter (`- name: value`); a required parameter with a default may
be omitted. Values are bound as RDF terms by a VALUES block opening the WHERE group, never spliced into
the query text, so no value (quotes, braces, `} ; DROP ALL #`, newlines) can change the query.

Years: a gYear parameter compared with gYear data is compared as integers, which every SPARQL engine
can do: `FILTER(xsd:integer(STR(?year)) >= xsd:integer(STR(?_since_year)))`. For xsd:date or
xsd:dateTime data use `YEAR(?date) >= xsd:integer(STR(?_since_year))`. (Direct `?year >= ?_since_year`
works on Oxigraph but not on every engine.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from clustergraph.base import sparql as lex
from clustergraph.base.errors import InputError, QueryError
from clustergraph.base.sparqlhelp import with_prefixes
from clustergraph.base.terms import PREFIXES, shorten
from clustergraph.core.results import QueryResult, to_rdflib
from clustergraph.core.store import QueryOptions, Store
from clustergraph.services.sparql import text as internal_query

HEADER_KEYS = {"summary", "description", "tags", "defaults", "parameters", "method"}
PARAMETER_KEYS = {"type", "scheme", "description"}
_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_IRI_VALUE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_CONCEPTS = internal_query("queries-concepts")


class ParamType(Enum):
    """The type of a parameter: (name, XSD datatype of its value or None for IRIs and strings)."""

    IRI = ("iri", None)
    LITERAL = ("literal", None)
    INTEGER = ("integer", str(XSD.integer))
    YEAR = ("year", str(XSD.gYear))
    CONCEPT = ("concept", None)

    @property
    def label(self) -> str:
        return str(self.value[0])

    @property
    def datatype(self) -> str | None:
        datatype: str | None = self.value[1]
        return datatype

    @classmethod
    def from_label(cls, label: str) -> ParamType | None:
        return next((t for t in cls if t.label == label), None)


#: The variable suffixes that give a type (a concept is an `_iri` variable named in `parameters`).
SUFFIX_TYPES = (ParamType.IRI, ParamType.LITERAL, ParamType.INTEGER, ParamType.YEAR)


@dataclass(frozen=True)
class Param:
    """A query parameter: its name as the user writes it, its variable, type, and whether required.

    `scheme` is the full IRI of the concept scheme of a CONCEPT parameter.
    """

    name: str
    variable: str
    type: ParamType
    required: bool
    default: str | None = None
    scheme: str | None = None
    description: str = ""

    @property
    def kind(self) -> str:
        """The type's name ('iri', 'literal', 'integer', 'year', 'concept')."""
        return self.type.label


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
    #: How errors name the query: 'queries/NAME.rq' in the catalogue, else the path as given.
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", f"{self.path.parent.name}/{self.path.name}")

    @property
    def form(self) -> lex.QueryForm | None:
        """SELECT, ASK, CONSTRUCT or DESCRIBE (None if the text has none)."""
        return lex.query_form(self.text)

    def param(self, name: str) -> Param:
        """The parameter called `name`; raises QueryError naming the parameters if absent."""
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise QueryError(self.label, f"unknown parameter '{name}' (parameters: {known})")

    def shorten(self, iri: str) -> str:
        """`iri` as a prefixed name of this query's (or the project's) prefixes, else <iri>."""
        return shorten(iri, {**PREFIXES, **self.prefixes})


def read_query(path: Path, *, strict: bool = True) -> NamedQuery:
    """Read one .rq file and its '#+' header; raises InputError on a bad header.

    Checks the keys, the parameter declarations and the type of every default. `strict` (the
    catalogue) requires a summary; a file given on the command line may have none.
    """
    if not path.is_file():
        raise InputError("no such file", path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the query ({getattr(exc, 'strerror', None) or exc})", path=path) from exc
    meta = _header(text, path)
    summary = meta.get("summary")
    if summary is None and not strict:
        summary = path.stem
    if not isinstance(summary, str) or not summary.strip():
        raise InputError("the '#+' header needs a one-line 'summary'", path=path)
    if str(meta.get("method", "GET")).upper() != "GET":
        raise InputError(f"method '{meta['method']}' is not supported; catalogue queries are GET", path=path)
    prefixes = {p or "": iri for p, iri in _PREFIX_DECL.findall(text)}
    params = _params(text, meta, path, {**PREFIXES, **prefixes})
    tags = meta.get("tags") or []
    query = NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=summary.strip(),
        description=str(meta.get("description") or "").strip(),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (str(tags),),
        params=params,
        prefixes=prefixes,
        label="" if strict else str(path),
    )
    for param in params:
        if param.default is not None:
            try:
                _term(query, param, param.default)
            except QueryError as exc:
                raise InputError(f"the default of {exc.detail.removeprefix('parameter ')}", path=path) from exc
    return query


def catalogue(queries_dir: Path) -> list[NamedQuery]:
    """Every query of `queries_dir`, sorted by name; raises InputError for the first bad file."""
    if not queries_dir.is_dir():
        return []
    return [read_query(p) for p in sorted(queries_dir.glob("*.rq"))]


def find_query(queries_dir: Path, name: str) -> NamedQuery:
    """The query called `name`; raises QueryError (status 404) naming the known ones if absent."""
    path = queries_dir / f"{name}.rq"
    if not _NAME.fullmatch(name) or not path.is_file():
        known = ", ".join(p.stem for p in sorted(queries_dir.glob("*.rq"))) or "none"
        raise QueryError(name, f"no such query in {queries_dir.name}/ (known: {known})", status=404)
    return read_query(path)


def bind(query: NamedQuery, values: Mapping[str, str]) -> dict[str, Identifier]:
    """Typed RDF terms for the parameter `values` (by parameter name), defaults filled in.

    Does not look at the store: `check_concepts` does that for concept parameters.
    Raises QueryError for an unknown parameter, a missing required one or a value of the wrong type.
    """
    for name in values:
        query.param(name)
    bound: dict[str, Identifier] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            if param.required:
                raise QueryError(query.label, f"parameter '{param.name}' is required ({param.kind})")
            continue
        bound[param.variable] = _term(query, param, raw)
    return bound


def allowed_concepts(store: Store, scheme: str) -> list[URIRef]:
    """The concepts of the SKOS scheme `scheme` (a full IRI) in the store, sorted by IRI."""
    result = store.select(_CONCEPTS, bindings={"scheme": URIRef(scheme)},
                          options=QueryOptions(name=f"concepts of <{scheme}>"))
    return [URIRef(str(to_rdflib(term))) for term in result.column("concept") if term is not None]


def check_concepts(store: Store, query: NamedQuery, bound: Mapping[str, Identifier]) -> None:
    """Check that every bound concept parameter is a concept of its scheme in the store.

    Raises QueryError naming the parameter, the value and the allowed values (as prefixed names).
    """
    for param in query.params:
        value = bound.get(param.variable)
        if param.type is not ParamType.CONCEPT or value is None or param.scheme is None:
            continue
        allowed = allowed_concepts(store, param.scheme)
        if value in allowed:
            continue
        scheme = query.shorten(param.scheme)
        if not allowed:
            raise QueryError(query.label, f"parameter '{param.name}' needs a concept of {scheme}, but the store "
                                          f"has none of that scheme (is the graph built? is the scheme right?)")
        names = ", ".join(query.shorten(str(c)) for c in allowed)
        raise QueryError(query.label, f"parameter '{param.name}' must be a concept of {scheme}, got "
                                      f"'{query.shorten(str(value))}'; allowed: {names}")


def run_named(store: Store, query: NamedQuery, values: Mapping[str, str] | None = None, *,
              limit: int | None = None) -> QueryResult:
    """Run `query` with its parameters bound and checked; raises QueryError."""
    bindings = bind(query, values or {})
    check_concepts(store, query, bindings)
    return store.query(query.text, bindings=bindings, options=QueryOptions(name=query.label, limit=limit))


def run_query(store: Store, queries_dir: Path, name: str, values: Mapping[str, str] | None = None,
              *, limit: int | None = None) -> QueryResult:
    """Run the named query of `queries_dir` with its parameters; raises QueryError or InputError."""
    return run_named(store, find_query(queries_dir, name), values, limit=limit)


def run_sparql(store: Store, text: str, *, name: str = "query", limit: int | None = None,
               allow_service: bool = False) -> QueryResult:
    """Run ad-hoc SPARQL; raises QueryError naming `name` on a syntax error.

    The standard prefixes (base/terms.py PREFIXES) it uses without declaring are declared for it.
    """
    return store.query(with_prefixes(text, PREFIXES),
                       options=QueryOptions(name=name, limit=limit, allow_service=allow_service))


def describe(query: NamedQuery, store: Store | None = None) -> dict[str, Any]:
    """The query's metadata as JSON-ready data (what `clustergraph queries -f json` and /api/queries show).

    With a `store`, concept parameters list their `allowed` values (prefixed names).
    """
    params = []
    for p in query.params:
        entry: dict[str, Any] = {"name": p.name, "type": p.kind, "required": p.required and p.default is None,
                                 "default": p.default, "variable": f"?{p.variable}"}
        if p.description:
            entry["description"] = p.description
        if p.scheme is not None:
            entry["scheme"] = p.scheme
            if store is not None:
                entry["allowed"] = [query.shorten(str(c)) for c in allowed_concepts(store, p.scheme)]
        params.append(entry)
    form = query.form
    return {"name": query.name, "summary": query.summary, "description": query.description,
            "tags": list(query.tags), "form": form.value if form else None, "parameters": params}


# -- reading the header -----------------------------------------------------------------------
def _header(text: str, path: Path) -> dict[str, Any]:
    header_lines = []
    for number, text_line in enumerate(text.splitlines(), start=1):
        if text_line.startswith("#+"):
            header_lines.append((number, text_line[2:].removeprefix(" ")))
        elif text_line.strip() and not text_line.startswith("#"):
            break
    try:
        meta = yaml.safe_load("\n".join(h for _, h in header_lines)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = header_lines[mark.line][0] if mark is not None and mark.line < len(header_lines) else None
        raise InputError(f"the '#+' header is not valid YAML ({getattr(exc, 'problem', exc)})",
                         path=path, line=line) from exc
    if not isinstance(meta, dict):
        raise InputError("the '#+' header must be YAML keys (summary: ...)", path=path)
    unknown = sorted(set(map(str, meta)) - HEADER_KEYS)
    if unknown:
        raise InputError(f"unknown header key '{unknown[0]}'; use {', '.join(sorted(HEADER_KEYS))}", path=path)
    return {str(k): v for k, v in meta.items()}


def _params(text: str, meta: Mapping[str, Any], path: Path, prefixes: Mapping[str, str]) -> tuple[Param, ...]:
    defaults = _defaults(meta.get("defaults"), path)
    declared = _declarations(meta.get("parameters"), path)
    params: dict[str, Param] = {}
    for variable in lex.variables(text):
        if not variable.startswith("_") or not variable.strip("_"):
            continue
        required = not variable.startswith("__")
        name, kind = variable.lstrip("_"), ParamType.LITERAL
        for suffix in SUFFIX_TYPES:
            if name.endswith("_" + suffix.label):
                kind, name = suffix, name[: -len(suffix.label) - 1]
                break
        if name in params:
            raise InputError(f"variables ?{params[name].variable} and ?{variable} both give parameter '{name}'",
                             path=path)
        decl = declared.pop(name, {})
        kind, scheme = _declared_type(name, variable, kind, decl, path, prefixes)
        params[name] = Param(name=name, variable=variable, type=kind, required=required,
                             default=defaults.pop(name, None), scheme=scheme,
                             description=str(decl.get("description") or "").strip())
    for leftover, key in ((declared, "parameters"), (defaults, "defaults")):
        if leftover:
            known = ", ".join(params) or "none"
            raise InputError(f"'{key}' names '{next(iter(leftover))}', which is not a parameter of the query "
                             f"(parameters: {known})", path=path)
    return tuple(params.values())


def _declarations(raw: object, path: Path) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError("'parameters' must map each parameter name to its 'type', 'scheme', 'description'",
                         path=path)
    out: dict[str, dict[str, Any]] = {}
    for name, decl in raw.items():
        if not isinstance(decl, dict):
            raise InputError(f"'parameters' entry '{name}' must be keys ({', '.join(sorted(PARAMETER_KEYS))})",
                             path=path)
        unknown = sorted(set(map(str, decl)) - PARAMETER_KEYS)
        if unknown:
            raise InputError(f"parameter '{name}': unknown key '{unknown[0]}'; use "
                             f"{', '.join(sorted(PARAMETER_KEYS))}", path=path)
        out[str(name)] = {str(k): v for k, v in decl.items()}
    return out


def _declared_type(name: str, variable: str, kind: ParamType, decl: Mapping[str, Any], path: Path,
                   prefixes: Mapping[str, str]) -> tuple[ParamType, str | None]:
    """The type the header declares for a parameter (checked against its suffix) and its scheme IRI."""
    if "type" not in decl:
        if "scheme" in decl:
            raise InputError(f"parameter '{name}' has a 'scheme' but no 'type: concept'", path=path)
        return kind, None
    declared = ParamType.from_label(str(decl["type"]))
    if declared is None:
        raise InputError(f"parameter '{name}': unknown type '{decl['type']}'; use "
                         f"{', '.join(t.label for t in ParamType)}", path=path)
    if declared is not ParamType.CONCEPT:
        if declared is not kind:
            raise InputError(f"parameter '{name}' is declared {declared.label} but ?{variable} makes it "
                             f"{kind.label}", path=path)
        return kind, None
    if kind is not ParamType.IRI:
        raise InputError(f"parameter '{name}' is a concept, so its variable must end in _iri "
                         f"(?{variable.removesuffix('_' + kind.label)}_iri)", path=path)
    scheme = _expand(str(decl.get("scheme") or ""), prefixes)
    if scheme is None:
        raise InputError(f"parameter '{name}' is a concept and needs 'scheme:' (an IRI or prefixed name), "
                         f"got {decl.get('scheme')!r}", path=path)
    return ParamType.CONCEPT, scheme


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


# -- values as RDF terms ----------------------------------------------------------------------
def _term(query: NamedQuery, param: Param, raw: str) -> Identifier:
    if param.type in (ParamType.IRI, ParamType.CONCEPT):
        iri = _expand(raw, {**PREFIXES, **query.prefixes})
        if iri is None:
            raise QueryError(query.label, f"parameter '{param.name}' needs an IRI, got {raw!r}")
        return URIRef(iri)
    if param.type is ParamType.INTEGER:
        if not re.fullmatch(r"[+-]?[0-9]+", raw.strip()):
            raise QueryError(query.label, f"parameter '{param.name}' needs an integer, got {raw!r}")
        return Literal(raw.strip(), datatype=XSD.integer, normalize=False)
    if param.type is ParamType.YEAR:
        if not re.fullmatch(r"-?[0-9]{4,}", raw.strip()):
            raise QueryError(query.label, f"parameter '{param.name}' needs a year of four digits, got {raw!r}")
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
