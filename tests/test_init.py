"""`clustergraph init DIR` writes a new project from the files shipped in the package; the package built as a
wheel and installed in a fresh virtual environment carries them (and what `serve` needs)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from clustergraph.adapters.cli import main

REPO = Path(__file__).parent.parent


def shipped(folder: str) -> set[str]:
    return {p.name for p in (REPO / folder).iterdir() if not p.name.startswith(".")}


def test_init_writes_the_shipped_folders_an_empty_data_and_a_readme(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = CliRunner().invoke(main, ["init", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    for folder in ("ontology", "shapes", "queries"):
        assert {p.name for p in (target / folder).iterdir()} == shipped(folder)
        assert (target / folder / sorted(shipped(folder))[0]).read_bytes() == (
            REPO / folder / sorted(shipped(folder))[0]).read_bytes()
    assert list((target / "data").iterdir()) == []
    assert (target / "README.md").read_text().startswith("# new\n")
    built = CliRunner().invoke(main, ["--root", str(target), "--memory", "build"], catch_exceptions=False)
    assert built.exit_code == 0, built.stderr


def test_init_into_a_folder_that_is_not_empty_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    result = CliRunner().invoke(main, ["init", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {tmp_path}: the folder is not empty; init writes a new project only "
                                     "into a new or empty folder")
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (found,) = out.glob("clustergraph-*.whl")
    return found


def fresh_venv(folder: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(folder)
    return folder / "bin"


def test_the_wheel_in_a_fresh_venv_inits_and_builds_a_project(wheel: Path, tmp_path: Path) -> None:
    """Fast: the wheel without its dependencies; they are found on PYTHONPATH from the test environment's
    site-packages, which holds clustergraph itself only as an editable finder that PYTHONPATH does not run."""
    bin_dir = fresh_venv(tmp_path / "venv")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    site = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    env = {**os.environ, "PYTHONPATH": site}
    where = subprocess.run([str(bin_dir / "python"), "-c", "import clustergraph; print(clustergraph.__file__)"],
                           capture_output=True, text=True, env=env, check=True)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout
    project = tmp_path / "project"
    init = subprocess.run([str(bin_dir / "clustergraph"), "init", str(project)], capture_output=True, text=True,
                          env=env, cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert {p.name for p in (project / "queries").iterdir()} == shipped("queries")
    build = subprocess.run([str(bin_dir / "clustergraph"), "--root", str(project), "build"], capture_output=True,
                           text=True, env=env)
    assert build.returncode == 0, build.stderr
    static = subprocess.run([str(bin_dir / "python"), "-c", "from importlib import resources; print(sorted(p.name for p "
                             "in (resources.files('clustergraph') / 'adapters' / 'templates').iterdir()))"],
                            capture_output=True, text=True, env=env, check=True)
    assert "base.html" in static.stdout


@pytest.mark.slow
def test_the_wheel_with_its_dependencies_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    """Slow: pip installs the wheel and every dependency (from the machine's package mirrors) into a fresh venv."""
    bin_dir = fresh_venv(tmp_path / "venv")
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   capture_output=True, timeout=900)
    project = tmp_path / "project"
    assert subprocess.run([str(bin_dir / "clustergraph"), "init", str(project)], capture_output=True).returncode == 0
    build = subprocess.run([str(bin_dir / "clustergraph"), "--root", str(project), "build"], capture_output=True,
                           text=True)
    assert build.returncode == 0, build.stderr
