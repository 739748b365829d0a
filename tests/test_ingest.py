"""ingest, batches, retract: all or nothing, with provenance, on the embedded and a remote store."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from clustergraph.base.errors import InputError, NotConforming
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import CG, CGD, GRAPH
from clustergraph.core import EmbeddedStore, RemoteStore
from clustergraph.core.config import Endpoint
from clustergraph.core.results import Solutions
from clustergraph.core.store import Store
from clustergraph.services.steward.ingest import batches, ingest, retract
from clustergraph.services.validation import RdfInput, read_quads
from clustergraph.services.validation.report import Origin
from conftest import REPO, Cli

STEWARD = Path(__file__).parent / "fixtures" / "steward"
SHAPES = STEWARD / "shapes"
CLAIMS = STEWARD / "claims"
PREFIXES = ("@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
            "@prefix cgd: <https://w3id.org/clustergraph/id/> .\n"
            "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    """An in-memory store with the fixture clusters (it conforms to the fixture shapes)."""
    with EmbeddedStore() as s:
        s.load(STEWARD / "data" / "clusters.ttl", graph=GRAPH["data/clusters"])
        yield s


def nquads(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return out.getvalue()


def claim(text: str, name: str) -> RdfInput:
    return RdfInput(name=name, data=(PREFIXES + text).encode(), fmt=RdfFormat.TURTLE)


def graph_rows(store: Store, graph: URIRef) -> set[tuple[str, str, str]]:
    result = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, Solutions)
    return {(str(r["s"]), str(r["p"]), str(r["o"])) for r in result.dicts()}


# -- ingest -------------------------------------------------------------------------------------

def test_ingest_commits_the_file_into_its_own_batch_graph_with_provenance(store: EmbeddedStore) -> None:
    file = CLAIMS / "good.ttl"
    when = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    done = ingest(store, SHAPES, file, agent="alice", origin="https://example.org/paper-1", now=when)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    batch = done.batch
    assert (batch.id, batch.agent, batch.started, batch.file_name, batch.sha256, batch.source, batch.triples) == (
        f"20250304T050607Z-{sha[:8]}", "alice", when, "good.ttl", sha, "https://example.org/paper-1", 3)
    assert batch.graph == GRAPH[f"batch/{batch.id}"]
    assert (done.report.conforms, done.report.checked) == (True, (str(file),))
    rows = graph_rows(store, batch.graph)
    insertion = str(CGD["insertion/2"])
    assert {r for r in rows if r[0] == insertion} == {
        (insertion, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", str(CG.ChainInsertion)),
        (insertion, str(CG.cluster), str(CGD["cluster/a"])),
        (insertion, "http://www.w3.org/ns/prov#wasDerivedFrom", str(CGD["publication/p2"])),
    }
    g = str(batch.graph)
    assert {
        (g + "#activity", "http://www.w3.org/ns/prov#wasAssociatedWith", g + "#agent"),
        (g + "#agent", "http://www.w3.org/2000/01/rdf-schema#label", "alice"),
        (g + "#activity", "http://www.w3.org/ns/prov#startedAtTime", "2025-03-04T05:06:07Z"),
        (g + "#activity", "http://www.w3.org/ns/prov#used", g + "#file"),
        (g + "#activity", "http://www.w3.org/ns/prov#generated", g),
        (g + "#file", "http://purl.org/dc/terms/title", "good.ttl"),
        (g + "#file", "http://purl.org/dc/terms/source", "https://example.org/paper-1"),
        (g + "#sha256", "http://spdx.org/rdf/terms#checksumValue", sha),
        (g, "http://rdfs.org/ns/void#triples", "3"),
    } <= rows
    assert batches(store) == [batch]


def test_an_agent_iri_and_a_text_source_are_kept_as_given(store: EmbeddedStore) -> None:
    done = ingest(store, SHAPES, CLAIMS / "good.ttl", agent="https://orcid.org/0000-0002-1825-0097",
                  origin="Fixture et al. 2004, p. 12")
    g = str(done.batch.graph)
    rows = graph_rows(store, done.batch.graph)
    assert (g + "#activity", "http://www.w3.org/ns/prov#wasAssociatedWith",
            "https://orcid.org/0000-0002-1825-0097") in rows
    assert (g + "#file", "http://purl.org/dc/terms/source", "Fixture et al. 2004, p. 12") in rows
    [listed] = batches(store)
    assert (listed.agent, listed.source) == ("https://orcid.org/0000-0002-1825-0097", "Fixture et al. 2004, p. 12")


def test_two_ingests_of_one_file_in_one_second_get_two_batches(store: EmbeddedStore) -> None:
    when = datetime(2025, 1, 1, tzinfo=UTC)
    first = ingest(store, SHAPES, CLAIMS / "good.ttl", agent="a", now=when).batch
    second = ingest(store, SHAPES, CLAIMS / "good.ttl", agent="b", now=when).batch
    assert second.id == first.id + "-2"
    assert [b.id for b in batches(store)] == [first.id, second.id]


def test_a_refused_ingest_leaves_the_store_byte_for_byte_unchanged(store: EmbeddedStore) -> None:
    before = nquads(store)
    with pytest.raises(NotConforming) as err:
        ingest(store, SHAPES, CLAIMS / "bad.ttl", agent="alice")
    assert nquads(store) == before
    assert str(err.value) == f"{CLAIMS / 'bad.ttl'}: introduces 2 results that break the shapes; nothing was changed"
    assert [(r.focus_node, r.origin) for r in err.value.report.results] == [
        (CGD["insertion/3"], Origin.INTRODUCED), (CGD["insertion/3"], Origin.INTRODUCED)]
    assert batches(store) == []


def test_warnings_are_accepted_unless_strict(store: EmbeddedStore) -> None:
    before = nquads(store)
    with pytest.raises(NotConforming):
        ingest(store, SHAPES, CLAIMS / "warning.ttl", agent="alice", strict=True)
    assert nquads(store) == before
    done = ingest(store, SHAPES, CLAIMS / "warning.ttl", agent="alice")
    assert done.report.summary() == "1 warning (1 introduced, 0 pre-existing)"


def test_a_batch_may_not_touch_the_ontology_namespace(store: EmbeddedStore) -> None:
    before = nquads(store)
    with pytest.raises(InputError) as err:
        ingest(store, SHAPES, CLAIMS / "ontology.ttl", agent="alice")
    assert err.value.path == CLAIMS / "ontology.ttl"
    assert err.value.detail == ("1 subject is in the ontology's namespace (cg:Cluster); the ontology changes "
                                "through ontology/, not through ingest")
    assert nquads(store) == before


@pytest.mark.parametrize(("text", "detail"), [
    ('cgd:x rdfs:label "unterminated .\n', "line"),
    ('cgd:x cgd:n "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', "is not a valid xsd:integer"),
    # out of xsd:byte's range: Oxigraph would store it as an xsd:integer, not refuse it
    ('cgd:x cgd:n "300"^^<http://www.w3.org/2001/XMLSchema#byte> .\n', "'300' is not a valid xsd:byte"),
    ('cgd:x cgd:n "0"^^<http://www.w3.org/2001/XMLSchema#positiveInteger> .\n',
     "'0' is not a valid xsd:positiveInteger"),
    ("cgd:x cgd:p <relative> .\n", "line"),
    ("# nothing\n", "the file holds no triples"),
])
def test_bad_input_changes_nothing(store: EmbeddedStore, text: str, detail: str) -> None:
    before = nquads(store)
    with pytest.raises(InputError) as err:
        ingest(store, SHAPES, claim(text, "bad-input.ttl"), agent="alice")
    assert detail in err.value.detail or (detail == "line" and err.value.line == 5)
    assert nquads(store) == before


# -- retract ------------------------------------------------------------------------------------

def test_retract_takes_the_batch_out_and_the_store_is_as_before(store: EmbeddedStore) -> None:
    before = nquads(store)
    done = ingest(store, SHAPES, CLAIMS / "good.ttl", agent="alice")
    assert nquads(store) != before
    gone = retract(store, SHAPES, done.batch.id)
    assert gone.batch == done.batch
    assert nquads(store) == before
    assert batches(store) == []


def test_retract_keeps_a_triple_another_graph_also_holds(store: EmbeddedStore) -> None:
    shared = claim('cgd:cluster\\/a rdfs:comment "A placeholder cluster." ; rdfs:seeAlso cgd:x .', "shared.ttl")
    done = ingest(store, SHAPES, shared, agent="alice")
    retract(store, SHAPES, done.batch.id)
    rows = graph_rows(store, GRAPH["data/clusters"])
    assert (str(CGD["cluster/a"]), "http://www.w3.org/2000/01/rdf-schema#comment", "A placeholder cluster.") in rows


def test_retract_refuses_when_the_rest_would_break_and_force_overrides(store: EmbeddedStore) -> None:
    cluster = ingest(store, SHAPES, claim('cgd:cluster\\/c a cg:Cluster ; rdfs:label "c" ; rdfs:comment "c" .',
                                          "cluster-c.ttl"), agent="alice").batch
    ingest(store, SHAPES, claim("cgd:insertion\\/7 a cg:ChainInsertion ; cg:cluster cgd:cluster\\/c ;\n"
                                "    prov:wasDerivedFrom cgd:publication\\/p7 .", "insertion-7.ttl"), agent="bob")
    before = nquads(store)
    with pytest.raises(NotConforming) as err:
        retract(store, SHAPES, cluster.id)
    assert nquads(store) == before
    assert err.value.what == f"batch {cluster.id}"
    [result] = err.value.report.failing()
    assert (result.focus_node, result.path, result.value, result.origin) == (
        CGD["insertion/7"], CG.cluster, CGD["cluster/c"], Origin.INTRODUCED)
    forced = retract(store, SHAPES, cluster.id, force=True)
    assert forced.report.failed()
    assert [b.file_name for b in batches(store)] == ["insertion-7.ttl"]


def test_retract_of_an_unknown_batch_is_bad_input(store: EmbeddedStore) -> None:
    with pytest.raises(InputError) as err:
        retract(store, SHAPES, "20990101T000000Z-00000000")
    assert str(err.value) == "batch '20990101T000000Z-00000000': no such batch; 'clustergraph batches' lists them"


# -- a remote store -----------------------------------------------------------------------------

def test_ingest_batches_and_retract_on_a_remote_endpoint(oxigraph_server: Endpoint) -> None:
    with RemoteStore(oxigraph_server) as remote:
        remote.load(STEWARD / "data" / "clusters.ttl", graph=GRAPH["data/clusters"])
        with pytest.raises(NotConforming):
            ingest(remote, SHAPES, CLAIMS / "bad.ttl", agent="alice")
        done = ingest(remote, SHAPES, CLAIMS / "good.ttl", agent="alice")
        assert batches(remote) == [done.batch]
        assert len(graph_rows(remote, done.batch.graph)) == 3 + 18  # the file's triples and the PROV-O record
        retract(remote, SHAPES, done.batch.id)
        assert (batches(remote), set(remote.graph_sizes())) == ([], {GRAPH["data/clusters"]})


# -- the command line ---------------------------------------------------------------------------

@pytest.fixture
def steward(tmp_path: Path) -> Cli:
    """A project folder copied from fixtures/steward, built into its on-disk store."""
    root = tmp_path / "steward"
    shutil.copytree(STEWARD, root)
    cli = Cli(root)
    assert cli("build").exit_code == 0
    return cli


def test_cli_ingest_batches_retract(steward: Cli) -> None:
    done = steward("ingest", str(steward.root / "claims" / "good.ttl"), "--by", "alice", "--source", "a paper")
    assert done.exit_code == 0
    batch_id = done.stdout.split()[1].rstrip(":")
    assert done.stdout == (f"batch {batch_id}: 3 triples from good.ttl into "
                           f"<https://w3id.org/clustergraph/graph/batch/{batch_id}>\n")
    listed = steward("batches", "-f", "json")
    assert listed.exit_code == 0
    [entry] = json.loads(listed.stdout)
    assert (entry["id"], entry["agent"], entry["file"], entry["source"], entry["triples"]) == (
        batch_id, "alice", "good.ttl", "a paper", 3)
    table = steward("batches")
    assert batch_id in table.stdout and table.stderr == "1 batch\n"
    gone = steward("retract", batch_id)
    assert (gone.exit_code, gone.stdout) == (0, f"retracted batch {batch_id} (3 triples from good.ttl)\n")
    assert json.loads(steward("batches", "-f", "json").stdout) == []


def test_cli_ingest_refusal_exits_1_with_the_report_and_changes_nothing(steward: Cli) -> None:
    before = steward("export", "-f", "nquads").stdout_bytes
    refused = steward("ingest", str(steward.root / "claims" / "bad.ttl"), "--by", "alice", "-f", "json")
    assert refused.exit_code == 1
    assert len(json.loads(refused.stdout)["results"]) == 2
    assert refused.stderr == (f"error: {steward.root / 'claims' / 'bad.ttl'}: introduces 2 results that break "
                              "the shapes; nothing was changed\n")
    assert steward("export", "-f", "nquads").stdout_bytes == before


@pytest.mark.parametrize(("args", "message"), [
    (["ingest", "claims/ontology.ttl", "--by", "alice"],
     "error: claims/ontology.ttl: 1 subject is in the ontology's namespace (cg:Cluster); the ontology changes "
     "through ontology/, not through ingest; nothing was ingested\n"),
    (["ingest", "claims/empty.ttl", "--by", "alice"],
     "error: claims/empty.ttl: the file holds no triples; nothing was loaded\n"),
    (["retract", "nope"], "error: batch 'nope': no such batch; 'clustergraph batches' lists them\n"),
])
def test_cli_steward_bad_input_exits_2(steward: Cli, monkeypatch: pytest.MonkeyPatch, args: list[str],
                                       message: str) -> None:
    monkeypatch.chdir(steward.root)
    before = steward("export", "-f", "nquads").stdout_bytes
    result = steward(*args)
    assert (result.exit_code, result.stderr) == (2, message)
    assert steward("export", "-f", "nquads").stdout_bytes == before


def test_cli_retract_refusal_exits_1_and_force_exits_0(steward: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "cluster-c.ttl", tmp_path / "insertion-7.ttl"
    first.write_text(PREFIXES + 'cgd:cluster\\/c a cg:Cluster ; rdfs:label "c" ; rdfs:comment "c" .\n')
    second.write_text(PREFIXES + "cgd:insertion\\/7 a cg:ChainInsertion ; cg:cluster cgd:cluster\\/c ;\n"
                      "    prov:wasDerivedFrom cgd:publication\\/p7 .\n")
    batch_id = steward("ingest", str(first), "--by", "a").stdout.split()[1].rstrip(":")
    assert steward("ingest", str(second), "--by", "b").exit_code == 0
    refused = steward("retract", batch_id, "-f", "markdown")
    assert refused.exit_code == 1
    assert "| cg:cluster | cluster:c |" in refused.stdout
    assert refused.stderr.startswith(f"error: batch {batch_id}: retracting it would leave the graph with 1 new")
    forced = steward("retract", batch_id, "--force")
    assert forced.exit_code == 0
    assert forced.stdout.endswith(f"retracted batch {batch_id} (3 triples from cluster-c.ttl)\n")


# -- killed in the middle -----------------------------------------------------------------------

_CHILD = """
import sys
from pathlib import Path
import clustergraph.core.store as core_store
from clustergraph.core import EmbeddedStore
from clustergraph.services.steward.ingest import ingest

