"""The README's and docs/' examples run and say what the pages say they do, and every link between
the pages leads somewhere: the shell flow from a spreadsheet to a retracted batch, the SPARQL text
search example, the Python example of docs/catalogue.md and the doctest of clustergraph.api, on the
curated graph (conftest's `curated`)."""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
from pathlib import Path

import pytest

from conftest import REPO, Cli

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def block(page: Path, after: str, language: str) -> str:
    """The first ```language block after the line `after` of `page`."""
    text = page.read_text(encoding="utf-8")
    start = text.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(text, start)
    assert match, f"no {language} block after {after!r} in {page.name}"
    return match.group(1)


def anchors(page: Path) -> set[str]:
    """GitHub's anchors of the headings of `page`."""
    headings = re.findall(r"(?m)^#{1,6} (.+)$", page.read_text(encoding="utf-8"))
    return {re.sub(r"[^a-z0-9 _-]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_between_the_pages_leads_somewhere(page: Path) -> None:
    text = re.sub(r"(?s)```.*?```", "", page.read_text(encoding="utf-8"))
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target} (no such heading)")
    assert broken == [], f"{page.name}: {broken}"


def test_every_page_of_docs_is_linked_from_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = {target.partition("#")[0] for target in re.findall(r"\]\((docs/[^)\s]+)\)", readme)}
    pages = {f"docs/{page.name}" for page in (REPO / "docs").glob("*.md")}
    assert pages - linked == set(), "pages of docs/ the README does not link"


def test_the_readme_spreadsheet_flow_runs_as_written(curated: Path) -> None:
    cli = Cli(curated)
    before = cli("export", "--format", "nquads").output
    batch = None
    for line in block(REPO / "README.md", "### From a spreadsheet to a retracted batch", "sh").splitlines():
        command = line.split(" #")[0].strip()
        if not command.startswith("clustergraph "):
            continue  # the comment line where the steward fills the sheet in
        args = shlex.split(command)[1:]
        args = [str(curated / a) if a.endswith(".csv") else a for a in args]
        if args[0] == "retract":
            assert batch, "ingest printed no batch"
            args[1] = batch
        done = cli(*args)
        assert done.exit_code == 0, f"{command}: {done.output}"
        if args[0] == "ingest":
            batch = re.match(r"batch (\S+):", done.stdout).group(1)  # type: ignore[union-attr]
        if args[0] == "batches":
            assert batch in done.stdout
    assert cli("export", "--format", "nquads").output == before, "retract did not restore the store"


def test_the_readme_text_search_example_gives_what_the_docs_say(curated_built: Path) -> None:
    """docs/analysts.md: three claims about Brazilian auto-components producers, each from
    Quadros 2002, IDS Working Paper 156, verified."""
    sparql = block(REPO / "README.md", "### Find by words", "sparql")
    done = Cli(curated_built)("query", "-e", sparql, "--format", "json")
    assert done.exit_code == 0, done.output
    rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(done.stdout)["results"]["bindings"]]
    assert len(rows) == 3
    assert {(r["clusterLabel"], r["sourceLabel"], r["statusLabel"]) for r in rows} == {
        ("Brazilian auto-components producers", "Quadros 2002, IDS Working Paper 156", "verified")}


def test_the_python_examples_run(curated_built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import clustergraph.api

    monkeypatch.chdir(curated_built)
    code = block(REPO / "docs" / "catalogue.md", "## Python", "python")
    names: dict[str, object] = {}
    exec(compile(code, "docs/catalogue.md", "exec"), names)  # noqa: S102 - our own documentation
    first = names["r"].rows[0]  # type: ignore[attr-defined]
    # what the page says the first row is "at the time of writing"
    assert str(first["scheme"]) == "https://w3id.org/clustergraph/concept/IsicRev4"
    assert int(first["concepts"]) == 21
    failures, tried = doctest.testmod(clustergraph.api, optionflags=doctest.ELLIPSIS)
    assert tried >= 4 and failures == 0
    assert os.getcwd() == str(curated_built)
