"""clustergraph release: files re-parse, VoID counts match the graph, checksums hold, releases are
byte-identical for the same input, and the changelog after an ingest lists exactly what it added.

One module-scoped set of releases over a copy of the repository's ontology/ data/ shapes/ queries/
publish/ (each release runs pyshacl and HermiT, so they are built once and shared).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import jsonschema
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from clustergraph.adapters.cli import main
from clustergraph.base.errors import InputError, NotConforming
from clustergraph.core.config import Settings
from clustergraph.core.store import EmbeddedStore
from clustergraph.services.publishing.release import Release, release
from clustergraph.services.steward.ingest import ingest
from server_app import served, server_settings

REPO = Path(__file__).parent.parent
ISSUED = date(2026, 11, 23)
NEW_CLUSTER = """
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix cgs: <https://w3id.org/clustergraph/concept/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/clustergraph/id/cluster/test-release-footwear> a cg:Cluster ;
    rdfs:label "Test release footwear cluster"@en ;
    cg:location <https://w3id.org/clustergraph/id/place/agra> ;
    cg:country <https://w3id.org/clustergraph/id/place/india> ;
    cg:sector cgs:isic-1520 ;
    cg:product "footwear"@en ;
    prov:wasDerivedFrom <https://w3id.org/clustergraph/id/publication/knorringa-1999> ;
    cg:evidenceStatus cgs:Unverified .
