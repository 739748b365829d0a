"""Settings: built once (CLI options, then CLUSTERGRAPH_* variables, then clustergraph.toml, then
defaults) and passed down; the presets of the SPARQL engines clustergraph can be pointed at."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from clustergraph.base.errors import InputError

DEFAULT_STORE = Path(".clustergraph") / "store"


class Auth(Enum):
    """How the endpoint wants the user and password: HTTP Basic or HTTP Digest authentication."""

    BASIC = "basic"
    DIGEST = "digest"


@dataclass(frozen=True)
class Endpoint:
    """A remote SPARQL 1.1 service: query URL, and optional update and Graph Store Protocol URLs.

    `user` and `password` are sent to the update and Graph Store URLs (and to the query URL when it
    asks) by the `auth` scheme.
    """

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 60.0
    auth: Auth = Auth.BASIC
    engine: str | None = None

    @classmethod
    def from_preset(
        cls,
        engine: str,
        base_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout_s: float = 60.0,
    ) -> Endpoint:
        """The endpoint of an `engine` (a key of PRESETS) at `base_url`; explicit URLs win over derived ones.

        Raises KeyError for an engine without a preset.
        """
        preset = PRESETS[engine]
        query, update, gsp = preset.urls(base_url)
        return cls(query, update_url or update, gsp_url or gsp, user, password, timeout_s, preset.auth, engine)


@dataclass(frozen=True)
class EnginePreset:
    """Where an engine serves the SPARQL 1.1 protocols, relative to the base URL the user gives.

    A path of None means the engine has no such service in the standard form (writes are then refused
    with a message naming the missing URL).
    """

    name: str
    #: What --endpoint is for this engine (shown in the --engine help).
    base_example: str
    query_path: str
    update_path: str | None
    gsp_path: str | None
    auth: Auth = Auth.BASIC

    def urls(self, base_url: str) -> tuple[str, str | None, str | None]:
        """The query, update and Graph Store Protocol URLs under `base_url`."""
        base = base_url.rstrip("/")
        return (base + self.query_path,
                None if self.update_path is None else base + self.update_path,
                None if self.gsp_path is None else base + self.gsp_path)


PRESETS: dict[str, EnginePreset] = {p.name: p for p in (
    EnginePreset("oxigraph", "http://127.0.0.1:7878", "/query", "/update", "/store"),
    EnginePreset("fuseki", "http://127.0.0.1:3030/DATASET", "/query", "/update", "/data"),
    EnginePreset("virtuoso", "http://127.0.0.1:8890", "/sparql", "/sparql-auth", "/sparql-graph-crud-auth",
                 auth=Auth.DIGEST),
    EnginePreset("graphdb", "http://127.0.0.1:7200/repositories/REPOSITORY", "", "/statements",
                 "/rdf-graphs/service"),
    EnginePreset("qlever", "http://127.0.0.1:7001", "", None, None),
)}


@dataclass(frozen=True)
class Limits:
    """How much one file may hold: it is validated in memory (services/validation/shacl.py) (rdflib
    takes about 1 KB a triple), so a file past these is refused while it streams, before it fills the memory."""

    max_bytes: int = 512 * 1024 * 1024
    max_triples: int = 2_000_000


@dataclass(frozen=True)
class Settings:
    """Where the project files are and which store to use.

    `store_path` None with `endpoint` None means an in-memory store. Paths are made absolute
    against `root` by `resolve`.
    """

    root: Path
    store_path: Path | None = None
    endpoint: Endpoint | None = None
    query_timeout_s: float = 30.0
    result_limit: int = 10_000
    allow_service: bool = False
    allow_load: bool = False
    base_url: str = "http://127.0.0.1:8000"
    write_token: str | None = field(default=None, repr=False)
    #: The server's query workers (0: one per core), how many requests may wait for a worker or for
    #: the writer before the next gets 503, the largest request body in bytes, the most triples in
    #: one validate or ingest, and the Access-Control-Allow-Origin of read answers ("" for none).
    workers: int = 0
    queue_size: int = 64
    max_body: int = 16 * 1024 * 1024
    max_triples: int = 2_000_000
    cors_origin: str = "*"
    #: The agents who may write, as (name, SHA-256 of their token) from `serve --tokens FILE`.
    agent_tokens: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    #: Every write (SPARQL Update, Graph Store) is validated and kept as a batch, unless False.
    guarded_writes: bool = True

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def mappings_dir(self) -> Path:
        """The spreadsheet mappings (one YAML file per kind of sheet)."""
        return self.root / "mappings"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def with_store(self, store_path: Path | None) -> Settings:
        """A copy that uses the store at `store_path` (None: in memory)."""
        return replace(self, store_path=store_path, endpoint=None)


def read_tokens(path: Path) -> tuple[tuple[str, str], ...]:
    """The agents of a tokens file: one line `agent-name sha256-of-token` each ('#' starts a comment).

    Raises InputError naming the file and line for a line that is not a name and 64 hex digits,
    or an agent named twice.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the tokens file ({exc})", path=path) from exc
    found: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) != 2 or len(parts[1]) != 64 or any(c not in "0123456789abcdef" for c in parts[1].lower()):
            raise InputError("expected 'agent-name sha256-of-token' (64 hex digits); make a digest with "
                             "'printf %s TOKEN | sha256sum'", path=path, line=number)
        if parts[0] in found:
            raise InputError(f"agent '{parts[0]}' is named twice", path=path, line=number)
        found[parts[0]] = parts[1].lower()
    return tuple(found.items())


# -- the config file ---------------------------------------------------------------------------------

CONFIG_FILE = "clustergraph.toml"
#: The keys of clustergraph.toml: the global command-line options, by their long names.
CONFIG_KEYS: dict[str, tuple[type, ...]] = {
    "store": (str,), "endpoint": (str,), "engine": (str,), "update-url": (str,), "gsp-url": (str,),
    "user": (str,), "timeout": (int, float),
}


def read_config(path: Path) -> dict[str, str | float]:
    """The settings of a clustergraph.toml (flat `key = value` lines, keys as in CONFIG_KEYS).

    Raises InputError naming the file (and line and column, or key) for a file that cannot be read
    or parsed, an unknown key, a value of the wrong type, an unknown engine or a password.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the config file ({exc.strerror})", path=path) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not a TOML file ({exc})", path=path) from exc
    for key, value in data.items():
        if key == "password":
            raise InputError("key 'password': passwords are never read from files; set CLUSTERGRAPH_PASSWORD",
                             path=path)
        if key not in CONFIG_KEYS:
            raise InputError(f"unknown key '{key}' (keys: {', '.join(CONFIG_KEYS)})", path=path)
        kinds = CONFIG_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise InputError(f"key '{key}' needs a {'number' if float in kinds else 'string'}, got {value!r}",
                             path=path)
    if "engine" in data and data["engine"] not in PRESETS:
        raise InputError(f"key 'engine': unknown engine {data['engine']!r} (engines: {', '.join(PRESETS)})",
                         path=path)
    return data
