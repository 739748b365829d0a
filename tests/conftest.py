"""Shared fixtures: a project folder copied from fixtures/, settings over it, stores, a CLI runner,
and real SPARQL servers (`oxigraph serve`, Virtuoso 7) on 127.0.0.1 for the remote-store tests."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clustergraph.adapters.cli import main
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Endpoint, Settings
from processes import free_port, stop, wait_until_up

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def fixtures() -> Path:
    """The read-only fixtures folder."""
    return FIXTURES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project folder (ontology/ data/ queries/) copied from fixtures/project."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    return root


@pytest.fixture
def settings(project: Path) -> Settings:
    """Settings over the scratch project with an on-disk store inside it."""
    return Settings(root=project, store_path=project / ".clustergraph" / "store")


@pytest.fixture(scope="session")
def curated_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own project (ontology, data, shapes, queries, mappings) copied and built once."""
    root = tmp_path_factory.mktemp("curated") / "project"
    for folder in ("ontology", "data", "shapes", "queries", "mappings"):
        shutil.copytree(REPO / folder, root / folder)
    done = Cli(root)("build")
    assert done.exit_code == 0, done.output
    return root


@pytest.fixture
def curated(curated_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built curated project (store included), for a test that writes to it."""
    root = tmp_path / "project"
    shutil.copytree(curated_built, root)
    return root


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    """A fresh in-memory store."""
    with EmbeddedStore() as s:
        yield s


class Cli:
    """Runs `clustergraph` in process against one project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(main, ["--root", str(self.root), *args], input=input, catch_exceptions=False)


@pytest.fixture
def cli(project: Path) -> Cli:
    """The CLI over the scratch project (its default on-disk store)."""
    return Cli(project)


@contextlib.contextmanager
def running_oxigraph(folder: Path) -> Iterator[Endpoint]:
    """A real `oxigraph serve --union-default-graph` on a free port of 127.0.0.1, its store in `folder`."""
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(folder / "oxigraph"), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(proc, f"{base}/query?query=ASK%7B%7D", "oxigraph serve", lambda: _stderr(proc))
        yield Endpoint.from_preset("oxigraph", base, timeout_s=10)
    finally:
        stop(proc)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[Endpoint]:
    """A real `oxigraph serve` on a free port of 127.0.0.1 with its own store; stopped afterwards."""
    with running_oxigraph(tmp_path) as endpoint:
        yield endpoint


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""

# What README.md tells Virtuoso users to run once in isql: the system graphs (Virtuoso's own RDF
# metadata, the LDP vocabulary, the service description) become private, so the anonymous /sparql
# user, whose default graph is the union of all graphs, sees only the project's graphs.
VIRTUOSO_SETUP = """\
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localuriqaserver/sparql');
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);
"""


@contextlib.contextmanager
def running_virtuoso(folder: Path) -> Iterator[Endpoint]:
    """Virtuoso Open Source 7 (`virtuoso-t`, from scripts/system-deps.sh) on free ports of 127.0.0.1,
    with a new database in `folder`: queries anonymous on /sparql, writes as dba (digest auth)."""
    exe = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql")
    if exe is None or isql is None:
        pytest.fail("virtuoso-t is missing; run scripts/system-deps.sh virtuoso (make test does)")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    proc = subprocess.Popen([exe, "+foreground", "+configfile", str(ini)], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(proc, f"{base}/sparql?query=ASK%7B%7D", "virtuoso-t", lambda: _stderr(proc), timeout_s=60)
        setup = subprocess.run([isql, str(sql_port), "dba", "dba"], input=VIRTUOSO_SETUP, text=True,
                               capture_output=True, timeout=60)
        if setup.returncode != 0 or "Error" in setup.stdout + setup.stderr:
            raise RuntimeError(f"isql set-up of Virtuoso failed: {setup.stdout}{setup.stderr}")
        yield Endpoint.from_preset("virtuoso", base, user="dba", password="dba", timeout_s=30)
    finally:
        stop(proc)


@pytest.fixture
def virtuoso_server(tmp_path: Path) -> Iterator[Endpoint]:
    """A real Virtuoso 7 on free ports of 127.0.0.1 with its own new database; stopped afterwards."""
    with running_virtuoso(tmp_path / "virtuoso") as endpoint:
        yield endpoint


def _stderr(proc: subprocess.Popen[bytes]) -> str:
    return proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""


def ontology_project(root: Path, *cases: str) -> Path:
    """A project at `root` copied from fixtures/ontology/valid, plus case files of fixtures/ontology/cases.

    Each case reads FOLDER/FILE: `ontology_project(root, "data/contradiction.ttl")` adds
    cases/contradiction.ttl to the project's data/ folder.
    """
    shutil.copytree(FIXTURES / "ontology" / "valid", root)
    for case in cases:
        folder, _, name = case.partition("/")
        shutil.copy(FIXTURES / "ontology" / "cases" / name, root / folder / name)
    return root
