"""A crash campaign: SIGKILL a real `clustergraph` process at a random moment of a write, then check the store.

Operations, each through the public surface (the CLI, or HTTP to a real `clustergraph serve`): `ingest`,
`retract`, `build`, a Graph Store PUT and a POST /api/ingest. For each kill the store must open and its
N-Quads dump must equal the dump before the operation or the dump after it (from a run that was not
killed), never anything else. Batch ids and times differ from run to run, so dumps are compared with
those (and blank node labels) written as placeholders. tests/test_crash.py runs a few moments;
benchmarks/crash_campaign.py runs 100 or more per operation.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from clustergraph.base.formats import RdfFormat
from clustergraph.core import EmbeddedStore
from processes import free_port, wait_until_up

FIXTURES = Path(__file__).parent / "fixtures" / "steward"
EXE = str(Path(sys.executable).parent / "clustergraph")
TOKEN = "crash-token-31a9"
OPERATIONS = ("ingest", "retract", "build", "put", "api-ingest")
_VOLATILE = [
    (re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}"), "BATCH"),
    (re.compile(r'"\d{4}-\d\d-\d\dT[^"]*"\^\^<http://www.w3.org/2001/XMLSchema#dateTime>'), '"TIME"'),
    (re.compile(r"_:[A-Za-z0-9]+"), "_:b"),
]


def normalised_dump(path: Path) -> list[str]:
    """The store's N-Quads, sorted, with batch ids, times and blank node labels as placeholders."""
    import io
    with EmbeddedStore(path) as store:
        out = io.BytesIO()
        store.dump(out, RdfFormat.N_QUADS)
    lines = out.getvalue().decode("utf-8").splitlines()
    for pattern, placeholder in _VOLATILE:
        lines = [pattern.sub(placeholder, line) for line in lines]
    return sorted(lines)


@dataclass
class Counts:
    """What the kills of one operation found."""

    operation: str
    kills: int = 0
    before: int = 0
    after: int = 0
    finished: int = 0  # the process had ended before the signal came
    other: list[str] = field(default_factory=list)  # a dump neither before nor after, or a store that won't open

    def line(self) -> str:
        return (f"{self.operation}: {self.kills} kills: {self.before} before, {self.after} after "
                f"({self.finished} had finished), {len(self.other)} other")