original = core_store.EmbeddedStore.add_quads
def traced(self, quads):
    print("committing", len(quads), flush=True)
    original(self, quads)
    print("committed", flush=True)
core_store.EmbeddedStore.add_quads = traced

store = EmbeddedStore(Path(sys.argv[1]))
ingest(store, Path(sys.argv[2]), Path(sys.argv[3]), agent="killed")
store.close()
print("done", flush=True)
"""


def test_sigkill_in_the_middle_of_an_ingest_leaves_the_store_as_before(tmp_path: Path) -> None:
    """A child ingests 50,000 triples into an on-disk store; SIGKILL lands while it commits."""
    path = tmp_path / "store"
    with EmbeddedStore(path) as disk:
        disk.load(STEWARD / "data" / "clusters.ttl", graph=GRAPH["data/clusters"])
        before = nquads(disk)
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<{CGD[f"thing/{i}"]}> <http://www.w3.org/2000/01/rdf-schema#label> "thing {i}" .\n'
                           for i in range(50_000)))
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path), str(SHAPES), str(big)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    assert child.stdout is not None
    try:
        first = child.stdout.readline()
        assert first.startswith("committing 500"), first + (child.stderr.read() if child.stderr else "")
        time.sleep(0.1)  # the on-disk transaction of 50,000 quads takes several times longer here
        os.kill(child.pid, signal.SIGKILL)
        rest = child.stdout.read()
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
        if child.stderr:
            child.stderr.close()
    assert "committed" not in rest
    with EmbeddedStore(path) as reopened:
        assert nquads(reopened) == before
        assert batches(reopened) == []
        done = ingest(reopened, SHAPES, CLAIMS / "good.ttl", agent="after")  # the store still works
        assert batches(reopened) == [done.batch]


# -- resolved: what a change repairs ---------------------------------------------------------------

UNSOURCED = "cgd:insertion\\/9 a cg:ChainInsertion ; cg:cluster cgd:cluster\\/a .\n"
SOURCED = "cgd:insertion\\/9 prov:wasDerivedFrom cgd:publication\\/p9 .\n"


def test_a_fix_is_reported_resolved_and_its_retract_would_break_it_again(store: EmbeddedStore) -> None:
    graph = ox.NamedNode(str(GRAPH["data/unsourced"]))  # a pre-existing violation, in a file's graph
    store.add_quads([ox.Quad(q.subject, q.predicate, q.object, graph)
                     for q in read_quads(claim(UNSOURCED, "unsourced.ttl"))])
    done = ingest(store, SHAPES, claim(SOURCED, "fix.ttl"), agent="alice")
    assert done.report.failed() is False
    [fixed] = done.report.resolved
    assert (fixed.origin, str(fixed.focus_node), str(fixed.path)) == (
        Origin.RESOLVED, str(CGD["insertion/9"]), "http://www.w3.org/ns/prov#wasDerivedFrom")
    assert "1 resolved" in done.report.summary()
    with pytest.raises(NotConforming) as refused:
        retract(store, SHAPES, done.batch.id)
    [again] = refused.value.report.failing()
    assert (again.origin, again.key) == (Origin.INTRODUCED, fixed.key)


def test_the_cli_shows_what_a_file_resolves_in_every_format(steward: Cli) -> None:
    (steward.root / "data" / "unsourced.ttl").write_text(PREFIXES + UNSOURCED, encoding="utf-8")
    assert steward("build").exit_code == 0
    fix = steward.root / "fix.ttl"
    fix.write_text(PREFIXES + SOURCED, encoding="utf-8")
    as_json = steward("validate", str(fix), "-f", "json")
    assert as_json.exit_code == 0
    body = json.loads(as_json.stdout)
    assert body["results"] == []
    assert [(r["focus_node"], r["origin"]) for r in body["resolved"]] == [
        ("<https://w3id.org/clustergraph/id/insertion/9>", "resolved")]
    assert as_json.stderr.strip() == "conforms: no results, 1 resolved"
    table = steward("validate", str(fix))
    assert "cgd:insertion/9" in table.stdout and "resolved" in table.stdout
    markdown = steward("validate", str(fix), "-f", "markdown")
    assert "Resolved by this change" in markdown.stdout and "| resolved |" in markdown.stdout
    turtle = steward("validate", str(fix), "-f", "turtle")
    assert "prov:invalidated" in turtle.stdout or "<http://www.w3.org/ns/prov#invalidated>" in turtle.stdout
    ingested = steward("ingest", str(fix), "--by", "alice")
    assert ingested.exit_code == 0
    assert "resolved 1 result the store had before" in ingested.stderr
