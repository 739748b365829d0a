"""A small SPARQL lexer: query form, refused keywords, and variable tokens, outside strings and IRIs.

It does not parse SPARQL (the engine does); it only finds keywords and variables that are
really keywords and variables, never ones inside a string, an IRI or a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from importlib import resources

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\u00B7-\uFFFF.-]*)?:(?:[\w\u00B7-\uFFFF:%.-]|\\.)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (comment, string, iri, var, pname, word, space, other) and text."""

    kind: str
    text: str
    start: int


class QueryForm(Enum):
    """The four SPARQL query forms, and UPDATE for update requests."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"
    UPDATE = "UPDATE"


_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def tokens(text: str) -> Iterator[Token]:
    """The tokens of `text`, in order; concatenating their texts gives `text` back."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start())


def keywords(text: str) -> list[str]:
    """The bare words of `text` in upper case, skipping strings, IRIs, comments and prefixed names."""
    return [t.text.upper() for t in tokens(text) if t.kind == "word"]


def query_form(text: str) -> QueryForm | None:
    """The form of the first query or update keyword, or None if there is none."""
    for word in keywords(text):
        if word in QueryForm.__members__:
            return QueryForm[word]
        if word in _UPDATE_WORDS:
            return QueryForm.UPDATE
    return None


def uses_keyword(text: str, keyword: str) -> bool:
    """Whether `keyword` (e.g. 'SERVICE', 'LOAD') appears as a SPARQL keyword in `text`."""
    return keyword.upper() in keywords(text)


def variables(text: str) -> list[str]:
    """The names of the variables of `text`, in order of first appearance, without '?' or '$'."""
    seen: dict[str, None] = {}
    for t in tokens(text):
        if t.kind == "var":
            seen.setdefault(t.text[1:], None)
    return list(seen)


def bind_values(text: str, values: dict[str, str]) -> str:
    """`text` with `VALUES (?a ?b) { (t1 t2) }` opening the query's WHERE group.

    This pre-binds each variable for every pattern and FILTER of the group, on every SPARQL 1.1
    engine. The term texts must be N-Triples serialisations (escaped, so they cannot end the
    block early); the query text itself is not otherwise changed.
    Raises ValueError if the query has no WHERE group.
    """
    if not values:
        return text
    return bind_rows(text, list(values), [list(values.values())])


def bind_rows(text: str, names: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """`text` with `VALUES (?a ?b) { (t1 t2) (t3 t4) ... }` opening the query's WHERE group.

    As bind_values, for any number of rows (no rows: the query has no solutions). The term
    texts must be N-Triples serialisations. Raises ValueError if the query has no WHERE group,
    or a row does not have one term per name.
    """
    if any(len(row) != len(names) for row in rows):
        raise ValueError("every row of a VALUES block needs one term per variable")
    toks = list(tokens(text))
    start = _where_brace(toks)
    if start is None:
        raise ValueError("the query has no WHERE group to bind parameters in")
    variables = " ".join(f"?{name}" for name in names)
    terms = " ".join(f"({' '.join(row)})" for row in rows)
    block = f" VALUES ({variables}) {{ {terms} }} "
    return "".join(t.text for t in toks[: start + 1]) + block + "".join(t.text for t in toks[start + 1 :])


def substitute(text: str, values: dict[str, str]) -> str:
    """`text` with every occurrence of each variable of `values` replaced by its term.

    For SPARQL updates: a DATA block or DROP GRAPH takes no variable and an update has no one
    WHERE group to open with VALUES, so the term is put where the variable stands. The term
    texts must be N-Triples serialisations (escaped, so they cannot end a string or an IRI);
    variables inside strings, IRIs and comments are not variables and stay. Raises ValueError
    if a variable of `values` does not occur in `text` (a misspelt binding would be lost).
    """
    missing = set(values) - set(variables(text))
    if missing:
        raise ValueError(f"the update has no variable {', '.join('?' + v for v in sorted(missing))} to bind")
    return "".join(values.get(t.text[1:], t.text) if t.kind == "var" else t.text for t in tokens(text))


def packaged(package: str, name: str) -> str:
    """The text of the file `name` (an internal .rq query) of the Python package `package`.

    Modules read their fixed SPARQL once, at import, as module constants (tests/test_sparql_texts.py).
    """
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def _where_brace(toks: list[Token]) -> int | None:
    """Index of the '{' that opens the outermost WHERE group."""
    form: str | None = None
    seen_where = False
    for i, t in enumerate(toks):
        if t.kind == "word":
            word = t.text.upper()
            if form is None and word in QueryForm.__members__:
                form = word
            elif word == "WHERE" and form is not None:
                seen_where = True
        elif t.kind == "other" and t.text == "{" and form is not None:
            # CONSTRUCT's first group is its template, unless WHERE came first (CONSTRUCT WHERE {}).
            if form != "CONSTRUCT" or seen_where:
                return i
            form = "CONSTRUCT-TEMPLATE"
        elif t.kind == "other" and t.text == "}" and form == "CONSTRUCT-TEMPLATE":
            continue
    return None


def with_base(text: str, base_iri: str | None) -> str:
    """`text` with `BASE <base_iri>` before it, on its first line (so line numbers stay), if given.

    For engines reached by text only; a query's own BASE, later in its prologue, still wins.
    """
    if base_iri is None:
        return text
    if any(c in base_iri for c in '<>"{}|^`\\ '):
        raise ValueError(f"not an IRI: {base_iri!r}")
    return f"BASE <{base_iri}> {text}"