class Campaign:
    """A project folder (data/, shapes/, a big file to ingest) and a base store, under `work`."""

    def __init__(self, work: Path, triples: int = 20_000) -> None:
        self.work = work
        self.project = work / "project"
        shutil.copytree(FIXTURES / "data", self.project / "data")
        shutil.copytree(FIXTURES / "shapes", self.project / "shapes")
        self.big = work / "big.nt"
        self.big.write_text("".join(
            f'<https://w3id.org/clustergraph/id/thing/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "thing {i}" .\n'
            for i in range(triples)))
        self.base = work / "base"
        self._cli(self.base, "build")
        self.with_batch = work / "with-batch"
        shutil.copytree(self.base, self.with_batch)
        out = self._cli(self.with_batch, "ingest", str(self.big), "--by", "campaign")
        self.batch_id = re.search(r"batch (\S+):", out).group(1)  # type: ignore[union-attr]
        (self.project / "data" / "more.nt").write_text(self.big.read_text())  # build: more to load
        self.references: dict[str, tuple[list[str], list[str]]] = {}
        self.durations: dict[str, float] = {}
        self._request_s = 0.0
        for op in OPERATIONS:
            start = self._fresh(op, work / f"ref-{op}")
            before = normalised_dump(start)
            t0 = time.monotonic()
            self._run(op, start, kill_after=None)
            self.durations[op] = self._request_s if op in ("put", "api-ingest") else time.monotonic() - t0
            self.references[op] = (before, normalised_dump(start))
            assert self.references[op][0] != self.references[op][1], f"{op} changed nothing"

    def _cli(self, store: Path, *args: str) -> str:
        done = subprocess.run([EXE, "--root", str(self.project), "--store", str(store), *args],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout + done.stderr

    def _fresh(self, op: str, target: Path) -> Path:
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.with_batch if op == "retract" else self.base, target)
        return target

    def _command(self, op: str, store: Path) -> list[str]:
        base = [EXE, "--root", str(self.project), "--store", str(store)]
        return {"ingest": [*base, "ingest", str(self.big), "--by", "campaign"],
                "retract": [*base, "retract", self.batch_id, "--force"],
                "build": [*base, "build"]}[op]

    def _run(self, op: str, store: Path, kill_after: float | None) -> bool:
        """Run `op` on `store`, SIGKILLed after `kill_after` seconds (None: to the end); True if it finished."""
        if op in ("put", "api-ingest"):
            return self._serve(op, store, kill_after)
        proc = subprocess.Popen(self._command(op, store), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return _kill_or_wait(proc, kill_after)

    def _serve(self, op: str, store: Path, kill_after: float | None) -> bool:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = store.parent / f"{store.name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([EXE, "--root", str(self.project), "--store", str(store), "serve", "--host",
                                     "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                    env={**os.environ, "CLUSTERGRAPH_TOKEN": TOKEN}, start_new_session=True)
        wait_until_up(proc, f"{base}/sparql", "clustergraph serve", log.read_text)
        body = self.big.read_bytes()
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}
        if op == "put":
            url = f"{base}/rdf-graphs?graph=https://w3id.org/clustergraph/graph/crash/put"
        else:
            url = f"{base}/api/ingest?by=campaign"
        answers: list[int] = []

        def send() -> None:
            try:
                answers.append(httpx.request("PUT" if op == "put" else "POST", url, content=body, headers=headers,
                                             timeout=300).status_code)
            except httpx.TransportError:
                answers.append(0)
        sender = threading.Thread(target=send)
        sender.start()
        if kill_after is None:
            t0 = time.monotonic()
            sender.join()
            self._request_s = time.monotonic() - t0
            proc.terminate()
            proc.wait(timeout=30)
            _gone(proc.pid)
            assert answers and answers[0] in (200, 201, 204), f"{op} answered {answers}: {log.read_text()[-2000:]}"
            return True
        time.sleep(kill_after)
        os.killpg(proc.pid, signal.SIGKILL)  # the server and its store and worker processes, all at once
        proc.wait(timeout=30)
        _gone(proc.pid)
        sender.join()
        return bool(answers) and answers[0] in (200, 201, 204)

    def kill(self, op: str, rng: random.Random, counts: Counts) -> None:
        """One kill of `op` at a random moment within its measured duration."""
        store = self._fresh(op, self.work / "trial")
        finished = self._run(op, store, kill_after=rng.uniform(0, self.durations[op] * 1.1))
        counts.kills += 1
        counts.finished += finished
        before, after = self.references[op]
        try:
            now = normalised_dump(store)
        except Exception as exc:  # noqa: BLE001 - any failure to open is what the campaign looks for
            counts.other.append(f"the store does not open: {exc}")
            return
        if now == before:
            counts.before += 1
        elif now == after:
            counts.after += 1
        else:
            keep = self.work / f"other-{op}-{counts.kills}"
            shutil.copytree(store, keep)
            counts.other.append(f"{len(now)} quads, neither before ({len(before)}) nor after ({len(after)}); kept "
                                f"in {keep}")


def _gone(group: int) -> None:
    """Wait until no process of the process group `group` is left (a child may outlive its parent)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)


def _kill_or_wait(proc: subprocess.Popen[bytes], kill_after: float | None) -> bool:
    try:
        if kill_after is None:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err.decode()
            return True
        try:
            proc.wait(timeout=kill_after)
            return True
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            return False
    finally:
        if proc.stderr:
            proc.stderr.close()


def run(work: Path, moments: int, seed: int = 18, report: Callable[[str], None] = print,
        triples: int = 20_000, operations: tuple[str, ...] = OPERATIONS) -> list[Counts]:
    """`moments` kills of each of `operations` (writing `triples` triples); the counts of each."""
    campaign = Campaign(work, triples)
    rng = random.Random(seed)
    results = []
    for op in operations:
        counts = Counts(op)
        for _ in range(moments):
            campaign.kill(op, rng, counts)
            if counts.kills % 10 == 0:
                report(f"  {counts.line()}")
        report(counts.line() + f" (the operation takes {campaign.durations[op]:.2f} s)")
        results.append(counts)
    return results
