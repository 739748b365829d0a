"""Deterministic synthetic data in the clustergraph ontology, for benchmarks and scale tests.

    python benchmarks/generate.py --triples 100000 --seed 1 --out benchmarks/data/100k

writes `<out>.nt` (N-Triples) and `<out>.manifest.json`: the shape violations injected on
purpose (about 0.1 % of the triples, at least one of each kind), each with its focus node, path,
value, source shape, constraint component and severity, so that a validator's report can be
checked exactly. The data is meant to be validated together with ontology/ and data/ (it points
to the curated graph's places, sectors, standards, end markets and concept schemes), as a build
loads them. The same arguments always give the same bytes.

Each "cluster unit" holds: a locality, a cluster, local producers, global buyers, value chains,
chain insertions with a governance form and a period, upgrading outcomes, a certification with
a period, and a publication with its author, which every claim names as its source.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

CG = "https://w3id.org/clustergraph/ontology#"
CGS = "https://w3id.org/clustergraph/concept/"
ID = "https://w3id.org/clustergraph/id/"
CGSH = "https://w3id.org/clustergraph/shapes#"
SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SOURCE = "http://www.w3.org/ns/prov#wasDerivedFrom"
TITLE = "http://purl.org/dc/terms/title"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Nodes of the curated graph (data/) the synthetic data points to.
COUNTRIES = ["place/brazil", "place/italy", "place/pakistan", "place/germany", "place/spain"]
SECTORS = ["isic-1520", "isic-1511", "isic-2392"]
STANDARDS = ["standard/iso-9000", "standard/qs-9000", "standard/iso-ts-16949"]
MARKETS = ["market/us", "market/europe", "market/latin-america"]
GOVERNANCE = ["ArmsLengthMarket", "Network", "QuasiHierarchy", "Hierarchy", "GhsModular", "GhsCaptive"]
UPGRADING = ["ProcessUpgrading", "ProductUpgrading", "FunctionalUpgrading"]
STATEMENT = "https://w3id.org/clustergraph/ontology#statement"
# Words for the synthetic claim statements (search benchmark): sentences in the style of the curated
# claims, so that stemming, accents and phrases meet realistic text. Synthetic, not domain facts.
PRODUCTS = ["footwear", "ceramic tiles", "glaze", "surgical instruments", "furniture", "garments",
            "leather", "auto components", "soccer balls", "knitwear", "wine", "software"]
TOWNS = ["Criciúma", "São João", "Castellón", "Tuttlingen", "Sialkot", "Agra", "Guadalajara", "Ludhiana",
         "Sinos", "Brenta", "Tiruppur", "Nova Serrana"]
VERBS = ["upgraded", "were upgrading", "failed to upgrade", "began upgrading", "kept upgrading"]
TOPICS = ["their production processes", "product design", "marketing and design functions",
          "quality management", "delivery times", "labour standards", "environmental management"]
PRESSURES = ["global buyers demanded ISO 9001 certification", "buyers audited child labour rules",
             "ISO 14001 certification was required", "functional upgrading was blocked by buyers",
             "local institutions offered training", "joint action among producers was weak",
             "quasi-hierarchical governance prevailed", "the market chain relied on buying agents"]


class Kind:
    """The kinds of injected violation (one constraint each)."""

    MISSING_SOURCE = "missing-source"
    MISSING_STATUS = "missing-status"
    WRONG_YEAR_DATATYPE = "wrong-year-datatype"
    OUT_OF_SCHEME = "out-of-scheme"
    ALL = (MISSING_SOURCE, MISSING_STATUS, WRONG_YEAR_DATATYPE, OUT_OF_SCHEME)


@dataclass(frozen=True)
class Violation:
    """One injected violation, as the validation report must show it (terms in N-Triples syntax)."""

    kind: str
    focus_node: str
    path: str
    value: str | None
    source_shape: str
    constraint: str
    severity: str = f"<{SH}Violation>"


def iri(text: str) -> str:
    return f"<{text}>"


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{datatype}>' if datatype else f'"{escaped}"'


class Writer:
    """Writes N-Triples lines and counts them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} <{p}> {o} .\n")

    def __len__(self) -> int:
        return len(self.lines)


