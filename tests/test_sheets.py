"""Spreadsheets in (services/sheets, mappings/): each template's example row maps to triples that
conform to the shapes on the curated graph, every problem of a sheet is one line with its row and
column, and a sheet goes in and out as a batch like any file: CLI, .xlsx, and the HTTP API.

The curated graph (the repository's ontology/ and data/) is what the templates' examples name, so
the project here is conftest's `curated`: a copy of the repository's folders, built once per session."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.services.sheets import kinds, load_mapping, sheet_input, template
from conftest import REPO, Cli
from server_app import TOKEN, AppClient, client_for

MAPPINGS = REPO / "mappings"
CLAIM = "https://w3id.org/clustergraph/id/claim/"


def rows_of(kind: str) -> list[dict[str, str]]:
    """The template of `kind` as dicts: its description row and its example row."""
    return list(csv.DictReader(io.StringIO(template(load_mapping(MAPPINGS, kind)))))


def sheet(kind: str, *rows: dict[str, str], columns: list[str] | None = None) -> str:
    names = columns or [c.name for c in load_mapping(MAPPINGS, kind).columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def dump(root: Path) -> str:
    done = Cli(root)("export", "--format", "nquads")
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("kind", kinds(MAPPINGS))
def test_each_template_example_row_maps_to_triples_that_conform(kind: str, curated: Path) -> None:
    described, example = rows_of(kind)
    assert list(described.values())[0].startswith("#"), "the second row describes the columns"
    file = curated / f"{kind}.csv"
    file.write_text(template(load_mapping(MAPPINGS, kind)), encoding="utf-8")
    done = Cli(curated)("validate", str(file), "--mapping", kind, "--format", "json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert [r for r in report["results"] if r["origin"] == "introduced"] == []
    with EmbeddedStore(curated / ".clustergraph" / "store", read_only=True) as store:
        quads = sheet_input(store, MAPPINGS, kind, name=file.name, data=file.read_bytes()).quads
    subjects = {q.subject.value for q in quads if q.predicate.value.endswith("#type")}
    assert any(s.endswith("/" + example["id"]) for s in subjects)
    # every filled cell but the id gives at least one triple (a period gives three for two cells)
    assert len(quads) >= sum(1 for name, value in example.items() if value and name != "id")


def test_every_problem_is_one_line_with_row_and_column(curated: Path) -> None:
    _, example = rows_of("chain-insertion")
    rows = [example,
            {**example, "id": "typo-governance", "governance": "quasi hierachy"},
            {**example, "id": "ill-typed-year", "end": "20O1"},
            {**example, "id": "unknown-cluster", "cluster": "Sinos Vally"},
            {**example, "id": "Not An Id"}]
    file = curated / "cases.csv"
    file.write_text(sheet("chain-insertion", *rows), encoding="utf-8")
    before = dump(curated)
    done = Cli(curated)("ingest", str(file), "--mapping", "chain-insertion", "--by", "A. Steward")
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {file}:3:governance: 'quasi hierachy' is not in ")
    assert "expected one of hierarchy, market, network, quasi-hierarchy" in lines[0]
    assert lines[1] == f"{file}:4:end: '20O1' is not a value of xsd:gYear (a year of four digits, such as 2001)"
    assert lines[2].startswith(f"{file}:5:cluster: no cluster is called 'Sinos Vally'; candidates: ")
    assert "(cluster:sinos-valley)" in lines[2]
    assert lines[3].startswith(f"{file}:6:id: 'Not An Id' is not an id")
    assert lines[4] == f"{file}: 4 problems in the spreadsheet; nothing was changed"
    assert dump(curated) == before


def test_a_missing_column_and_an_ambiguous_name(curated: Path) -> None:
    _, example = rows_of("actor")
    names = [c.name for c in load_mapping(MAPPINGS, "actor").columns]
    missing = curated / "missing.csv"
    missing.write_text(sheet("actor", example, columns=[n for n in names if n != "status"]), encoding="utf-8")
    done = Cli(curated)("validate", str(missing), "--mapping", "actor")
    assert done.exit_code == 2
    assert done.stderr.splitlines()[0] == (f"error: {missing}:1:status: the column is missing "
                                           "(`clustergraph template actor` writes a sheet with every column)")
    ambiguous = curated / "ambiguous.csv"
    ambiguous.write_text(sheet("actor", {**example, "operates-in": "Sao Paulo"}), encoding="utf-8")
    done = Cli(curated)("validate", str(ambiguous), "--mapping", "actor")
    assert done.exit_code == 2
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"error: {ambiguous}:2:operates-in: 'Sao Paulo' names 2 places: ")
    assert "(place:sao-paulo-city)" in first and "(place:sao-paulo-state)" in first


def test_a_sheet_without_a_mapping_or_with_an_unknown_one_is_refused(curated: Path) -> None:
    file = curated / "cases.csv"
    file.write_text(template(load_mapping(MAPPINGS, "actor")), encoding="utf-8")
    done = Cli(curated)("validate", str(file))
    assert done.exit_code == 2 and "needs --mapping KIND" in done.stderr and "chain-insertion" in done.stderr
    done = Cli(curated)("validate", str(file), "--mapping", "nonesuch")
    assert done.exit_code == 2
    assert "no mapping for 'nonesuch'; the kinds are actor, certification" in done.stderr


def test_a_sheet_is_ingested_as_a_batch_and_retracted(curated: Path) -> None:
    cli = Cli(curated)
    file = curated / "cases.csv"
    assert cli("template", "upgrading-outcome", "--output", str(file)).exit_code == 0
    before = dump(curated)
    done = cli("ingest", str(file), "--mapping", "upgrading-outcome", "--by", "A. Steward")
    assert done.exit_code == 0, done.output
    batch = done.stdout.split()[1].rstrip(":")
    ask = f"ASK {{ <{CLAIM}example-sinos-us-process-upgrading> cg:outcome cgs:Achieved }}"
    assert cli("query", "-e", ask, "--format", "json").stdout.strip().endswith("true}")
    listed = json.loads(cli("batches", "--format", "json").stdout)
    assert [b["file"] for b in listed] == ["cases.csv"]
    assert cli("retract", batch).exit_code == 0
    assert dump(curated) == before


def test_an_xlsx_workbook_reads_like_its_csv(curated: Path) -> None:
    from openpyxl import Workbook

    described, example = rows_of("certification")
    book = Workbook()
    sheet_ = book.active
    assert sheet_ is not None
    sheet_.append(list(example))
    sheet_.append(list(described.values()))
    sheet_.append([int(v) if v.isdigit() else v for v in example.values()])
    sheet_.append([{**example, "start": "1999", "end": "two thousand"}[k] for k in example])
    file = curated / "cases.xlsx"
    book.save(file)
    done = Cli(curated)("validate", str(file), "--mapping", "certification")
    assert done.exit_code == 2
    assert done.stderr.splitlines()[0] == (f"error: {file}:4:id: 'example-auto-components-qs-certification' "
                                           "is the id of row 3 too; ids are unique")
    assert done.stderr.splitlines()[1].startswith(f"{file}:4:end: 'two thousand' is not a value of xsd:gYear")
    book.active.delete_rows(4)  # type: ignore[union-attr]
    book.save(file)
    done = Cli(curated)("validate", str(file), "--mapping", "certification")
    assert done.exit_code == 0, done.output


@pytest.fixture
def client(curated: Path) -> Iterator[AppClient]:
    settings = Settings(root=curated, store_path=curated / ".clustergraph" / "store",
                        base_url="http://testserver", write_token=TOKEN)
    app = client_for(replace(settings))
    try:
        yield app
    finally:
        app.close()


def test_the_api_takes_a_csv_with_its_mapping(client: AppClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/csv"}
    body = template(load_mapping(MAPPINGS, "chain-insertion")).encode()
    checked = client.post("/api/validate?mapping=chain-insertion&name=cases.csv", content=body, headers=auth)
    assert checked.status_code == 200, checked.text
    assert checked.json()["conforms"] is True
    bad = body.replace(b"quasi-hierarchy", b"quasi hierachy")
    refused = client.post("/api/ingest?mapping=chain-insertion&name=cases.csv&by=A", content=bad, headers=auth)
    assert refused.status_code == 400
    assert refused.json()["problems"] == [
        "cases.csv:3:governance: 'quasi hierachy' is not in governance types (Humphrey and Schmitz); "
        "expected one of hierarchy, market, network, quasi-hierarchy"]
    assert client.get("/api/batches", headers=auth).json() == {"batches": []}
    unmapped = client.post("/api/validate?name=cases.csv", content=body, headers=auth)
    assert unmapped.status_code == 400 and "?mapping=KIND" in unmapped.json()["error"]
    made = client.post("/api/ingest?mapping=chain-insertion&name=cases.csv&by=A", content=body, headers=auth)
    assert made.status_code == 201, made.text
    assert made.json()["batch"]["file"] == "cases.csv"
