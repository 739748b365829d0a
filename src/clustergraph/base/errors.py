"""Errors the user can fix. The CLI maps them to exit codes; the server to HTTP statuses.

    ClusterGraphError          anything the user can fix; the CLI exits 2
    ├── InputError             a file cannot be read, parsed or used (path, line, column)
    ├── QueryError             unknown query name, bad parameter, SPARQL syntax (query, detail)
    ├── StoreError             the store cannot be opened or written (path or URL)
    │   └── LoadInterrupted    a remote load stopped part-way (what is loaded, how to resume)
    ├── Busy                   the server's queue is full (HTTP 503 with Retry-After)
    ├── TooLarge               a request body past the server's limit (HTTP 413)
    └── NotConforming          ingest refused data that breaks the shapes (report); the CLI exits 1

Every error keeps its facts as fields and builds its one-line message from them:
``<where>: <what is wrong>[; <what happens or what to do>]``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


class ClusterGraphError(Exception):
    """Base of every error a user can fix; `exit_code` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(ClusterGraphError):
    """A file or value cannot be read, parsed or used.

    `path` is the file (or None for an inline value), `line` and `column` are 1-based when known.
    """

    def __init__(
        self,
        detail: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        consequence: str | None = None,
    ) -> None:
        self.path = Path(path) if isinstance(path, str) else path
        self.line = line
        self.column = column
        self.detail = detail = one_line(detail)
        self.consequence = consequence
        where = _where(self.path, line, column)
        message = f"{where}: {detail}" if where else detail
        if consequence:
            message += f"; {consequence}"
        super().__init__(message)


class QueryError(ClusterGraphError):
    """A query cannot run: unknown name, bad parameter, SPARQL syntax or a refused feature."""

    def __init__(self, query: str, detail: str, *, status: int = 400) -> None:
        self.query = query
        self.detail = detail = one_line(detail)
        self.status = status
        super().__init__(f"{query}: {detail}")


class StoreError(ClusterGraphError):
    """The store cannot be opened, read or written; `location` is a path or an endpoint URL."""

    def __init__(self, location: str | Path, detail: str) -> None:
        self.location = str(location)
        self.detail = detail
        super().__init__(f"{self.location}: {detail}")


class LoadInterrupted(StoreError):
    """A load into a remote store stopped part-way: `files` of `total_files` and `triples` of
    `total_triples` are in; running the same load again resumes it."""

    def __init__(self, location: str | Path, reason: str, *, files: int, total_files: int, triples: int,
                 total_triples: int, partial: str = "") -> None:
        self.reason = reason
        self.files, self.total_files = files, total_files
        self.triples, self.total_triples = triples, total_triples
        super().__init__(location, f"{reason}{partial}; loaded {files} of {total_files} files, {triples:,} of "
                                   f"{total_triples:,} triples; run build again to resume")


class Busy(ClusterGraphError):
    """Every worker is busy and the queue in front of them is full; nothing was done.

    `retry_after` is the whole seconds a client should wait before trying again.
    """

    def __init__(self, what: str, waiting: int, retry_after: int) -> None:
        self.what = what
        self.waiting = waiting
        self.retry_after = retry_after
        super().__init__(f"{what}: the server is busy ({waiting} requests are waiting); nothing was done, "
                         f"try again in {retry_after} s")


class TooLarge(ClusterGraphError):
    """A request body is larger than the server accepts; it was not read to its end."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body: larger than the limit of {_size(limit)}; nothing was read or changed "
                         "(the operator sets it with --max-body)")


class NotConforming(ClusterGraphError):
    """Data breaks the shapes; `report` is the validation report that says how."""

    exit_code = 1

    def __init__(self, what: str, report: Any, detail: str = "does not conform to the shapes") -> None:
        self.what = what
        self.report = report
        super().__init__(f"{what}: {detail}; nothing was changed")


def _size(n: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n:,} bytes"


def one_line(text: str) -> str:
    """`text` with control characters (a newline inside a quoted bad value ...) written as escapes."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _where(path: Path | None, line: int | None, column: int | None) -> str:
    if path is None:
        return ""
    where = str(path)
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return where