def _unit(w: Writer, n: int, rng: random.Random, inject: str | None) -> Violation | None:
    """One cluster unit; with `inject`, one of its claims breaks that rule."""
    def node(kind: str, k: int | str = "") -> str:
        return iri(f"{ID}{kind}/gen-{n}{'-' + str(k) if k != '' else ''}")

    verified = iri(f"{CGS}Verified")
    country = iri(ID + rng.choice(COUNTRIES))
    pub, author = node("publication"), node("person")
    year = 1995 + rng.randrange(10)
    w.add(pub, RDF_TYPE, iri(CG + "WorkingPaper"))
    w.add(pub, TITLE, lit(f"Synthetic working paper {n}", lang="en"))
    w.add(pub, LABEL, lit(f"Working paper {n}", lang="en"))
    w.add(pub, CG + "publicationYear", lit(str(year), XSD + "gYear"))
    w.add(pub, CG + "series", iri(f"{ID}series/ids-working-papers"))
    w.add(pub, SOURCE, iri(f"{ID}source/ids-project-page"))
    w.add(pub, CG + "evidenceStatus", verified)
    w.add(author, RDF_TYPE, iri(CG + "Person"))
    w.add(author, LABEL, lit(f"Author {n}", lang="en"))
    w.add(author, SOURCE, pub)
    w.add(author, CG + "evidenceStatus", verified)

    def described(subject: str, cls: str, label: str) -> None:
        w.add(subject, RDF_TYPE, iri(CG + cls))
        w.add(subject, LABEL, lit(label, lang="en"))
        w.add(subject, SOURCE, pub)
        w.add(subject, CG + "evidenceStatus", verified)

    place, cluster = node("place"), node("cluster")
    described(place, "Locality", f"Town {n}")
    w.add(place, CG + "country", country)
    described(cluster, "Cluster", f"Cluster {n}")
    w.add(cluster, CG + "location", place)
    w.add(cluster, CG + "country", country)
    w.add(cluster, CG + "sector", iri(CGS + rng.choice(SECTORS)))
    w.add(cluster, CG + "product", lit(f"product {n}", lang="en"))
    for k in range(3):
        producer = node("organisation", f"producer-{k}")
        described(producer, "LocalProducer", f"Producer {n}-{k}")
        w.add(producer, CG + "operatesIn", place)
    chains = []
    for k in range(2):
        buyer, chain = node("group", f"buyer-{k}"), node("chain", k)
        described(buyer, "GlobalBuyer", f"Buyer {n}-{k}")
        described(chain, "GlobalValueChain", f"Chain {n}-{k}")
        w.add(chain, CG + "endMarket", iri(ID + rng.choice(MARKETS)))
        w.add(chain, CG + "chainDriver", iri(CGS + "BuyerDriven"))
        chains.append((chain, buyer))
    claims: list[str] = []
    periods: list[str] = []

    def period(k: str, start: int, end: int) -> str:
        p = node("period", k)
        w.add(p, RDF_TYPE, iri(CG + "Period"))
        w.add(p, CG + "startYear", lit(str(start), XSD + "gYear"))
        w.add(p, CG + "endYear", lit(str(end), XSD + "gYear"))
        periods.append(p)
        return p

    def claim(subject: str, cls: str, label: str) -> None:
        w.add(subject, RDF_TYPE, iri(CG + cls))
        w.add(subject, LABEL, lit(label, lang="en"))
        w.add(subject, STATEMENT, lit(f"{rng.choice(PRODUCTS).capitalize()} producers in {rng.choice(TOWNS)} "
                                      f"{rng.choice(VERBS)} {rng.choice(TOPICS)} after "
                                      f"{rng.choice(PRESSURES)}.", lang="en"))
        if inject == Kind.MISSING_SOURCE and not claims:
            pass
        else:
            w.add(subject, SOURCE, pub)
        if inject == Kind.MISSING_STATUS and not claims:
            pass
        else:
            w.add(subject, CG + "evidenceStatus", verified)
        claims.append(subject)

    governance: list[str] = []
    for k, (chain, buyer) in enumerate(chains):
        insertion = node("claim", f"insertion-{k}")
        claim(insertion, "ChainInsertion", f"Cluster {n} in chain {k}")
        w.add(insertion, CG + "cluster", cluster)
        w.add(insertion, CG + "chain", chain)
        w.add(insertion, CG + "buyer", buyer)
        value = CGS + ("BuyerDriven" if inject == Kind.OUT_OF_SCHEME and k == 0 else rng.choice(GOVERNANCE))
        governance.append(value)
        w.add(insertion, CG + "governanceType", iri(value))
        w.add(insertion, CG + "period", period(f"insertion-{k}", year - 3, year - 1))
    for k, (chain, _) in enumerate(chains):
        outcome = node("claim", f"upgrading-{k}")
        claim(outcome, "UpgradingOutcome", f"Upgrading {n}-{k}")
        w.add(outcome, CG + "cluster", cluster)
        w.add(outcome, CG + "chain", chain)
        w.add(outcome, CG + "upgradingType", iri(CGS + rng.choice(UPGRADING)))
        w.add(outcome, CG + "outcome", iri(CGS + "Achieved"))
    certification = node("claim", "certification")
    claim(certification, "Certification", f"Certification in cluster {n}")
    w.add(certification, CG + "cluster", cluster)
    w.add(certification, CG + "standard", iri(ID + rng.choice(STANDARDS)))
    w.add(certification, CG + "period", period("certification", year - 2, year))

    first = claims[0]
    if inject == Kind.MISSING_SOURCE:
        return Violation(inject, first, iri(SOURCE), None, iri(CGSH + "ClaimShape-source"),
                         iri(SH + "MinCountConstraintComponent"))
    if inject == Kind.MISSING_STATUS:
        return Violation(inject, first, iri(CG + "evidenceStatus"), None, iri(CGSH + "ClaimShape-status"),
                         iri(SH + "MinCountConstraintComponent"))
    if inject == Kind.OUT_OF_SCHEME:
        return Violation(inject, first, iri(CG + "governanceType"), iri(governance[0]),
                         iri(CGSH + "HasGovernanceTypeShape-scheme"), iri(SH + "NodeConstraintComponent"))
    if inject == Kind.WRONG_YEAR_DATATYPE:
        p = node("period", "extra")
        w.add(p, RDF_TYPE, iri(CG + "Period"))
        wrong = lit(str(year), XSD + "integer")
        w.add(p, CG + "startYear", wrong)
        return Violation(inject, p, iri(CG + "startYear"), wrong, iri(CGSH + "PeriodShape-startYear"),
                         iri(SH + "DatatypeConstraintComponent"))
    return None


