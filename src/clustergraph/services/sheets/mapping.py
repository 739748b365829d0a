"""A mapping of mappings/: the columns of one kind of spreadsheet and the YARRRML that maps its rows.

A mapping file has two parts. `columns` is clustergraph's: each column's name, description,
example and check (a datatype, a label to look up, a concept of a scheme ...); `template` writes a
CSV from it and `cells` checks rows against it. `prefixes` and `mappings` are YARRRML, which
morph-kgc runs on the checked rows (see convert.py).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from clustergraph.base.errors import InputError
from clustergraph.base.terms import PREFIXES

#: The keys of a column, besides its name: what it is, and at most one check of its cells.
_CHECKS = ("datatype", "refers-to", "concept-in", "subclass-of")
_KEYS = {"name", "description", "required", "example", "slug", "self", *_CHECKS}


@dataclass(frozen=True)
class Column:
    """One column: `check` is one of _CHECKS (or None) and `target` its IRI (a datatype, a class, a scheme)."""

    name: str
    description: str
    required: bool = False
    example: str = ""
    slug: bool = False
    check: str | None = None
    target: str | None = None
    #: For a column that may name the row's own subject: the IRI template of that subject ('self').
    self_iri: str | None = None


@dataclass(frozen=True)
class Mapping:
    """One kind of spreadsheet (`kind` is the file's stem: chain-insertion, actor ...)."""

    kind: str
    title: str
    description: str
    columns: tuple[Column, ...]
    #: The YARRRML document (prefixes and mappings), as loaded.
    yarrrml: dict[str, Any]
    path: Path

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def kinds(directory: Path) -> list[str]:
    """The kinds of spreadsheet the mappings folder has, sorted."""
    return sorted(p.stem for p in directory.glob("*.yml")) if directory.is_dir() else []


def load_mapping(directory: Path, kind: str) -> Mapping:
    """The mapping of `kind` in `directory`; InputError naming the kinds there if there is none."""
    path = directory / f"{kind}.yml"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", kind) or not path.is_file():
        known = ", ".join(kinds(directory)) or f"none: {directory} has no mappings"
        raise InputError(f"no mapping for '{kind}'; the kinds are {known}", consequence="nothing was read")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read the mapping ({one_line_of(exc)})", path=path) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("columns"), list) or "mappings" not in doc:
        raise InputError("a mapping needs `columns` (a list) and YARRRML `mappings`", path=path)
    columns = tuple(_column(path, spec) for spec in doc["columns"])
    yarrrml = {k: v for k, v in doc.items() if k not in ("title", "description", "columns")}
    return Mapping(kind, str(doc.get("title", kind)), str(doc.get("description", "")), columns, yarrrml, path)


def _column(path: Path, spec: Any) -> Column:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
        raise InputError(f"each column needs a name: {spec!r}", path=path)
    unknown = set(spec) - _KEYS
    checks = [k for k in _CHECKS if k in spec]
    if unknown or len(checks) > 1:
        what = f"unknown keys {sorted(unknown)}" if unknown else f"more than one check {checks}"
        raise InputError(f"column '{spec['name']}': {what}", path=path)
    check = checks[0] if checks else None
    return Column(name=spec["name"], description=str(spec.get("description", "")),
                  required=bool(spec.get("required", False)), example=str(spec.get("example", "") or ""),
                  slug=bool(spec.get("slug", False)), check=check,
                  target=expand(str(spec[check]), path) if check else None, self_iri=spec.get("self"))


def expand(name: str, where: Path | str) -> str:
    """The IRI of a prefixed name of the standard prefixes (or an IRI in angle brackets)."""
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, _, local = name.partition(":")
    if prefix not in PREFIXES:
        raise InputError(f"unknown prefix in '{name}'; the standard prefixes are in base/terms.py", path=where)
    return PREFIXES[prefix] + local


def template(mapping: Mapping) -> str:
    """A CSV to fill in: the header, a row of descriptions (its first cell starts with '#', so it is
    skipped when read) and one example row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in mapping.columns])
    writer.writerow([("# " if i == 0 else "") + _described(c) for i, c in enumerate(mapping.columns)])
    writer.writerow([c.example for c in mapping.columns])
    return out.getvalue()


def _described(column: Column) -> str:
    return column.description + (" (required)" if column.required else "")


def one_line_of(exc: BaseException) -> str:
    return " ".join(str(exc).split())
