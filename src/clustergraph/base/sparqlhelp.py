"""Help around a SPARQL text: standard prefixes for ad-hoc queries, and readable syntax errors.

`with_prefixes` declares the standard prefixes (base/terms.py PREFIXES) a query uses without
declaring them, on one first line the engine sees; the query's own declarations always win, since a
prefix it declares is never added. `explain` turns the engine's syntax error (a list of expected
Unicode ranges, positions often at the end of the text) into one line naming line:column of the
user's text and what to do: an undeclared prefix, an unknown function, a misspelt keyword.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

from clustergraph.base.sparql import Token, tokens

#: The first line of a text `with_prefixes` extended; `explain` leaves it out of positions.
HEADER_MARK = "#cg-standard-prefixes\n"

KEYWORDS = frozenset("""
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY HAVING ORDER ASC
    DESC LIMIT OFFSET VALUES UNDEF OPTIONAL GRAPH SERVICE SILENT BIND MINUS FILTER UNION NOT IN EXISTS A TRUE
    FALSE LOAD CLEAR DROP CREATE ADD MOVE COPY TO INTO INSERT DELETE DATA WITH USING DEFAULT ALL SEPARATOR
""".split())

FUNCTIONS = frozenset("""
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE
    ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE
    TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK
    ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT LANGDIR STRLANGDIR
    HASLANG HASLANGDIR ISTRIPLE TRIPLE SUBJECT PREDICATE OBJECT ADJUST
""".split())

_AT = re.compile(r"error at (\d+):(\d+)")
_RANGES = re.compile(r",?\s*\[[^\]]*\.\.[^\]]*\]", re.DOTALL)  # the engine's lists of Unicode ranges
_CUSTOM = re.compile(r"custom function <([^>]*)> is not supported")


def explain_failure(text: str, message: str) -> str:
    """One line for an evaluation error of the engine on `text` (an extension function it lacks)."""
    custom = _CUSTOM.search(message)
    if not custom:
        return f"the query failed: {message}"
    body = text[text.index("\n", len(HEADER_MARK)) + 1:] if text.startswith(HEADER_MARK) else text
    where = next((_position(body, t.start) + ": " for t in tokens(body)
                  if t.kind == "iri" and t.text == f"<{custom.group(1)}>"), "")
    return (f"{where}unknown function <{custom.group(1)}>: the engine has the SPARQL 1.1 functions only; "
            "remove the call or use one of those")


def declared(text: str) -> set[str]:
    """The prefixes `text` declares itself (PREFIX p: <...>), without the colon."""
    toks = [t for t in tokens(text) if t.kind not in ("space", "comment")]
    return {toks[i + 1].text.split(":", 1)[0] for i, t in enumerate(toks[:-1])
            if t.kind == "word" and t.text.upper() == "PREFIX" and toks[i + 1].kind == "pname"}


def used(text: str) -> list[Token]:
    """The prefixed names of `text` (outside strings, IRIs and comments), in order."""
    out, before = [], None
    for t in tokens(text):
        if t.kind == "pname" and not (before is not None and before.text == "_"):  # not a blank node _:b
            out.append(t)
        before = t
    return out


def with_prefixes(text: str, prefixes: Mapping[str, str]) -> str:
    """`text` with a first line declaring each prefix of `prefixes` it uses and does not declare."""
    own = declared(text)
    wanted = sorted({t.text.split(":", 1)[0] for t in used(text)} - own & prefixes.keys())
    if not wanted:
        return text
    return HEADER_MARK + " ".join(f"PREFIX {p}: <{prefixes[p]}>" for p in wanted) + "\n" + text


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _suggest(word: str, choices: frozenset[str]) -> str:
    close = difflib.get_close_matches(word.upper(), sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def explain(text: str, message: str, prefixes: Mapping[str, str] | None = None) -> str:
    """One line for the engine's syntax error `message` on `text`: where, what is wrong, what to do."""
    body = text[text.index("\n", len(HEADER_MARK)) + 1:] if text.startswith(HEADER_MARK) else text
    header_lines = 2 if body is not text else 0
    own = declared(text)
    for t in used(body):
        prefix = t.text.split(":", 1)[0]
        if prefix not in own:
            known = (prefixes or {}).get(prefix)
            fix = f"add 'PREFIX {prefix}: <{known}>'" if known else f"add 'PREFIX {prefix}: <...>' with its IRI"
            return (f"SPARQL syntax error at {_position(body, t.start)}: the prefix '{prefix}:' is not declared; "
                    f"{fix} before the query")
    toks = [t for t in tokens(body) if t.kind not in ("space", "comment")]
    for i, t in enumerate(toks):
        if t.kind != "word" or t.text.upper() in KEYWORDS | FUNCTIONS or t.text == "_":
            continue
        before = toks[i - 1] if i else None
        if before is not None and before.kind == "other" and (before.text == "@" or before.text.isdigit()
                                                               or before.text == "."):
            continue  # a language tag or the exponent of a number
        if before is not None and before.start + len(before.text) == t.start and before.text.isalnum():
            continue
        call = i + 1 < len(toks) and toks[i + 1].text == "("
        if call:
            return (f"SPARQL syntax error at {_position(body, t.start)}: unknown function '{t.text}'"
                    f"{_suggest(t.text, FUNCTIONS | KEYWORDS)}"
                    " (SPARQL 1.1 functions, or an IRI for an extension function)")
        return (f"SPARQL syntax error at {_position(body, t.start)}: '{t.text}' is not a SPARQL keyword"
                f"{_suggest(t.text, KEYWORDS)}")
    opened = sum(t.text == "{" for t in toks) - sum(t.text == "}" for t in toks)
    if opened > 0:
        return f"SPARQL syntax error: the query ends with {opened} '{{' not closed; add the missing '}}'"
    parens = sum(t.text == "(" for t in toks) - sum(t.text == ")" for t in toks)
    if parens > 0:
        return f"SPARQL syntax error: the query ends with {parens} '(' not closed; add the missing ')'"
    first = message.strip().splitlines()[0] if message.strip() else "syntax error"
    first = _RANGES.sub("", first).replace(", ,", ",").rstrip(", ")
    at = _AT.search(first)
    if at:
        line = max(int(at.group(1)) - header_lines, 1)
        first = _AT.sub(f"at line {line}:{at.group(2)}", first, count=1)
    if len(first) > 200:
        first = first[:200] + "..."
    return f"SPARQL syntax error {first}" if at else f"SPARQL syntax error: {first}"