UNIT_TRIPLES = 120  # about; only used to spread the injected violations


def generate(triples: int, seed: int, start: int = 0, *, inject: bool = True) -> tuple[list[str], list[Violation]]:
    """The N-Triples lines (at least `triples` of them) and the violations injected into them.

    Units are numbered from `start`, so that a batch made with a `start` past another file's
    units adds new nodes to it (the ingest benchmark). `inject` False gives conforming data.
    """
    rng = random.Random(seed)
    w = Writer()
    units = max(len(Kind.ALL), -(-triples // UNIT_TRIPLES))
    wanted = max(len(Kind.ALL), round(triples / 1000))
    chosen = set(rng.sample(range(units), min(wanted, units))) if inject else set()
    violations: list[Violation] = []
    kinds = iter(_cycle(Kind.ALL))
    n = 0
    while len(w) < triples or n < units:
        inject = next(kinds) if n in chosen else None
        found = _unit(w, n + start, rng, inject)
        if found is not None:
            violations.append(found)
        n += 1
    return w.lines, violations


def _cycle(items: tuple[str, ...]) -> Iterator[str]:
    while True:
        yield from items


def write(out: Path, triples: int, seed: int, start: int = 0, *, inject: bool = True) -> tuple[Path, Path]:
    """Write `<out>.nt` and `<out>.manifest.json`; returns their paths."""
    lines, violations = generate(triples, seed, start, inject=inject)
    out.parent.mkdir(parents=True, exist_ok=True)
    data, manifest = out.with_suffix(".nt"), out.with_suffix(".manifest.json")
    with data.open("w", encoding="utf-8") as f:
        f.writelines(lines)
    body = {"triples": len(lines), "seed": seed, "start": start, "violations": [asdict(v) for v in violations]}
    manifest.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    return data, manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, required=True, help="how many triples, at least")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/data/generated"),
                        help="output path without suffix")
    parser.add_argument("--start", type=int, default=0, help="number of the first unit (new IRIs past another file's)")
    args = parser.parse_args(argv)
    data, manifest = write(args.out, args.triples, args.seed, args.start)
    print(f"{data}\n{manifest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