"""
NEW_IRI = "https://w3id.org/clustergraph/id/cluster/test-release-footwear"


@dataclass(frozen=True)
class Releases:
    settings: Settings
    store: EmbeddedStore
    first: Release
    twin: Release
    second: Release


def _project(root: Path) -> Settings:
    for folder in ("ontology", "data", "shapes", "queries", "publish"):
        shutil.copytree(REPO / folder, root / folder)
    return Settings(root=root)


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    settings = _project(tmp_path_factory.mktemp("project"))
    store = EmbeddedStore()
    first = release(store, settings, "1.0.0", issued=ISSUED)
    twin = release(EmbeddedStore(), settings, "1.0.0", dist=settings.root / "dist-twin", issued=ISSUED)
    new = settings.root / "new-cluster.ttl"
    new.write_text(NEW_CLUSTER, encoding="utf-8")
    ingest(store, settings.shapes_dir, new, agent="release-test")
    second = release(store, settings, "1.1.0", issued=ISSUED)
    return Releases(settings, store, first, twin, second)


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _parse(path: Path) -> list[ox.Quad]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    name = path.name.removesuffix(".gz")
    fmt = {".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML,
           ".jsonld": ox.RdfFormat.JSON_LD}[Path(name).suffix]
    return list(ox.parse(data, format=fmt))


def test_release_writes_every_promised_file(releases: Releases) -> None:
    names = set(_files(releases.first.directory))
    for expected in ("clustergraph.nq.gz", "data.jsonld", "context.jsonld", "ontology.ttl", "ontology.rdf",
                     "void.ttl", "dcat.ttl", "changelog.md", "changelog.ttl", "SHA256SUMS", "docs/index.html",
                     "graphs/data-clusters.ttl.gz", "graphs/ontology-clustergraph.ttl.gz",
                     "shapes/core.ttl", "queries/as_of.rq", "frames/cluster.json", "framed/cluster.json"):
        assert expected in names
    graphs = {n for n in names if n.startswith("graphs/")}
    assert len(graphs) == len(list((REPO / "ontology").glob("*.ttl"))) + len(list((REPO / "data").glob("*.ttl")))


def test_every_rdf_file_of_a_release_reparses(releases: Releases) -> None:
    for directory in (releases.first.directory, releases.second.directory):
        for path in sorted(directory.rglob("*")):
            if path.name.endswith((".nq.gz", ".ttl.gz", ".ttl", ".rdf")):
                assert _parse(path), path
    dump = _parse(releases.first.directory / "clustergraph.nq.gz")
    assert len({q.triple for q in dump}) == releases.first.triples


def test_json_files_parse_and_data_jsonld_uses_only_the_local_context(releases: Releases) -> None:
    directory = releases.first.directory
    for path in sorted(directory.rglob("*.json")) + [directory / "context.jsonld"]:
        json.loads(path.read_bytes())
    doc = json.loads((directory / "data.jsonld").read_bytes())
    assert doc["@context"] == "https://w3id.org/clustergraph/context.jsonld"
    # Re-read as RDF with the context inlined (no fetch): the same triples as the data graphs.
    doc["@context"] = json.loads((directory / "context.jsonld").read_bytes())["@context"]
    triples = {q.triple for q in ox.parse(json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD)}
    dump = _parse(directory / "clustergraph.nq.gz")
    data = {q.triple for q in dump if "/graph/ontology/" not in q.graph_name.value}
    assert len(triples) == len(data)
    assert {t for t in triples if not _has_blank(t)} == {t for t in data if not _has_blank(t)}


def _has_blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def test_ontology_has_the_release_version_iri(releases: Releases) -> None:
    for name in ("ontology.ttl", "ontology.rdf"):
        found = [q.object.value for q in _parse(releases.second.directory / name)
                 if q.subject == ox.NamedNode("https://w3id.org/clustergraph/ontology")
                 and q.predicate.value == "http://www.w3.org/2002/07/owl#versionIRI"]
        assert found == ["https://w3id.org/clustergraph/ontology/1.1.0"]


def _void_value(quads: list[ox.Quad], subject: ox.NamedNode | ox.BlankNode, prop: str) -> int:
    values = [int(q.object.value) for q in quads if q.subject == subject
              and q.predicate.value == "http://rdfs.org/ns/void#" + prop]
    assert len(values) == 1
    return values[0]


def test_void_counts_match_the_graph(releases: Releases) -> None:
    void = _parse(releases.second.directory / "void.ttl")
    ds = ox.NamedNode("https://w3id.org/clustergraph/release/1.1.0")
    store = ox.Store()
    store.extend(_parse(releases.second.directory / "clustergraph.nq.gz"))

    def one(sparql: str) -> int:
        rows = list(store.query(sparql, use_default_graph_as_union=True))  # type: ignore[union-attr]
        return int(rows[0][0].value)

    assert _void_value(void, ds, "triples") == one("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert _void_value(void, ds, "entities") == one(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    cls = {q.object: q.subject for q in void if q.predicate.value == "http://rdfs.org/ns/void#class"}
    cluster = ox.NamedNode("https://w3id.org/clustergraph/ontology#Cluster")
    assert _void_value(void, cls[cluster], "entities") == one(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/clustergraph/ontology#Cluster> }")
    props = {q.object: q.subject for q in void if q.predicate.value == "http://rdfs.org/ns/void#property"}
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert _void_value(void, props[label], "triples") == one(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }")
    links = [q.subject for q in void if q.predicate.value == "http://rdfs.org/ns/void#linkPredicate"
             and q.object.value == "https://w3id.org/clustergraph/ontology#wikidata"]
    assert len(links) == 1
    wikidata = one("SELECT (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/clustergraph/ontology#wikidata> ?o "
                   "FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/entity/')) }")
    assert wikidata > 0
    assert _void_value(void, links[0], "triples") == wikidata


def test_checksums_and_dcat_sizes_hold(releases: Releases) -> None:
    directory = releases.first.directory
    sums = (directory / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    files = _files(directory)
    assert len(sums) == len(files) - 1  # every file but SHA256SUMS itself
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(files[name]).hexdigest() == digest
    dcat = _parse(directory / "dcat.ttl")
    sizes = {q.subject.value: int(q.object.value) for q in dcat
             if q.predicate.value == "http://www.w3.org/ns/dcat#byteSize"}
    base = "https://w3id.org/clustergraph/release/1.0.0/"
    assert sizes[base + "clustergraph.nq.gz"] == len(files["clustergraph.nq.gz"])
    assert set(sizes) == {base + n for n in files if n not in ("dcat.ttl", "SHA256SUMS")}
    values = {q.object.value for q in dcat if q.predicate.value == "http://spdx.org/rdf/terms#checksumValue"}
    assert hashlib.sha256(files["void.ttl"]).hexdigest() in values
    licence = [q.object.value for q in dcat if q.predicate.value == "http://purl.org/dc/terms/license"
               and q.subject.value == base.rstrip("/")]
    assert licence == ["https://creativecommons.org/licenses/by/4.0/"]
    issued = [q.object.value for q in dcat if q.predicate.value == "http://purl.org/dc/terms/issued"]
    assert issued == ["2026-11-23"]


def test_two_releases_of_the_same_input_are_byte_identical(releases: Releases) -> None:
    first, twin = _files(releases.first.directory), _files(releases.twin.directory)
    assert sorted(first) == sorted(twin)
    differing = [name for name in first if first[name] != twin[name]]
    assert differing == []


def test_changelog_after_an_ingest_lists_exactly_what_it_added(releases: Releases) -> None:
    log = releases.second.changelog
    assert log.previous == "1.0.0"
    clusters = [k for k in log.kinds if k.kind.name == "CLUSTER"][0]
    assert clusters.added == (NEW_IRI,)
    assert [(k.added, k.removed, k.changed) for k in log.kinds if k.kind.name != "CLUSTER"] == [((), (), ())] * 3
    assert (clusters.removed, clusters.changed, log.deprecated) == ((), (), ())
    md = (releases.second.directory / "changelog.md").read_text(encoding="utf-8")
    assert f"  - <{NEW_IRI}>" in md and "since 1.0.0" in md
    rdf = _parse(releases.second.directory / "changelog.ttl")
    objects = [q.object.value for q in rdf if q.predicate.value == "https://schema.org/object"]
    assert objects == [NEW_IRI]


@pytest.mark.parametrize("kind", ["cluster", "actor", "publication", "claim"])
def test_each_frame_output_matches_its_json_schema(releases: Releases, kind: str) -> None:
    doc = json.loads((releases.second.directory / "framed" / f"{kind}.json").read_bytes())
    schema = json.loads((REPO / "publish" / "schemas" / f"{kind}.schema.json").read_bytes())
    jsonschema.validate(doc, schema)
    if kind == "cluster":
        sinos = next(c for c in doc["@graph"] if c["id"] == "cluster:sinos-valley")
        assert any(claim.get("cg:chain", {}).get("id", "").startswith("chain:") for claim in sinos["claims"])


def test_release_refuses_an_existing_version_and_a_bad_name(releases: Releases) -> None:
    before = _files(releases.first.directory)
    with pytest.raises(InputError) as err:
        release(EmbeddedStore(), releases.settings, "1.0.0")
    assert "exists already" in str(err.value)
    with pytest.raises(InputError):
        release(EmbeddedStore(), releases.settings, "../evil")
    assert _files(releases.first.directory) == before


def test_release_refuses_a_graph_that_breaks_the_shapes(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    (settings.data_dir / "broken.ttl").write_text(
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "<https://w3id.org/clustergraph/id/cluster/no-source> a cg:Cluster .\n", encoding="utf-8")
    with pytest.raises(NotConforming):
        release(EmbeddedStore(), settings, "9.9.9")
    assert not (settings.root / "dist").exists() or not any((settings.root / "dist").iterdir())


def test_release_refuses_a_graph_hermit_finds_inconsistent(tmp_path: Path) -> None:
    settings = _project(tmp_path)
    # The Sinos Valley cluster also typed a firm: cg:Cluster is disjoint with cg:Actor (ontology/clusters.ttl).
    (settings.data_dir / "chimera.ttl").write_text(
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "<https://w3id.org/clustergraph/id/cluster/sinos-valley> a cg:Firm .\n", encoding="utf-8")
    with pytest.raises(NotConforming) as err:
        release(EmbeddedStore(), settings, "9.9.9")
    assert "HermiT finds the ontology and data inconsistent" in str(err.value)
    assert "cluster:sinos-valley: an instance of both cg:Actor (typed cg:Firm) and cg:Cluster" in str(err.value)
    assert not (settings.root / "dist").exists() or not any((settings.root / "dist").iterdir())


def test_the_server_serves_void_dcat_and_every_distribution(releases: Releases, tmp_path: Path) -> None:
    with served(releases.settings, tmp_path / "serve.log") as base:
        void = httpx.get(f"{base}/.well-known/void")
        assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
        assert void.content == (releases.second.directory / "void.ttl").read_bytes()  # the latest release
        dcat = httpx.get(f"{base}/release/1.1.0/dcat.ttl")
        assert dcat.status_code == 200 and dcat.headers["content-type"].startswith("text/turtle")
        described = list(ox.parse(dcat.content, format=ox.RdfFormat.TURTLE))
        urls = [q.object.value for q in described if q.predicate.value == "http://www.w3.org/ns/dcat#downloadURL"]
        sums = {q.subject.value.removesuffix("#sha256"): q.object.value for q in described
                if q.predicate.value == "http://spdx.org/rdf/terms#checksumValue"}
        media = {q.subject.value: q.object.value.removeprefix("https://www.iana.org/assignments/media-types/")
                 for q in described if q.predicate.value == "http://www.w3.org/ns/dcat#mediaType"}
        assert len(urls) > 20
        with httpx.Client(base_url=base) as client:
            for url in urls:  # every download URL dereferences on this server, with its checksum and type
                response = client.get(url.removeprefix("https://w3id.org/clustergraph"))
                assert response.status_code == 200, url
                assert hashlib.sha256(response.content).hexdigest() == sums[url], url
                assert response.headers["content-type"].split(";")[0] == media[url], url
            home = client.get("/").text
            assert 'href="/.well-known/void"' in home and 'href="/release/1.1.0/dcat.ttl"' in home
            for missing in ("/release/9.9.9/void.ttl", "/release/1.1.0/nothing.ttl",
                            "/release/1.1.0/%2e%2e/%2e%2e/ontology/clusters.ttl"):
                assert client.get(missing).status_code == 404, missing


def test_before_any_release_void_is_a_404_and_the_home_page_says_how(tmp_path: Path) -> None:
    with served(server_settings(tmp_path), tmp_path / "serve.log") as base:
        response = httpx.get(f"{base}/.well-known/void")
        assert response.status_code == 404
        assert "clustergraph release VERSION" in response.json()["error"]
        assert "No release yet" in httpx.get(f"{base}/").text


def test_cli_release_exits_2_for_a_bad_version_and_writes_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["release", "no/slashes"], catch_exceptions=False,
                                env={"CLUSTERGRAPH_STORE": str(tmp_path / "store")})
    assert result.exit_code == 2
    assert "release version 'no/slashes' must be letters, digits" in result.output
    assert not (tmp_path / "dist").exists()
