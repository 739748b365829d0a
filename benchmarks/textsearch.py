"""The `search` step of run.py: the text index against FILTER(CONTAINS(LCASE(...))) on raw pyoxigraph.

clustergraph: an on-disk store built as `clustergraph build` does (its index included), then the
index rebuilt alone (`reindex`, timed: the index's share of the build), its size on disk, and 100
questions, each timed alone: single words and phrases as the search page asks them (the 20 best
hits, ranked, with snippets and labels), and `search:matches` combined with a graph pattern in
SPARQL (every hit). The hits compared are every subject found. pyoxigraph: the same store contents, the same questions as FILTER(CONTAINS(LCASE))
over every indexed literal. Both report p50/p99 (ms) and the subjects found per question, so
the hits can be compared where a question has no stemming and no accent (`same_hits`).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

WORDS = ["glaze", "footwear", "tuttlingen", "sialkot", "certification", "training", "furniture", "agents",
         "knitwear", "software"]
PHRASES = ["child labour", "functional upgrading", "global buyers", "joint action", "quality management"]
PATTERN = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX search: <https://w3id.org/clustergraph/search#>
SELECT ?claim ?cluster WHERE { %s ?claim cg:cluster ?cluster . }"""


def questions() -> list[tuple[str, str]]:
    """100 (kind, words) questions: 40 words, 30 phrases, 30 SPARQL with a graph pattern."""
    out = [("word", w) for w in WORDS] * 4
    out += [("phrase", p) for p in PHRASES] * 6
    out += [("sparql", w) for w in (WORDS[:5] + PHRASES[:1])] * 5
    return out


def _filter_query(words: str, pattern: bool) -> str:
    from clustergraph.core.textindex import TEXT_PROPERTIES
    props = " ".join(f"<{p}>" for p in TEXT_PROPERTIES)
    needle = words.lower().replace("\\", "\\\\").replace('"', '\\"')
    core = f'VALUES ?p {{ {props} }} ?s ?p ?text . FILTER(isLiteral(?text) && CONTAINS(LCASE(STR(?text)), "{needle}"))'
    if pattern:
        return ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
                f"SELECT DISTINCT ?s ?cluster WHERE {{ {core} ?s cg:cluster ?cluster . }}")
    return f"SELECT DISTINCT ?s WHERE {{ {core} }}"


def _pcts(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] * 1000}


def run(engine: str, paths: list[Path]) -> dict[str, Any]:
    from clustergraph.base.terms import file_graph
    from clustergraph.core import EmbeddedStore
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp) / "store"
        store = EmbeddedStore(where)
        start = time.perf_counter()
        store.replace_graphs([(p, file_graph(p.parent.name, p.stem)) for p in paths])
        out["build_s"] = time.perf_counter() - start
        found: dict[str, list[str]] = {}
        times: list[float] = []
        if engine == "clustergraph":
            start = time.perf_counter()
            out["texts"] = store.reindex()
            out["index_build_s"] = time.perf_counter() - start
            out["index_share_of_build"] = out["index_build_s"] / out["build_s"]
            out["index_mib"] = store.index.size() / 2**20
            for kind, words in questions():
                text = f'"{words}"' if kind == "phrase" or " " in words else words
                begin = time.perf_counter()
                if kind == "sparql":
                    rows = store.query(PATTERN % f"?claim search:matches '{text}' .").rows  # type: ignore[union-attr]
                    times.append(time.perf_counter() - begin)
                    subjects = sorted({r[0].value for r in rows})
                else:  # what the search page asks: the 20 best, ranked, with snippets and labels
                    store.search(text, limit=20)
                    times.append(time.perf_counter() - begin)
                    subjects = sorted(store.index.subjects(text))  # every hit, untimed, to compare
                found[f"{kind}:{words}"] = subjects
        else:
            raw = store._store  # the same contents, queried as raw pyoxigraph
            for kind, words in questions():
                query = _filter_query(words, kind == "sparql")
                begin = time.perf_counter()
                rows = list(raw.query(query, use_default_graph_as_union=True))
                subjects = sorted({r[0].value for r in rows})
                times.append(time.perf_counter() - begin)
                found[f"{kind}:{words}"] = subjects
        out.update(_pcts(times))
        out["seconds"] = sum(times)
        out["hits"] = {k: len(v) for k, v in found.items()}
        import hashlib
        out["hits_sha256"] = {k: hashlib.sha256("\n".join(v).encode()).hexdigest()[:16] for k, v in found.items()}
        store.close()
    return out
