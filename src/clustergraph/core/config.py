"""Settings: built once (CLI options, then CLUSTERGRAPH_* variables, then defaults) and passed down."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_STORE = Path(".clustergraph") / "store"


@dataclass(frozen=True)
class Endpoint:
    """A remote SPARQL 1.1 service: query URL, and optional update and Graph Store Protocol URLs."""

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 60.0


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
    def build_dir(self) -> Path:
        return self.root / "build"

    def with_store(self, store_path: Path | None) -> Settings:
        """A copy that uses the store at `store_path` (None: in memory)."""
        return replace(self, store_path=store_path, endpoint=None)
