"""The text of SHACL-SPARQL constraints: what the compiled engine may run, and one rewrite.

services/validation/compiler.py joins a constraint's SELECT to its shape's target. These helpers read
the SELECT's text (with the small lexer of base/sparql.py, so strings and IRIs are never taken
for syntax): whether every nested group binds ?this; `not_exists_as_minus`, which turns a
`FILTER NOT EXISTS` over a join into the `MINUS` that means the same there and runs in linear
time; and `triple_groups`, the triple patterns of each group, from which delta validation works
out what a constraint reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clustergraph.base.sparql import Token, tokens

_THIS_IN_TRIPLE = re.compile(r"\?this\s+(a\s|[<:\w?^(])|[>\w]\s+\?this\s*[.;,}]")


def binds_this_in_groups(body: str) -> bool:
    """Whether every group inside a WHERE body (EXISTS groups aside) matches ?this in a triple."""
    for match in re.finditer(r"\{", body):
        if re.search(r"EXISTS\s*$", body[:match.start()], re.I):
            continue
        depth, end = 0, len(body)
        for i in range(match.start(), len(body)):
            depth += {"{": 1, "}": -1}.get(body[i], 0)
            if depth == 0:
                end = i
                break
        if not _THIS_IN_TRIPLE.search(body[match.start() + 1:end]):
            return False
    return True


_NOT_BGP = {"FILTER", "BIND", "OPTIONAL", "VALUES", "SERVICE", "GRAPH", "UNION", "MINUS", "EXISTS", "NOT",
            "SELECT"}


def not_exists_as_minus(body: str, restrict: str = "") -> str:
    """`body` (a WHERE group after its '{') with each `FILTER NOT EXISTS { BGP }` of the group's own
    level that mentions ?this turned into a `MINUS { BGP }` at the end of the group.

    The two agree here: ?this is bound in every solution (the target binds it first), the inner
    group is a basic graph pattern, and a FILTER applies to the whole group as a MINUS at its end
    does. They differ in speed: the store evaluates NOT EXISTS once per solution with a join plan
    made as if nothing were bound (a hash join over the whole inner pattern each time: quadratic),
    MINUS once as an anti-join. Any other NOT EXISTS is left as it is. `restrict` (a pattern
    binding ?this to the focus nodes) opens each MINUS group, so that it reads only what it needs.
    """
    toks = list(tokens(body))
    depth, i = 1, 0
    kept: list[str] = []
    moved: list[str] = []
    while i < len(toks):
        t = toks[i]
        if t.kind == "other" and t.text in "{}":
            depth += 1 if t.text == "{" else -1
            if depth == 0:  # the group's closing brace: the MINUS blocks go before it
                kept += [f" MINUS {{ {restrict + ' ' if restrict else ''}{inner.strip()} }} " for inner in moved]
                kept += [x.text for x in toks[i:]]
                return "".join(kept)
        if depth == 1 and t.kind == "word" and t.text.upper() == "FILTER":
            span = _not_exists_bgp(toks, i)
            if span is not None:
                end, inner = span
                moved.append(inner)
                i = end + 1
                continue
        kept.append(t.text)
        i += 1
    return body  # no closing brace found: leave the query to the store's parser as it was


def _not_exists_bgp(toks: list[Token], start: int) -> tuple[int, str] | None:
    """(index of the closing brace, inner text) of `FILTER NOT EXISTS { BGP with ?this }` at `start`."""
    words = [j for j in range(start + 1, len(toks)) if toks[j].kind not in ("space", "comment")][:3]
    if len(words) < 3 or [toks[j].text.upper() for j in words] != ["NOT", "EXISTS", "{"]:
        return None
    inner: list[str] = []
    for j in range(words[2] + 1, len(toks)):
        t = toks[j]
        if t.kind == "other" and t.text == "}":
            text = "".join(inner)
            has_this = any(x.kind == "var" and x.text == "?this" for x in toks[words[2]:j])
            return (j, text) if has_this else None
        if (t.kind == "other" and t.text == "{") or (t.kind == "word" and t.text.upper() in _NOT_BGP):
            return None
        inner.append(t.text)
    return None


# -- triple patterns, for delta validation (services/validation/dependencies.py) -------------------------------

class Unreadable(Exception):
    """The text of a constraint is more than this reader follows."""


@dataclass
class Group:
    """A group of a WHERE clause: its own triple patterns (subject, predicate or path, object, in
    SPARQL syntax with full IRIs), inside its parent group."""

    parent: Group | None
    patterns: list[tuple[str, str, str]] = field(default_factory=list)

    def around(self) -> list[tuple[str, str, str]]:
        """The patterns of this group and of the groups around it."""
        out: list[tuple[str, str, str]] = []
        group: Group | None = self
        while group is not None:
            out += group.patterns
            group = group.parent
        return out


def triple_groups(text: str) -> list[Group]:
    """The groups of the WHERE clause of a SELECT with PREFIX lines, each with its triple patterns.

    FILTER, BIND and OPTIONAL/MINUS/UNION/EXISTS keywords only separate patterns; a nested
    group (OPTIONAL, MINUS, a UNION branch, an EXISTS) is a group of its own. Raises Unreadable
    for a sub-SELECT, GRAPH, SERVICE, VALUES, blank node property lists or unknown syntax.
    """
    toks = [t for t in tokens(text) if t.kind not in ("space", "comment")]
    words = [t.text.upper() for t in toks if t.kind == "word"]
    if words.count("SELECT") != 1 or "GRAPH" in words or "SERVICE" in words:
        raise Unreadable("a SPARQL constraint with a sub-SELECT, GRAPH or SERVICE")
    prefixes = {m.group(1): m.group(2) for m in re.finditer(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", text, re.I)}
    start = next((i for i, t in enumerate(toks) if t.text == "{"), None)
    if start is None:
        raise Unreadable("a SELECT without a WHERE group")
    groups: list[Group] = []
    _parse_group(toks, start + 1, Group(None), groups, prefixes)
    return groups


def _parse_group(toks: list[Token], i: int, group: Group, groups: list[Group], prefixes: dict[str, str]) -> int:
    """Read the group that starts after its '{' at `i`; returns the index after its '}'."""
    groups.append(group)
    current: list[Token] = []

    def flush() -> None:
        if current:
            group.patterns.extend(_triples(current, prefixes))
            current.clear()

    while i < len(toks):
        t = toks[i]
        word = t.text.upper() if t.kind == "word" else ""
        if t.text == "}":
            flush()
            return i + 1
        if t.text == "{":
            flush()
            i = _parse_group(toks, i + 1, Group(group), groups, prefixes)
            continue
        if word in ("FILTER", "BIND"):
            flush()
            i += 1
            if i < len(toks) and toks[i].text == "(":
                i = _skip_parens(toks, i)
            continue  # FILTER NOT EXISTS { } and FILTER EXISTS { }: the group comes next
        if word in ("OPTIONAL", "MINUS", "UNION", "NOT", "EXISTS"):
            flush()
            i += 1
            continue
        if word == "VALUES":
            raise Unreadable("VALUES in a SPARQL constraint")
        if t.text == "." and current and not _in_number(toks, i):
            current.append(t)
            i += 1
            continue
        current.append(t)
        i += 1
    raise Unreadable("an unbalanced SPARQL constraint")


def _skip_parens(toks: list[Token], i: int) -> int:
    depth = 0
    while i < len(toks):
        depth += {"(": 1, ")": -1}.get(toks[i].text, 0)
        i += 1
        if depth == 0:
            return i
    raise Unreadable("unbalanced parentheses")


def _in_number(toks: list[Token], i: int) -> bool:
    return 0 < i < len(toks) - 1 and toks[i - 1].text.isdigit() and toks[i + 1].text.isdigit()


def _triples(toks: list[Token], prefixes: dict[str, str]) -> list[tuple[str, str, str]]:
    """Triple patterns of a run of tokens (subjects, ';' predicate lists and ',' object lists)."""
    out: list[tuple[str, str, str]] = []
    i, n = 0, len(toks)
    while i < n:
        if toks[i].text == ".":
            i += 1
            continue
        subject, i = _term(toks, i, prefixes)
        while True:
            predicate, i = _path_text(toks, i, prefixes)
            while True:
                obj, i = _term(toks, i, prefixes)
                out.append((subject, predicate, obj))
                if i < n and toks[i].text == ",":
                    i += 1
                    continue
                break
            if i < n and toks[i].text == ";":
                i += 1
                if i < n and toks[i].text in (".", ";"):
                    continue
                if i >= n:
                    break
                continue
            break
    return out


def _resolve(t: Token, prefixes: dict[str, str]) -> str:
    if t.kind == "pname":
        prefix, _, local = t.text.partition(":")
        if prefix not in prefixes:
            raise Unreadable(f"unknown prefix {prefix}:")
        return f"<{prefixes[prefix]}{local}>"
    return t.text


def _term(toks: list[Token], i: int, prefixes: dict[str, str]) -> tuple[str, int]:
    if i >= len(toks):
        raise Unreadable("a triple pattern cut short")
    t = toks[i]
    if t.kind in ("var", "iri", "pname"):
        return _resolve(t, prefixes), i + 1
    if t.text == "[" and i + 1 < len(toks) and toks[i + 1].text == "]":
        return "[]", i + 2
    if t.kind == "string" or t.text.isdigit() or t.text in ("-", "+") or t.kind == "word":
        j = i + 1
        while j < len(toks) and toks[j].text not in (".", ";", ",") or (j < len(toks) and _in_number(toks, j)):
            j += 1
        return "".join(x.text if x.kind != "pname" else _resolve(x, prefixes) for x in toks[i:j]), j
    raise Unreadable(f"a triple pattern term the reader does not know: {t.text}")


def _path_text(toks: list[Token], i: int, prefixes: dict[str, str]) -> tuple[str, int]:
    """The predicate (a variable, IRI or property path) at `i`, in SPARQL syntax with full IRIs."""
    if i < len(toks) and toks[i].kind == "var":
        return toks[i].text, i + 1
    out: list[str] = []
    depth, expect_step = 0, True
    while i < len(toks):
        t = toks[i]
        if expect_step:
            if t.text in ("^", "("):
                depth += t.text == "("
                out.append(t.text)
            elif t.kind in ("iri", "pname"):
                out.append(_resolve(t, prefixes))
                expect_step = False
            elif t.kind == "word" and t.text == "a":
                out.append("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>")
                expect_step = False
            else:
                raise Unreadable(f"a property path the reader does not know at {t.text}")
        elif t.text in ("/", "|"):
            out.append(t.text)
            expect_step = True
        elif t.text in ("*", "+", "?"):
            out.append(t.text)
        elif t.text == ")" and depth > 0:
            depth -= 1
            out.append(t.text)
        else:
            break
        i += 1
    return "".join(out), i
