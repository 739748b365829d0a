"""`clustergraph search` and `clustergraph reindex` on the scratch project's on-disk store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from clustergraph.core.config import DEFAULT_STORE
from clustergraph.core.textindex import index_path
from conftest import Cli


def test_search_prints_hits_as_json_and_csv(cli: Cli) -> None:
    assert cli("build").exit_code == 0
    result = cli("search", "alpha", "--format", "json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert [(h["label"], h["kind"]) for h in hits] == [("alpha cluster", "cluster")]
    rows = list(csv.DictReader(io.StringIO(cli("search", "cluster", "--format", "csv").stdout)))
    assert sorted(r["label"] for r in rows) == ["alpha cluster", "beta cluster", "cluster"]  # the class too


def test_a_bad_search_exits_2_with_one_line(cli: Cli) -> None:
    assert cli("build").exit_code == 0
    result = cli("search", '"alpha')
    assert result.exit_code == 2
    assert result.stderr == 'error: search: the quote before "alpha" is not closed\n'


def test_a_store_without_index_says_so_and_reindex_rebuilds_it(cli: Cli, project: Path) -> None:
    assert cli("build").exit_code == 0
    index = index_path(project / DEFAULT_STORE)
    for suffix in ("", "-wal", "-shm"):
        Path(str(index) + suffix).unlink(missing_ok=True)
    missing = cli("search", "alpha")
    assert missing.exit_code == 2
    assert missing.stderr == (f"error: {index}: there is no text index for this store (built by an older "
                              "version?); run 'clustergraph reindex'\n")
    rebuilt = cli("reindex")
    assert rebuilt.exit_code == 0
    assert rebuilt.stderr.startswith("reindexed ")
    assert cli("search", "alpha", "--format", "json").exit_code == 0
