"""`make lint` as a test: mypy --strict over src/ and ruff over src/ and tests/ (pyproject.toml holds their settings)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]' installs it)")
    return subprocess.run([sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_mypy_strict_finds_nothing_in_src() -> None:
    done = _run("mypy", "--strict", "src")  # its cache, .mypy_cache, keeps a second run to seconds
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]


def test_ruff_finds_nothing_in_src_and_tests() -> None:
    done = _run("ruff", "check", "--no-fix", "src", "tests")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
