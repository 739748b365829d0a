"""`clustergraph --help` and `clustergraph COMMAND --help` load click and light modules only.

The engines are imported inside the commands that use them (and through PEP 562 by the package's
public names), so help and usage errors answer at once. This checks the import graph, not time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import clustergraph

#: The heavy engines no --help may import.
ENGINES = ("pyshacl", "rdflib", "owlready2", "pyoxigraph", "starlette")

_SCRIPT = """
import json, sys
from clustergraph.adapters.cli import main

for args in [["--help"]] + [[name, "--help"] for name in sorted(main.commands)]:
    try:
        main(args, prog_name="clustergraph")
    except SystemExit as done:
        assert not done.code, (args, done.code)
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"commands": sorted(main.commands), "loaded": loaded}))
"""


def _run(script: str) -> dict[str, list[str]]:
    src = str(Path(clustergraph.__file__).parent.parent)  # the clustergraph these tests import
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60,
                          check=True)
    answer: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return answer


def test_help_of_every_command_loads_no_engine() -> None:
    found = _run(_SCRIPT)
    assert {"build", "query", "validate", "serve", "check", "release", "search"} <= set(found["commands"])
    loaded = [engine for engine in ENGINES if engine in found["loaded"]]
    assert not loaded, f"--help imported {', '.join(loaded)}; import it inside the command that uses it"


def test_import_clustergraph_loads_no_engine_until_a_name_is_used() -> None:
    found = _run("import json, sys, clustergraph\n"
                 "before = sorted({m.split('.')[0] for m in sys.modules})\n"
                 "clustergraph.validate\n"
                 "print(json.dumps({'before': before, 'loaded': sorted({m.split('.')[0] for m in sys.modules})}))")
    assert not [engine for engine in ENGINES if engine in found["before"]]
    assert "pyshacl" in found["loaded"]  # clustergraph.validate is the real function, imported on first use


def test_the_public_names_are_the_real_ones() -> None:
    from clustergraph.api import open as api_open
    from clustergraph.core.store import EmbeddedStore
    from clustergraph.services.validation import validate

    assert clustergraph.open is api_open
    assert clustergraph.EmbeddedStore is EmbeddedStore
    assert clustergraph.validate is validate
    assert set(clustergraph.__all__) <= set(dir(clustergraph))
    for name in clustergraph.__all__:
        assert getattr(clustergraph, name) is not None
