"""Services: the work behind every command and HTTP route; they return values and raise errors.

Capabilities with several modules are packages:

    validation/  SHACL validation (pyshacl, and the shapes compiled to SPARQL), delta validation, reports
    steward/     the data steward's writes: ingest, guarded SPARQL and Graph Store writes, retract
    publishing/  releases, dumps and exports, VoID/DCAT, the changelog, the ontology's documentation
    sheets/      spreadsheets in: mappings, cells checked, rows turned into RDF

The others are one module each: build, queries (the catalogue), search, stats, describe, chains,
comparison, evidence, checks and reasoning (repository checks, HermiT), init (a new project).
"""
