"""The text-search query language and its SPARQL form; no I/O.

Query syntax (what analysts type in the search box, `clustergraph search`, `/api/search?q=`):

    glaze upgrading          every word must match (stemmed, accents folded)
    "child labour"           a phrase: the words next to each other, in this order
    -leather                 excluded: texts with this word do not match
    kind:publication         only hits of one kind (cluster, actor, chain, claim, publication,
                             standard, place, term, other)

Inside SPARQL, one triple pattern whose predicate is `search:matches`
(`PREFIX search: <https://w3id.org/clustergraph/search#>`) and whose object is a query string
binds its subject variable to the subjects whose texts match:

    ?claim search:matches "certification" .

The embedded store answers it from the text index by writing `VALUES ?claim { <...> ... }` in its
place before the query reaches the engine, so it combines with any graph pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clustergraph.base import sparql as lex

#: Written here, not in base/terms.py with the other namespaces: that module imports rdflib, and the
#: command line's --help, which imports this one, must not (tests/test_cli_imports.py).
SEARCH_NS = "https://w3id.org/clustergraph/search#"
MATCHES = SEARCH_NS + "matches"

#: The kinds a hit can have, named by the root class of its subject (see core/textindex.py).
KINDS = ("cluster", "actor", "chain", "claim", "publication", "standard", "place", "term", "other")

#: Abbreviations analysts type for words the texts spell out: "WP 152" finds "Working Paper 152".
ABBREVIATIONS = {"wp": "working paper", "wps": "working papers", "gvc": "global value chain",
                 "gvcs": "global value chains"}

_TERM = re.compile(r'\s*(-?)(?:"([^"]*)("?)|(\S+))')
_WORD_CHARS = re.compile(r"\w", re.UNICODE)


class TextQueryError(ValueError):
    """A search query that cannot be read; the message is one line in the user's words."""


@dataclass(frozen=True)
class TextQuery:
    """A parsed search: phrases that must match (a word is a one-word phrase), phrases that must
    not, and an optional kind."""

    required: tuple[str, ...]
    excluded: tuple[str, ...] = ()
    kind: str | None = None

    def fts5(self) -> str:
        """The SQLite FTS5 MATCH expression; every phrase is quoted, so no input is FTS5 syntax."""
        expr = " AND ".join(_expand(p) for p in self.required)
        for phrase in self.excluded:
            expr = f"({expr}) NOT {_quote(phrase)}"
        return expr


def parse_text_query(text: str) -> TextQuery:
    """Read the search syntax above. Raises TextQueryError on an unclosed quote, an unknown kind,
    a query with no word to find, or nothing but punctuation."""
    required: list[str] = []
    excluded: list[str] = []
    kind: str | None = None
    for match in _TERM.finditer(text):
        minus, phrase, closing, word = match.groups()
        if phrase is not None and not closing:
            raise TextQueryError(f'the quote before "{phrase.strip()[:30]}" is not closed')
        term = phrase if phrase is not None else word
        if phrase is None and not minus and term.lower().startswith("kind:"):
            kind = term[5:].lower()
            if kind not in KINDS:
                raise TextQueryError(f"unknown kind '{kind}'; use one of {', '.join(KINDS)}")
            continue
        if not _WORD_CHARS.search(term):
            continue  # punctuation alone finds nothing; the tokenizer drops it too
        (excluded if minus else required).append(" ".join(term.split()))
    if not required:
        if excluded:
            raise TextQueryError("a search needs at least one word to find, not only excluded ones")
        raise TextQueryError("the search has no word to find")
    return TextQuery(tuple(required), tuple(excluded), kind)


def _expand(phrase: str) -> str:
    spelt = ABBREVIATIONS.get(phrase.lower())
    return f"({_quote(phrase)} OR {_quote(spelt)})" if spelt else _quote(phrase)


def _quote(phrase: str) -> str:
    return '"' + phrase.replace('"', '""') + '"'


@dataclass(frozen=True)
class TextPattern:
    """One `?var search:matches "query"` pattern found in a SPARQL query, by character span."""

    variable: str
    query: str
    start: int
    end: int


def text_patterns(sparql: str) -> list[TextPattern]:
    """The text-search patterns of `sparql`, in order (never inside a string, IRI or comment).

    Raises TextQueryError if `search:matches` is used in any other shape than
    `?var search:matches "query"` ending with '.' or '}'.
    """
    toks = [t for t in lex.tokens(sparql) if t.kind not in ("space", "comment")]
    found: list[TextPattern] = []
    for i, tok in enumerate(toks):
        if not _is_matches(tok):
            continue
        subject = toks[i - 1] if i > 0 else None
        obj = toks[i + 1] if i + 1 < len(toks) else None
        if subject is None or subject.kind != "var" or obj is None or obj.kind != "string":
            raise TextQueryError('use search:matches as "?subject search:matches \\"words\\" ." '
                                 "(a variable, then the query as a plain string)")
        end = obj.start + len(obj.text)
        after = toks[i + 2] if i + 2 < len(toks) else None
        if after is not None and after.text == ".":
            end = after.start + 1
        elif after is None or after.text != "}":
            raise TextQueryError("end the search:matches pattern with '.' (it cannot share a ';' list)")
        found.append(TextPattern(subject.text[1:], _unquote(obj.text), subject.start, end))
    return found


def uses_text_search(sparql: str) -> bool:
    """Whether `sparql` has a search:matches pattern (outside strings, IRIs and comments)."""
    return any(_is_matches(t) for t in lex.tokens(sparql))


def _is_matches(tok: lex.Token) -> bool:
    return (tok.kind == "pname" and tok.text == "search:matches") or (
        tok.kind == "iri" and tok.text == f"<{MATCHES}>")


def _unquote(literal: str) -> str:
    body = literal[3:-3] if literal[:3] in ('"""', "'''") else literal[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), body)


def replace_patterns(sparql: str, values: list[tuple[TextPattern, list[str]]]) -> str:
    """`sparql` with each pattern replaced by `VALUES ?var { <iri> ... }` (IRIs already checked)."""
    out: list[str] = []
    last = 0
    for pattern, iris in values:
        out.append(sparql[last:pattern.start])
        out.append(f"VALUES ?{pattern.variable} {{ {' '.join(f'<{i}>' for i in iris)} }} ")
        last = pattern.end
    out.append(sparql[last:])
    return "".join(out)
