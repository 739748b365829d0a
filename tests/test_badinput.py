"""Bad input in the user's words: an empty or foreign folder, a remote JSON-LD @context."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clustergraph.adapters.cli import main
from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.core.rdfio import parse_text


def test_build_in_a_folder_without_ontology_and_data_exits_2_and_makes_no_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "build"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path.resolve()} has neither ontology/ nor data/, so there is nothing to build; run "
        "'clustergraph init DIR' for a new project, or give --root a project folder"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("doc", [
    b'{"@context": "http://example.org/context.jsonld", "@id": "http://example.org/a", "name": "n"}',
    b'{"@context": {"@import": "http://example.org/context.jsonld"}, "@id": "http://example.org/a"}',
])
def test_a_remote_jsonld_context_is_refused_in_the_users_words(doc: bytes) -> None:
    with pytest.raises(InputError) as err:
        parse_text(doc, RdfFormat.JSON_LD, name="upload.jsonld")
    assert str(err.value) == (
        "upload.jsonld: the JSON-LD @context (or @import) names a remote document, and contexts are never fetched "
        'from the network; write the context inline in the file ("@context": {...}); nothing was loaded')
