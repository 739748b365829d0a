"""Engine presets and where settings come from: command line, then CLUSTERGRAPH_* variables, then
clustergraph.toml, then defaults."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from clustergraph.adapters.cli import main
from clustergraph.base.errors import InputError
from clustergraph.core.config import DEFAULT_STORE, PRESETS, Auth, Endpoint, Settings, read_config
from conftest import Cli

ENV = ("CLUSTERGRAPH_ENDPOINT", "CLUSTERGRAPH_ENGINE", "CLUSTERGRAPH_UPDATE_URL", "CLUSTERGRAPH_GSP_URL",
       "CLUSTERGRAPH_USER", "CLUSTERGRAPH_PASSWORD", "CLUSTERGRAPH_STORE", "CLUSTERGRAPH_CONFIG",
       "CLUSTERGRAPH_MEMORY", "CLUSTERGRAPH_ROOT")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def settings_of(root: Path, *args: str) -> Settings:
    """The Settings the CLI builds from `args` (and the environment), without running a command."""
    ctx = main.make_context("clustergraph", ["--root", str(root), *args, "stats"])
    with ctx:
        ctx.invoke(main.callback, **ctx.params)  # type: ignore[arg-type]
        assert isinstance(ctx.obj, Settings)
        return ctx.obj


# -- presets ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("engine", "base", "query", "update", "gsp", "auth"), [
    ("oxigraph", "http://h:7878", "http://h:7878/query", "http://h:7878/update", "http://h:7878/store", Auth.BASIC),
    ("fuseki", "http://h:3030/ds/", "http://h:3030/ds/query", "http://h:3030/ds/update", "http://h:3030/ds/data",
     Auth.BASIC),
    ("virtuoso", "http://h:8890", "http://h:8890/sparql", "http://h:8890/sparql-auth",
     "http://h:8890/sparql-graph-crud-auth", Auth.DIGEST),
    ("graphdb", "http://h:7200/repositories/cg", "http://h:7200/repositories/cg",
     "http://h:7200/repositories/cg/statements", "http://h:7200/repositories/cg/rdf-graphs/service", Auth.BASIC),
    ("qlever", "http://h:7001", "http://h:7001", None, None, Auth.BASIC),
])
def test_a_preset_derives_the_urls_from_the_base(engine: str, base: str, query: str, update: str | None,
                                                  gsp: str | None, auth: Auth) -> None:
    endpoint = Endpoint.from_preset(engine, base)
    assert (endpoint.query_url, endpoint.update_url, endpoint.gsp_url, endpoint.auth, endpoint.engine) == (
        query, update, gsp, auth, engine)


def test_explicit_urls_win_over_the_preset_s() -> None:
    endpoint = Endpoint.from_preset("virtuoso", "http://h:8890", update_url="http://h:8890/sparql",
                                    user="dba", password="secret")
    assert (endpoint.update_url, endpoint.gsp_url, endpoint.user) == (
        "http://h:8890/sparql", "http://h:8890/sparql-graph-crud-auth", "dba")
    assert "secret" not in repr(endpoint)


def test_every_preset_is_listed_with_its_base_url_in_the_help(cli: Cli) -> None:
    assert sorted(PRESETS) == ["fuseki", "graphdb", "oxigraph", "qlever", "virtuoso"]
    shown = " ".join(cli("--help").output.split())
    assert all(f"{p.name}: {p.base_example}" in shown for p in PRESETS.values())


# -- command line, environment, config file, defaults -----------------------------------------------

def test_defaults_use_the_embedded_store_under_the_root(tmp_path: Path) -> None:
    settings = settings_of(tmp_path)
    assert (settings.endpoint, settings.store_path) == (None, tmp_path.resolve() / DEFAULT_STORE)


def test_endpoint_without_engine_is_the_query_url(tmp_path: Path) -> None:
    endpoint = settings_of(tmp_path, "--endpoint", "http://h/sparql", "--update-url", "http://h/up").endpoint
    assert endpoint == Endpoint("http://h/sparql", "http://h/up", None)


def test_engine_and_user_on_the_command_line_password_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERGRAPH_PASSWORD", "s3cret")
    endpoint = settings_of(tmp_path, "--endpoint", "http://h:8890", "--engine", "virtuoso", "--user", "dba").endpoint
    assert endpoint is not None
    assert (endpoint.query_url, endpoint.gsp_url, endpoint.auth) == (
        "http://h:8890/sparql", "http://h:8890/sparql-graph-crud-auth", Auth.DIGEST)
    assert (endpoint.user, endpoint.password) == ("dba", "s3cret")


def test_there_is_no_password_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "--password", "x", "stats"])
    assert result.exit_code == 2 and "No such option '--password'" in result.output


CONFIG = """\
endpoint = "http://file:8890"
engine = "virtuoso"
user = "from-file"
store = "elsewhere/store"
timeout = 5
"""


def test_the_config_file_in_the_root_is_read(tmp_path: Path) -> None:
    (tmp_path / "clustergraph.toml").write_text(CONFIG)
    endpoint = settings_of(tmp_path).endpoint
    assert endpoint is not None
    assert (endpoint.query_url, endpoint.user, endpoint.timeout_s) == ("http://file:8890/sparql", "from-file", 5)


def test_environment_beats_the_config_file_and_the_command_line_beats_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "clustergraph.toml").write_text(CONFIG)
    monkeypatch.setenv("CLUSTERGRAPH_USER", "from-env")
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT", "http://env:8890")
    endpoint = settings_of(tmp_path).endpoint
    assert endpoint is not None and (endpoint.query_url, endpoint.user) == ("http://env:8890/sparql", "from-env")
    endpoint = settings_of(tmp_path, "--user", "from-cli", "--endpoint", "http://cli:7878",
                           "--engine", "oxigraph").endpoint
    assert endpoint is not None
    assert (endpoint.query_url, endpoint.user, endpoint.auth) == ("http://cli:7878/query", "from-cli", Auth.BASIC)


def test_a_config_file_given_by_option_and_its_store(tmp_path: Path) -> None:
    config = tmp_path / "local.toml"
    config.write_text('store = "elsewhere/store"\n')
    settings = settings_of(tmp_path, "--config", str(config))
    assert (settings.endpoint, settings.store_path) == (None, tmp_path.resolve() / "elsewhere" / "store")
    assert settings_of(tmp_path, "--config", str(config), "--store", str(tmp_path / "s")).store_path == tmp_path / "s"


@pytest.mark.parametrize(("text", "message"), [
    ('engine = "blazegraph"\n', "key 'engine': unknown engine 'blazegraph' (engines: oxigraph, fuseki, virtuoso, "
                                "graphdb, qlever)"),
    ("timeout = \"soon\"\n", "key 'timeout' needs a number, got 'soon'"),
    ('password = "x"\n', "key 'password': passwords are never read from files; set CLUSTERGRAPH_PASSWORD"),
    ('endpiont = "http://h"\n', "unknown key 'endpiont' (keys: store, endpoint, engine, update-url, gsp-url, "
                                "user, timeout)"),
])
def test_a_bad_config_file_is_named_with_its_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "clustergraph.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_config(path)
    assert str(err.value) == f"{path}: {message}"


def test_a_bad_config_file_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "clustergraph.toml").write_text("endpoint = \n")
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "stats"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'clustergraph.toml'}: not a TOML file (")
    assert result.stderr.count("\n") == 1


def test_engine_without_endpoint_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(click.UsageError, match="need --endpoint"):
        settings_of(tmp_path, "--engine", "virtuoso")
