"""SIGKILL during ingest, retract, build, a Graph Store PUT and /api/ingest (tests/crashes.py): after every
kill the store opens and holds exactly what it held before the operation or after it.

Two random moments per operation here (ten kills); benchmarks/crash_campaign.py runs 100 or more each.
"""

from __future__ import annotations

from pathlib import Path

from crashes import OPERATIONS, run


def test_every_kill_leaves_the_store_before_or_after(tmp_path: Path) -> None:
    results = run(tmp_path, moments=2, seed=18, report=lambda line: None, triples=5_000)
    assert [c.operation for c in results] == list(OPERATIONS)
    assert sum(c.kills for c in results) == 10
    assert [c.other for c in results] == [[] for _ in OPERATIONS]
    for counts in results:
        assert counts.before + counts.after == counts.kills
